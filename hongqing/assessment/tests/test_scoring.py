"""Scoring: linear to target (higher and lower is better), threshold bands at their edges, rank within
peers, the weights' sum, a target of zero for a ratio, grades as data, and the stored components."""

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from hongqing.assessment.choices import Method
from hongqing.assessment.models import DualScorecard, Scheme, SchemeItem
from hongqing.assessment.services import scoring
from hongqing.assessment.services.scoring import band_share, linear_share, rank_share, ranks

from .support import TODAY, computed, formula, indicator, month, refresh, scheme, value

D = Decimal


# One item ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "0"), (45, "0.5"), (90, "1"), (120, "1"), (-5, "0")],
)
def test_linear_to_target_when_higher_is_better(value, expected):
    assert linear_share(D(value), D(90), None, lower=False) == D(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    # target 8 days, nothing at twice the target (16): 12 days earns half
    [(8, "1"), (6, "1"), (12, "0.5"), (16, "0"), (20, "0")],
)
def test_linear_to_target_when_lower_is_better(value, expected):
    assert linear_share(D(value), D(8), None, lower=True) == D(expected)


def test_lower_is_better_with_a_target_of_zero_uses_the_zero_score_value():
    # maternal deaths: target 0, one death scores nothing
    assert linear_share(D(0), D(0), D(1), lower=True) == 1
    assert linear_share(D(1), D(0), D(1), lower=True) == 0


BANDS = [[95, 100], [90, 80], [80, 60]]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("95", "1"),
        ("94.99", "0.8"),
        ("90", "0.8"),
        ("89.99", "0.6"),
        ("80", "0.6"),
        ("79.99", "0"),
        ("100", "1"),
    ],
)
def test_threshold_bands_at_their_edges_when_higher_is_better(value, expected):
    assert band_share(D(value), BANDS, lower=False) == D(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7", "1"), ("7.01", "0.8"), ("8", "0.8"), ("9", "0.6"), ("9.01", "0"), ("5", "1")],
)
def test_threshold_bands_at_their_edges_when_lower_is_better(value, expected):
    assert band_share(D(value), [[7, 100], [8, 80], [9, 60]], lower=True) == D(expected)


def test_rank_within_peers_best_first_and_ties_share_the_better_rank():
    r = ranks({1: D(90), 2: D(80), 3: D(80), 4: D(70)}, lower=False)
    assert r == {1: 1, 2: 2, 3: 2, 4: 4}
    assert [rank_share(r[k], 4) for k in (1, 2, 4)] == [D(1), D(2) / D(3), D(0)]
    assert ranks({1: D(5), 2: D(9)}, lower=True) == {1: 1, 2: 2}
    assert rank_share(1, 1) == 1


# Checking a scheme -------------------------------------------------------------------------------


@pytest.fixture
def inds(world):
    h = world.hospital
    visits = indicator(h, "op_visits", decimals=0)
    discharges = indicator(h, "discharges", decimals=0)
    ops = indicator(h, "operations", decimals=0)
    return {
        "visits": visits,
        "discharges": discharges,
        "ops": ops,
        "alos": indicator(
            h, "alos", unit="天", aggregation="weighted_mean", weight=discharges, direction="lower"
        ),
        "share": formula(h, "surgery_share", "operations / discharges * 100"),
        "deaths": indicator(h, "maternal_deaths", unit="例", direction="lower", decimals=0),
        "duty": computed(h, "duty_rate", "party.duty_completion"),
        "dual": computed(h, "dual_leader_rate", "party.dual_leader"),
        "sat": indicator(h, "sat_staff", unit="分", aggregation="mean"),
    }


def item(ind, weight, method=Method.LINEAR, target=None, **kw):
    return SchemeItem(
        indicator=ind,
        weight=D(str(weight)),
        method=method,
        target=None if target is None else D(str(target)),
        **kw,
    )


def new_scheme(world):
    return Scheme(hospital=world.hospital, name="2026年双目标考核", year=TODAY.year, period="quarter")


def test_weights_that_do_not_add_up_to_100_are_refused_naming_the_sum(world, inds):
    items = [
        item(inds["visits"], 60, target=1000),
        item(inds["alos"], 30, target=8),
        item(inds["duty"], 100, target=95),
    ]
    with pytest.raises(ValidationError) as exc:
        scoring.save_scheme(new_scheme(world), items, actor=world.office)
    message = " ".join(exc.value.message_dict["items"])
    assert "90" in message
    assert not Scheme.objects.exists() and not SchemeItem.objects.exists()


def test_a_target_of_zero_for_a_ratio_is_refused_naming_the_field(world, inds):
    items = [item(inds["share"], 100, target=0), item(inds["duty"], 100, target=0)]
    with pytest.raises(ValidationError) as exc:
        scoring.save_scheme(new_scheme(world), items, actor=world.office)
    errors = exc.value.message_dict
    assert "items[0].target" in errors and "items[1].target" in errors
    assert not Scheme.objects.exists()


def test_a_count_with_a_target_of_zero_needs_its_zero_score_value(world, inds):
    with pytest.raises(ValidationError) as exc:
        scoring.save_scheme(new_scheme(world), [item(inds["deaths"], 100, target=0)], actor=world.office)
    assert "items[0].floor" in exc.value.message_dict
    s = scoring.save_scheme(
        new_scheme(world), [item(inds["deaths"], 100, target=0, floor=D(1))], actor=world.office
    )
    assert s.items.count() == 1


def test_bands_must_be_threshold_and_percent_pairs(world, inds):
    for bands in ([], [[90]], [[90, 120]], [["a", 10]], [[90, 50], [90, 40]]):
        with pytest.raises(ValidationError):
            scoring.save_scheme(
                new_scheme(world), [item(inds["visits"], 100, Method.BANDS, bands=bands)], actor=world.office
            )
    assert not Scheme.objects.exists()


def test_an_indicator_twice_is_refused(world, inds):
    items = [item(inds["visits"], 50, target=1), item(inds["visits"], 50, target=2)]
    with pytest.raises(ValidationError):
        scoring.save_scheme(new_scheme(world), items, actor=world.office)


def test_a_valid_scheme_is_saved_with_its_items_and_audited(world, inds):
    items = [
        item(inds["visits"], 60, target=1000),
        item(inds["alos"], 40, target=8),
        item(inds["duty"], 100, target=95),
    ]
    s = scoring.save_scheme(new_scheme(world), items, actor=world.office)
    assert [i.indicator.code for i in s.items.order_by("sort_order")] == ["op_visits", "alos", "duty_rate"]
    assert LogEntry.objects.filter(additional_data__event="scheme_saved").count() == 1
    # saving again with one item fewer (and the weights fixed) removes it
    kept = list(s.items.order_by("sort_order"))
    kept[0].weight = D(100)
    scoring.save_scheme(s, [kept[0], kept[2]], actor=world.office)
    assert s.items.count() == 2


# Scoring branches --------------------------------------------------------------------------------


def test_each_branch_is_scored_from_its_departments_and_stored_with_its_components(world, inds):
    m = month(1)
    year_first = dt.date(m.year, 1, 1)
    # branch A (department A): 500 visits, 8 days; branch B: 1,000 visits, 12 days
    value(inds["visits"], world.dept_a, m, 500)
    value(inds["visits"], world.dept_b, m, 1000)
    value(inds["discharges"], world.dept_a, m, 10)
    value(inds["discharges"], world.dept_b, m, 10)
    value(inds["alos"], world.dept_a, m, 8)
    value(inds["alos"], world.dept_b, m, 12)
    refresh(world.hospital, m)
    s = scheme(
        world.hospital,
        (inds["visits"], 50, Method.RANK, None),
        (inds["alos"], 50, Method.LINEAR, 8),
        period="year",
        year=m.year,
    )
    cards = {c.organization_id: c for c in scoring.score_period(s, year_first, actor=world.office)}
    a, b = cards[world.branch_a.pk], cards[world.branch_b.pk]
    # A: visits ranks 2nd of 2 (0 of 50) + ALOS at target (50) = 50; B: 50 + ALOS 12 of 8..16 (25) = 75
    assert a.business_score == D("50.00") and b.business_score == D("75.00")
    assert (a.business_rank, b.business_rank) == (2, 1)
    assert a.party_score is None and a.total_score is None  # no Party items
    comp = next(c for c in b.components if c["code"] == "alos")
    assert (comp["value"], comp["share"], comp["points"], comp["months"]) == (
        "12",
        "50",
        "25",
        [m.strftime("%Y-%m")],
    )
    assert a.through == min(dt.date(m.year, 12, 1), month(0))
    assert DualScorecard.objects.count() == 2
    assert LogEntry.objects.filter(additional_data__event="scores_computed").count() == 1


def test_scoring_again_updates_the_same_scorecards(world, inds):
    m = month(1)
    value(inds["visits"], world.dept_a, m, 500)
    refresh(world.hospital, m)
    s = scheme(world.hospital, (inds["visits"], 100, Method.LINEAR, 12000), year=m.year)
    first = scoring.score_period(s, dt.date(m.year, 1, 1))
    again = scoring.score_period(s, dt.date(m.year, 1, 1))
    assert {c.pk for c in first} == {c.pk for c in again}


def test_a_sums_target_is_taken_pro_rata_for_the_months_with_data(world, inds):
    m = month(1)
    value(inds["visits"], world.dept_a, m, 100)  # one month of twelve: 100 of a yearly 1,200 is on target
    refresh(world.hospital, m)
    s = scheme(world.hospital, (inds["visits"], 100, Method.LINEAR, 1200), year=m.year)
    card = next(
        c for c in scoring.score_period(s, dt.date(m.year, 1, 1)) if c.organization_id == world.branch_a.pk
    )
    assert card.business_score == D("100.00")
    assert card.components[0]["target_used"] == "100"


def test_an_item_without_data_for_a_branch_is_left_out_and_the_others_weigh_more(world, inds):
    m = month(1)
    value(inds["visits"], world.dept_a, m, 100)
    value(inds["discharges"], world.dept_b, m, 10)
    value(inds["alos"], world.dept_b, m, 8)
    refresh(world.hospital, m)
    s = scheme(
        world.hospital,
        (inds["visits"], 50, Method.LINEAR, 100),
        (inds["alos"], 50, Method.LINEAR, 16),
        year=m.year,
    )
    cards = {c.organization_id: c for c in scoring.score_period(s, dt.date(m.year, 1, 1))}
    a = cards[world.branch_a.pk]
    assert a.business_score == D("100.00")  # visits on target; no ALOS for A: left out
    assert next(c for c in a.components if c["code"] == "alos")["note"] == "no_data"


def test_lower_is_better_scores_read_right(world, inds):
    m = month(1)
    for dept, alos in ((world.dept_a, 6), (world.dept_b, 10)):
        value(inds["discharges"], dept, m, 10)
        value(inds["alos"], dept, m, alos)
    refresh(world.hospital, m)
    s = scheme(world.hospital, (inds["alos"], 100, Method.LINEAR, 8), year=m.year)
    cards = {c.organization_id: c for c in scoring.score_period(s, dt.date(m.year, 1, 1))}
    assert cards[world.branch_a.pk].business_score > cards[world.branch_b.pk].business_score
    assert cards[world.branch_a.pk].business_rank == 1


def test_grades_follow_the_hospitals_bands(world, inds):
    from hongqing.core.models import Rule

    m = month(1)
    value(inds["sat"], world.dept_a, m, 85)
    refresh(world.hospital, m)
    s = scheme(world.hospital, (inds["sat"], 100, Method.LINEAR, 100), year=m.year)
    card = next(
        c for c in scoring.score_period(s, dt.date(m.year, 1, 1)) if c.organization_id == world.branch_a.pk
    )
    assert card.business_score == D("85.00") and card.business_grade == "较好"
    Rule.objects.create(
        key="assessment.grade_bands",
        hospital_id=world.hospital.pk,
        value=[[85, "优秀"], [0, "待改进"]],
        effective_from="2000-01-01",
    )
    card = next(
        c for c in scoring.score_period(s, dt.date(m.year, 1, 1)) if c.organization_id == world.branch_a.pk
    )
    assert card.business_grade == "优秀"


def test_the_total_weighs_the_party_and_business_scores_by_the_schemes_share(world, inds):
    from hongqing.organization.models import CommitteeTerm
    from hongqing.people.choices import Post
    from hongqing.people.models import Cadre, TermPosition

    m = month(1)
    value(inds["sat"], world.dept_a, m, 50)
    refresh(world.hospital, m)
    TermPosition.objects.create(
        term=CommitteeTerm.objects.get(organization=world.branch_a),
        person=world.secretary_a.person,
        post=Post.SECRETARY,
    )
    Cadre.objects.create(
        person=world.secretary_a.person, department=world.dept_a, title="主任", start=dt.date(2020, 1, 1)
    )
    s = scheme(
        world.hospital,
        (inds["sat"], 100, Method.LINEAR, 100),
        (inds["dual"], 100, Method.LINEAR, 100),
        year=m.year,
        party_share=60,
    )
    card = next(
        c for c in scoring.score_period(s, dt.date(m.year, 1, 1)) if c.organization_id == world.branch_a.pk
    )
    assert card.party_score == D("100.00") and card.business_score == D("50.00")
    assert card.total_score == D("80.00")  # 0.6 × 100 + 0.4 × 50


def test_a_period_that_has_not_begun_or_is_not_the_schemes_is_refused(world, inds):
    s = scheme(world.hospital, (inds["visits"], 100, Method.LINEAR, 100), year=TODAY.year + 1)
    with pytest.raises(ValidationError):
        scoring.score_period(s, dt.date(TODAY.year + 1, 1, 1))
    s2 = scheme(
        world.hospital, (inds["visits"], 100, Method.LINEAR, 100), year=TODAY.year, period="quarter", name="q"
    )
    with pytest.raises(ValidationError):
        scoring.score_period(s2, dt.date(TODAY.year, 2, 1))
