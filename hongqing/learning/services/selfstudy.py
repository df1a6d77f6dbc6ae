"""Self-study records and study plans: the business events (atomic, audited).

- A member records their own self-study (a book, a course) on their phone; it waits for
  confirmation and counts in their hours only once confirmed. While it waits they may withdraw it.
- Someone who may change the member's learning records (their branch's secretary, the Party office)
  confirms it, or rejects it with a reason; never the member themselves.
- A study plan is published once; its items may still be added to afterwards.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongqing.core.audit import log_event

from ..choices import SelfStudyStatus


def actor_person(actor):
    person = getattr(actor, "person", None) if actor is not None else None
    try:
        return person if person is not None and person.pk else None
    except Exception:  # noqa: BLE001 (RelatedObjectDoesNotExist: the account has no staff record)
        return None


@transaction.atomic
def submit_self_study(*, person, actor, kind, title, studied_on, hours, note="", request=None):
    """The member's own self-study record, awaiting confirmation."""
    from ..models import SelfStudy

    own = actor_person(actor)
    if own is None or own.pk != person.pk:
        raise ValidationError(_("A member records only their own self-study."))
    record = SelfStudy(
        person=person,
        kind=kind,
        title=(title or "").strip(),
        studied_on=studied_on,
        hours=hours,
        note=(note or "").strip(),
        created_by=actor,
    )
    record.full_clean()
    record.save()
    log_event(
        "self_study_submitted", actor=actor, obj=record, request=request, data={"hours": str(record.hours)}
    )
    return record


def _lock(record):
    from ..models import SelfStudy

    return SelfStudy.objects.select_for_update().select_related("person").get(pk=record.pk)


@transaction.atomic
def withdraw_self_study(record, *, actor, request=None) -> None:
    """The member withdraws their own record while it awaits confirmation."""
    r = _lock(record)
    own = actor_person(actor)
    if own is None or own.pk != r.person_id:
        raise ValidationError(_("Only the member withdraws their own self-study."))
    if r.status != SelfStudyStatus.PENDING:
        raise ValidationError(_("A reviewed self-study is a record: it cannot be withdrawn."))
    log_event("self_study_withdrawn", actor=actor, obj=r, request=request)
    r.delete()


def _review(record, status, *, actor, reason="", request=None):
    r = _lock(record)
    if r.status != SelfStudyStatus.PENDING:
        raise ValidationError(_("This self-study has already been reviewed."))
    own = actor_person(actor)
    if own is not None and own.pk == r.person_id:
        raise ValidationError(_("Nobody confirms their own self-study."))
    r.status = status
    r.reviewed_by = actor
    r.reviewed_at = timezone.now()
    r.reject_reason = reason
    r.save()
    log_event(
        "self_study_confirmed" if status == SelfStudyStatus.CONFIRMED else "self_study_rejected",
        actor=actor,
        obj=r,
        request=request,
        data={"reason": reason} if reason else None,
    )
    record.status, record.reviewed_by, record.reviewed_at, record.reject_reason = (
        r.status,
        r.reviewed_by,
        r.reviewed_at,
        r.reject_reason,
    )
    return record


@transaction.atomic
def confirm_self_study(record, *, actor, request=None):
    """Confirm a member's self-study: its hours count from now on."""
    return _review(record, SelfStudyStatus.CONFIRMED, actor=actor, request=request)


@transaction.atomic
def reject_self_study(record, *, actor, reason: str, request=None):
    """Reject a member's self-study, with the reason they will read."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for rejecting.")})
    return _review(record, SelfStudyStatus.REJECTED, actor=actor, reason=reason[:200], request=request)


@transaction.atomic
def publish_plan(plan, *, actor, request=None):
    """Publish a study plan (once; it needs at least one item)."""
    from ..models import StudyPlan

    p = StudyPlan.objects.select_for_update().get(pk=plan.pk)
    if p.published_on is not None:
        raise ValidationError(_("The plan is already published."))
    if not p.items.exists():
        raise ValidationError(_("Add the plan's topics before publishing it."))
    p.published_on = timezone.localdate()
    p.save(update_fields=["published_on", "updated"])
    log_event("study_plan_published", actor=actor, obj=p, request=request, data={"items": p.items.count()})
    plan.published_on = p.published_on
    return plan
