"""Self-study (自学): a book or a course a member records on their phone; counted once confirmed."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hongqing.core.models import HQModel
from hongqing.core.scoping import ScopeLookups
from hongqing.people.models import Person

from ..choices import SelfStudyKind, SelfStudyStatus
from .sessions import check_hours


class SelfStudy(HQModel):
    """A member's own study of a book or a course: the hours count once their secretary confirms them.

    Entered by the member (only for themselves), confirmed or rejected — with a reason — by someone who
    may change the member's learning records (their branch's secretary, the Party office), never by
    the member themselves.
    """

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="self_studies"
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=SelfStudyKind.choices, default=SelfStudyKind.BOOK
    )
    title = models.CharField(_("title"), max_length=200, help_text=_("The book, the course or the video"))
    studied_on = models.DateField(_("studied on"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    note = models.TextField(_("what I learned"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SelfStudyStatus.choices,
        default=SelfStudyStatus.PENDING,
        editable=False,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    reject_reason = models.CharField(_("reason for rejecting"), max_length=200, blank=True, editable=False)

    scope = ScopeLookups(
        hospital="person__hospital", organization="person__membership__organization", person="person"
    )
    scope_area = "learning"

    class Meta:
        verbose_name = _("self-study")
        verbose_name_plural = _("self-study records")
        ordering = ["-studied_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="learning_selfstudy_hours_positive"),
        ]
        indexes = [models.Index(fields=["person", "status"], name="learning_selfstudy_person")]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.title}"

    @property
    def counts(self) -> bool:
        return self.status == SelfStudyStatus.CONFIRMED

    def clean(self):
        errors = {}
        hospital_id = self.person.hospital_id if self.person_id else None
        errors.update(check_hours(self.hours, hospital_id))
        if self.studied_on and self.studied_on > timezone.localdate():
            errors["studied_on"] = _("A study in the future cannot be recorded.")
        if errors:
            raise ValidationError(errors)
