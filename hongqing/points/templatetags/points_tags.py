"""Template filters of the points pages."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def signed(value) -> str:
    """+2, −3, 0, +1.5 (points as a member reads them)."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    if value == 0:
        return "0"
    text = f"{abs(value):.2f}".rstrip("0").rstrip(".")
    return f"+{text}" if value > 0 else f"−{text}"


@register.filter
def points(value) -> str:
    """2, 1.5, −3 (a total)."""
    if value is None or value == "":
        return "0"
    value = Decimal(value)
    text = f"{abs(value):.2f}".rstrip("0").rstrip(".")
    return f"−{text}" if value < 0 else text


@register.filter
def tone(value) -> str:
    if value is None:
        return "text-muted"
    return "text-success" if value > 0 else ("text-danger" if value < 0 else "text-muted")
