"""FilterSet plumbing shared by the HTML lists and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from .scoping import VIEW


def scoped(model):
    """A queryset callable for ModelChoiceFilter: the choices are the user's scope."""

    def qs(request):
        if request is None:
            return model.objects.none()
        return model.objects.restrict(request.user, VIEW)

    return qs


class HQFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))

    def search(self, queryset, name, value):
        return queryset

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.form.fields.values():
            if f.widget.__class__.__name__ in ("Select", "SelectMultiple", "NullBooleanSelect"):
                f.widget.attrs.setdefault("class", "form-select form-select-sm")
            else:
                f.widget.attrs.setdefault("class", "form-control form-control-sm")
