"""Demo builder (order 38: after the meetings, before the duties): the democratic appraisals.

Last year's appraisal is closed in every branch of the demo hospital (decided at the branch's
congress when one was held), so the duty list shows the yearly appraisal done; about a fifth of the
members are rated excellent, under the one-third line. This year, the first branch (the demo
secretary's) is at the self-assessment: some members have written theirs, the demo member has not,
so their home page asks for it. Rows are bulk-created (no signals, no audit entries).
"""

from __future__ import annotations

from django.utils import timezone

from hongqing.core.demo import DemoContext, register_builder
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import PartyOrganization

from .choices import AppraisalStage, MeetingKind, MeetingStatus, Rating
from .models import AppraisalCampaign, AppraisalEntry, AppraisalVote, Meeting
from .services.appraisal import appraised_memberships

SELF_TEXTS = [
    "本年度认真学习党的创新理论，按时参加组织生活，完成学习学时；立足岗位做好诊疗服务。",
    "坚持以患者为中心，积极参加义诊和志愿服务，按时足额交纳党费。",
    "发挥党员先锋模范作用，带头开展新技术，参与科室质量改进项目。",
]


def _congress(branch, year: int):
    """The branch's last held congress of the year (or early the next), if the demo has one."""
    return (
        Meeting.objects.filter(
            organization=branch,
            kind=MeetingKind.MEMBER_CONGRESS,
            status=MeetingStatus.HELD,
            start__year__in=(year, year + 1),
        )
        .order_by("start")
        .last()
    )


def build(ctx: DemoContext) -> None:
    hospitals = ctx.data.get("hospitals", [])
    if not hospitals:
        return
    main = hospitals[0]["hospital"]
    rng = ctx.rng
    branches = list(PartyOrganization.objects.filter(hospital=main, kind=OrgKind.BRANCH).order_by("path"))
    last_year = ctx.today.year - 1
    entries: list[AppraisalEntry] = []
    for branch in branches:
        members = list(appraised_memberships(branch))
        if len(members) < 3:
            continue
        campaign = AppraisalCampaign.objects.create(
            organization=branch,
            year=last_year,
            stage=AppraisalStage.CLOSED,
            congress=_congress(branch, last_year),
        )
        for i, m in enumerate(members):
            rating = Rating.EXCELLENT if i % 5 == 0 else Rating.QUALIFIED
            entries.append(
                AppraisalEntry(
                    campaign=campaign,
                    membership=m,
                    self_assessment=rng.choice(SELF_TEXTS),
                    self_rating=Rating.QUALIFIED,
                    proposal=rating,
                    result=rating,
                )
            )
    AppraisalEntry.objects.bulk_create(entries)
    # This year: the first branch is at the self-assessment, with last year's tallies on record.
    if branches:
        first = branches[0]
        campaign = AppraisalCampaign.objects.create(organization=first, year=ctx.today.year)
        rows = []
        for i, m in enumerate(appraised_memberships(first)):
            written = i % 2 == 0 and m.person.user_id is None  # the demo accounts' own are still to write
            rows.append(
                AppraisalEntry(
                    campaign=campaign,
                    membership=m,
                    self_assessment=rng.choice(SELF_TEXTS) if written else "",
                    self_rating=Rating.QUALIFIED if written else "",
                )
            )
        AppraisalEntry.objects.bulk_create(rows)
        closed = list(
            AppraisalEntry.objects.filter(
                campaign__organization=first, campaign__year=last_year
            ).select_related("membership")
        )
        votes = [
            AppraisalVote(
                entry=e,
                voter_id=v.membership.person_id,
                round=round_,
                rating=e.result if rng.random() < 0.8 else Rating.QUALIFIED,
            )
            for e in closed
            for v in closed
            if v.pk != e.pk
            for round_ in ("peer", "democratic")
        ]
        AppraisalVote.objects.bulk_create(votes)
    ctx.data["appraisals"] = {"closed_year": last_year, "open_at": timezone.localdate().year}


register_builder(38, "party-appraisals", build)
