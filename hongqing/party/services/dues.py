"""Dues (党费, RULES.md §4): the monthly amount from the yearly base, payments, and the dues book.

Not progressive: the whole base times the rate of the bracket it falls in, to the fen
(6,500.00 → 97.50; 3,000.00 → 15.00 but 3,000.01 → 30.00). The brackets are rule data.

Decisions written down here once:

- The base is fixed for the year by the rules in force on 1 January, or on the admission date for a
  member admitted during the year. Changing it once the year has begun needs a reason and writes the
  ``dues_base_change`` audit event; before the year begins it is a plain correction.
- A member owes dues from the month of admission, that month included ("from the day the branch
  congress admits them": admitted on 15 March, the member owes March). A month is owed only in a
  year the member has a base for: the base is what makes the dues known.
- A payment's kind follows from the month it pays and the day it is paid: in the month itself →
  on time; before → in advance; after → made up, at most ``dues.makeup_max_months`` months back
  (6: March's dues may be made up until September, not in October).
- The consecutive unpaid months are counted back from the current month, the current month
  included, across the year boundary; an alert is raised at each ``dues.alert_months`` (3 and 6).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongqing.core.audit import log_event
from hongqing.core.rules import rule_value
from hongqing.people.choices import MEMBER_STAGES

from ..choices import DuesCategory, PaymentKind

FEN = Decimal("0.01")
MAX_BASE = Decimal("99999999.99")  # the column's 10 digits


def today() -> dt.date:
    """The current date (one place, so tests can move it)."""
    return timezone.localdate()


_rule_cache: contextvars.ContextVar[dict | None] = contextvars.ContextVar("dues_rule_cache", default=None)


def _rule(key: str, hospital_id: int | None, on: dt.date | None):
    """``rule_value``, remembered inside ``cached_rules()`` (an import reads the same rules per row)."""
    cache = _rule_cache.get()
    if cache is None:
        return rule_value(key, hospital_id, on)
    k = (key, hospital_id, on or today())
    if k not in cache:
        cache[k] = rule_value(key, hospital_id, on)
    return cache[k]


@contextlib.contextmanager
def cached_rules():
    """Read each rule once per hospital and date inside the block."""
    token = _rule_cache.set({})
    try:
        yield
    finally:
        _rule_cache.reset(token)


# ---------------------------------------------------------------------------------------------
# Amounts


@dataclass(frozen=True)
class DuesAmount:
    monthly: Decimal
    rate: Decimal  # 0 for the fixed minimal amount
    over_cap: bool  # above the monthly amount beyond which dues are voluntary (a warning)


def _bracket_rate(brackets, base: Decimal) -> Decimal:
    for upper, rate in brackets:
        if upper is None or base <= Decimal(str(upper)):
            return Decimal(str(rate))
    raise ValueError("the brackets have no open upper bound")


def monthly_dues(
    category: str, base: Decimal, hospital_id: int | None = None, on: dt.date | None = None
) -> DuesAmount:
    """The monthly dues for a base and category, by the rules in force for the hospital on a date."""
    if base is None or Decimal(base) < 0:
        raise ValueError("the base cannot be negative")
    base = Decimal(base).quantize(FEN, rounding=ROUND_HALF_UP)
    if category == DuesCategory.MINIMAL:
        amount, rate = Decimal(str(_rule("dues.minimal_amount", hospital_id, on))), Decimal(0)
    else:
        key = "dues.brackets.retired" if category == DuesCategory.RETIRED else "dues.brackets.salaried"
        rate = _bracket_rate(_rule(key, hospital_id, on), base)
        amount = (base * rate).quantize(FEN, rounding=ROUND_HALF_UP)
    return DuesAmount(monthly=amount, rate=rate, over_cap=amount > cap_warning(hospital_id, on))


def cap_warning(hospital_id: int | None = None, on: dt.date | None = None) -> Decimal:
    """The monthly amount above which dues are voluntary (a warning, never a refusal)."""
    return Decimal(str(_rule("dues.cap_warning", hospital_id, on)))


def base_from_items(
    items: dict, hospital_id: int | None = None, on: dt.date | None = None
) -> tuple[Decimal, list[str]]:
    """The base from pay items: included items summed; excluded or unknown items listed, never counted."""
    included = set(_rule("dues.included_items", hospital_id, on))
    total, ignored = Decimal(0), []
    for name, value in items.items():
        if name in included:
            total += Decimal(str(value))
        else:
            ignored.append(name)
    return total.quantize(FEN, rounding=ROUND_HALF_UP), ignored


def parse_money(value) -> Decimal:
    """A non-negative amount of yuan to the fen; ValueError (with a message for the user) otherwise."""
    if isinstance(value, bool):
        raise ValueError(_("“%(value)s” is not a number.") % {"value": value})
    if isinstance(value, Decimal):
        number = value
    else:
        raw = str(value).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
        try:
            number = Decimal(raw)
        except (InvalidOperation, ValueError):
            raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from None
    if not number.is_finite():
        raise ValueError(_("“%(value)s” is not a number.") % {"value": value})
    if number < 0:
        raise ValueError(_("The amount cannot be negative."))
    number = number.quantize(FEN, rounding=ROUND_HALF_UP)
    if number > MAX_BASE:
        raise ValueError(_("The amount is too large."))
    return number


# ---------------------------------------------------------------------------------------------
# Months


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def month_label(year: int, month: int) -> str:
    return _("%(year)d-%(month)02d") % {"year": year, "month": month}


def first_due_month(membership) -> tuple[int, int] | None:
    """The first month a member owes dues: the month of admission (None: not known, owes every month)."""
    d = membership.admission_date
    return (d.year, d.month) if d else None


def rules_date(membership, year: int) -> dt.date:
    """The day whose rules fix a year's base: 1 January, or the admission date if admitted that year."""
    d = membership.admission_date
    if d and d.year == year:
        return d
    return dt.date(year, 1, 1)


def is_member(membership) -> bool:
    return membership.stage in MEMBER_STAGES


def _hospital_id(membership) -> int:
    return membership.organization.hospital_id


# ---------------------------------------------------------------------------------------------
# The base


def _check_year(year, errors: dict) -> int | None:
    try:
        year = int(year)
    except (TypeError, ValueError):
        errors["year"] = _("Enter a year.")
        return None
    if not 2000 <= year <= 2100:
        errors["year"] = _("Enter a year between 2000 and 2100.")
        return None
    return year


def _parse_items(items: dict, errors: dict) -> dict[str, Decimal]:
    parsed = {}
    for name, value in items.items():
        if value is None or str(value).strip() == "":
            continue
        try:
            parsed[str(name)] = parse_money(value)
        except ValueError as exc:
            errors.setdefault("items", []).append(_("%(item)s: %(error)s") % {"item": name, "error": exc})
    return parsed


def compute_base(
    membership, year: int, *, category: str, base=None, items: dict | None = None
) -> tuple[Decimal, dict, list[str], DuesAmount]:
    """Check a base (or pay items) and compute its monthly dues; ValidationError with every problem.

    Returns the base, the included pay items (as strings of yuan), the ignored item names and the
    amount. Nothing is written.
    """
    errors: dict = {}
    year = _check_year(year, errors)
    if category not in DuesCategory.values:
        errors["category"] = _("Choose a category.")
    if not is_member(membership):
        errors["membership"] = _("Only Party members (probationary or full) pay dues.")
    elif year and membership.admission_date and year < membership.admission_date.year:
        errors["year"] = _("%(name)s was admitted on %(date)s: no dues before %(year)d.") % {
            "name": membership.person.name,
            "date": membership.admission_date.isoformat(),
            "year": membership.admission_date.year,
        }
    has_items = bool(items) and any(v not in (None, "") for v in items.values())
    has_base = base not in (None, "")
    value = Decimal(0)
    included: dict = {}
    ignored: list[str] = []
    if has_items and has_base:
        errors["base"] = _("Give either the base or the pay items, not both.")
    elif has_items:
        parsed = _parse_items(items, errors)
        if "items" not in errors and year:
            on = rules_date(membership, year)
            value, ignored = base_from_items(parsed, _hospital_id(membership), on)
            included = {k: str(v) for k, v in parsed.items() if k not in ignored}
    elif has_base:
        try:
            value = parse_money(base)
        except ValueError as exc:
            errors["base"] = str(exc)
    elif category != DuesCategory.MINIMAL:
        errors["base"] = _("Enter the monthly base, or the pay items it is made of.")
    if not errors and value > MAX_BASE:
        errors["base"] = _("The amount is too large.")
    if errors:
        raise ValidationError(errors)
    amount = monthly_dues(category, value, _hospital_id(membership), rules_date(membership, year))
    return value, included, ignored, amount


def base_changes(obj, category: str, value: Decimal, included: dict, monthly: Decimal) -> bool:
    """Whether these values differ from the recorded base ``obj``."""
    return (obj.category, obj.base, obj.items or {}, obj.monthly) != (category, value, included, monthly)


def change_needs_reason(year: int, on: dt.date | None = None) -> bool:
    """A recorded base of ``year`` changes without a reason only before the year begins."""
    return (on or today()) >= dt.date(int(year), 1, 1)


def reason_required_message(year: int) -> str:
    return _("The base of %(year)d is fixed for the year: give the reason for the change.") % {"year": year}


@transaction.atomic
def set_base(
    membership,
    year: int,
    *,
    category: str = DuesCategory.SALARIED,
    base=None,
    items: dict | None = None,
    actor,
    reason: str = "",
    on: dt.date | None = None,
):
    """Fix a member's base for a year and compute its monthly dues (RULES.md §4).

    Refuses (ValidationError, nothing written) a negative or non-numeric base or pay item, a
    non-member, a year before admission, and a change within the year without a reason. A change
    within the year is the audit event ``dues_base_change`` with the old and new values.
    """
    from ..models import DuesBase

    on = on or today()
    value, included, ignored, amount = compute_base(
        membership, year, category=category, base=base, items=items
    )
    year = int(year)
    reason = (reason or "").strip()
    obj = DuesBase.objects.select_for_update().filter(membership=membership, year=year).first()
    if obj is None:
        obj = DuesBase(
            membership=membership,
            year=year,
            category=category,
            base=value,
            items=included,
            rate=amount.rate,
            monthly=amount.monthly,
            change_reason=reason,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        obj.full_clean(exclude=["membership", "created_by"])
        obj.save()
    else:
        old = {"category": obj.category, "base": str(obj.base), "monthly": str(obj.monthly)}
        if base_changes(obj, category, value, included, amount.monthly):
            started = change_needs_reason(year, on)
            if started and not reason:
                raise ValidationError({"change_reason": reason_required_message(year)})
            obj.category, obj.base, obj.items = category, value, included
            obj.rate, obj.monthly = amount.rate, amount.monthly
            obj.change_reason = reason
            obj.full_clean(exclude=["membership", "created_by"], validate_unique=False)
            obj.save()
            if started:
                log_event(
                    "dues_base_change",
                    actor=actor,
                    obj=obj,
                    data={
                        "year": year,
                        "old": old,
                        "new": {"category": category, "base": str(value), "monthly": str(amount.monthly)},
                        "reason": reason,
                    },
                )
    obj.over_cap = amount.over_cap
    obj.ignored_items = ignored
    return obj


# ---------------------------------------------------------------------------------------------
# Payments


def payment_kind(year: int, month: int, paid_on: dt.date) -> str:
    diff = month_index(paid_on.year, paid_on.month) - month_index(year, month)
    if diff == 0:
        return PaymentKind.REGULAR
    return PaymentKind.ADVANCE if diff < 0 else PaymentKind.MAKEUP


def makeup_max_months(hospital_id: int | None, on: dt.date | None = None) -> int:
    return int(_rule("dues.makeup_max_months", hospital_id, on))


def payment_errors(membership, year: int, month: int, paid_on: dt.date, *, base, existing, max_back) -> dict:
    """Why a month may not be paid on a day (empty: it may). Shared by one payment and a whole month."""
    errors: dict = {}
    if not is_member(membership):
        errors["membership"] = _("Only Party members (probationary or full) pay dues.")
        return errors
    first = first_due_month(membership)
    if first and (year, month) < first:
        errors["month"] = _("%(name)s was admitted on %(date)s and owes dues from %(month)s.") % {
            "name": membership.person.name,
            "date": membership.admission_date.isoformat(),
            "month": month_label(*first),
        }
    elif base is None:
        errors["month"] = _("%(name)s has no dues base for %(year)d: set it first.") % {
            "name": membership.person.name,
            "year": year,
        }
    if existing is not None:
        errors["month"] = _("%(month)s is already paid (on %(date)s).") % {
            "month": month_label(year, month),
            "date": existing.paid_on.isoformat(),
        }
    back = month_index(paid_on.year, paid_on.month) - month_index(year, month)
    if back > max_back and "month" not in errors:
        errors["month"] = _(
            "Arrears may be made up for at most %(max)d months; %(month)s is %(back)d months before %(paid)s."
        ) % {"max": max_back, "month": month_label(year, month), "back": back, "paid": paid_on.isoformat()}
    return errors


@transaction.atomic
def record_payment(
    membership,
    year: int,
    month: int,
    *,
    amount=None,
    paid_on: dt.date | None = None,
    actor,
    note: str = "",
):
    """Record one month's dues of a member; the kind (on time, in advance, made up) follows from the dates.

    ``amount`` defaults to the month's dues; less than the dues is refused, more is a voluntary
    payment. Refused (ValidationError, nothing written): a month before admission, a year without a
    base, a make-up further back than the rule allows, a second payment of the same month, a payment
    dated in the future.
    """
    from ..models import DuesBase, DuesPayment

    errors: dict = {}
    now = today()
    year = _check_year(year, errors)
    try:
        month = int(month)
        if not 1 <= month <= 12:
            raise ValueError
    except (TypeError, ValueError):
        errors["month"] = _("Enter a month from 1 to 12.")
        month = None
    paid_on = paid_on or now
    if paid_on > now:
        errors["paid_on"] = _("A payment cannot be dated in the future.")
    if errors:
        raise ValidationError(errors)
    base = DuesBase.objects.filter(membership=membership, year=year).first()
    existing = DuesPayment.objects.filter(membership=membership, year=year, month=month).first()
    hospital = _hospital_id(membership)
    errors = payment_errors(
        membership,
        year,
        month,
        paid_on,
        base=base,
        existing=existing,
        max_back=makeup_max_months(hospital, paid_on),
    )
    value = None
    if amount in (None, ""):
        value = base.monthly if base is not None else None
    else:
        try:
            value = parse_money(amount)
        except ValueError as exc:
            errors["amount"] = str(exc)
    if value is not None and base is not None and value < base.monthly and "amount" not in errors:
        errors["amount"] = _("The dues of the month are %(due)s yuan; a payment cannot be less.") % {
            "due": base.monthly
        }
    if value is not None and value <= 0 and "amount" not in errors and base is not None:
        errors["amount"] = _("The amount must be more than zero.")
    if errors:
        raise ValidationError(errors)
    payment = DuesPayment(
        membership=membership,
        year=year,
        month=month,
        amount=value,
        paid_on=paid_on,
        kind=payment_kind(year, month, paid_on),
        note=(note or "")[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:  # the same month paid at the same moment by someone else
        raise ValidationError(
            {"month": _("%(month)s is already paid.") % {"month": month_label(year, month)}}
        ) from None
    log_event(
        "dues_payment",
        actor=actor,
        obj=payment,
        data={"year": year, "month": month, "amount": str(value), "kind": payment.kind},
    )
    return payment


@dataclass
class MonthResult:
    paid: list = field(default_factory=list)  # DuesPayment
    skipped: list = field(default_factory=list)  # (membership, reason)


@transaction.atomic
def mark_month_paid(
    memberships, year: int, month: int, *, actor, paid_on: dt.date | None = None, organization=None
):
    """Record the month's dues of every member given (already scoped) who owes it and has not paid.

    Members who may not pay it (before admission, no base, beyond the make-up window) are skipped
    with the reason; those who already paid are left alone. One audit event for the whole month.
    """
    from ..models import DuesBase, DuesPayment

    now = today()
    paid_on = paid_on or now
    if paid_on > now:
        raise ValidationError({"paid_on": _("A payment cannot be dated in the future.")})
    if not 1 <= int(month) <= 12:
        raise ValidationError({"month": _("Enter a month from 1 to 12.")})
    members = list(memberships.select_related("person", "organization"))
    ids = [m.pk for m in members]
    bases = {b.membership_id: b for b in DuesBase.objects.filter(membership_id__in=ids, year=year)}
    paid = set(
        DuesPayment.objects.filter(membership_id__in=ids, year=year, month=month).values_list(
            "membership_id", flat=True
        )
    )
    result = MonthResult()
    max_back: dict[int, int] = {}
    new = []
    for m in members:
        if m.pk in paid:
            continue
        hospital = m.organization.hospital_id
        if hospital not in max_back:
            max_back[hospital] = makeup_max_months(hospital, paid_on)
        base = bases.get(m.pk)
        errors = payment_errors(
            m, year, month, paid_on, base=base, existing=None, max_back=max_back[hospital]
        )
        if errors:
            result.skipped.append((m, " ".join(str(e) for e in errors.values())))
            continue
        new.append(
            DuesPayment(
                membership=m,
                year=year,
                month=month,
                amount=base.monthly,
                paid_on=paid_on,
                kind=payment_kind(year, month, paid_on),
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        )
    DuesPayment.objects.bulk_create(new)
    result.paid = new
    if new:
        log_event(
            "dues_month_paid",
            actor=actor,
            obj=organization,
            repr_=f"{organization or ''} {month_label(year, month)} ×{len(new)}",
            data={
                "year": year,
                "month": month,
                "organization": organization.pk if organization is not None else None,
                "memberships": [p.membership_id for p in new],
                "total": str(sum((p.amount for p in new), Decimal(0))),
            },
        )
    return result


# ---------------------------------------------------------------------------------------------
# The dues book

PAID = "paid"
ADVANCE = "advance"
MAKEUP = "makeup"
UNPAID = "unpaid"
NOT_DUE = "not_due"
PAID_STATUSES = (PAID, ADVANCE, MAKEUP)
STATUSES = (PAID, MAKEUP, ADVANCE, UNPAID, NOT_DUE)
STATUS_BY_KIND = {PaymentKind.REGULAR: PAID, PaymentKind.ADVANCE: ADVANCE, PaymentKind.MAKEUP: MAKEUP}


def status_label(status: str) -> str:
    return {
        PAID: _("Paid"),
        ADVANCE: _("Paid in advance"),
        MAKEUP: _("Made up"),
        UNPAID: _("Unpaid"),
        NOT_DUE: _("Not due"),
    }[status]


@dataclass(frozen=True)
class Paid:
    """A month's payment as the book needs it (read as a tuple: a year of a hospital is many rows)."""

    pk: int
    amount: Decimal
    paid_on: dt.date
    kind: str


@dataclass
class BookCell:
    month: int
    status: str
    due: Decimal | None  # the month's dues (None: not owed)
    payment: object | None = None
    can_pay: bool = False  # an unpaid or future owed month that may be recorded today

    @property
    def paid(self) -> Decimal | None:
        return self.payment.amount if self.payment is not None else None

    @property
    def label(self) -> str:
        return status_label(self.status)

    @property
    def is_paid(self) -> bool:
        return self.status in PAID_STATUSES


@dataclass
class BookRow:
    membership: object
    base: object | None
    cells: list[BookCell]
    unpaid_run: int = 0  # consecutive unpaid months back from the current month
    alert: int = 0  # the highest alert threshold reached (0: none)

    @cached_property
    def due_total(self) -> Decimal:
        return sum((c.due for c in self.cells if c.due is not None), Decimal(0))

    @cached_property
    def paid_total(self) -> Decimal:
        return sum((c.paid for c in self.cells if c.paid is not None), Decimal(0))

    @cached_property
    def arrears(self) -> Decimal:
        return sum((c.due for c in self.cells if c.status == UNPAID and c.due is not None), Decimal(0))


@dataclass
class MonthTotal:
    month: int
    due: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    paid_count: int = 0
    unpaid_count: int = 0


@dataclass
class Book:
    year: int
    rows: list[BookRow]
    months: list[MonthTotal]
    current: tuple[int, int]  # the month the unpaid runs count back from
    alert_months: list[int]
    cap: Decimal

    @property
    def due_total(self) -> Decimal:
        return sum((m.due for m in self.months), Decimal(0))

    @property
    def paid_total(self) -> Decimal:
        return sum((m.paid for m in self.months), Decimal(0))

    @property
    def arrears(self) -> Decimal:
        return sum((r.arrears for r in self.rows), Decimal(0))

    def alerts(self, threshold: int) -> list[BookRow]:
        return [r for r in self.rows if r.alert == threshold]

    @property
    def alert_rows(self) -> list[BookRow]:
        return [r for r in self.rows if r.alert]

    @property
    def alert_groups(self) -> list[tuple[int, list[BookRow]]]:
        """(threshold, rows) from the highest threshold down, only those with rows."""
        groups = [(t, self.alerts(t)) for t in sorted(self.alert_months, reverse=True)]
        return [(t, rows) for t, rows in groups if rows]

    @property
    def top_alert(self) -> int:
        return max(self.alert_months, default=0)


def alert_thresholds(hospital_id: int | None, on: dt.date | None = None) -> list[int]:
    return sorted({int(n) for n in _rule("dues.alert_months", hospital_id, on)})


# What the book reads of a member and a base (not their timestamps: a hospital's year is many rows).
MEMBER_FIELDS = (
    "id",
    "stage",
    "admission_date",
    "organization_id",
    "person_id",
    "person__name",
    "person__staff_no",
    "organization__name",
    "organization__path",
    "organization__hospital_id",
)
BASE_FIELDS = ("id", "membership_id", "year", "category", "base", "monthly")


def build_book(memberships, year: int, *, hospital_id: int | None = None, on: dt.date | None = None) -> Book:
    """Per member per month of ``year``: the dues, the payment, the status; the unpaid run and alerts.

    ``memberships``: a queryset, already scoped. A constant number of queries whatever its size:
    the members, their bases of the year and the year before, their payments of both years, and the
    rules.
    """
    from ..models import DuesBase, DuesPayment

    on = on or today()
    year = int(year)
    members = list(
        memberships.select_related("person", "organization").only(*MEMBER_FIELDS).order_by("person__staff_no")
    )
    bases: dict[tuple[int, int], DuesBase] = {}
    payments: dict[tuple[int, int, int], Paid] = {}
    if members:
        ids = memberships.values("pk")  # a subquery: no list of ids however many members
        for b in DuesBase.objects.filter(membership_id__in=ids, year__in=(year - 1, year)).only(*BASE_FIELDS):
            bases[(b.membership_id, b.year)] = b
        rows = DuesPayment.objects.filter(membership_id__in=ids, year__in=(year - 1, year)).values_list(
            "membership_id", "year", "month", "pk", "amount", "paid_on", "kind"
        )
        for m_id, y, mo, pk, amount, paid_on, kind in rows.order_by():
            payments[(m_id, y, mo)] = Paid(pk, amount, paid_on, kind)
    # The unpaid runs count back from this month: today's month in the current year, December of a
    # past year, nothing in a future one.
    current = (on.year, on.month) if on.year == year else (year, 12) if on.year > year else (year, 0)
    now_index = month_index(on.year, on.month)
    thresholds = alert_thresholds(hospital_id, dt.date(year, 1, 1))
    max_back = makeup_max_months(hospital_id, on)
    months = [MonthTotal(m) for m in range(1, 13)]
    rows = []

    def owed(m, y: int, month: int) -> bool:
        first = first_due_month(m)
        return (y, month) >= first if first else True

    for m in members:
        base = bases.get((m.pk, year))
        cells = []
        for month in range(1, 13):
            payment = payments.get((m.pk, year, month))
            is_owed = base is not None and owed(m, year, month)
            due = base.monthly if is_owed else None
            if payment is not None:
                status = STATUS_BY_KIND.get(payment.kind, PAID)
            elif is_owed and (year, month) <= current:
                status = UNPAID
            else:
                status = NOT_DUE
            # Recordable today: owed, unpaid, and not further back than the make-up window.
            can_pay = payment is None and is_owed and now_index - month_index(year, month) <= max_back
            cells.append(BookCell(month, status, due, payment, can_pay))
            total = months[month - 1]
            if due is not None:
                total.due += due
            if payment is not None:
                total.paid += payment.amount
                total.paid_count += 1
            elif status == UNPAID:
                total.unpaid_count += 1
        run = 0
        if current[1]:
            y, mo = current
            for _step in range(24):
                if mo == 0:
                    y, mo = y - 1, 12
                if y < year - 1:
                    break
                if (m.pk, y, mo) in payments or (m.pk, y) not in bases or not owed(m, y, mo):
                    break
                run += 1
                mo -= 1
        alert = max((t for t in thresholds if run >= t), default=0)
        rows.append(BookRow(m, base, cells, run, alert))
    return Book(year, rows, months, current, thresholds, cap_warning(hospital_id, on))


def member_months(membership, year: int, *, on: dt.date | None = None) -> BookRow:
    """One member's row of the book (their own dues page)."""
    from hongqing.people.models import Membership

    book = build_book(
        Membership.objects.filter(pk=membership.pk),
        year,
        hospital_id=membership.organization.hospital_id,
        on=on,
    )
    return book.rows[0]
