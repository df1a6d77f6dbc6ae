"""Organisational life (组织生活): meetings, attendance, attachments, agenda items and 三重一大.

The rules that need the roster or the rule table (who should attend, quorum, votes, the 三重一大
order of bodies) live in ``party.services.meetings``; ``clean()`` calls them, so the forms, the
pages and the API refuse the same bad input.
"""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hongqing.core.models import HQModel
from hongqing.core.scoping import ScopeLookups
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import Department, Hospital, PartyOrganization
from hongqing.people.models import Person

from ..choices import (
    DECISION_KINDS,
    AttendanceStatus,
    ItemStatus,
    MatterCategory,
    MeetingKind,
    MeetingStatus,
)

# Which organisations hold which kinds of meeting (kinds not listed: any organisation).
KIND_ORG_KINDS = {
    MeetingKind.MEMBER_CONGRESS: (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH),
    MeetingKind.BRANCH_COMMITTEE: (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH),
    MeetingKind.GROUP_MEETING: (OrgKind.GROUP,),
    MeetingKind.JOINT_MEETING: (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH),
    MeetingKind.COMMITTEE_MEETING: (OrgKind.COMMITTEE,),
    MeetingKind.PRESIDENT_OFFICE_MEETING: (OrgKind.COMMITTEE,),
}


class Meeting(HQModel):
    """Any organisational-life event: planned, then held with attendance, minutes and resolutions.

    The duty lists read ``status == "held"``, ``kind``, ``organization`` and ``start``.
    """

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
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)

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

    @property
    def is_held(self) -> bool:
        return self.status == MeetingStatus.HELD

    @property
    def is_decision_meeting(self) -> bool:
        return self.kind in DECISION_KINDS

    def clean(self):
        errors = {}
        org = self.organization if self.organization_id else None
        if self.status == MeetingStatus.HELD and self.start and self.start > timezone.now():
            errors["status"] = _("A meeting in the future cannot be recorded as held.")
        if org is not None and self.kind in KIND_ORG_KINDS and org.kind not in KIND_ORG_KINDS[self.kind]:
            allowed = "、".join(str(OrgKind(k).label) for k in KIND_ORG_KINDS[self.kind])
            errors["kind"] = _("A %(kind)s is held by: %(allowed)s.") % {
                "kind": self.get_kind_display(),
                "allowed": allowed,
            }
        if self.kind == MeetingKind.JOINT_MEETING and not self.department_id:
            errors["department"] = _("A joint meeting names the department it is held with.")
        elif self.department_id and self.kind != MeetingKind.JOINT_MEETING:
            errors["department"] = _("Only a joint meeting names a linked department.")
        elif self.department_id and org is not None:
            if self.department.hospital_id != org.hospital_id:
                errors["department"] = _("The department belongs to another hospital.")
            elif self.start and not self._department_linked(org):
                errors["department"] = _("%(dept)s is not one of the departments %(org)s is built on.") % {
                    "dept": self.department,
                    "org": org,
                }
        if self.host_id and org is not None and self.host.hospital_id != org.hospital_id:
            errors["host"] = _("The host belongs to another hospital.")
        if self.status == MeetingStatus.CANCELLED and not self.cancel_reason.strip():
            errors["cancel_reason"] = _("Give the reason for cancelling.")
        if errors:
            raise ValidationError(errors)

    def _department_linked(self, org) -> bool:
        """Whether the department is one the organisation was built on at the meeting's date."""
        day = self.local_date
        return org.department_links.filter(
            Q(end__isnull=True) | Q(end__gte=day), department_id=self.department_id, start__lte=day
        ).exists()

    def delete_blockers(self) -> list[str]:
        if self.status == MeetingStatus.HELD:
            return [_("A held meeting is a record: cancel it instead of deleting it.")]
        return []


class Attendance(HQModel):
    """One person's attendance at a meeting: present, on leave or absent (with a reason), or made up later.

    ``expected`` (on the roster of those who should attend) and ``voting`` (has a vote that counts
    toward the quorum) are set from the roster when the row is created; a person who is neither on
    the roster nor in the organisation attends only as a guest.
    """

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
        _("expected"),
        default=True,
        editable=False,
        help_text=_("On the roster of those who should attend"),
    )
    voting = models.BooleanField(
        _("voting"),
        default=False,
        editable=False,
        help_text=_("Has a vote: a full member at a congress, a committee member at a committee meeting"),
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
        ordering = ["meeting", "-expected", "person__staff_no"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="party_attendance_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.get_status_display()}"

    def clean(self):
        from ..services.meetings import attendance_errors

        errors = attendance_errors(self)
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self._state.adding and self.meeting_id and self.person_id:
            from ..services.meetings import place_on_roster

            place_on_roster(self)
        super().save(*args, **kwargs)


# Photos, PDF, Word and Excel. The content is checked too (services.meetings.sniff_attachment).
ALLOWED_ATTACHMENT_EXTENSIONS = {".jpg", ".jpeg", ".png", ".pdf", ".doc", ".docx", ".xls", ".xlsx"}


def attachment_path(instance, filename):
    # A random name on disk (the original name is kept in ``name``): no user text in a path.
    ext = os.path.splitext(filename)[1].lower()
    return f"meetings/{instance.meeting_id}/{uuid.uuid4().hex}{ext}"


class MeetingAttachment(HQModel):
    """A photo, PDF or Word file of a meeting (type, content and size checked)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("name"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)

    scope = ScopeLookups(
        hospital="meeting__organization__hospital",
        organization="meeting__organization",
        person="meeting__attendances__person",
    )
    scope_area = "party"

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["meeting", "pk"]

    def __str__(self) -> str:
        return self.name or os.path.basename(self.file.name)

    @property
    def extension(self) -> str:
        return os.path.splitext(self.name or self.file.name)[1].lower()

    @property
    def is_image(self) -> bool:
        return self.extension in (".jpg", ".jpeg", ".png")

    def clean(self):
        if not self.file:
            return
        from ..services.meetings import sniff_attachment

        original = self.name or self.file.name
        ext = os.path.splitext(original)[1].lower()
        if ext not in ALLOWED_ATTACHMENT_EXTENSIONS:
            raise ValidationError({"file": _("Only photos, PDF, Word and Excel files can be attached.")})
        limit = settings.ATTACHMENT_MAX_BYTES
        if self.file.size > limit:
            raise ValidationError(
                {"file": _("The file is larger than %(max)s.") % {"max": filesizeformat(limit)}}
            )
        if not sniff_attachment(self.file, ext):
            raise ValidationError(
                {"file": _("The file's content is not a %(ext)s file: it cannot be attached.") % {"ext": ext}}
            )

    def save(self, *args, **kwargs):
        if self.file and not self.size:
            self.size = self.file.size
        if self.file and not self.name:
            self.name = os.path.basename(self.file.name)[:200]
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        storage, name = self.file.storage, self.file.name
        result = super().delete(*args, **kwargs)
        if name:
            storage.delete(name)
        return result


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

    def clean(self):
        if self.amount is not None and self.amount < 0:
            raise ValidationError({"amount": _("The amount cannot be negative.")})

    def delete_blockers(self) -> list[str]:
        if self.pk and self.items.exists():
            return [_("Agenda items of meetings name this matter.")]
        return []


class AgendaItem(HQModel):
    """One item of a meeting; at a committee or president's office meeting a 三重一大 item links its matter."""

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

    scope = ScopeLookups(
        hospital="meeting__organization__hospital",
        organization="meeting__organization",
        person="meeting__attendances__person",
    )
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

    def clean(self):
        from ..services.meetings import item_errors

        errors = item_errors(self)
        if errors:
            raise ValidationError(errors)
