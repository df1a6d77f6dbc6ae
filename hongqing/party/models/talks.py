"""Talks on the record (谈话): heart-to-heart talks (谈心谈话) and growth conversations (成长对话).

谈心谈话 is a branch duty (RULES.md §1: every committee member with each member, at least once a
year); the duty list reads these rows through the ``heart_to_heart`` satisfier. Growth conversations
— a monthly growth talk or a yearly review a department head or secretary holds with a person — are
counted per department (MECHANISMS.md row 32).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hongqing.core.models import HQModel
from hongqing.core.scoping import ScopeLookups
from hongqing.organization.models import Department, PartyOrganization
from hongqing.people.models import Person

from ..choices import TalkKind


class Talk(HQModel):
    """One talk: who held it, with whom, when, what was said and agreed."""

    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("Party organisation"),
        on_delete=models.PROTECT,
        related_name="talks",
        help_text=_("The organisation the talk is recorded under (the person's branch)"),
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=TalkKind.choices, default=TalkKind.HEART_TO_HEART
    )
    talker = models.ForeignKey(
        Person,
        verbose_name=_("held by"),
        on_delete=models.PROTECT,
        related_name="talks_held",
        help_text=_("A committee member, the secretary or the department head"),
    )
    person = models.ForeignKey(
        Person, verbose_name=_("talked with"), on_delete=models.PROTECT, related_name="talks"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="talks",
        help_text=_("Counted for this department (the person's, when left empty)"),
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    goals = models.TextField(_("agreed goals"), blank=True)

    scope = ScopeLookups(
        hospital="organization__hospital",
        organization="organization",
        department="department",
        person="person",
    )
    scope_area = "party"

    class Meta:
        verbose_name = _("talk")
        verbose_name_plural = _("talks")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["organization", "kind", "date"], name="party_talk_org_kind_date")]
        constraints = [
            models.CheckConstraint(condition=~Q(talker=models.F("person")), name="party_talk_two_people")
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}：{self.talker.name} · {self.person.name}"

    def clean(self):
        errors = {}
        org = self.organization if self.organization_id else None
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("A talk cannot be recorded before it is held.")
        if self.talker_id and self.person_id and self.talker_id == self.person_id:
            errors["person"] = _("A talk is between two people.")
        hospital_id = org.hospital_id if org is not None else None
        for name in ("talker", "person"):
            who = getattr(self, name) if getattr(self, f"{name}_id") else None
            if who is not None and hospital_id is not None and who.hospital_id != hospital_id:
                errors[name] = _("%(person)s belongs to another hospital.") % {"person": who.name}
        if self.department_id and hospital_id is not None and self.department.hospital_id != hospital_id:
            errors["department"] = _("The department belongs to another hospital.")
        if org is not None and self.person_id and "person" not in errors and not self._belongs(org):
            errors["person"] = _(
                "%(person)s is neither a member of %(org)s nor on the staff of its departments."
            ) % {"person": self.person.name, "org": org}
        if errors:
            raise ValidationError(errors)

    def _belongs(self, org) -> bool:
        """The person is a member of the organisation (or of an organisation under it), or works in one
        of the departments it is built on (a growth talk may be held with a colleague outside the Party)."""
        membership = getattr(self.person, "membership", None) if self.person_id else None
        if membership is not None and membership.organization.path.startswith(org.path):
            return True
        if self.kind == TalkKind.HEART_TO_HEART or not self.person.department_id:
            return False
        return org.department_links.filter(end__isnull=True, department_id=self.person.department_id).exists()

    def save(self, *args, **kwargs):
        if not self.department_id and self.person_id:
            self.department_id = self.person.department_id
        super().save(*args, **kwargs)
