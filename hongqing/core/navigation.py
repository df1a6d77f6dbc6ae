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


_html_cache: dict[tuple, str] = {}


def menu_html(menu: list[dict]) -> str:
    """The navbar's menu markup, built once per (language, entries): the template's two nested loops
    over two dozen lazily translated labels were a third of the layout's rendering time."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    key = (get_language(), tuple((a["key"], tuple(i["url_name"] for i in a["items"])) for a in menu))
    html = _html_cache.get(key)
    if html is None:
        parts = []
        for area in menu:
            items = "".join(
                f'<li><a class="dropdown-item" href="{escape(i["url"])}"><i class="bi bi-{escape(i["icon"])}"></i> '
                f"{escape(i['label'])}</a></li>"
                for i in area["items"]
            )
            parts.append(
                '<li class="nav-item dropdown">'
                '<a class="nav-link dropdown-toggle" href="#" role="button" data-bs-toggle="dropdown" '
                f'aria-expanded="false"><i class="bi bi-{escape(area["icon"])}"></i> {escape(area["label"])}</a>'
                f'<ul class="dropdown-menu">{items}</ul></li>'
            )
        html = "".join(parts)
        if len(_html_cache) < 1024:  # a menu per role mix and language: a handful in practice
            _html_cache[key] = html
    return mark_safe(html)  # noqa: S308  (every value above is escaped)
