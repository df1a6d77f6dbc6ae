"""The indicator catalogue: what makes an indicator valid, and loading the default catalogue."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from hongqing.core.audit import log_event
from hongqing.organization.choices import HospitalKind

from .. import computations
from ..choices import Aggregation, EntryLevel, Source
from ..defaults import CATALOGUE
from ..formulas import CODE_RE, FormulaError, find_cycle, parse
from ..models import Indicator
from ..models.indicators import ENTERED_AGGREGATIONS


def formula_refs(hospital_id: int, exclude_pk=None) -> dict[str, frozenset[str]]:
    """Every formula indicator of the hospital: its code → the codes its formula reads."""
    refs = {}
    rows = Indicator.objects.filter(hospital_id=hospital_id, source=Source.FORMULA)
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    for code, text in rows.values_list("code", "formula"):
        try:
            refs[code] = parse(text).codes
        except FormulaError:
            refs[code] = frozenset()
    return refs


def indicator_errors(ind: Indicator) -> dict[str, str]:
    """The reasons an indicator cannot be saved, by field (the form, the API and the loader call this)."""
    errors: dict[str, str] = {}
    if ind.code and not CODE_RE.match(ind.code):
        errors["code"] = _(
            "Lower-case letters, digits and _, starting with a letter (it is how formulas name the indicator)."
        )
    if ind.min_value is not None and ind.max_value is not None and ind.min_value > ind.max_value:
        errors["max_value"] = _("The maximum is below the minimum.")
    if ind.source == Source.ENTERED:
        if ind.aggregation not in ENTERED_AGGREGATIONS:
            errors["aggregation"] = _(
                "An entered indicator is summed, averaged, weighted or its latest value taken; "
                "a ratio is a formula over its parts (e.g. a / b * 100)."
            )
        if ind.aggregation == Aggregation.WEIGHTED_MEAN:
            w = ind.weight if ind.weight_id else None
            if w is None:
                errors["weight"] = _("A weighted mean names the indicator that weighs it.")
            elif w.pk == ind.pk or (ind.code and w.code == ind.code):
                errors["weight"] = _("An indicator cannot be weighted by itself.")
            elif ind.hospital_id and w.hospital_id != ind.hospital_id:
                errors["weight"] = _("The indicator belongs to another hospital.")
            elif w.source != Source.ENTERED or w.entry_level != ind.entry_level:
                errors["weight"] = _("The weight is an entered indicator, entered like this one.")
        elif ind.weight_id:
            errors["weight"] = _("Only a weighted mean is weighted by another indicator.")
        if ind.computation:
            errors["computation"] = _("Only a computed indicator names a computation.")
        if ind.formula:
            errors["formula"] = _("Only a formula indicator has a formula.")
    elif ind.source == Source.COMPUTED:
        comp = computations.get(ind.computation)
        if comp is None:
            errors["computation"] = _("Choose one of the computations: %(codes)s.") % {
                "codes": "、".join(sorted(computations.registry()))
            }
        else:
            ind.aggregation = comp.aggregation  # the computation decides how its parts add up
        if ind.formula:
            errors["formula"] = _("Only a formula indicator has a formula.")
        if ind.weight_id:
            errors["weight"] = _("Only a weighted mean is weighted by another indicator.")
    elif ind.source == Source.FORMULA:
        ind.aggregation = Aggregation.RATIO  # evaluated on its operands' totals
        errors.update(formula_errors(ind))
        if ind.weight_id:
            errors["weight"] = _("Only a weighted mean is weighted by another indicator.")
        if ind.computation:
            errors["computation"] = _("Only a computed indicator names a computation.")
    if ind.source != Source.ENTERED and ind.entry_level != EntryLevel.DEPARTMENT:
        ind.entry_level = EntryLevel.DEPARTMENT
    return errors


def formula_errors(ind: Indicator) -> dict[str, str]:
    try:
        f = parse(ind.formula)
    except FormulaError as exc:
        return {"formula": str(exc)}
    if not ind.hospital_id:
        return {}
    known = dict(
        Indicator.objects.filter(hospital_id=ind.hospital_id, code__in=f.codes).values_list("code", "source")
    )
    if ind.code in f.codes:
        return {"formula": _("The formula refers to the indicator itself (%(code)s).") % {"code": ind.code}}
    unknown = sorted(f.codes - set(known))
    if unknown:
        return {
            "formula": _("The formula names indicators this hospital does not have: %(codes)s.")
            % {"codes": "、".join(unknown)}
        }
    refs = formula_refs(ind.hospital_id, exclude_pk=ind.pk)
    refs[ind.code] = f.codes
    cycle = find_cycle(ind.code, refs)
    if cycle:
        return {
            "formula": _("The formula refers back to itself through other formulas: %(cycle)s.")
            % {"cycle": " → ".join(cycle)}
        }
    return {}


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def default_catalogue(hospital) -> list:
    """The defaults that apply to the hospital: the MCH ones only for a maternal-and-child hospital,
    the computed ones only when their computation is available here."""
    out = []
    for d in CATALOGUE:
        if d.mch and hospital.kind != HospitalKind.MCH:
            continue
        if d.source == Source.COMPUTED:
            comp = computations.get(d.computation)
            if comp is None or not comp.available():
                continue
        out.append(d)
    return out


@transaction.atomic
def load_defaults(hospital, *, actor) -> list[Indicator]:
    """Add the default indicators the hospital does not have yet (by code); returns those added.

    Run again after an update (or once the learning and points apps are installed) it adds only
    what is missing, and changes nothing the hospital has edited.
    """
    have = set(Indicator.objects.filter(hospital=hospital).values_list("code", flat=True))
    wanted = [d for d in default_catalogue(hospital) if d.code not in have]
    created: dict[str, Indicator] = {}
    order = {d.code: i for i, d in enumerate(CATALOGUE)}
    # Weights and formula operands first: plain entered indicators, then weighted, then formulas.
    rank = {"entered": 0, "computed": 0, "formula": 2}
    for d in sorted(wanted, key=lambda d: (rank[d.source] + (1 if d.weight else 0), order[d.code])):
        weight = None
        if d.weight:
            weight = (
                created.get(d.weight) or Indicator.objects.filter(hospital=hospital, code=d.weight).first()
            )
        ind = Indicator(
            hospital=hospital,
            code=d.code,
            name=d.name,
            short_name=d.short_name,
            unit=d.unit,
            family=d.family,
            direction=d.direction,
            source=d.source,
            aggregation=d.aggregation,
            weight=weight,
            entry_level=d.entry_level,
            computation=d.computation,
            formula=d.formula,
            decimals=d.decimals,
            min_value=_dec(d.min_value),
            max_value=_dec(
                d.max_value
                if d.max_value is not None
                else (100 if d.unit == "%" and d.source == "entered" else None)
            ),
            dimension=d.dimension,
            reference=d.reference,
            description=d.description,
            headline=d.headline,
            sort_order=(order[d.code] + 1) * 10,
            created_by=actor,
        )
        errors = indicator_errors(ind)
        if (
            errors
        ):  # a default broken by a hospital's own indicator of the same code: skipped, not half-loaded
            continue
        ind.save()
        created[d.code] = ind
    if created:
        log_event(
            "indicators_loaded",
            actor=actor,
            obj=hospital,
            data={"codes": sorted(created)},
            repr_=f"{hospital} ×{len(created)}",
        )
    return list(created.values())
