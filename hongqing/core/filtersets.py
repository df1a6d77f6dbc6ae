"""FilterSet plumbing shared by the HTML lists and the API."""

from __future__ import annotations

import django_filters
from django.forms import ChoiceField
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
            # A filter left empty means "all", not "unknown" or "---------".
            if f.widget.__class__.__name__ == "NullBooleanSelect":
                f.widget.choices = [("unknown", _("All")), ("true", _("Yes")), ("false", _("No"))]
            elif getattr(f, "empty_label", None) is not None:
                f.empty_label = _("All")
                f.widget.choices = f.choices  # the widget's copy still iterates the class's field
            elif isinstance(f, ChoiceField) and f.choices and list(f.choices)[0][0] == "":
                f.choices = [("", _("All")), *list(f.choices)[1:]]
            if f.widget.__class__.__name__ in ("Select", "SelectMultiple", "NullBooleanSelect"):
                f.widget.attrs.setdefault("class", "form-select form-select-sm")
            else:
                f.widget.attrs.setdefault("class", "form-control form-control-sm")
