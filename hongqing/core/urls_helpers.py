"""URL patterns by convention: ``<app>:<model>_<action>``."""

from django.urls import path


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
