from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    MEMBER_CONGRESS = "member_congress", _("Branch member congress")
    BRANCH_COMMITTEE = "branch_committee", _("Branch committee meeting")
    GROUP_MEETING = "group_meeting", _("Party group meeting")
    PARTY_LECTURE = "party_lecture", _("Party lecture")
    THEME_DAY = "theme_day", _("Theme Party day")
    ORG_LIFE_SESSION = "org_life_session", _("Organisational life session")
    JOINT_MEETING = "joint_meeting", _("Branch and department joint meeting")
    COMMITTEE_MEETING = "committee_meeting", _("Party committee meeting")
    PRESIDENT_OFFICE_MEETING = "president_office_meeting", _("President's office meeting")


# 三会一课 and the other statutory kinds held by branches; the last two are the decision bodies.
DECISION_KINDS = (MeetingKind.COMMITTEE_MEETING, MeetingKind.PRESIDENT_OFFICE_MEETING)
VOTING_KINDS = (MeetingKind.MEMBER_CONGRESS,)
COMMITTEE_KINDS = (MeetingKind.BRANCH_COMMITTEE, MeetingKind.COMMITTEE_MEETING)


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LEAVE = "leave", _("On leave")
    ABSENT = "absent", _("Absent")
    MAKEUP = "makeup", _("Made up later")


class MatterCategory(models.TextChoices):
    """三重一大: major matters, key appointments, major project investments, large funds."""

    MAJOR_MATTER = "major_matter", _("Major matter")
    APPOINTMENT = "appointment", _("Key appointment")
    PROJECT = "project", _("Major project investment")
    FUNDS = "funds", _("Use of large funds")


class ItemStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    STUDIED = "studied", _("Studied")
    DECIDED = "decided", _("Decided")
    DEFERRED = "deferred", _("Deferred")


class Period(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    YEAR = "year", _("Yearly")


class AppraisalStage(models.TextChoices):
    SELF = "self", _("Self-assessment")
    PEER = "peer", _("Peer assessment")
    DEMOCRATIC = "democratic", _("Democratic rating")
    COMMITTEE = "committee", _("Committee proposal")
    CONGRESS = "congress", _("Congress decision")
    CLOSED = "closed", _("Closed")


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    QUALIFIED = "qualified", _("Qualified")
    BASICALLY_QUALIFIED = "basically_qualified", _("Basically qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")


class DuesCategory(models.TextChoices):
    SALARIED = "salaried", _("Salaried")
    RETIRED = "retired", _("Retired")
    MINIMAL = "minimal", _("Student, unemployed or on relief")


class PaymentKind(models.TextChoices):
    REGULAR = "regular", _("On time")
    ADVANCE = "advance", _("In advance")
    MAKEUP = "makeup", _("Made up")


class TalkKind(models.TextChoices):
    HEART_TO_HEART = "heart_to_heart", _("Heart-to-heart talk")  # 谈心谈话
    GROWTH_MONTHLY = "growth_monthly", _("Monthly growth talk")  # 月度成长对话
    GROWTH_REVIEW = "growth_review", _("Yearly growth review")  # 年度成长复盘


GROWTH_KINDS = (TalkKind.GROWTH_MONTHLY, TalkKind.GROWTH_REVIEW)
