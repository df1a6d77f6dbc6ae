"""Forms of the points pages: the catalogue, proposals and decisions, corrections, closing a year,
volunteering (with its one-page participants sheet), honours, rounds and nominations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hongqing.core.forms import HQForm, HQModelForm
from hongqing.core.scoping import CHANGE, VIEW
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import Hospital, PartyOrganization
from hongqing.people.choices import MEMBER_STAGES
from hongqing.people.models import Membership, Person

from . import access, triggers
from .choices import BRANCH_HONORS, DecisionMethod, HonorKind
from .models import Honor, PointRule, Volunteering
from .services import periods
from .services import volunteering as volunteering_services

RADIO = {"class": "btn-check", "autocomplete": "off"}


def kind_choices() -> list:
    """Every trigger's kinds, grouped by the record type they belong to (each value once)."""
    groups, seen = [], set()
    for t in triggers.all_triggers():
        items = [(v, label) for v, label in t.kind_choices() if v not in seen]
        seen.update(v for v, _label in items)
        if items:
            groups.append((str(t.label), items))
    return groups


def office_hospitals_qs(user):
    return Hospital.objects.restrict(user, VIEW).filter(pk__in=access.office_hospitals(user))


def proposable_members(user):
    """The persons a user may propose points or nominate for: members of branches they may change."""
    ids = (
        Membership.objects.restrict(user, CHANGE, area="points")
        .filter(stage__in=MEMBER_STAGES)
        .values("person_id")
    )
    return Person.objects.restrict(user, VIEW, area="points").filter(pk__in=ids).order_by("staff_no")


# ---------------------------------------------------------------------------------------------
# The catalogue


class PointRuleForm(HQModelForm):
    trigger = forms.ChoiceField(label=_("record type"), choices=())
    kinds = forms.MultipleChoiceField(
        label=_("only these kinds"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none for records of every kind; only the kinds of the chosen record type apply."),
    )

    class Meta:
        model = PointRule
        fields = [
            "hospital",
            "name",
            "trigger",
            "amount",
            "cap",
            "cap_period",
            "kinds",
            "min_score",
            "active_from",
            "active_to",
            "description",
            "sort_order",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trigger"].choices = [("", "---------"), *triggers.choices()]
        self.fields["kinds"].choices = kind_choices()
        if self.user is not None:
            self.fields["hospital"].queryset = office_hospitals_qs(self.user)
            if self.fields["hospital"].queryset.count() == 1 and not self.instance.pk:
                self.initial.setdefault("hospital", self.fields["hospital"].queryset.first().pk)
        if not self.instance.pk:
            self.initial.setdefault("active_from", timezone.localdate().replace(month=1, day=1))
        if self.instance.pk:
            self.fields["hospital"].disabled = True
            if self.instance.entries.exists():
                for name in ("trigger", "kinds", "min_score", "active_from"):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _(
                        "The rule has points on record: end it and add a new rule to change this."
                    )


class LoadCatalogueForm(HQForm):
    hospital = forms.ModelChoiceField(queryset=Hospital.objects.none(), label=_("hospital"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hospital"].queryset = office_hospitals_qs(self.user).exclude(
            pk__in=PointRule.objects.values("hospital_id")
        )


# ---------------------------------------------------------------------------------------------
# Proposals, decisions, corrections, years


class ProposalForm(HQForm):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("member"))
    rule = forms.ModelChoiceField(queryset=PointRule.objects.none(), label=_("item"))
    amount = forms.DecimalField(
        label=_("points"),
        max_digits=7,
        decimal_places=2,
        required=False,
        help_text=_("Empty: the item's points"),
    )
    date = forms.DateField(label=_("date"), help_text=_("When it happened"))
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = proposable_members(self.user)
        manual = [t.key for t in triggers.all_triggers() if t.manual]
        today = timezone.localdate()
        self.fields["rule"].queryset = (
            PointRule.objects.restrict(self.user, VIEW)
            .filter(trigger__in=manual, active_from__lte=today)
            .filter(Q(active_to__isnull=True) | Q(active_to__gte=today - dt.timedelta(days=366)))
            .order_by("sort_order", "name")
        )
        self.fields["rule"].label_from_instance = lambda r: f"{r.name}（{r.amount:+g}）"
        self.initial.setdefault("date", today)


class NoteForm(HQForm):
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class ReasonForm(HQForm):
    note = forms.CharField(label=_("reason"), max_length=300)


class CorrectionForm(HQForm):
    reason = forms.CharField(label=_("reason for the correction"), max_length=300)


class CloseYearForm(HQForm):
    hospital = forms.ModelChoiceField(queryset=Hospital.objects.none(), label=_("hospital"))
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hospital"].queryset = office_hospitals_qs(self.user)


# ---------------------------------------------------------------------------------------------
# Volunteering


class VolunteeringForm(HQModelForm):
    class Meta:
        model = Volunteering
        fields = [
            "organizer",
            "kind",
            "title",
            "date",
            "hours",
            "place",
            "served_kind",
            "served_unit",
            "people_served",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is not None:
            self.fields["organizer"].queryset = (
                PartyOrganization.objects.restrict(self.user, CHANGE, area="points")
                .exclude(kind=OrgKind.DISCIPLINE_COMMITTEE)
                .order_by("path")
            )
        if not self.instance.pk:
            self.initial.setdefault("date", timezone.localdate())
            orgs = self.fields["organizer"].queryset
            if (
                self.initial.get("organizer") is None
                and len(ids := list(orgs.values_list("pk", flat=True)[:2])) == 1
            ):
                self.initial["organizer"] = ids[0]

    def clean(self):
        cleaned = super().clean()
        org = cleaned.get("organizer")
        if org is not None:
            self.instance.hospital_id = org.hospital_id
        return cleaned


@dataclass
class ParticipantRow:
    person: Person
    on_roster: bool
    on: bool = False
    saved: bool = False
    hours: Decimal | None = None
    note: str = ""
    errors: list = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"p-{self.person.pk}"


class ParticipantsSheet:
    """The organiser's members, each with a tick and the hours (the activity's by default); others
    may be added. Field names: ``p-<person id>-on|hours|note``; ``p-extra`` lists persons added on
    this page; ``add_person`` adds one more. JS-free."""

    def __init__(self, volunteering, *, user, data=None):
        self.v, self.user, self.data = volunteering, user, data
        existing = {p.person_id: p for p in volunteering.participants.select_related("person")}
        self.rows: list[ParticipantRow] = []
        for person in volunteering_services.roster(volunteering):
            row = ParticipantRow(person, True, hours=volunteering.hours)
            p = existing.pop(person.pk, None)
            if p is not None:
                row.on, row.saved, row.hours, row.note = True, True, p.hours, p.note
            self.rows.append(row)
        for p in existing.values():
            self.rows.append(ParticipantRow(p.person, False, on=True, saved=True, hours=p.hours, note=p.note))
        self.add_form = AddParticipantForm(
            data=data if data is not None and data.get("add_person") else None,
            user=user,
            exclude=[r.person.pk for r in self.rows],
        )
        if data is not None:
            self._bind(data)

    def _person(self, pk):
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            return None
        return Person.objects.restrict(self.user, VIEW).filter(pk=pk, hospital_id=self.v.hospital_id).first()

    def _bind(self, data):
        known = {r.person.pk for r in self.rows}
        for raw in data.getlist("p-extra"):
            person = self._person(raw)
            if person is not None and person.pk not in known:
                known.add(person.pk)
                self.rows.append(ParticipantRow(person, False, hours=self.v.hours))
        if data.get("add_person") and self.add_form.is_valid():
            person = self.add_form.cleaned_data["add_person"]
            if person.pk not in known:
                self.rows.append(ParticipantRow(person, False, on=True, hours=self.v.hours))
        for row in self.rows:
            if f"{row.key}-hours" not in data:
                continue
            row.on = bool(data.get(f"{row.key}-on"))
            row.note = data.get(f"{row.key}-note", "").strip()
            raw = data.get(f"{row.key}-hours", "").strip()
            row.hours = volunteering_services.parse_hours(raw) if raw else None

    def is_valid(self) -> bool:
        ok = True
        for row in self.rows:
            if row.on and (row.hours is None or not 0 < row.hours <= volunteering_services.MAX_HOURS):
                row.errors.append(_("Enter the hours (more than 0, at most 24)."))
            ok = ok and not row.errors
        return ok

    def cleaned_rows(self) -> list[dict]:
        return [
            {"person": r.person, "hours": r.hours, "note": r.note, "take_part": r.on}
            for r in self.rows
            if r.on or r.saved
        ]

    def add_errors(self, problems: dict) -> None:
        for row in self.rows:
            if row.person.pk in problems:
                row.errors.append(problems[row.person.pk])

    @property
    def ticked(self) -> int:
        return sum(1 for r in self.rows if r.on)


class AddParticipantForm(HQForm):
    add_person = forms.ModelChoiceField(
        queryset=Person.objects.all(), required=False, label=_("Add a person")
    )

    def __init__(self, *args, exclude=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["add_person"].queryset = self.fields["add_person"].queryset.exclude(pk__in=exclude)


# ---------------------------------------------------------------------------------------------
# Honours, rounds, nominations


class HonorForm(HQModelForm):
    """An honour recorded directly by the Party office (one from outside: the city's, the province's)."""

    class Meta:
        model = Honor
        fields = ["kind", "person", "organization", "title", "awarded_on", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].required = False
        self.fields["person"].help_text = _("Empty for a branch's honour")
        self.fields["organization"].help_text = _("The branch honoured, or the member's branch")
        if self.user is not None:
            offices = access.office_hospitals(self.user)
            self.fields["organization"].queryset = (
                self.fields["organization"]
                .queryset.filter(hospital_id__in=offices)
                .exclude(kind=OrgKind.DISCIPLINE_COMMITTEE)
            )
            self.fields["person"].queryset = (
                self.fields["person"]
                .queryset.filter(hospital_id__in=offices, membership__stage__in=MEMBER_STAGES)
                .order_by("staff_no")
            )
        self.initial.setdefault("awarded_on", timezone.localdate())

    def clean(self):
        cleaned = super().clean()
        kind, person, org = cleaned.get("kind"), cleaned.get("person"), cleaned.get("organization")
        if kind in BRANCH_HONORS and person is not None:
            self.add_error("person", _("A model branch honours a branch, not a person."))
        elif kind and kind not in BRANCH_HONORS and person is None:
            self.add_error("person", _("Choose the member honoured."))
        if person is not None and org is not None and person.hospital_id != org.hospital_id:
            self.add_error("organization", _("The organisation belongs to another hospital."))
        if org is not None:
            self.instance.hospital_id = org.hospital_id
        return cleaned


class OpenRoundForm(HQForm):
    hospital = forms.ModelChoiceField(queryset=Hospital.objects.none(), label=_("hospital"))
    period = forms.ChoiceField(label=_("period"), choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hospitals = office_hospitals_qs(self.user)
        self.fields["hospital"].queryset = hospitals
        first = hospitals.first()
        hid = first.pk if first else None
        today = timezone.localdate()
        year = periods.cycle_year(today, hid)
        choices = []
        for y in (year, year - 1):
            for n, start, end in periods.honor_periods(y, hid):
                if start <= today:
                    choices.append((f"{y}-{n}", f"{y} · {n}（{start:%m-%d}–{end:%m-%d}）"))
        self.fields["period"].choices = choices
        if hospitals.count() == 1:
            self.initial.setdefault("hospital", hid)

    def year_number(self) -> tuple[int, int]:
        y, n = self.cleaned_data["period"].split("-")
        return int(y), int(n)


class NominationForm(HQForm):
    kind = forms.ChoiceField(label=_("honour"), choices=HonorKind.choices)
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("member"), required=False)
    branch = forms.ModelChoiceField(
        queryset=PartyOrganization.objects.none(),
        label=_("branch"),
        required=False,
        help_text=_("For a model branch"),
    )
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, hospital_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = proposable_members(self.user)
        branches = PartyOrganization.objects.restrict(self.user, CHANGE, area="points").filter(
            kind=OrgKind.BRANCH
        )
        if hospital_id is not None:
            people, branches = (
                people.filter(hospital_id=hospital_id),
                branches.filter(hospital_id=hospital_id),
            )
        self.fields["person"].queryset = people
        self.fields["branch"].queryset = branches.order_by("path")


class DecisionForm(HQForm):
    method = forms.ChoiceField(
        label=_("decided by"), choices=DecisionMethod.choices, widget=forms.RadioSelect(attrs=RADIO)
    )
    votes_for = forms.IntegerField(label=_("votes for"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("votes against"), min_value=0, required=False)
    votes_abstain = forms.IntegerField(label=_("abstentions"), min_value=0, required=False)
    decided_on = forms.DateField(label=_("decided on"), required=False)
    note = forms.CharField(label=_("decision"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("method", DecisionMethod.VOTE)
        self.initial.setdefault("decided_on", timezone.localdate())
