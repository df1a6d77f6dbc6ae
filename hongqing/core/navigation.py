"""The menu: each app registers its entries in ready(); an entry shows only to users who may view it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .scoping import VIEW, has_permission
from .urls_helpers import static_url


@dataclass(frozen=True)
class MenuItem:
    area: str
    label: str
    url_name: str
    icon: str = "circle"
    model: type | None = None
    visible: Callable[[object], bool] | None = None
    order: int = 100


AREAS: dict[str, tuple[str, str, int]] = {}  # key -> (label, icon, order)
_items: list[MenuItem] = []


def register_area(key: str, label, icon: str, order: int) -> None:
    AREAS[key] = (label, icon, order)


def register(*items: MenuItem) -> None:
    _items.extend(items)


def menu_for(user) -> list[dict]:
    areas: dict[str, list[dict]] = {}
    for item in sorted(_items, key=lambda i: i.order):
        if item.visible is not None:
            ok = item.visible(user)
        else:
            ok = item.model is not None and has_permission(user, item.model, VIEW)
        if ok:
            areas.setdefault(item.area, []).append(
                {
                    "label": item.label,
                    "url": static_url(item.url_name),
                    "icon": item.icon,
                    "url_name": item.url_name,
                }
            )
    out = []
    for key, entries in areas.items():
        label, icon, order = AREAS.get(key, (key, "circle", 999))
        out.append({"key": key, "label": label, "icon": icon, "order": order, "items": entries})
    return sorted(out, key=lambda a: a["order"])
