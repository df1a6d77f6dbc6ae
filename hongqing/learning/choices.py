from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PlanLevel(models.TextChoices):
    """The level a yearly study plan (学习清单) is for."""

    COMMITTEE_GROUP = "committee_group", _("Committee theory study group")
    GENERAL_BRANCH = "general_branch", _("General branch")
    BRANCH = "branch", _("Branch")
    MEMBER = "member", _("Members")


class SessionKind(models.TextChoices):
    MORNING_MEETING = "morning_meeting", _("Morning meeting")
    NIGHT_SCHOOL = "night_school", _("Night school")
    LECTURE = "lecture", _("Lecture")
    YOUNG_DOCTOR_LECTURE = "young_doctor_lecture", _("Young doctors' lecture")
    PARTY_LECTURE = "party_lecture", _("Party lecture")
    RED_EDUCATION = "red_education", _("Red-education trip")
    ONLINE_COURSE = "online_course", _("Online course")
    GROUP_STUDY = "group_study", _("Committee study group session")
    OTHER = "other", _("Other study")


class StudyMode(models.TextChoices):
    """四学联动: 领学 / 督学 / 研学 / 自学."""

    LEAD = "lead", _("Led study")
    SUPERVISE = "supervise", _("Supervised study")
    STUDY_GROUP = "study_group", _("Study group")
    SELF = "self", _("Self-study")


class StudyAttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    MAKEUP = "makeup", pgettext_lazy("attendance", "Made up")
    LEAVE = "leave", _("On leave")
    ABSENT = "absent", _("Absent")


# The statuses whose hours are credited (and that the points app rewards).
COUNTING_STATUSES = (StudyAttendanceStatus.PRESENT, StudyAttendanceStatus.MAKEUP)


class RecordedVia(models.TextChoices):
    ROSTER = "roster", _("Recorded from the roster")
    CHECKIN = "checkin", _("QR check-in")


class SelfStudyKind(models.TextChoices):
    BOOK = "book", _("Book")
    COURSE = "course", _("Online course")
    VIDEO = "video", _("Video or documentary")
    OTHER = "other", _("Other")


class SelfStudyStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")


class QuizStatus(models.TextChoices):
    """Derived from the quiz's times (never stored): before, while and after it is open."""

    UPCOMING = "upcoming", _("Not yet open")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
