"""Hospitals, campuses, departments and the Party organisation tree, with terms (届)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from hongqing.core.models import HQModel, ScopedTreeManager
from hongqing.core.rules import rule_value
from hongqing.core.scoping import ScopeLookups

from .choices import (
    ALLOWED_CHILDREN,
    ROOT_KINDS,
    DepartmentKind,
    HospitalKind,
    HospitalLevel,
    OrgKind,
    TermStatus,
)


class Hospital(HQModel):
    """One public hospital: the tenant boundary. Every record belongs to exactly one."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    level = models.CharField(
        _("level"), max_length=4, choices=HospitalLevel.choices, default=HospitalLevel.TERTIARY_A
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=HospitalKind.choices, default=HospitalKind.GENERAL
    )
    address = models.CharField(_("address"), max_length=200, blank=True)

    scope = ScopeLookups(hospital="")
    scope_area = "organization"

    class Meta:
        verbose_name = _("hospital")
        verbose_name_plural = _("hospitals")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def delete_blockers(self) -> list[str]:
        n = self.departments.count() + self.party_organizations.count()
        return [_("The hospital still has %(n)d departments and organisations.") % {"n": n}] if n else []


class Campus(HQModel):
    """A site of a hospital (一院两区)."""

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="campuses"
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)

    scope_area = "organization"

    class Meta:
        verbose_name = _("campus")
        verbose_name_plural = _("campuses")
        ordering = ["hospital", "name"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "name"], name="organization_campus_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def delete_blockers(self) -> list[str]:
        n = self.departments.count()
        return [_("%(n)d departments are on this campus.") % {"n": n}] if n else []


class Department(MP_Node, HQModel):
    """A department (科室); nests 部 → 科."""

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="departments"
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=30, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=DepartmentKind.choices, default=DepartmentKind.CLINICAL
    )
    campus = models.ForeignKey(
        Campus,
        verbose_name=_("campus"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="departments",
    )
    is_active = models.BooleanField(_("active"), default=True)

    # Hospital first: the roots of all hospitals share one tree, and a sorted insert rewrites the
    # paths of every later sibling. Ordered by code alone, a new hospital's departments landed among
    # every other hospital's and each insert shifted them all (bench/generate.py --scale region).
    node_order_by = ["hospital_id", "code", "name"]
    objects = ScopedTreeManager()

    scope = ScopeLookups(hospital="hospital", department="")
    scope_area = "organization"

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "name"], name="organization_department_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def current_branch_link(self):
        return self.branch_links.filter(end__isnull=True).select_related("organization").first()

    def delete_blockers(self) -> list[str]:
        reasons = []
        children = Department.objects.get_children_count(self)
        if children:
            reasons.append(_("It has %(n)d sub-departments.") % {"n": children})
        persons = getattr(self, "persons", None)
        if persons is not None and persons.exists():
            reasons.append(_("%(n)d staff belong to it.") % {"n": persons.count()})
        if self.branch_links.exists():
            reasons.append(_("It is linked to a Party branch (with history)."))
        cadre_posts = getattr(self, "cadre_posts", None)
        if cadre_posts is not None and cadre_posts.exists():
            reasons.append(_("Cadre posts of it are on record."))
        rotations_in, rotations_out = (
            getattr(self, "rotations_in", None),
            getattr(self, "rotations_out", None),
        )
        if (rotations_in is not None and rotations_in.exists()) or (
            rotations_out is not None and rotations_out.exists()
        ):
            reasons.append(_("Rotations to or from it are on record."))
        return reasons


class DisciplineGroup(HQModel):
    """Several departments grouped for one branch (以学科群为单位设置党支部)."""

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="discipline_groups"
    )
    name = models.CharField(_("name"), max_length=100)
    departments = models.ManyToManyField(
        Department, verbose_name=_("departments"), blank=True, related_name="discipline_groups"
    )

    scope_area = "organization"

    class Meta:
        verbose_name = _("discipline group")
        verbose_name_plural = _("discipline groups")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "name"], name="organization_disciplinegroup_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PartyOrganization(MP_Node, HQModel):
    """A node of the Party tree: 党委 → 党总支 → 党支部 → 党小组; 纪委 beside the 党委."""

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="party_organizations"
    )
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrgKind.choices)
    discipline_group = models.ForeignKey(
        DisciplineGroup,
        verbose_name=_("discipline group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organizations",
    )
    established = models.DateField(_("established"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=100)

    node_order_by = ["hospital_id", "sort_order", "name"]  # hospital first: see Department
    objects = ScopedTreeManager()

    scope = ScopeLookups(hospital="hospital", organization="")
    scope_area = "organization"

    class Meta:
        verbose_name = _("Party organisation")
        verbose_name_plural = _("Party organisations")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "name"], name="organization_partyorg_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_branch(self) -> bool:
        return self.kind == OrgKind.BRANCH

    def current_departments(self):
        return Department.objects.filter(branch_links__organization=self, branch_links__end__isnull=True)

    def current_term(self):
        return self.terms.filter(actual_end__isnull=True).order_by("-start").first()

    def delete_blockers(self) -> list[str]:
        reasons = []
        children = PartyOrganization.objects.get_children_count(self)
        if children:
            reasons.append(_("It has %(n)d organisations under it.") % {"n": children})
        memberships = getattr(self, "memberships", None)
        if memberships is not None and memberships.exists():
            reasons.append(_("%(n)d memberships belong to it.") % {"n": memberships.count()})
        if self.terms.exists():
            reasons.append(_("It has committee terms on record."))
        if self.department_links.exists():
            reasons.append(_("It has department links on record."))
        transfers_in, transfers_out = (
            getattr(self, "transfers_in", None),
            getattr(self, "transfers_out", None),
        )
        if (transfers_in is not None and transfers_in.exists()) or (
            transfers_out is not None and transfers_out.exists()
        ):
            reasons.append(_("Transfers to or from it are on record."))
        return reasons


def placement_errors(kind: str | None, parent: PartyOrganization | None, node=None) -> dict[str, list]:
    """Where an organisation of ``kind`` may stand: 党委 → 党总支 → 党支部 → 党小组, 纪委 beside the 党委.

    ``node`` (an existing organisation) must also still hold its children under the new kind.
    The form and the API both call this; errors are keyed by the field to show them on.
    """
    errors: dict[str, list] = {}
    if not kind:
        return errors
    if parent is None and kind not in ROOT_KINDS:
        errors.setdefault("parent", []).append(
            _("Only a Party committee or a discipline committee stands at the top of the tree.")
        )
    if parent is not None and kind not in ALLOWED_CHILDREN.get(OrgKind(parent.kind), set()):
        errors.setdefault("kind", []).append(
            _("A %(kind)s cannot stand under a %(parent)s.")
            % {"kind": OrgKind(kind).label, "parent": OrgKind(parent.kind).label}
        )
    if node is not None and node.pk:
        # A general branch holds no Party groups; a discipline committee holds nothing.
        allowed = ALLOWED_CHILDREN.get(OrgKind(kind), set())
        stranded = {c.kind for c in PartyOrganization.objects.get_children(node) if c.kind not in allowed}
        for child_kind in sorted(stranded):
            errors.setdefault("kind", []).append(
                _("A %(kind)s cannot stand under a %(parent)s.")
                % {"kind": OrgKind(child_kind).label, "parent": OrgKind(kind).label}
            )
    return errors


class BranchDepartment(HQModel):
    """A branch built on a department (支部建在科室上), from a date; history is kept."""

    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("Party organisation"),
        on_delete=models.PROTECT,
        related_name="department_links",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="branch_links"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)

    scope = ScopeLookups(
        hospital="organization__hospital", organization="organization", department="department"
    )
    scope_area = "organization"

    class Meta:
        verbose_name = _("branch–department link")
        verbose_name_plural = _("branch–department links")
        ordering = ["department__name", "-start"]
        constraints = [
            # A department is covered by at most one branch at a time.
            models.UniqueConstraint(
                fields=["department"],
                condition=Q(end__isnull=True),
                name="organization_one_current_branch_per_dept",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="organization_link_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.department}"

    def clean(self):
        # The form and the API both call this (the API answered 500 on the database constraints).
        errors = {}
        org = self.organization if self.organization_id else None
        dept = self.department if self.department_id else None
        if org and dept and org.hospital_id != dept.hospital_id:
            errors["department"] = _("The department belongs to another hospital.")
        if org and org.kind not in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH):
            errors["organization"] = _("Departments are linked to branches or general branches.")
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("The end is before the start.")
        if dept and self.end is None and "department" not in errors:
            other = (
                BranchDepartment.objects.filter(department=dept, end__isnull=True)
                .exclude(pk=self.pk)
                .select_related("organization")
                .first()
            )
            if other:
                errors["department"] = _("%(dept)s is already covered by %(org)s: end that link first.") % {
                    "dept": dept,
                    "org": other.organization,
                }
        if errors:
            raise ValidationError(errors)


def term_due_end(kind: str, start: dt.date, hospital_id: int | None) -> dt.date:
    """A term's due end from the term rule in force at its start (RULES.md §2)."""
    key = f"term.years.{kind}" if kind != OrgKind.GROUP else "term.years.branch"
    years = int(rule_value(key, hospital_id, start))
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


class CommitteeTerm(HQModel):
    """An elected committee of an organisation (届): number, start, due end, actual end."""

    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("Party organisation"),
        on_delete=models.PROTECT,
        related_name="terms",
    )
    number = models.PositiveSmallIntegerField(_("term number"))
    start = models.DateField(_("elected on"))
    due_end = models.DateField(_("due end"), blank=True, help_text=_("Empty: from the term rule"))
    actual_end = models.DateField(_("ended on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    scope = ScopeLookups(hospital="organization__hospital", organization="organization")
    scope_area = "organization"

    class Meta:
        verbose_name = _("committee term")
        verbose_name_plural = _("committee terms")
        ordering = ["organization__path", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="organization_term_unique_number"
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(actual_end__isnull=True),
                name="organization_one_current_term",
            ),
        ]

    def __str__(self) -> str:
        return _("%(org)s, term %(n)d") % {"org": self.organization, "n": self.number}

    def save(self, *args, **kwargs):
        if not self.due_end and self.start:
            self.due_end = term_due_end(self.organization.kind, self.start, self.organization.hospital_id)
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        start, due, end = self.start, self.due_end, self.actual_end
        if start and due and due <= start:
            errors["due_end"] = _("The due end must be after the start.")
        if start and end and end < start:
            errors["actual_end"] = _("The end is before the start.")
        if self.organization_id and end is None:
            other = CommitteeTerm.objects.filter(
                organization_id=self.organization_id, actual_end__isnull=True
            )
            if other.exclude(pk=self.pk).exists():
                errors["actual_end"] = _("The organisation already has a current term: end it first.")
        if errors:
            raise ValidationError(errors)

    @property
    def status(self) -> str:
        return TermStatus.CURRENT if self.actual_end is None else TermStatus.ENDED

    def get_status_display(self) -> str:
        return TermStatus(self.status).label

    def delete_blockers(self) -> list[str]:
        positions = getattr(self, "positions", None)
        if positions is not None and positions.exists():
            return [_("%(n)d posts are recorded in this term.") % {"n": positions.count()}]
        return []
