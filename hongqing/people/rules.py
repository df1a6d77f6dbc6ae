"""Member-development rules (RULES.md §3) with their regulation defaults — data, never constants.

Two versions are kept side by side: the 2014 text of 《中国共产党发展党员工作细则》 and the reported
2026 revision. ``development.version`` says which one a hospital follows (2014 by default; a
hospital overrides it with 2026, from a date). Every number is keyed by version,
``development.<version>.<name>``; a name a version lacks (the candidate notice and the oath deadline
are 2026 only) means that version has no such step. ``people.development`` reads them.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from hongqing.core.rules import RuleDefault, declare

DEV_2014 = "《中国共产党发展党员工作细则》2014"
DEV_2026 = "《中国共产党发展党员工作细则》2026 revision (reported)"
LOCAL = gettext_noop("local practice")
VERSIONS = ("2014", "2026")
# Numbers no regulation gives: local practice in every version.
LOCAL_NUMBERS = {"notice_working_days"}

# name -> (value, description, confidence 2014, confidence 2026); a confidence of None
# leaves the rule out of that version.
NUMBERS = {
    "min_age": (18, _("Minimum age to apply for membership (years)"), "H", "H"),
    "talk_within_months": (
        1,
        _("The branch talks with an applicant within this many months of the application"),
        "H",
        "H",
    ),
    "assessment_months": (
        6,
        _("An activist is assessed at least once in this many months"),
        "H",
        "H",
    ),
    "activist_min_months": (
        12,
        _("An activist becomes a candidate after at least this many months of training"),
        "H",
        "H",
    ),
    "candidate_notice_working_days": (
        5,
        _("Public notice before a candidate is chosen (working days)"),
        None,
        "M",
    ),
    "training_min_days": (3, _("Short training of candidates: at least this many days"), "H", "H"),
    "training_min_hours": (
        24,
        _("Short training of candidates: or at least this many study hours"),
        "H",
        "H",
    ),
    "congress_within_months": (
        1,
        _("The branch congress on admission within this many months after the pre-review"),
        "L",
        "M",
    ),
    "notice_working_days": (
        5,
        _("Public notices before admission and conversion last at least this many working days"),
        "M",
        "M",
    ),
    "approval_within_months": (
        3,
        _("The base committee approves an admission within this many months"),
        "H",
        "H",
    ),
    "approval_max_months": (
        6,
        _("An approval may be extended to at most this many months after the admission"),
        "H",
        "H",
    ),
    "oath_within_months": (1, _("The oath is taken within this many months of the approval"), None, "M"),
    "probation_months": (
        12,
        _("Probation lasts this many months from the branch congress's admission"),
        "H",
        "H",
    ),
    "conversion_decision_months": (
        3,
        _("The conversion is decided within this many months after probation ends"),
        "H",
        "H",
    ),
    "extension_min_months": (
        6,
        _("A probation may be extended once, by at least this many months"),
        "H",
        "H",
    ),
    "extension_max_months": (
        12,
        _("A probation may be extended once, by at most this many months"),
        "H",
        "H",
    ),
    "candidate_leaving_months": (
        3,
        _("A candidate leaving within this many months is generally not processed"),
        "H",
        "H",
    ),
}


def _defaults():
    yield RuleDefault(
        "development.version",
        2014,
        DEV_2014,
        "H",
        _("Version of the member development rules the hospital follows (2014 or 2026)"),
    )
    for version, source in (("2014", DEV_2014), ("2026", DEV_2026)):
        for name, (value, description, conf_2014, conf_2026) in NUMBERS.items():
            confidence = conf_2014 if version == "2014" else conf_2026
            if confidence is None:
                continue
            local = confidence == "L" or name in LOCAL_NUMBERS
            where = f"{source}; {LOCAL}" if local else source
            yield RuleDefault(f"development.{version}.{name}", value, where, confidence, description)


declare(*_defaults())
