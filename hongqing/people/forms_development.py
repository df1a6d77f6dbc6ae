"""Forms of member development: advance to the next stage, record a step."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hongqing.core.forms import DateInput, HQForm

from .choices import Stage, StepKind
from .development import STAGES, STEP_STAGE


class AdvanceForm(HQForm):
    to_stage = forms.ChoiceField(label=_("to the stage"))
    date = forms.DateField(label=_("date"), widget=DateInput())
    note = forms.CharField(
        label=_("note"),
        max_length=300,
        required=False,
        help_text=_("e.g. the meeting that decided it"),
    )

    def __init__(self, *args, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        index = STAGES.index(membership.stage)
        nxt = STAGES[index + 1 : index + 2]
        self.fields["to_stage"].choices = [(s, Stage(s).label) for s in nxt]
        if nxt:
            self.initial.setdefault("to_stage", nxt[0])
        self.initial.setdefault("date", timezone.localdate())


class StepForm(HQForm):
    kind = forms.ChoiceField(label=_("step"))
    date = forms.DateField(label=_("date"), widget=DateInput())
    end_date = forms.DateField(
        label=_("until"),
        widget=DateInput(),
        required=False,
        help_text=_("The last day of a notice or a training; the new end of probation for an extension."),
    )
    hours = forms.DecimalField(label=_("hours"), max_digits=5, decimal_places=1, min_value=0, required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [k for k in StepKind if membership.stage in STEP_STAGE.get(k, ())]
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]
        self.initial.setdefault("date", timezone.localdate())
