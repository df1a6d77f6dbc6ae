"""Volunteering and assistance (志愿服务, 结对帮扶, 义诊): activities and who took part, for how long."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hongqing.core.models import HQModel
from hongqing.core.scoping import ScopeLookups
from hongqing.organization.models import Hospital, PartyOrganization
from hongqing.people.models import Person

from ..choices import ServedKind, VolunteeringKind


class Volunteering(HQModel):
    """An activity a Party organisation organised: where, for whom (the village or unit served, how
    many people), and its participants with their hours. Recorded once it has taken place; its
    participations earn points and feed the report figures (people served, hours, villages)."""

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="volunteering"
    )
    organizer = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("organised by"),
        on_delete=models.PROTECT,
        related_name="volunteering",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=VolunteeringKind.choices)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("2.0"),
        help_text=_("Each participant's hours unless given otherwise"),
    )
    place = models.CharField(_("place"), max_length=100, blank=True)
    served_kind = models.CharField(
        _("served"), max_length=12, choices=ServedKind.choices, default=ServedKind.VILLAGE
    )
    served_unit = models.CharField(_("village or unit served"), max_length=100)
    people_served = models.PositiveIntegerField(_("people served"), default=0)
    description = models.TextField(_("description"), blank=True)

    scope = ScopeLookups(hospital="hospital", organization="organizer", person="participants__person")
    scope_area = "points"

    class Meta:
        verbose_name = _("volunteering activity")
        verbose_name_plural = _("volunteering activities")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="points_volunteering_hours_positive"),
        ]
        indexes = [models.Index(fields=["hospital", "date"], name="points_volunteering_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}：{self.title}"

    def clean(self):
        errors = {}
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("An activity is recorded once it has taken place: the date is in the future.")
        if self.hours is not None and self.hours <= 0:
            errors["hours"] = _("Enter the hours (more than 0).")
        if self.hours is not None and self.hours > 24:
            errors["hours"] = _("At most 24 hours a day.")
        if self.organizer_id and self.hospital_id and self.organizer.hospital_id != self.hospital_id:
            errors["organizer"] = _("The organisation belongs to another hospital.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.organizer_id and not self.hospital_id:
            self.hospital_id = self.organizer.hospital_id
        super().save(*args, **kwargs)

    def delete_blockers(self) -> list[str]:
        from ..services.ledger import closed_years

        if self.pk and self.date and self.participants.exists():
            from ..services.periods import cycle_year

            year = cycle_year(self.date, self.hospital_id)
            if year in closed_years(self.hospital_id):
                return [_("Its points are in the closed year %(year)d: the record is kept.") % {"year": year}]
        return []


class VolunteeringParticipant(HQModel):
    """One person's part in an activity, with their hours."""

    volunteering = models.ForeignKey(
        Volunteering, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="participants"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="volunteering"
    )
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope = ScopeLookups(
        hospital="volunteering__hospital", organization="volunteering__organizer", person="person"
    )
    scope_area = "points"

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["volunteering", "person__staff_no"]
        constraints = [
            models.UniqueConstraint(fields=["volunteering", "person"], name="points_participant_once"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="points_participant_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.hours}h"

    def clean(self):
        errors = {}
        if self.hours is not None and not 0 < self.hours <= 24:
            errors["hours"] = _("Enter the hours (more than 0, at most 24).")
        if (
            self.volunteering_id
            and self.person_id
            and self.person.hospital_id != self.volunteering.hospital_id
        ):
            errors["person"] = _("%(name)s belongs to another hospital.") % {"name": self.person.name}
        if errors:
            raise ValidationError(errors)

    def delete_blockers(self) -> list[str]:
        from ..services.ledger import closed_years
        from ..services.periods import cycle_year

        v = self.volunteering
        year = cycle_year(v.date, v.hospital_id)
        if year in closed_years(v.hospital_id):
            return [_("Its points are in the closed year %(year)d: the record is kept.") % {"year": year}]
        return []
