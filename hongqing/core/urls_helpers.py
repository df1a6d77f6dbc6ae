"""URL patterns by convention (``<app>:<model>_<action>``), and reverse() without its cost on hot paths."""

import functools

from django.urls import NoReverseMatch, get_script_prefix, path, reverse

# Django's reverse() costs ~20 µs (the resolver's lookups go through thread-local state several
# times): the menu on every page reversed two dozen names, 2 ms of a 6 ms page, and a list links every
# row to two or three pages. The patterns here take no translated prefix, so a name's URL depends only
# on the script prefix: resolved once per (name, prefix).
_PK = 7777777


@functools.lru_cache(maxsize=512)
def _reversed(name: str, prefix: str, with_pk: bool) -> str | None:
    try:
        return reverse(name, kwargs={"pk": _PK}) if with_pk else reverse(name)
    except NoReverseMatch:
        return None


def static_url(name: str) -> str:
    """reverse(name) of a URL without arguments, resolved once (NoReverseMatch as reverse() raises it)."""
    url = _reversed(name, get_script_prefix(), False)
    if url is None:
        raise NoReverseMatch(name)
    return url


def pk_url(name: str, pk) -> str:
    """reverse(name, pk=pk) of a ``<int:pk>`` URL, resolved once per name; "" when there is no such URL."""
    pattern = _reversed(name, get_script_prefix(), True)
    return pattern.replace(str(_PK), str(pk)) if pattern else ""


def crud_urls(
    prefix: str,
    model,
    *,
    list_view=None,
    detail_view=None,
    edit_view=None,
    delete_view=None,
    history_view=None,
    import_view=None,
):
    name = model._meta.model_name
    urls = []
    if list_view:
        urls.append(path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"))
    if import_view:
        urls.append(path(f"{prefix}/import/", import_view.as_view(), name=f"{name}_import"))
    if edit_view:
        urls.append(path(f"{prefix}/add/", edit_view.as_view(), name=f"{name}_add"))
        urls.append(path(f"{prefix}/<int:pk>/edit/", edit_view.as_view(), name=f"{name}_edit"))
    if detail_view:
        urls.append(path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{name}_detail"))
    if history_view:
        urls.append(path(f"{prefix}/<int:pk>/history/", history_view.as_view(), name=f"{name}_history"))
    if delete_view:
        urls.append(path(f"{prefix}/<int:pk>/delete/", delete_view.as_view(), name=f"{name}_delete"))
    return urls
