"""Persons (职工), memberships and their stages, transfers, cadres and rotations, term posts."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hongqing.core import idnumber
from hongqing.core.models import HQModel
from hongqing.core.pinyin import pinyin_keys
from hongqing.core.scoping import ScopeLookups
from hongqing.organization.models import CommitteeTerm, Department, Hospital, PartyOrganization

from .choices import (
    CadreLevel,
    Education,
    EmploymentStatus,
    Gender,
    Post,
    RotationKind,
    Stage,
    StepKind,
    TitleGrade,
    TransferKind,
)


class TalentTag(HQModel):
    """A talent designation (学科带头人, 头雁人才 …) of a hospital."""

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="talent_tags"
    )
    name = models.CharField(_("name"), max_length=50)
    description = models.CharField(_("description"), max_length=200, blank=True)

    scope_area = "people"

    class Meta:
        verbose_name = _("talent tag")
        verbose_name_plural = _("talent tags")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "name"], name="people_talenttag_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Person(HQModel):
    """Anyone on the hospital's staff (职工), identified by the staff number (工号)."""

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="persons"
    )
    staff_no = models.CharField(_("staff number"), max_length=30)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)  # 姓名
    name_pinyin = models.CharField(_("pinyin"), max_length=200, blank=True, editable=False, db_index=True)
    name_initials = models.CharField(_("initials"), max_length=50, blank=True, editable=False, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="persons",
    )
    post = models.CharField(_("post"), max_length=50, blank=True)
    title_grade = models.CharField(_("title grade"), max_length=20, choices=TitleGrade.choices, blank=True)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    employment_start = models.DateField(_("employed since"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EmploymentStatus.choices, default=EmploymentStatus.ACTIVE
    )
    talent_tags = models.ManyToManyField(
        TalentTag, verbose_name=_("talent tags"), blank=True, related_name="persons"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    scope = ScopeLookups(
        hospital="hospital", department="department", organization="membership__organization", person=""
    )
    scope_area = "people"

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["staff_no"]
        # The list's order across hospitals (a regional reader's 17,700 staff): without it each page
        # joined and sorted every row (bench/list_latency.py), with it the first pages read 50 rows.
        indexes = [models.Index(fields=["staff_no"], name="people_person_staff_no_idx")]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "staff_no"], name="people_person_unique_staff_no"),
            models.UniqueConstraint(
                fields=["hospital", "id_number"],
                condition=~Q(id_number=""),
                name="people_person_unique_id_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.staff_no}）"

    @property
    def masked_id_number(self) -> str:
        return idnumber.mask(self.id_number)

    def clean_fields(self, exclude=None):
        # The gender and birth date may be left empty when the ID number gives them: fill them in
        # before the field checks (which would call an empty gender missing); clean() cross-checks.
        if self.id_number:
            self.id_number = idnumber.normalize(self.id_number)
            if not self.gender or not self.birth_date:
                try:
                    info = idnumber.parse(self.id_number)
                except idnumber.InvalidIdNumber:
                    pass
                else:
                    self.gender = self.gender or info.gender
                    self.birth_date = self.birth_date or info.birth_date
        super().clean_fields(exclude=exclude)

    def clean(self):
        errors = {}
        if self.id_number:
            self.id_number = idnumber.normalize(self.id_number)
            try:
                info = idnumber.parse(self.id_number)
            except idnumber.InvalidIdNumber as exc:
                errors["id_number"] = ID_ERRORS[str(exc)]
            else:
                if self.birth_date and self.birth_date != info.birth_date:
                    errors["birth_date"] = _("The birth date does not match the ID number (%(d)s).") % {
                        "d": info.birth_date.isoformat()
                    }
                if self.gender and self.gender != info.gender:
                    errors["gender"] = _("The gender does not match the ID number.")
                self.birth_date = self.birth_date or info.birth_date
                self.gender = self.gender or info.gender
        if self.birth_date and self.birth_date > timezone.localdate():
            errors["birth_date"] = _("The birth date is in the future.")
        if self.department_id and self.hospital_id and self.department.hospital_id != self.hospital_id:
            errors["department"] = _("The department belongs to another hospital.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        full, initials = pinyin_keys(self.name)
        # A long name's pinyin can outgrow the column (six letters a character): keep the prefix.
        self.name_pinyin = full[: self._meta.get_field("name_pinyin").max_length]
        self.name_initials = initials[: self._meta.get_field("name_initials").max_length]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_pinyin", "name_initials"}
        super().save(*args, **kwargs)

    def delete_blockers(self) -> list[str]:
        reasons = []
        if hasattr(self, "membership"):
            reasons.append(_("The person has a Party membership record."))
        if self.cadre_posts.exists():
            reasons.append(_("The person has cadre posts on record."))
        if self.term_positions.exists():
            reasons.append(_("The person holds committee posts on record."))
        if self.rotations.exists():
            reasons.append(_("The person has rotations on record."))
        return reasons


ID_ERRORS = {
    "format": _("An ID number has 17 digits followed by a digit or X."),
    "date": _("The ID number contains an impossible birth date."),
    "checksum": _("The ID number's check digit is wrong."),
}


class Membership(HQModel):
    """A person's Party membership record: stage, organisation and dated milestones."""

    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="membership"
    )
    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("Party organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.APPLICANT)
    application_date = models.DateField(_("applied on"), null=True, blank=True)
    activist_date = models.DateField(_("activist since"), null=True, blank=True)
    candidate_date = models.DateField(_("candidate since"), null=True, blank=True)
    admission_date = models.DateField(_("admitted on"), null=True, blank=True)
    conversion_date = models.DateField(_("full member since"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    scope = ScopeLookups(
        hospital="organization__hospital",
        organization="organization",
        department="person__department",
        person="person",
    )
    scope_area = "membership"

    # Which milestone each stage requires, in order.
    MILESTONES = (
        ("application_date", Stage.APPLICANT),
        ("activist_date", Stage.ACTIVIST),
        ("candidate_date", Stage.CANDIDATE),
        ("admission_date", Stage.PROBATIONARY),
        ("conversion_date", Stage.FULL),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization__path", "person__staff_no"]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.get_stage_display()}"

    def party_age(self, on: dt.date | None = None) -> int | None:
        """Full years since conversion (党龄 counts from the conversion date)."""
        if not self.conversion_date:
            return None
        on = on or timezone.localdate()
        years = on.year - self.conversion_date.year
        if (on.month, on.day) < (self.conversion_date.month, self.conversion_date.day):
            years -= 1
        return max(years, 0)

    def clean(self):
        errors = {}
        stages = [s for _, s in self.MILESTONES]
        reached = stages.index(self.stage) if self.stage in stages else 0
        previous = None
        for index, (field, _stage) in enumerate(self.MILESTONES):
            value = getattr(self, field)
            if index <= reached and value is None and field != "application_date":
                errors[field] = _("Required for the stage %(stage)s.") % {"stage": Stage(self.stage).label}
            if index > reached and value is not None:
                errors[field] = _("This step comes after the current stage.")
            if value and previous and value < previous:
                errors[field] = _("This date is earlier than the step before it.")
            if value and value > timezone.localdate():
                errors[field] = _("This date is in the future.")
            previous = value or previous
        if (
            self.organization_id
            and self.person_id
            and self.organization.hospital_id != self.person.hospital_id
        ):
            errors["organization"] = _("The organisation belongs to another hospital.")
        if errors:
            raise ValidationError(errors)


class Transfer(HQModel):
    """A move of a membership between organisations (组织关系转接); history is kept."""

    membership = models.ForeignKey(
        Membership, verbose_name=_("membership"), on_delete=models.PROTECT, related_name="transfers"
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=TransferKind.choices, default=TransferKind.INTERNAL
    )
    from_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=pgettext_lazy("transfer", "from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    to_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=pgettext_lazy("transfer", "to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    external_unit = models.CharField(_("outside unit"), max_length=100, blank=True)
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    scope = ScopeLookups(
        hospital="membership__organization__hospital",
        organization="membership__organization",
        person="membership__person",
    )
    scope_area = "membership"

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.membership.person.name} {self.date:%Y-%m-%d}"


class Cadre(HQModel):
    """A management post held by a person (干部), with start and end; a department head is a cadre."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="cadre_posts"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cadre_posts",
    )
    title = models.CharField(_("post title"), max_length=50, help_text=_("e.g. 科主任, 护士长, 副院长"))
    level = models.CharField(_("level"), max_length=10, choices=CadreLevel.choices, default=CadreLevel.CHIEF)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    appointment = models.CharField(
        _("appointed by"), max_length=50, blank=True, help_text=_("e.g. 竞聘, 委任, 选任")
    )

    scope = ScopeLookups(hospital="person__hospital", department="department", person="person")
    scope_area = "people"

    class Meta:
        verbose_name = _("cadre post")
        verbose_name_plural = _("cadre posts")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="people_cadre_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.title}"

    def clean(self):
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("The end is before the start.")
        if self.person_id and self.department_id and self.person.hospital_id != self.department.hospital_id:
            errors["department"] = _("The department belongs to another hospital.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.start <= today and (self.end is None or self.end >= today)


class Rotation(HQModel):
    """A rotation (轮岗) of a person from one department to another."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="rotations"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=RotationKind.choices, default=RotationKind.CADRE
    )
    from_department = models.ForeignKey(
        Department,
        verbose_name=pgettext_lazy("rotation", "from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rotations_out",
    )
    to_department = models.ForeignKey(
        Department,
        verbose_name=pgettext_lazy("rotation", "to"),
        on_delete=models.PROTECT,
        related_name="rotations_in",
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope = ScopeLookups(hospital="person__hospital", department="to_department", person="person")
    scope_area = "people"

    class Meta:
        verbose_name = _("rotation")
        verbose_name_plural = _("rotations")
        ordering = ["-start"]

    def __str__(self) -> str:
        return f"{self.person.name} → {self.to_department}"

    def clean(self):
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("The end is before the start.")
        hospital = self.person.hospital_id if self.person_id else None
        for name in ("from_department", "to_department"):
            dept = getattr(self, name) if getattr(self, f"{name}_id") else None
            if hospital and dept and dept.hospital_id != hospital:
                errors[name] = _("The department belongs to another hospital.")
        if errors:
            raise ValidationError(errors)


class TermPosition(HQModel):
    """A post (书记, 副书记, 组织委员 …) held by a person in a committee term."""

    term = models.ForeignKey(
        CommitteeTerm, verbose_name=_("term"), on_delete=models.PROTECT, related_name="positions"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="term_positions"
    )
    post = models.CharField(_("post"), max_length=20, choices=Post.choices)
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)

    scope = ScopeLookups(
        hospital="term__organization__hospital", organization="term__organization", person="person"
    )
    scope_area = "organization"

    class Meta:
        verbose_name = _("committee post")
        verbose_name_plural = _("committee posts")
        ordering = ["term", "post"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "post"],
                condition=Q(post="secretary", end__isnull=True),
                name="people_one_secretary_per_term",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.get_post_display()}"

    def clean(self):
        if self.term_id and self.person_id and self.term.organization.hospital_id != self.person.hospital_id:
            raise ValidationError({"person": _("The person belongs to another hospital.")})


class DevelopmentStep(HQModel):
    """One dated step of a person's development (发展党员): a talk, an assessment, a notice, the oath …

    The stage milestones stay on Membership; steps add the rest of the path, each recorded once by
    the person who did it. Notices and trainings have an end date; a training may count hours.
    """

    membership = models.ForeignKey(
        Membership, verbose_name=_("membership"), on_delete=models.CASCADE, related_name="steps"
    )
    kind = models.CharField(_("step"), max_length=30, choices=StepKind.choices)
    date = models.DateField(_("date"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    scope = ScopeLookups(
        hospital="membership__organization__hospital",
        organization="membership__organization",
        person="membership__person",
    )
    scope_area = "membership"

    class Meta:
        verbose_name = _("development step")
        verbose_name_plural = _("development steps")
        ordering = ["membership", "date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("date")),
                name="people_step_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership.person.name} · {self.get_kind_display()} {self.date:%Y-%m-%d}"

    def clean(self):
        errors = {}
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("This date is in the future.")
        if self.date and self.end_date and self.end_date < self.date:
            errors["end_date"] = _("The end is before the start.")
        if errors:
            raise ValidationError(errors)
