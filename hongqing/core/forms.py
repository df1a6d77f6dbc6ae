"""Form plumbing: Bootstrap classes, HTML5 date inputs, and scoped choice fields."""

from __future__ import annotations

import json

from django import forms
from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import CalendarOverride, Rule
from .rules import is_structured
from .scoping import VIEW


class ScopedFormMixin:
    """Every model choice offered to a user is restricted to what that user may see."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, field in self.fields.items():
            qs = getattr(field, "queryset", None)
            if qs is not None and hasattr(qs, "restrict") and user is not None:
                field.queryset = self.scoped_choices(name, qs, user)
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                pass
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"

    def scoped_choices(self, name, qs, user):
        """The user's scope, plus the values the edited record already has.

        A secretary editing a member of the branch who works in another branch's department (or
        whose hospital they cannot list) must be able to keep that value, and keep the talent tags
        they cannot see: otherwise the form would refuse, or silently clear them. New choices stay
        within the scope.
        """
        allowed = qs.restrict(user, VIEW)
        instance = getattr(self, "instance", None)
        if instance is None or instance.pk is None:
            return allowed
        current = self.initial.get(name)
        if isinstance(current, list | tuple | set):
            current = [getattr(v, "pk", v) for v in current]
        else:
            current = [getattr(current, "pk", current)] if current not in (None, "") else []
        if not current:
            return allowed
        return qs.filter(Q(pk__in=allowed.values("pk")) | Q(pk__in=current))


class HQModelForm(ScopedFormMixin, forms.ModelForm):
    pass


class HQForm(ScopedFormMixin, forms.Form):
    pass


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class RuleOverrideForm(ScopedFormMixin, forms.ModelForm):
    """A hospital's override of a declared rule; the value must have the default's shape."""

    value_text = forms.CharField(label=_("value"), help_text=_("A number, or numbers separated by commas"))

    class Meta:
        model = Rule
        fields = ["key", "hospital_id", "effective_from", "source"]

    def __init__(self, *args, hospitals=(), **kwargs):
        super().__init__(*args, **kwargs)
        from .rules import declared

        self.declared = declared()
        self.fields["key"] = forms.ChoiceField(
            label=_("rule"), choices=[(k, f"{k} — {d.description}") for k, d in sorted(self.declared.items())]
        )
        self.fields["key"].widget.attrs["class"] = "form-select"
        tenant = apps.get_model(settings.HONGQING_TENANT_MODEL)
        self.fields["hospital_id"] = forms.TypedChoiceField(
            label=_("hospital"),
            coerce=int,
            choices=[(t.pk, str(t)) for t in tenant.objects.filter(pk__in=hospitals)],
        )
        self.fields["hospital_id"].widget.attrs["class"] = "form-select"
        self.fields["effective_from"].widget = DateInput(attrs={"class": "form-control"})
        if self.instance.pk:
            value = self.instance.value
            if is_structured(value):
                self.initial["value_text"] = json.dumps(value, ensure_ascii=False)
            else:
                self.initial["value_text"] = (
                    ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
                )
        elif (key := self.initial.get("key")) in self.declared and is_structured(self.declared[key].value):
            # A structured rule is edited as JSON, starting from the value in force.
            self.initial["value_text"] = json.dumps(self.declared[key].value, ensure_ascii=False)
        self.order_fields(["key", "hospital_id", "value_text", "effective_from", "source"])

    def clean(self):
        cleaned = super().clean()
        key, raw = cleaned.get("key"), (cleaned.get("value_text") or "").strip()
        if not key or not raw:
            return cleaned
        default = self.declared[key].value
        if is_structured(default):
            return self.clean_structured(key, raw, cleaned)
        try:
            if isinstance(default, list):
                value = [int(x) for x in raw.replace("，", ",").split(",") if x.strip()]
            elif isinstance(default, int):
                value = int(raw)
            else:
                value = float(raw)
        except ValueError:
            self.add_error(
                "value_text", _("Enter a value of the same kind as the default (%(d)s).") % {"d": default}
            )
            return cleaned
        if (isinstance(value, int | float) and value < 0) or (
            isinstance(value, list) and any(v < 0 for v in value)
        ):
            self.add_error("value_text", _("A rule value cannot be negative."))
        self.instance.value = value
        return cleaned

    def clean_structured(self, key, raw, cleaned):
        """A dict or list-of-lists rule: JSON of the default's shape, then the rule's own check."""
        decl = self.declared[key]
        try:
            value = json.loads(raw)
        except ValueError:
            self.add_error(
                "value_text", _("Enter the value as JSON, like the default: %(d)s") % {"d": _json(decl.value)}
            )
            return cleaned
        if type(value) is not type(decl.value):
            self.add_error(
                "value_text", _("Enter the value as JSON, like the default: %(d)s") % {"d": _json(decl.value)}
            )
            return cleaned
        for message in decl.check(value) if decl.check else []:
            self.add_error("value_text", message)
        self.instance.value = value
        return cleaned


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


class CalendarOverrideForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = CalendarOverride
        fields = ["date", "is_working_day", "name"]
        widgets = {"date": DateInput()}
