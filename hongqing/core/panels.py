"""Panels: how a higher app adds a section to a lower app's page without the lower app importing it.

``people`` adds the warnings and the 双带头人 ratio to the organisation pages; ``party`` will add
its duty list to the home page. A panel is a template plus a function that builds its context
(and returns None to stay hidden).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    slot: str
    template: str
    context: Callable[..., dict | None]
    order: int = 100


_panels: dict[str, list[Panel]] = {}


def register_panel(slot: str, template: str, context: Callable[..., dict | None], order: int = 100) -> None:
    _panels.setdefault(slot, []).append(Panel(slot, template, context, order))
    _panels[slot].sort(key=lambda p: p.order)


def render_panels(slot: str, request, **kwargs) -> list[tuple[str, dict]]:
    out = []
    for panel in _panels.get(slot, []):
        ctx = panel.context(request, **kwargs)
        if ctx is not None:
            out.append((panel.template, ctx))
    return out
