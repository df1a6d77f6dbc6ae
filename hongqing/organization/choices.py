from django.db import models
from django.utils.translation import gettext_lazy as _


class HospitalLevel(models.TextChoices):
    TERTIARY_A = "3A", _("Tertiary grade A")
    TERTIARY_B = "3B", _("Tertiary grade B")
    TERTIARY = "3", _("Tertiary")
    SECONDARY_A = "2A", _("Secondary grade A")
    SECONDARY_B = "2B", _("Secondary grade B")
    SECONDARY = "2", _("Secondary")
    PRIMARY = "1", _("Primary")
    UNGRADED = "0", _("Ungraded")


class HospitalKind(models.TextChoices):
    GENERAL = "general", _("General hospital")
    MCH = "mch", _("Maternal and child health hospital")
    TCM = "tcm", _("Traditional Chinese medicine hospital")
    SPECIALTY = "specialty", _("Specialty hospital")


class DepartmentKind(models.TextChoices):
    CLINICAL = "clinical", _("Clinical")
    MEDTECH = "medtech", _("Medical technology")
    NURSING = "nursing", _("Nursing")
    ADMINISTRATIVE = "administrative", _("Administrative")
    LOGISTICS = "logistics", _("Logistics")


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", _("Party committee")
    DISCIPLINE_COMMITTEE = "discipline_committee", _("Discipline inspection committee")
    GENERAL_BRANCH = "general_branch", _("General branch")
    BRANCH = "branch", _("Branch")
    GROUP = "group", _("Party group")


# Which kinds may stand under which: the committee leads, groups sit inside branches.
ALLOWED_CHILDREN = {
    OrgKind.COMMITTEE: {OrgKind.GENERAL_BRANCH, OrgKind.BRANCH},
    OrgKind.GENERAL_BRANCH: {OrgKind.BRANCH},
    OrgKind.BRANCH: {OrgKind.GROUP},
    OrgKind.DISCIPLINE_COMMITTEE: set(),
    OrgKind.GROUP: set(),
}
ROOT_KINDS = {OrgKind.COMMITTEE, OrgKind.DISCIPLINE_COMMITTEE}


class TermStatus(models.TextChoices):
    CURRENT = "current", _("Current")
    ENDED = "ended", _("Ended")
