from django.utils.functional import SimpleLazyObject

from .navigation import menu_for, menu_html


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    from .notifications import unread_count

    # Lazy: counted (one query) only when a page renders the bell, not for HTMX partials.
    menu = menu_for(user)
    return {
        "menu": menu,
        "menu_html": SimpleLazyObject(lambda: menu_html(menu)),
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
    }
