"""Forms of the learning pages: plans, sessions (with their audience), batches, material, the roster
(one toggle each), self-study, review, questions and quizzes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hongqing.core.forms import DateInput, HQForm, HQModelForm
from hongqing.core.scoping import CHANGE
from hongqing.organization.models import PartyOrganization
from hongqing.people.models import Person

from .choices import QuestionKind, SelfStudyKind, StudyAttendanceStatus
from .models import (
    ALLOWED_MATERIAL_EXTENSIONS,
    Question,
    Quiz,
    StudyPlan,
    StudyPlanItem,
    StudySession,
)
from .models.quizzes import LETTERS
from .services import sessions as services

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATETIME_INPUTS = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_FORMAT)


def learning_organizations(user, action=CHANGE):
    """The Party organisations whose learning records ``user`` may ``action``."""
    return PartyOrganization.objects.restrict(user, action, area="learning").exclude(
        kind="discipline_committee"
    )


class StudyPlanForm(HQModelForm):
    class Meta:
        model = StudyPlan
        fields = ["organization", "level", "year", "title", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is not None:
            self.fields["organization"].queryset = learning_organizations(self.user).exclude(kind="group")
        if not self.instance.pk:
            self.initial.setdefault("year", timezone.localdate().year)


class StudyPlanItemForm(HQModelForm):
    class Meta:
        model = StudyPlanItem
        fields = ["plan", "order", "topic", "month", "hours", "mode", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is not None:
            self.fields["plan"].queryset = StudyPlan.objects.restrict(self.user, CHANGE)
        if self.instance.pk:
            self.fields["plan"].disabled = True


class StudySessionForm(HQModelForm):
    class Meta:
        model = StudySession
        fields = [
            "organization",
            "kind",
            "mode",
            "title",
            "start",
            "end",
            "place",
            "hours",
            "speaker",
            "speaker_name",
            "audience_organizations",
            "audience_persons",
            "plan_items",
            "description",
        ]
        widgets = {
            "start": DateTimeLocalInput(),
            "end": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "audience_organizations": forms.SelectMultiple(attrs={"size": 6}),
            "audience_persons": forms.SelectMultiple(attrs={"size": 6}),
            "plan_items": forms.SelectMultiple(attrs={"size": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start", "end"):
            self.fields[name].input_formats = DATETIME_INPUTS
        if self.user is not None:
            self.fields["organization"].queryset = learning_organizations(self.user)
        self.fields["plan_items"].queryset = self.fields["plan_items"].queryset.select_related("plan")
        self.fields["speaker"].required = False
        if self.instance.pk and self.instance.batch_of_id:
            # A batch is its activity's: only its time and place are its own.
            for name in ("organization", "kind", "mode", "title", "hours", "plan_items"):
                self.fields[name].disabled = True
        elif self.instance.pk and self.instance.attendances.exists():
            self.fields["organization"].disabled = True

    def clean(self):
        cleaned = super().clean()
        org = cleaned.get("organization") or (
            self.instance.organization if self.instance.organization_id else None
        )
        if org is None:
            return cleaned
        for name in ("audience_organizations", "audience_persons"):
            for obj in cleaned.get(name) or []:
                if obj.hospital_id != org.hospital_id:
                    self.add_error(name, _("%(obj)s belongs to another hospital.") % {"obj": obj})
                    break
        for item in cleaned.get("plan_items") or []:
            if item.plan.organization.hospital_id != org.hospital_id:
                self.add_error("plan_items", _("%(obj)s belongs to another hospital.") % {"obj": item})
                break
        return cleaned


class BatchForm(HQForm):
    start = forms.DateTimeField(label=_("starts"), widget=DateTimeLocalInput(), input_formats=DATETIME_INPUTS)
    end = forms.DateTimeField(label=_("ends"), widget=DateTimeLocalInput(), input_formats=DATETIME_INPUTS)
    place = forms.CharField(label=_("place"), max_length=100, required=False)


class MaterialForm(HQForm):
    file = forms.FileField(label=_("file"))
    name = forms.CharField(label=_("name"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ",".join(sorted(ALLOWED_MATERIAL_EXTENSIONS))
        self.fields["file"].help_text = _("Documents, slides, photos, or the recording (MP4, MP3).")


# ---------------------------------------------------------------------------------------------
# The roster: everyone invited, one toggle each


@dataclass
class RosterRow:
    person: Person
    invited: bool
    status: str = ""  # "" = not recorded
    reason: str = ""
    makeup_on: dt.date | None = None
    makeup_note: str = ""
    hours: str = ""
    via: str = ""
    errors: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"a-{self.person.pk}"


class AttendanceSheet:
    """The session's roster with a toggle each: present, made up, leave, absent, or not recorded.

    Field names: ``a-<person id>-status|reason|makeup_on|makeup_note|hours``; ``add_person`` adds a
    person who is not invited (a guest). JS-free: the extra fields show by CSS for the statuses that
    need them. "Everyone present" (``_all_present``) marks every row not yet recorded present.
    """

    STATUSES = [
        (StudyAttendanceStatus.PRESENT, _("Present"), "success"),
        (StudyAttendanceStatus.MAKEUP, pgettext_lazy("attendance", "Made up"), "secondary"),
        (StudyAttendanceStatus.LEAVE, _("Leave"), "warning"),
        (StudyAttendanceStatus.ABSENT, _("Absent"), "danger"),
        ("", pgettext_lazy("attendance", "None"), "light"),
    ]

    def __init__(self, session, *, user=None, data=None):
        self.session, self.user, self.data = session, user, data
        invited = {p.pk for p in services.audience(session)}
        existing = {a.person_id: a for a in session.attendances.all()}
        self.rows = []
        for person in services.roster(session):
            row = RosterRow(person, person.pk in invited, hours=str(session.hours))
            a = existing.get(person.pk)
            if a is not None:
                row.status, row.reason, row.via = a.status, a.reason, a.via
                row.makeup_on, row.makeup_note, row.hours = a.makeup_on, a.makeup_note, str(a.hours)
            self.rows.append(row)
        self.add_form = AddPersonForm(
            data=data if data is not None and data.get("add_person") else None,
            user=user,
            exclude=[r.person.pk for r in self.rows],
            hospital_id=session.organization.hospital_id,
        )
        if data is not None:
            self._bind(data)

    def _bind(self, data):
        known = {r.person.pk for r in self.rows}
        extra = [int(x) for x in data.getlist("a-extra") if str(x).isdigit()]
        if (
            data.get("add_person")
            and self.add_form.is_valid()
            and self.add_form.cleaned_data.get("add_person")
        ):
            extra.append(self.add_form.cleaned_data["add_person"].pk)
        if extra:
            allowed = self.add_form.fields["add_person"].queryset.model.objects.filter(
                pk__in=extra, hospital_id=self.session.organization.hospital_id
            )
            for person in allowed.restrict(self.user, "view"):
                if person.pk not in known:
                    known.add(person.pk)
                    self.rows.append(RosterRow(person, False, hours=str(self.session.hours)))
        every = "_all_present" in data
        for row in self.rows:
            status = data.get(f"{row.key}-status")
            if status is None:
                if every and not row.status:
                    row.status = StudyAttendanceStatus.PRESENT
                continue
            row.status = status
            if every and not status:
                row.status = StudyAttendanceStatus.PRESENT
            row.reason = data.get(f"{row.key}-reason", "").strip()
            row.makeup_note = data.get(f"{row.key}-makeup_note", "").strip()
            row.hours = data.get(f"{row.key}-hours", row.hours).strip()
            raw = data.get(f"{row.key}-makeup_on", "").strip()
            row.makeup_on = None
            if raw:
                try:
                    row.makeup_on = dt.date.fromisoformat(raw)
                except ValueError:
                    row.errors["makeup_on"] = _("Enter a valid date.")

    def is_valid(self) -> bool:
        valid = {s for s, _l, _c in self.STATUSES}
        ok = True
        for row in self.rows:
            if row.status not in valid:
                row.errors["status"] = _("Choose present, made up, leave, absent or none.")
            try:
                hours = Decimal(row.hours or "0")
                if hours < 0:
                    row.errors["hours"] = _("Hours cannot be negative.")
            except InvalidOperation:
                row.errors["hours"] = _("Enter the hours as a number.")
            ok = ok and not row.errors
        return ok

    def cleaned_rows(self) -> list[dict]:
        return [
            {
                "person": r.person,
                "status": r.status,
                "reason": r.reason,
                "makeup_on": r.makeup_on,
                "makeup_note": r.makeup_note,
                "hours": r.hours or None,
            }
            for r in self.rows
        ]

    def add_errors(self, problems: dict) -> None:
        for row in self.rows:
            for name, message in problems.get(row.person.pk, {}).items():
                row.errors[
                    name if name in ("status", "reason", "makeup_on", "makeup_note", "hours") else "person"
                ] = message

    @property
    def counts(self) -> dict:
        out = {s: 0 for s, _l, _c in self.STATUSES}
        for r in self.rows:
            out[r.status] = out.get(r.status, 0) + 1
        return out


class AddPersonForm(HQForm):
    add_person = forms.ModelChoiceField(
        queryset=Person.objects.all(), required=False, label=_("Add a person")
    )

    def __init__(self, *args, exclude=(), hospital_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = self.fields["add_person"].queryset.exclude(pk__in=exclude)
        if hospital_id is not None:
            qs = qs.filter(hospital_id=hospital_id)
        self.fields["add_person"].queryset = qs


# ---------------------------------------------------------------------------------------------
# Self-study


class SelfStudyForm(HQForm):
    """What a member records on their phone."""

    kind = forms.ChoiceField(label=_("kind"), choices=SelfStudyKind.choices)
    title = forms.CharField(
        label=_("title"), max_length=200, help_text=_("The book, the course or the video")
    )
    studied_on = forms.DateField(label=_("studied on"), widget=DateInput())
    hours = forms.DecimalField(label=_("hours"), max_digits=4, decimal_places=1, min_value=Decimal("0.1"))
    note = forms.CharField(
        label=_("what I learned"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hours"].widget.attrs.update({"inputmode": "decimal", "step": "0.5"})
        self.initial.setdefault("studied_on", timezone.localdate())


class RejectForm(HQForm):
    reason = forms.CharField(label=_("reason for rejecting"), max_length=200)


# ---------------------------------------------------------------------------------------------
# Questions and quizzes


class QuestionForm(HQModelForm):
    """A question with its options as one field each (A–F)."""

    class Meta:
        model = Question
        fields = ["hospital", "kind", "text", "answer", "explanation", "tags", "active"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "explanation": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        options = list(self.instance.options or [])
        for i, letter in enumerate(LETTERS):
            name = f"option_{letter.lower()}"
            self.fields[name] = forms.CharField(
                label=_("Option %(letter)s") % {"letter": letter}, max_length=200, required=False
            )
            self.fields[name].widget.attrs["class"] = "form-control"
            if i < len(options):
                self.initial[name] = options[i]
        self.order_fields(
            [
                "hospital",
                "kind",
                "text",
                *[f"option_{c.lower()}" for c in LETTERS],
                "answer",
                "explanation",
                "tags",
            ]
        )
        self.fields["answer"].help_text = _(
            "The letters of the right options, e.g. A or ACD; true or false: A or B"
        )

    def clean(self):
        cleaned = super().clean()
        options = [(cleaned.get(f"option_{c.lower()}") or "").strip() for c in LETTERS]
        while options and not options[-1]:
            options.pop()
        self.instance.options = options if cleaned.get("kind") != QuestionKind.TRUE_FALSE else []
        return cleaned

    def _update_errors(self, errors):
        # The model's "options" errors belong to the option fields (the form has no "options").
        if hasattr(errors, "error_dict") and "options" in errors.error_dict:
            errors.error_dict["option_a"] = errors.error_dict.pop("options")
        super()._update_errors(errors)


class QuizForm(HQModelForm):
    class Meta:
        model = Quiz
        fields = [
            "organization",
            "title",
            "description",
            "tags",
            "question_count",
            "time_limit_minutes",
            "opens_at",
            "closes_at",
            "multiple_partial",
            "leaderboard",
        ]
        widgets = {
            "opens_at": DateTimeLocalInput(),
            "closes_at": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("opens_at", "closes_at"):
            self.fields[name].input_formats = DATETIME_INPUTS
        if self.user is not None:
            self.fields["organization"].queryset = learning_organizations(self.user)
        if self.instance.pk and self.instance.attempts.exists():
            for name in ("organization", "tags", "question_count", "multiple_partial"):
                self.fields[name].disabled = True
