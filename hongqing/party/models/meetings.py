"""Organisational life (组织生活): meetings, attendance, attachments, agenda items and 三重一大."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hongqing.core.models import HQModel
from hongqing.core.scoping import ScopeLookups
from hongqing.organization.models import Department, Hospital, PartyOrganization
from hongqing.people.models import Person

from ..choices import AttendanceStatus, ItemStatus, MatterCategory, MeetingKind, MeetingStatus


class Meeting(HQModel):
    """Any organisational-life event: planned, then held with attendance, minutes and resolutions."""

    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("Party organisation"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=MeetingKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    start = models.DateTimeField(_("time"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    host = models.ForeignKey(
        Person,
        verbose_name=_("host"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_meetings",
    )
    topic = models.CharField(_("topic"), max_length=200)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    resolutions = models.TextField(_("resolutions"), blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("linked department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="joint_meetings",
        help_text=_("For a joint meeting: the department it is held with"),
    )
    department_decisions = models.TextField(
        _("departmental decisions"),
        blank=True,
        help_text=_("The department's decisions the branch took part in"),
    )

    scope = ScopeLookups(
        hospital="organization__hospital", organization="organization", person="attendances__person"
    )
    scope_area = "party"

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-start"]
        indexes = [
            models.Index(fields=["organization", "kind", "start"], name="party_meeting_org_kind_start")
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.start):%Y-%m-%d} {self.get_kind_display()}：{self.topic}"

    @property
    def local_date(self):
        return timezone.localtime(self.start).date()

    def clean(self):
        errors = {}
        if self.status == MeetingStatus.HELD and self.start and self.start > timezone.now():
            errors["status"] = _("A meeting in the future cannot be recorded as held.")
        if self.kind == MeetingKind.JOINT_MEETING and not self.department_id:
            errors["department"] = _("A joint meeting names the department it is held with.")
        if (
            self.department_id
            and self.organization_id
            and self.department.hospital_id != self.organization.hospital_id
        ):
            errors["department"] = _("The department belongs to another hospital.")
        if self.host_id and self.organization_id and self.host.hospital_id != self.organization.hospital_id:
            errors["host"] = _("The host belongs to another hospital.")
        if errors:
            raise ValidationError(errors)

    def delete_blockers(self) -> list[str]:
        if self.status == MeetingStatus.HELD:
            return [_("A held meeting is a record: cancel it instead of deleting it.")]
        return []


class Attendance(HQModel):
    """One person's attendance at a meeting: present, on leave or absent (with a reason), or made up later."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendances"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField(
        _("attendance"), max_length=10, choices=AttendanceStatus.choices, default=AttendanceStatus.PRESENT
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    expected = models.BooleanField(
        _("expected"), default=True, help_text=_("On the roster of those who should attend")
    )
    is_guest = models.BooleanField(_("guest"), default=False)
    makeup_on = models.DateField(_("made up on"), null=True, blank=True)
    makeup_note = models.CharField(_("make-up note"), max_length=300, blank=True)

    scope = ScopeLookups(
        hospital="meeting__organization__hospital", organization="meeting__organization", person="person"
    )
    scope_area = "party"

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["meeting", "person__staff_no"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="party_attendance_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.get_status_display()}"

    def clean(self):
        errors = {}
        if self.status in (AttendanceStatus.LEAVE, AttendanceStatus.ABSENT) and not self.reason.strip():
            errors["reason"] = _("Leave or absence needs a reason.")
        if self.status == AttendanceStatus.MAKEUP and not self.makeup_on:
            errors["makeup_on"] = _("Enter the date of the make-up.")
        if self.makeup_on and self.meeting_id and self.makeup_on < self.meeting.local_date:
            errors["makeup_on"] = _("A make-up comes after the meeting.")
        if errors:
            raise ValidationError(errors)


ALLOWED_ATTACHMENT_EXTENSIONS = {".jpg", ".jpeg", ".png", ".pdf", ".doc", ".docx", ".xls", ".xlsx"}


def attachment_path(instance, filename):
    return f"meetings/{instance.meeting_id}/{filename}"


class MeetingAttachment(HQModel):
    """A photo, PDF or Word file of a meeting (type and size checked)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("name"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)

    scope = ScopeLookups(hospital="meeting__organization__hospital", organization="meeting__organization")
    scope_area = "party"

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["meeting", "pk"]

    def __str__(self) -> str:
        return self.name or os.path.basename(self.file.name)

    def clean(self):
        if not self.file:
            return
        ext = os.path.splitext(self.file.name)[1].lower()
        if ext not in ALLOWED_ATTACHMENT_EXTENSIONS:
            raise ValidationError({"file": _("Only photos, PDF, Word and Excel files can be attached.")})
        limit = settings.ATTACHMENT_MAX_BYTES
        if self.file.size > limit:
            raise ValidationError(
                {"file": _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}}
            )


class MajorMatter(HQModel):
    """A 三重一大 matter: it must be studied by the Party committee before it is decided."""

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="major_matters"
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=MatterCategory.choices)
    amount = models.DecimalField(
        _("amount (10k yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    scope = ScopeLookups(hospital="hospital")
    scope_area = "decisions"

    class Meta:
        verbose_name = _("major matter")
        verbose_name_plural = _("major matters")
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title


class AgendaItem(HQModel):
    """One item of a committee or president's office meeting; a 三重一大 item links its matter."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("title"), max_length=200)
    matter = models.ForeignKey(
        MajorMatter,
        verbose_name=_("三重一大 matter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.PROPOSED
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    secretary_consent = models.BooleanField(_("secretary consented"), default=False)
    conclusion = models.TextField(_("conclusion"), blank=True)
    votes_yes = models.PositiveSmallIntegerField(_("votes for"), null=True, blank=True)
    votes_no = models.PositiveSmallIntegerField(_("votes against"), null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)

    scope = ScopeLookups(hospital="meeting__organization__hospital", organization="meeting__organization")
    scope_area = "party"

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(secretary_consent=False) | Q(urgent=True),
                name="party_item_consent_only_when_urgent",
            )
        ]

    def __str__(self) -> str:
        return self.title
