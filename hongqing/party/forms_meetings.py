"""Forms of the meeting pages: the meeting, its attendance sheet (one page, phone first), cancelling,
attachments, agenda items and 三重一大 matters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hongqing.core.forms import HQForm, HQModelForm
from hongqing.core.scoping import CHANGE, VIEW
from hongqing.people.models import Person

from .choices import DECISION_KINDS, AttendanceStatus, MeetingStatus
from .models import ALLOWED_ATTACHMENT_EXTENSIONS, AgendaItem, MajorMatter, Meeting
from .services import meetings as services

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_FORMAT)


class MeetingForm(HQModelForm):
    """The meeting itself. On a new meeting, ``held`` records it at once (with the attendance sheet)."""

    held = forms.BooleanField(
        label=_("It has taken place: record it as held"),
        required=False,
        help_text=_("Leave unticked to plan it ahead."),
    )

    class Meta:
        model = Meeting
        fields = [
            "organization",
            "kind",
            "start",
            "place",
            "topic",
            "host",
            "agenda",
            "department",
            "department_decisions",
            "minutes",
            "resolutions",
        ]
        widgets = {
            "start": DateTimeLocalInput(),
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "department_decisions": forms.Textarea(attrs={"rows": 3}),
            "minutes": forms.Textarea(attrs={"rows": 4}),
            "resolutions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        orgs = self.fields["organization"].queryset
        if self.user is not None:
            # Only the organisations whose meetings the user may record.
            orgs = orgs.filter(pk__in=services.meeting_organizations(self.user, CHANGE).values("pk"))
        self.fields["organization"].queryset = orgs.exclude(kind="discipline_committee")
        self.fields["department"].queryset = (
            self.fields["department"].queryset.filter(branch_links__end__isnull=True).distinct()
        )
        self.fields["host"].required = False
        if self.instance.pk:
            del self.fields["held"]
            if self.instance.status != MeetingStatus.PLANNED or self.instance.attendances.exists():
                # The roster follows the organisation and the kind: once recorded, they stay.
                self.fields["organization"].disabled = True
                self.fields["kind"].disabled = True
        else:
            self.fields["held"].initial = True

    def clean(self):
        cleaned = super().clean()
        if self.cleaned_data.get("held"):
            start = cleaned.get("start")
            if start and start > timezone.now():
                self.add_error("start", _("A meeting in the future cannot be recorded as held."))
        return cleaned


@dataclass
class SheetRow:
    person: Person
    role: str
    expected: bool
    voting: bool
    is_guest: bool = False
    saved: bool = False  # already recorded
    status: str = AttendanceStatus.PRESENT
    reason: str = ""
    makeup_on: dt.date | None = None
    makeup_note: str = ""
    remove: bool = False
    errors: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"a-{self.person.pk}"

    @property
    def shows_reason(self) -> bool:
        return self.status != AttendanceStatus.PRESENT or "reason" in self.errors


class AttendanceSheet:
    """Everyone who should attend, present by default, with one toggle each; guests may be added.

    Field names: ``a-<person id>-status|reason|makeup_on|makeup_note|remove``; ``a-extra`` lists the
    persons added on this page but not yet saved; ``add_person`` (+ ``add_guest``) adds one more.
    JS-free: the reason field shows by CSS when leave or absence is chosen.
    """

    STATUSES = [
        (AttendanceStatus.PRESENT, _("Present"), "success"),
        (AttendanceStatus.LEAVE, _("Leave"), "warning"),
        (AttendanceStatus.ABSENT, _("Absent"), "danger"),
        (AttendanceStatus.MAKEUP, pgettext_lazy("attendance", "Made up"), "secondary"),
    ]

    def __init__(self, *, meeting=None, organization=None, kind=None, day=None, user=None, data=None):
        self.meeting, self.user, self.data = meeting, user, data
        self.organization = meeting.organization if meeting else organization
        self.kind = meeting.kind if meeting else kind
        self.day = meeting.local_date if meeting else (day or timezone.localdate())
        self.entries = (
            services.roster(self.organization, self.kind, self.day) if self.organization and self.kind else []
        )
        self.rows: list[SheetRow] = []
        self.errors: list[str] = []
        existing = {}
        if meeting is not None and meeting.pk:
            existing = {a.person_id: a for a in meeting.attendances.select_related("person")}
        for e in self.entries:
            row = SheetRow(e.person, e.role, True, e.voting)
            a = existing.pop(e.person.pk, None)
            if a is not None:
                self._load(row, a)
            self.rows.append(row)
        for a in existing.values():
            row = SheetRow(
                a.person, _("Guest") if a.is_guest else _("Not on the roster"), a.expected, a.voting
            )
            row.is_guest = a.is_guest
            self._load(row, a)
            self.rows.append(row)
        self.add_form = AddAttendeeForm(
            data=data if data is not None and data.get("add_person") else None,
            user=user,
            exclude=[r.person.pk for r in self.rows],
        )
        if data is not None:
            self._bind(data)

    @property
    def ready(self) -> bool:
        return bool(self.organization and self.kind)

    @staticmethod
    def _load(row, a):
        row.saved = True
        row.status, row.reason = a.status, a.reason
        row.makeup_on, row.makeup_note = a.makeup_on, a.makeup_note

    def _person_in_scope(self, pk):
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            return None
        return Person.objects.restrict(self.user, VIEW).filter(pk=pk).first()

    def _bind(self, data):
        # Persons added earlier on this page, then the one being added now.
        known = {r.person.pk for r in self.rows}
        for raw in data.getlist("a-extra"):
            pk, _sep, guest = raw.partition(":")
            person = self._person_in_scope(pk)
            if person is not None and person.pk not in known:
                known.add(person.pk)
                self.rows.append(
                    SheetRow(person, _("Guest") if guest else "", False, False, is_guest=bool(guest))
                )
        if data.get("add_person") and self.add_form.is_valid():
            person = self.add_form.cleaned_data["add_person"]
            if person.pk not in known:
                guest = bool(self.add_form.cleaned_data.get("add_guest"))
                self.rows.append(SheetRow(person, _("Guest") if guest else "", False, False, is_guest=guest))
        for row in self.rows:
            status = data.get(f"{row.key}-status")
            if status is None:
                continue
            row.status = status
            row.reason = data.get(f"{row.key}-reason", "").strip()
            row.makeup_note = data.get(f"{row.key}-makeup_note", "").strip()
            row.remove = bool(data.get(f"{row.key}-remove"))
            raw = data.get(f"{row.key}-makeup_on", "").strip()
            row.makeup_on = None
            if raw:
                try:
                    row.makeup_on = dt.date.fromisoformat(raw)
                except ValueError:
                    row.errors["makeup_on"] = _("Enter a valid date.")

    def is_valid(self) -> bool:
        valid = {s for s, _label, _c in self.STATUSES}
        ok = True
        for row in self.rows:
            if row.status not in valid:
                row.errors["status"] = _("Choose present, leave, absent or made up.")
            if row.status in services.ABSENCE_STATUSES and not row.reason and not row.remove:
                row.errors["reason"] = _("Leave or absence needs a reason.")
            if row.status == AttendanceStatus.MAKEUP and not row.makeup_on and "makeup_on" not in row.errors:
                row.errors["makeup_on"] = _("Enter the date of the make-up.")
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
                "is_guest": r.is_guest,
                "remove": r.remove,
            }
            for r in self.rows
        ]

    def add_errors(self, problems: dict) -> None:
        """Put the service's per-person errors on their rows."""
        for row in self.rows:
            for name, message in problems.get(row.person.pk, {}).items():
                row.errors[name if name in ("status", "reason", "makeup_on") else "person"] = message

    @property
    def counts(self) -> dict:
        out = {s: 0 for s, _l, _c in self.STATUSES}
        for r in self.rows:
            out[r.status] = out.get(r.status, 0) + 1
        return out


class AddAttendeeForm(HQForm):
    add_person = forms.ModelChoiceField(
        queryset=Person.objects.all(), required=False, label=_("Add a person")
    )
    add_guest = forms.BooleanField(required=False, label=_("as a guest"))

    def __init__(self, *args, exclude=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["add_person"].queryset = self.fields["add_person"].queryset.exclude(pk__in=exclude)


class CancelForm(HQForm):
    reason = forms.CharField(label=_("reason for cancelling"), max_length=200)


class AttachmentForm(HQForm):
    file = forms.FileField(label=_("file"))
    name = forms.CharField(label=_("name"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ",".join(sorted(ALLOWED_ATTACHMENT_EXTENSIONS))
        self.fields["file"].help_text = _("Photos (JPG, PNG), PDF, Word or Excel.")


class AgendaItemForm(HQModelForm):
    class Meta:
        model = AgendaItem
        fields = [
            "meeting",
            "order",
            "title",
            "matter",
            "urgent",
            "secretary_consent",
            "conclusion",
            "votes_yes",
            "votes_no",
            "votes_abstain",
        ]
        widgets = {"conclusion": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = (
            self.fields["meeting"]
            .queryset.restrict(self.user, CHANGE)
            .exclude(status=MeetingStatus.CANCELLED)
            if self.user is not None
            else self.fields["meeting"].queryset
        )
        if self.instance.pk:
            self.fields["meeting"].disabled = True
        meeting = self.instance.meeting if self.instance.meeting_id else None
        if meeting is not None and meeting.kind not in DECISION_KINDS:
            del self.fields["matter"]
            del self.fields["urgent"]
            del self.fields["secretary_consent"]
        if meeting is not None and meeting.kind not in services.QUORUM_KINDS:
            for name in ("votes_yes", "votes_no", "votes_abstain"):
                del self.fields[name]


class MajorMatterForm(HQModelForm):
    class Meta:
        model = MajorMatter
        fields = ["hospital", "title", "category", "amount"]
