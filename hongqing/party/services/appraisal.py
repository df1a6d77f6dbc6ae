"""Democratic appraisal of members (民主评议党员, RULES.md §1): a yearly campaign per branch.

Stages, in order: self-assessment → peer assessment → democratic rating → committee proposal →
congress decision → closed. Each move is a service (audited); a stage is never skipped nor undone.

- Who is appraised: every full **and probationary** member of the branch (and of its groups) when
  the campaign opens, except staff who have left. Probationary members are Party members under
  education and observation; their appraisal is part of what the branch weighs at their
  conversion, so they are appraised like everyone else, and rate their peers (a rating is not a
  vote at a congress, where probationary members have no vote).
- Who rates: a member with an entry in the campaign who is still a member of the branch. One
  rating per voter, entry and round; nobody rates themselves (the self-assessment is theirs); the
  ratings are secret: nobody sees another's, the branch sees the tallies, and the audit records
  that a ballot was cast, not its ratings.
- The committee proposes a rating for every entry, the congress decides it; each warns when more
  than ``appraisal.excellent_max_fraction`` (one third) are rated excellent — "generally", so a
  warning, never a block (RULES.md). Closing needs every result; it may name the held branch
  member congress that decided, and it marks the year's appraisal duty done (the duty list reads
  ``stage == "closed"``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from hongqing.core.audit import log_event
from hongqing.core.rules import rule_value
from hongqing.organization.choices import OrgKind
from hongqing.people.choices import MEMBER_STAGES, EmploymentStatus
from hongqing.people.models import Membership

from ..choices import AppraisalStage, MeetingKind, MeetingStatus, Rating
from ..models import AppraisalCampaign, AppraisalEntry, AppraisalVote

STAGES = [
    AppraisalStage.SELF,
    AppraisalStage.PEER,
    AppraisalStage.DEMOCRATIC,
    AppraisalStage.COMMITTEE,
    AppraisalStage.CONGRESS,
    AppraisalStage.CLOSED,
]
Round = AppraisalVote.Round
ROUND_STAGE = {Round.PEER: AppraisalStage.PEER, Round.DEMOCRATIC: AppraisalStage.DEMOCRATIC}
VOTING_STAGES = tuple(ROUND_STAGE.values())


def next_stage(campaign) -> str | None:
    index = STAGES.index(campaign.stage)
    return STAGES[index + 1] if index + 1 < len(STAGES) else None


def appraised_memberships(organization):
    """Who a campaign opened today appraises: the full and probationary members of the branch."""
    return (
        Membership.objects.filter(organization__path__startswith=organization.path, stage__in=MEMBER_STAGES)
        .exclude(person__status=EmploymentStatus.LEFT)
        .select_related("person")
        .order_by("person__staff_no")
    )


# ---------------------------------------------------------------------------------------------
# Opening and the stages


@transaction.atomic
def open_campaign(organization, *, year: int, actor) -> AppraisalCampaign:
    """Open a branch's appraisal of a year, with an entry for each member to appraise."""
    errors = []
    if organization.kind != OrgKind.BRANCH:
        errors.append(_("An appraisal is held by a branch."))
    this_year = timezone.localdate().year
    if not 2000 <= year <= this_year:
        errors.append(_("Enter a year from 2000 to %(y)d.") % {"y": this_year})
    if AppraisalCampaign.objects.filter(organization=organization, year=year).exists():
        errors.append(
            _("%(org)s already has an appraisal for %(year)d.") % {"org": organization, "year": year}
        )
    members = list(appraised_memberships(organization))
    if not members:
        errors.append(_("%(org)s has no members to appraise.") % {"org": organization})
    if errors:
        raise ValidationError(errors)
    campaign = AppraisalCampaign.objects.create(organization=organization, year=year, created_by=actor)
    AppraisalEntry.objects.bulk_create(
        [AppraisalEntry(campaign=campaign, membership=m, created_by=actor) for m in members]
    )
    log_event("appraisal_open", actor=actor, obj=campaign, data={"year": year, "entries": len(members)})
    return campaign


def _lock(campaign) -> AppraisalCampaign:
    return AppraisalCampaign.objects.select_for_update().select_related("organization").get(pk=campaign.pk)


def check_congress(campaign, meeting) -> list[str]:
    """A congress that decided the appraisal: the branch's held member congress of the year or the next."""
    errors = []
    if meeting.organization_id != campaign.organization_id or meeting.kind != MeetingKind.MEMBER_CONGRESS:
        errors.append(_("Choose a branch member congress of %(org)s.") % {"org": campaign.organization})
    if meeting.status != MeetingStatus.HELD:
        errors.append(_("The congress has not been recorded as held."))
    if meeting.local_date.year not in (campaign.year, campaign.year + 1):
        errors.append(
            _("The congress was held in %(y)d, not in %(a)d or %(b)d.")
            % {"y": meeting.local_date.year, "a": campaign.year, "b": campaign.year + 1}
        )
    return errors


@transaction.atomic
def move_to(campaign, stage: str, *, actor, congress=None) -> AppraisalCampaign:
    """Move a campaign to its next stage (never skipping one, never back), audited."""
    c = _lock(campaign)
    expected = next_stage(c)
    if expected is None:
        raise ValidationError(_("The appraisal is closed."))
    if stage != expected:
        raise ValidationError(_("The next stage is %(stage)s.") % {"stage": AppraisalStage(expected).label})
    errors = []
    entries = c.entries.all()
    if stage == AppraisalStage.CONGRESS and entries.filter(proposal="").exists():
        errors.append(
            _("The committee has not proposed a rating for %(n)d members.")
            % {"n": entries.filter(proposal="").count()}
        )
    if stage == AppraisalStage.CLOSED:
        if entries.filter(result="").exists():
            errors.append(
                _("The congress has not decided a rating for %(n)d members.")
                % {"n": entries.filter(result="").count()}
            )
        if congress is not None:
            errors += check_congress(c, congress)
    elif congress is not None:
        errors.append(_("The congress is named when the appraisal closes."))
    if errors:
        raise ValidationError(errors)
    old = c.stage
    c.stage = stage
    fields = ["stage", "updated"]
    if congress is not None:
        c.congress = congress
        fields.append("congress")
    c.save(update_fields=fields)
    log_event(
        "appraisal_stage",
        actor=actor,
        obj=c,
        data={"from": old, "to": stage, "congress": congress.pk if congress is not None else None},
    )
    campaign.stage, campaign.congress_id = c.stage, c.congress_id
    return c


def begin_peer_assessment(campaign, *, actor):
    return move_to(campaign, AppraisalStage.PEER, actor=actor)


def begin_democratic_rating(campaign, *, actor):
    return move_to(campaign, AppraisalStage.DEMOCRATIC, actor=actor)


def begin_committee_proposal(campaign, *, actor):
    return move_to(campaign, AppraisalStage.COMMITTEE, actor=actor)


def begin_congress_decision(campaign, *, actor):
    return move_to(campaign, AppraisalStage.CONGRESS, actor=actor)


def close_campaign(campaign, *, actor, congress=None):
    """Close the appraisal (every result decided): the year's appraisal duty is done."""
    return move_to(campaign, AppraisalStage.CLOSED, actor=actor, congress=congress)


# ---------------------------------------------------------------------------------------------
# The member's part: the self-assessment and the ratings


def _actor_person_id(actor):
    person = getattr(actor, "person", None) if actor is not None else None
    try:
        return person.pk if person is not None else None
    except Exception:  # noqa: BLE001 (a RelatedObjectDoesNotExist: the account has no staff record)
        return None


@transaction.atomic
def submit_self_assessment(entry, *, text: str, rating: str, actor) -> AppraisalEntry:
    """The member's own self-assessment and rating, while the campaign is at self-assessment."""
    e = AppraisalEntry.objects.select_for_update().select_related("campaign", "membership").get(pk=entry.pk)
    errors = []
    if e.campaign.stage != AppraisalStage.SELF:
        errors.append(_("The self-assessment is closed."))
    if _actor_person_id(actor) != e.membership.person_id:
        errors.append(_("Only the member writes their own self-assessment."))
    text = (text or "").strip()
    if not text:
        errors.append(_("Write the self-assessment."))
    if rating not in Rating.values:
        errors.append(_("Choose a rating."))
    if errors:
        raise ValidationError(errors)
    e.self_assessment, e.self_rating = text, rating
    e.save(update_fields=["self_assessment", "self_rating", "updated"])
    log_event("appraisal_self_assessment", actor=actor, obj=e)
    entry.self_assessment, entry.self_rating = e.self_assessment, e.self_rating
    return e


def voter_entry(campaign, person) -> AppraisalEntry | None:
    """The voter's own entry when they may rate in this campaign (still a member of the branch)."""
    if person is None:
        return None
    entry = (
        AppraisalEntry.objects.filter(campaign=campaign, membership__person=person)
        .select_related("membership")
        .first()
    )
    if entry is None:
        return None
    m = entry.membership
    if m.stage not in MEMBER_STAGES or not m.organization.path.startswith(campaign.organization.path):
        return None
    return entry


def ballot(campaign, person, round_: str) -> list[tuple[AppraisalEntry, bool]]:
    """The entries ``person`` rates in a round, each with whether they have rated it already."""
    own = voter_entry(campaign, person)
    if own is None:
        return []
    rated = set(
        AppraisalVote.objects.filter(entry__campaign=campaign, voter=person, round=round_).values_list(
            "entry_id", flat=True
        )
    )
    entries = (
        AppraisalEntry.objects.filter(campaign=campaign)
        .exclude(pk=own.pk)
        .select_related("membership__person")
        .order_by("membership__person__staff_no")
    )
    return [(e, e.pk in rated) for e in entries]


@transaction.atomic
def cast_ballot(campaign, *, person, round_: str, ratings: dict[int, str], actor) -> int:
    """Record a member's ratings of their peers in a round: once per entry; returns how many."""
    c = AppraisalCampaign.objects.select_related("organization").get(pk=campaign.pk)
    if round_ not in ROUND_STAGE:
        raise ValidationError(_("No round of ratings is open."))
    if c.stage != ROUND_STAGE[round_]:
        raise ValidationError(_("The %(round)s is not open.") % {"round": Round(round_).label})
    own = voter_entry(c, person)
    if own is None:
        raise ValidationError(_("Only members of the branch rate in its appraisal."))
    if _actor_person_id(actor) != person.pk:
        raise ValidationError(_("A member casts only their own ballot."))
    ratings = {int(k): v for k, v in ratings.items() if v}
    if not ratings:
        raise ValidationError(_("Rate at least one member."))
    entries = {
        e.pk: e
        for e in AppraisalEntry.objects.filter(campaign=c, pk__in=list(ratings)).select_related(
            "membership__person"
        )
    }
    errors = []
    for entry_id, rating in ratings.items():
        entry = entries.get(entry_id)
        if entry is None:
            errors.append(_("Entry %(id)d is not in this appraisal.") % {"id": entry_id})
        elif entry_id == own.pk:
            errors.append(_("Nobody rates themselves: the self-assessment is theirs."))
        elif rating not in Rating.values:
            errors.append(_("Choose a rating for %(name)s.") % {"name": entry.membership.person.name})
    already = AppraisalVote.objects.filter(entry_id__in=list(entries), voter=person, round=round_)
    for vote in already.select_related("entry__membership__person"):
        errors.append(_("You have already rated %(name)s.") % {"name": vote.entry.membership.person.name})
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            AppraisalVote.objects.bulk_create(
                [AppraisalVote(entry_id=k, voter=person, round=round_, rating=v) for k, v in ratings.items()]
            )
    except IntegrityError as exc:  # a second ballot sent at the same moment
        raise ValidationError(_("You have already rated these members.")) from exc
    # The audit says that a ballot was cast, never its ratings (a secret ballot).
    log_event("appraisal_ballot", actor=actor, obj=c, data={"round": round_, "ratings": len(ratings)})
    return len(ratings)


# ---------------------------------------------------------------------------------------------
# The committee's proposal and the congress's decision


def excellent_warning(campaign, field: str, on: dt.date | None = None) -> str | None:
    """A warning when more than the rule's share of the entries are rated excellent in ``field``."""
    counts = dict(
        AppraisalEntry.objects.filter(campaign=campaign)
        .order_by()
        .values_list(field)
        .annotate(n=Count("pk"))
        .values_list(field, "n")
    )
    total = sum(counts.values())
    excellent = counts.get(Rating.EXCELLENT, 0)
    fraction = Decimal(
        str(rule_value("appraisal.excellent_max_fraction", campaign.organization.hospital_id, on))
    )
    if total and excellent > fraction * total:
        return _("%(k)d of %(n)d members are rated excellent: generally at most one third (%(max)d) are.") % {
            "k": excellent,
            "n": total,
            "max": int(fraction * total),
        }
    return None


def _rate(entry, field: str, stage: str, rating: str, actor, event: str):
    e = AppraisalEntry.objects.select_for_update().select_related("campaign__organization").get(pk=entry.pk)
    if e.campaign.stage != stage:
        raise ValidationError(
            _("This is done at the stage %(stage)s.") % {"stage": AppraisalStage(stage).label}
        )
    if rating not in Rating.values:
        raise ValidationError(_("Choose a rating."))
    old = getattr(e, field)
    setattr(e, field, rating)
    e.save(update_fields=[field, "updated"])
    log_event(event, actor=actor, obj=e, data={"from": old, "to": rating})
    setattr(entry, field, rating)
    return excellent_warning(e.campaign, field)


@transaction.atomic
def propose(entry, *, rating: str, actor) -> str | None:
    """The branch committee's proposed rating of one member; returns the one-third warning if any."""
    return _rate(entry, "proposal", AppraisalStage.COMMITTEE, rating, actor, "appraisal_proposal")


@transaction.atomic
def decide(entry, *, rating: str, actor) -> str | None:
    """The congress's decided rating of one member; returns the one-third warning if any."""
    return _rate(entry, "result", AppraisalStage.CONGRESS, rating, actor, "appraisal_decision")


# ---------------------------------------------------------------------------------------------
# Tallies (for the branch, never per voter)


def tally(campaign) -> dict[int, dict[str, dict[str, int]]]:
    """{entry id: {round: {rating: count}}} in one query."""
    out: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    rows = (
        AppraisalVote.objects.filter(entry__campaign=campaign)
        .order_by()
        .values_list("entry_id", "round", "rating")
        .annotate(n=Count("pk"))
    )
    for entry_id, round_, rating, n in rows:
        out[entry_id][round_][rating] = n
    return out


def voters(campaign) -> dict[str, int]:
    """How many members have cast a ballot in each round."""
    rows = (
        AppraisalVote.objects.filter(entry__campaign=campaign)
        .order_by()
        .values("round")
        .annotate(n=Count("voter", distinct=True))
    )
    return {r["round"]: r["n"] for r in rows}
