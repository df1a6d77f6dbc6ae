"""The base-model stack every domain model stands on, and rules as data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_NodeManager, MP_NodeQuerySet

from .choices import ImportStatus
from .scoping import ScopedQuerySetMixin, ScopeLookups


class ScopedQuerySet(ScopedQuerySetMixin, models.QuerySet):
    pass


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass


class ScopedTreeQuerySet(ScopedQuerySetMixin, MP_NodeQuerySet):
    pass


class ScopedTreeManager(MP_NodeManager):
    def get_queryset(self):
        return ScopedTreeQuerySet(self.model).order_by("path")

    def restrict(self, user, action="view", area=None):
        return self.get_queryset().restrict(user, action, area)


class HQModel(models.Model):
    """Timestamps, author, scoping and URL conventions shared by every domain model.

    Subclasses set ``scope`` (how rows reach the organisation tree) and ``scope_area`` (which role
    capabilities apply). URLs are named ``<app>:<model>_<action>``.
    """

    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()

    scope = ScopeLookups()
    scope_area = ""

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        try:
            return reverse(self.url_name("detail"), kwargs={"pk": self.pk})
        except NoReverseMatch:
            return ""

    @classmethod
    def url_name(cls, action: str) -> str:
        return f"{cls._meta.app_label}:{cls._meta.model_name}_{action}"

    def delete_blockers(self) -> list[str]:
        """Reasons this row may not be deleted (records that would be orphaned). Empty: deletable."""
        return []


class Rule(models.Model):
    """One rule value (RULES.md): a regulation default or a hospital's override, from a date.

    Apps declare their rules with defaults and sources in ``rules.py``; rows are created from those
    declarations after migrate, and the Party office edits or overrides them without a release.
    """

    key = models.CharField(_("rule"), max_length=100, db_index=True)
    hospital_id = models.BigIntegerField(
        _("hospital"), null=True, blank=True, help_text=_("empty: every hospital")
    )
    value = models.JSONField(_("value"))
    effective_from = models.DateField(_("effective from"), default="2000-01-01")
    source = models.CharField(_("source"), max_length=300, blank=True)
    confidence = models.CharField(_("confidence"), max_length=5, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["key", "hospital_id", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "hospital_id", "effective_from"], name="core_rule_unique_key_hospital_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"


class ImportJob(HQModel):
    """One Excel import: the checked rows until they are written, its errors, and its progress.

    Only its creator sees it (the views filter by ``created_by``; no role grants the ``imports`` area).
    The parsed rows are kept only between the check and the commit, then cleared: they may hold ID
    numbers. Not in the change log for the same reason; the import itself is a named audit event.
    """

    model_label = models.CharField(_("model"), max_length=100)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    done_rows = models.PositiveIntegerField(_("rows written"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("number of errors"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    rows = models.JSONField(_("rows"), default=list, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    scope = ScopeLookups(hospital=None)
    scope_area = "imports"
    audit_exclude = True

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created"]
        indexes = [models.Index(fields=["created_by", "model_label"], name="core_importjob_user_model")]

    def __str__(self) -> str:
        return f"{self.model_label} · {self.file_name} · {self.get_status_display()}"

    @property
    def percent(self) -> int:
        return int(100 * self.done_rows / self.total_rows) if self.total_rows else 0


def now_local_date():
    return timezone.localdate()


class CalendarOverride(models.Model):
    """An official day that differs from the library's calendar, or fills a year it does not know.

    The State Council publishes each year's holidays late in the year before; the calendar package
    lags a release behind. The Party office enters the notice's days here (a holiday on a weekday, a
    make-up working day on a weekend), and they win over the package.
    """

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True, help_text=_("e.g. 春节, 国庆节调休上班"))
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Notification(models.Model):
    """An in-app message to one user (a duty reminder, …): the bell in the navbar counts the unread.

    Only its user sees it (the views filter by ``user``; no role grants it). Apps create them through
    :func:`hongqing.core.notifications.notify`, which also sends the e-mail.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    read = models.BooleanField(_("read"), default=False)

    audit_exclude = True

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["user", "read"], name="core_notification_unread")]

    def __str__(self) -> str:
        return self.title
