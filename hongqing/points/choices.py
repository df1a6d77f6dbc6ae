from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CapPeriod(models.TextChoices):
    """The period a rule's cap counts over (a quarter is three months from the cycle's start)."""

    MONTH = "month", pgettext_lazy("cap period", "a month")
    QUARTER = "quarter", pgettext_lazy("cap period", "a quarter")
    YEAR = "year", pgettext_lazy("cap period", "a year")


class EntryKind(models.TextChoices):
    AWARD = "award", _("Award")
    REVERSAL = "reversal", _("Withdrawal")  # automatic: the record was deleted or stopped counting
    CORRECTION = "correction", _("Correction")  # the Party office's, with a reason


class Cut(models.TextChoices):
    NONE = "", _("Not cut")
    CAP = "cap", _("Cut by the cap")
    FLOOR = "floor", _("Cut at zero")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the Party office")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class VolunteeringKind(models.TextChoices):
    VOLUNTEER = "volunteer", _("Volunteer service")  # 志愿服务
    PAIRING = "pairing", _("Pairing assistance")  # 结对帮扶
    FREE_CLINIC = "free_clinic", _("Free clinic")  # 义诊


class ServedKind(models.TextChoices):
    VILLAGE = "village", _("Village")
    COMMUNITY = "community", _("Community")
    SCHOOL = "school", _("School")
    UNIT = "unit", _("Unit")
    OTHER = "other", _("Other")


class HonorKind(models.TextChoices):
    EXCELLENT_MEMBER = "excellent_member", _("Excellent Communist Party member")  # 优秀共产党员
    MODEL_POST = "model_post", _("Party member model post")  # 党员示范岗
    MODEL_BRANCH = "model_branch", _("Model Party branch")  # 示范党支部


# Honours given to an organisation rather than a person.
BRANCH_HONORS = (HonorKind.MODEL_BRANCH,)


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open for nominations")
    CLOSED = "closed", _("Closed")


class NominationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ENDORSED = "endorsed", _("Endorsed by the branch")
    DECLINED = "declined", _("Not endorsed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class DecisionMethod(models.TextChoices):
    VOTE = "vote", _("Vote")
    COMMITTEE = "committee", _("Committee decision")
