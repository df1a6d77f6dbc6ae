"""Responsibility lists (双责任清单): the Party and business duties of a secretary and a department head."""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongqing.core.models import HQModel
from hongqing.core.scoping import ScopeLookups
from hongqing.organization.models import Department, Hospital, PartyOrganization
from hongqing.party.models import Obligation
from hongqing.people.models import Person

from ..choices import ItemKind, OwnerRole
from .indicators import Indicator


class ResponsibilityList(HQModel):
    """One person's list of a year: a branch secretary's, or the head of a department the branch is built on.

    A secretary's and the department head's lists of a branch are the pair of 抓党建 / 抓业务 duties.
    """

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="responsibility_lists"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    owner = models.ForeignKey(
        Person, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="responsibility_lists"
    )
    role = models.CharField(_("as"), max_length=10, choices=OwnerRole.choices)
    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="responsibility_lists",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsibility_lists",
        help_text=_("For a department head: the department they head"),
    )
    note = models.TextField(_("note"), blank=True)

    scope = ScopeLookups(
        hospital="hospital", organization="organization", department="department", person="owner"
    )
    scope_area = "assessment"

    class Meta:
        verbose_name = _("responsibility list")
        verbose_name_plural = _("responsibility lists")
        ordering = ["-year", "organization__path", "role", "owner__staff_no"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "year", "role"], name="assessment_resplist_once")
        ]

    def __str__(self) -> str:
        return _("%(owner)s (%(role)s) %(year)d") % {
            "owner": self.owner.name,
            "role": self.get_role_display(),
            "year": self.year,
        }

    def clean(self):
        errors = {}
        h = self.hospital_id
        if self.owner_id and h and self.owner.hospital_id != h:
            errors["owner"] = _("The person belongs to another hospital.")
        if self.organization_id and h and self.organization.hospital_id != h:
            errors["organization"] = _("The branch belongs to another hospital.")
        if self.department_id and h and self.department.hospital_id != h:
            errors["department"] = _("The department belongs to another hospital.")
        if self.role == OwnerRole.HEAD and not self.department_id:
            errors["department"] = _("A department head's list names the department.")
        if errors:
            raise ValidationError(errors)


def evidence_path(instance, filename):
    ext = os.path.splitext(filename)[1].lower()
    return f"responsibility/{instance.responsibility_list_id}/{uuid.uuid4().hex}{ext}"


class ResponsibilityItem(HQModel):
    """One item of a list: an indicator's target, a Party duty, or free text marked done by the owner.

    An indicator item is done when the indicator meets its target over the owner's unit for the year
    so far; a duty item when the duty is (``party.Obligation``); a text item when its owner marks it
    done with evidence (``services.responsibility.mark_done``).
    """

    responsibility_list = models.ForeignKey(
        ResponsibilityList,
        verbose_name=_("responsibility list"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices, default=ItemKind.TEXT)
    title = models.CharField(_("title"), max_length=200)
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=4, null=True, blank=True)
    obligation = models.ForeignKey(
        Obligation, verbose_name=_("duty"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to=evidence_path, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=100)

    scope = ScopeLookups(
        hospital="responsibility_list__hospital",
        organization="responsibility_list__organization",
        department="responsibility_list__department",
        person="responsibility_list__owner",
    )
    scope_area = "assessment"

    class Meta:
        verbose_name = _("responsibility item")
        verbose_name_plural = _("responsibility items")
        ordering = ["responsibility_list", "due", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        errors = {}
        rl = self.responsibility_list if self.responsibility_list_id else None
        if self.kind == ItemKind.INDICATOR:
            if not self.indicator_id:
                errors["indicator"] = _("Choose the indicator whose target the item is.")
            elif rl and self.indicator.hospital_id != rl.hospital_id:
                errors["indicator"] = _("The indicator belongs to another hospital.")
            if self.target is None:
                errors["target"] = _("Give the target.")
            elif self.indicator_id and self.target == 0 and self.indicator.is_ratio:
                errors["target"] = _("A target of zero for a ratio means nothing: give the share to reach.")
        elif self.indicator_id:
            errors["indicator"] = _("Only an indicator item names an indicator.")
        if self.kind == ItemKind.DUTY:
            if not self.obligation_id:
                errors["obligation"] = _("Choose the duty.")
            elif rl and not self.obligation.organization.path.startswith(rl.organization.path):
                errors["obligation"] = _("The duty is not one of %(org)s's.") % {"org": rl.organization}
        elif self.obligation_id:
            errors["obligation"] = _("Only a duty item names a duty.")
        if self.kind != ItemKind.TEXT and (self.done_on or self.evidence):
            errors["done_on"] = _("Only a free-text item is marked done by hand.")
        if errors:
            raise ValidationError(errors)
