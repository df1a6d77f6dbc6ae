"""The points ledger (积分台账): append-only lines, each derived from a record, and the closed years.

A line is never edited nor deleted. Points are withdrawn by a reversing line (``reverses``), which
the ledger writes itself when the record is deleted or stops counting, or which the Party office
writes as a correction with a reason. ``save()`` of an existing line, ``delete()`` and the
queryset's ``update()``/``delete()`` raise; on PostgreSQL a trigger refuses UPDATE and DELETE too.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from hongqing.core.models import HQModel, ScopedQuerySet
from hongqing.core.scoping import ScopeLookups
from hongqing.organization.models import Hospital
from hongqing.people.models import Person

from ..choices import Cut, EntryKind
from .rules import PointRule


class LedgerIsAppendOnly(Exception):
    """Raised on any attempt to change or delete a ledger line."""


APPEND_ONLY = "The points ledger is append-only: withdraw points with a reversing line."


class LedgerQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise LedgerIsAppendOnly(APPEND_ONLY)

    def delete(self):
        raise LedgerIsAppendOnly(APPEND_ONLY)

    def _raw_delete(self, using):
        raise LedgerIsAppendOnly(APPEND_ONLY)


class LedgerManager(models.Manager.from_queryset(LedgerQuerySet)):
    pass


class Why(models.TextChoices):
    """Why a line was written (beyond the record itself)."""

    NONE = "", ""
    REAWARDED = "reawarded", _("Awarded again")
    DELETED = "deleted", _("The record was deleted")
    STOPPED = "stopped", _("The record no longer counts")
    REBALANCED = "rebalanced", _("Re-counted: the cap or the floor changed")
    CORRECTED = "corrected", _("Corrected by the Party office")


class PointEntry(HQModel):
    """One line of a person's points: an award from a record, or the reversal of one.

    ``source`` is the row that earned it (an attendance, a participation, an approved proposal…),
    unique per rule and cycle year through ``generation`` (the n-th award of that source after n-1
    reversals): the same record can never award twice, whatever two processes do at once.
    ``record`` is the page the line leads to (the meeting of an attendance). ``requested`` is what
    the rule gave before the cap or the floor cut it (``cut``).
    """

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="point_entries"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    date = models.DateField(_("date"))
    rule = models.ForeignKey(
        PointRule, verbose_name=_("item"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices, default=EntryKind.AWARD)
    amount = models.DecimalField(_("points"), max_digits=8, decimal_places=2)
    requested = models.DecimalField(_("points before the cut"), max_digits=8, decimal_places=2)
    quantity = models.DecimalField(_("quantity"), max_digits=7, decimal_places=2, default=1)
    cut = models.CharField(_("cut"), max_length=8, choices=Cut.choices, blank=True)
    why = models.CharField(_("why"), max_length=12, choices=Why.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField()
    record_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    record_id = models.PositiveBigIntegerField()
    label = models.CharField(_("record"), max_length=200)
    generation = models.PositiveSmallIntegerField(default=1)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )

    objects = LedgerManager()

    scope = ScopeLookups(
        hospital="hospital", organization="person__membership__organization", person="person"
    )
    scope_area = "points"
    audit_exclude = True  # the ledger is itself a record of who did what; services log named events

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points ledger")
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "source_type", "source_id", "year", "generation"],
                condition=Q(kind="award"),
                name="points_entry_award_once",
            ),
            models.CheckConstraint(
                condition=Q(kind="award", reverses__isnull=True)
                | (~Q(kind="award") & Q(reverses__isnull=False)),
                name="points_entry_reversal_names_its_line",
            ),
            models.CheckConstraint(
                condition=~Q(kind="correction") | ~Q(reason=""), name="points_entry_correction_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["person", "year"], name="points_entry_person_year"),
            models.Index(fields=["hospital", "year"], name="points_entry_hospital_year"),
            models.Index(fields=["source_type", "source_id"], name="points_entry_source"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.label} {self.amount:+}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerIsAppendOnly(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerIsAppendOnly(APPEND_ONLY)

    @property
    def is_reversal(self) -> bool:
        return self.kind != EntryKind.AWARD

    def record_url(self) -> str:
        """The page of the record behind the line (the meeting, the activity, the proposal…), by convention."""
        from hongqing.core.urls_helpers import pk_url

        model = ContentType.objects.get_for_id(self.record_type_id).model_class()
        if model is None or not hasattr(model, "url_name"):
            return ""
        try:
            return pk_url(
                model.url_name("detail"), self.record_id
            )  # resolved once per model (pages of lines)
        except NoReverseMatch:
            return ""


class PointAccount(models.Model):
    """A person's points of one cycle year: the row locked while a cap or the floor is decided.

    Two processes awarding points to the same person at once take turns on this row
    (``select_for_update``), so neither decides a cap or the floor on a total the other is changing.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()

    audit_exclude = True

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="points_account_once")]

    def __str__(self) -> str:
        return f"{self.person_id}/{self.year}"


class ClosedYear(HQModel):
    """A hospital's closed (locked) points year: no line is written into it any more."""

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="closed_point_years"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope = ScopeLookups(hospital="hospital", organization="hospital__party_organizations")
    scope_area = "points"

    class Meta:
        verbose_name = _("closed points year")
        verbose_name_plural = _("closed points years")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["hospital", "year"], name="points_closed_year_once")]

    def __str__(self) -> str:
        return _("%(year)d points (closed)") % {"year": self.year}

    def delete(self, *args, **kwargs):
        raise LedgerIsAppendOnly("A closed points year stays closed.")
