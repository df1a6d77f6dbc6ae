"""Study sessions (学习活动): morning meetings, night schools, lectures, red-education trips in batches,
online courses; their material, attendance (hours per person) and the check-ins that proved it.

The rules that need the rule table or other rows (the check-in window, the audience, one batch per
person) live in ``learning.services``; ``clean()`` holds what one row can tell by itself.
"""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hongqing.core.models import HQModel
from hongqing.core.rules import rule_value
from hongqing.core.scoping import ScopeLookups
from hongqing.organization.models import PartyOrganization
from hongqing.people.models import Person

from ..choices import (
    COUNTING_STATUSES,
    RecordedVia,
    SessionKind,
    StudyAttendanceStatus,
    StudyMode,
)
from .plans import StudyPlanItem


def check_hours(hours, hospital_id=None, field="hours") -> dict:
    """{field: message} when credited hours are not more than zero or above the rule's maximum."""
    if hours is None:
        return {}
    if hours <= 0:
        return {field: _("Hours must be more than zero.")}
    most = rule_value("learning.session_max_hours", hospital_id)
    if hours > most:
        return {field: _("At most %(max)s hours can be credited for one record.") % {"max": most}}
    return {}


class StudySession(HQModel):
    """A learning event with a kind, a study mode, a speaker, an audience, a time, a place and hours.

    A red-education trip taken in batches is one session (the activity: its audience, its total) with a
    child session per batch (``batch_of``): each batch has its own time, place and check-in, and a
    person attends one batch of the activity, so counts per activity and per batch are both right.
    Attendance is recorded on a single session or on a batch, never on an activity with batches.
    """

    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="study_sessions",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=SessionKind.choices)
    mode = models.CharField(_("study mode"), max_length=20, choices=StudyMode.choices, default=StudyMode.LEAD)
    title = models.CharField(_("title"), max_length=200)
    speaker = models.ForeignKey(
        Person,
        verbose_name=_("speaker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    speaker_name = models.CharField(
        _("outside speaker"), max_length=100, blank=True, help_text=_("A speaker from outside the hospital")
    )
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    hours = models.DecimalField(
        _("credited hours"),
        max_digits=4,
        decimal_places=1,
        help_text=_("Study hours each attendee is credited"),
    )
    description = models.TextField(_("content"), blank=True)
    audience_organizations = models.ManyToManyField(
        PartyOrganization,
        verbose_name=_("audience organisations"),
        blank=True,
        related_name="audience_of_sessions",
        help_text=_("Their members (and those under them) are invited; empty: the organiser's own"),
    )
    audience_persons = models.ManyToManyField(
        Person, verbose_name=_("invited persons"), blank=True, related_name="audience_of_sessions"
    )
    plan_items = models.ManyToManyField(
        StudyPlanItem, verbose_name=_("plan items covered"), blank=True, related_name="sessions"
    )
    batch_of = models.ForeignKey(
        "self",
        verbose_name=_("batch of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="batches",
    )
    batch_number = models.PositiveSmallIntegerField(_("batch"), null=True, blank=True)

    scope = ScopeLookups(
        hospital="organization__hospital", organization="organization", person="attendances__person"
    )
    scope_area = "learning"

    class Meta:
        verbose_name = _("study session")
        verbose_name_plural = _("study sessions")
        ordering = ["-start", "-pk"]
        indexes = [models.Index(fields=["organization", "start"], name="learning_session_org_start")]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="learning_session_hours_positive"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="learning_session_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["batch_of", "batch_number"],
                condition=models.Q(batch_of__isnull=False),
                name="learning_session_batch_once",
            ),
        ]

    def __str__(self) -> str:
        text = f"{timezone.localtime(self.start):%Y-%m-%d} {self.title}"
        if self.batch_number:
            text += str(_(" (batch %(n)d)") % {"n": self.batch_number})
        return text

    @property
    def local_date(self):
        return timezone.localtime(self.start).date()

    @property
    def speaker_display(self) -> str:
        if self.speaker_id:
            return self.speaker.name
        return self.speaker_name

    def clean(self):
        errors = {}
        org = self.organization if self.organization_id else None
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("A session cannot end before it starts.")
        errors.update(check_hours(self.hours, org.hospital_id if org else None))
        if self.speaker_id and org is not None and self.speaker.hospital_id != org.hospital_id:
            errors["speaker"] = _("The speaker belongs to another hospital.")
        if self.batch_of_id:
            parent = self.batch_of
            if parent.batch_of_id:
                errors["batch_of"] = _("A batch belongs to an activity, not to another batch.")
            elif org is not None and parent.organization_id != org.pk:
                errors["batch_of"] = _("A batch is organised by its activity's organiser.")
            if self.pk and parent.pk == self.pk:
                errors["batch_of"] = _("A session is not a batch of itself.")
        if errors:
            raise ValidationError(errors)

    def delete_blockers(self) -> list[str]:
        if not self.pk:
            return []
        reasons = []
        if self.attendances.exists():
            reasons.append(_("Attendance is recorded for this session: its hours are on people's records."))
        if StudyAttendance.objects.filter(session__batch_of=self).exists():
            reasons.append(_("Attendance is recorded for its batches."))
        return reasons


# Documents, slides, photos and the recording shift workers make up with (补学).
ALLOWED_MATERIAL_EXTENSIONS = {
    ".pdf",
    ".doc",
    ".docx",
    ".ppt",
    ".pptx",
    ".xls",
    ".xlsx",
    ".jpg",
    ".jpeg",
    ".png",
    ".mp4",
    ".mp3",
}


def material_path(instance, filename):
    # A random name on disk (the original name is kept in ``name``): no user text in a path.
    ext = os.path.splitext(filename)[1].lower()
    return f"learning/{instance.session_id}/{uuid.uuid4().hex}{ext}"


class StudyMaterial(HQModel):
    """A file of a session: the slides, a text, photos, the recording (type, content and size checked)."""

    session = models.ForeignKey(
        StudySession, verbose_name=_("study session"), on_delete=models.CASCADE, related_name="materials"
    )
    file = models.FileField(_("file"), upload_to=material_path)
    name = models.CharField(_("name"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)

    scope = ScopeLookups(
        hospital="session__organization__hospital",
        organization="session__organization",
        person="session__attendances__person",
    )
    scope_area = "learning"

    class Meta:
        verbose_name = _("study material")
        verbose_name_plural = _("study materials")
        ordering = ["session", "pk"]

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
        from ..services.materials import sniff_material

        ext = os.path.splitext(self.name or self.file.name)[1].lower()
        if ext not in ALLOWED_MATERIAL_EXTENSIONS:
            raise ValidationError(
                {
                    "file": _(
                        "Only documents (PDF, Word, PowerPoint, Excel), photos, MP4 or MP3 files can be added."
                    )
                }
            )
        limit = settings.ATTACHMENT_MAX_BYTES
        if self.file.size > limit:
            raise ValidationError(
                {"file": _("The file is larger than %(max)s.") % {"max": filesizeformat(limit)}}
            )
        if not sniff_material(self.file, ext):
            raise ValidationError(
                {"file": _("The file's content is not a %(ext)s file: it cannot be added.") % {"ext": ext}}
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


class StudyAttendance(HQModel):
    """One person's attendance of a session, and the hours it credits them.

    ``counts`` (present, or made up later with the recorded material — 补学) is what the hours and the
    points app read: save or delete a row and the person's hours follow. Rows are saved one by one
    (never ``bulk_create``/``update()``) so that other apps' signals see every change.
    """

    session = models.ForeignKey(
        StudySession, verbose_name=_("study session"), on_delete=models.CASCADE, related_name="attendances"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="study_attendances"
    )
    status = models.CharField(
        _("attendance"),
        max_length=10,
        choices=StudyAttendanceStatus.choices,
        default=StudyAttendanceStatus.PRESENT,
    )
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    via = models.CharField(
        _("recorded by"), max_length=10, choices=RecordedVia.choices, default=RecordedVia.ROSTER
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    makeup_on = models.DateField(_("made up on"), null=True, blank=True)
    makeup_note = models.CharField(_("make-up note"), max_length=300, blank=True)

    scope = ScopeLookups(
        hospital="session__organization__hospital",
        organization="person__membership__organization",
        person="person",
    )
    scope_area = "learning"

    class Meta:
        verbose_name = _("study attendance")
        verbose_name_plural = _("study attendances")
        ordering = ["-session__start", "person__staff_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"], name="learning_attendance_once_per_session"
            ),
            models.CheckConstraint(
                condition=models.Q(hours__gte=0), name="learning_attendance_hours_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["person", "status"], name="learning_attendance_person")]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.get_status_display()}"

    @property
    def counts(self) -> bool:
        """Whether this attendance credits its hours (present, or made up later)."""
        return self.status in COUNTING_STATUSES

    @property
    def credited_hours(self):
        return self.hours if self.counts else 0

    def clean(self):
        from ..services.sessions import attendance_errors

        errors = attendance_errors(self)
        if errors:
            raise ValidationError(errors)


class CheckIn(HQModel):
    """The proof of a QR check-in (签到): when, with which code and from where.

    Kept when the attendance it recorded is removed (``attendance`` is then empty), so that the same
    confirmation (``nonce``) can never be replayed.
    """

    session = models.ForeignKey(
        StudySession, verbose_name=_("study session"), on_delete=models.CASCADE, related_name="checkins"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="checkins"
    )
    attendance = models.OneToOneField(
        StudyAttendance,
        verbose_name=_("study attendance"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="checkin",
    )
    at = models.DateTimeField(_("checked in at"))
    code_step = models.BigIntegerField(_("code"), help_text=_("Which of the rotating codes was scanned"))
    nonce = models.CharField(_("confirmation"), max_length=40, unique=True, editable=False)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)

    scope = ScopeLookups(
        hospital="session__organization__hospital",
        organization="person__membership__organization",
        person="person",
    )
    scope_area = "learning"

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.person.name} · {timezone.localtime(self.at):%Y-%m-%d %H:%M:%S}"
