"""The default catalogue: loaded once per hospital, the maternal-and-child ones only where they apply."""

from auditlog.models import LogEntry

from hongqing.assessment import computations
from hongqing.assessment.choices import Source
from hongqing.assessment.defaults import CATALOGUE
from hongqing.assessment.models import Indicator
from hongqing.assessment.services.catalogue import load_defaults


def test_a_maternal_and_child_hospital_gets_every_default_that_can_be_computed(world):
    added = load_defaults(world.hospital, actor=world.office)
    codes = {i.code for i in added}
    available = {
        d.code for d in CATALOGUE if d.source != "computed" or computations.get(d.computation).available()
    }
    assert codes == available
    assert {"maternal_deaths", "high_risk_purple", "mch_clinic_coverage", "duty_rate", "alos"} <= codes
    for ind in added:
        ind.full_clean(exclude=["created_by"])  # every default is a valid indicator
    assert Indicator.objects.get(hospital=world.hospital, code="alos").weight.code == "discharges"
    assert LogEntry.objects.filter(additional_data__event="indicators_loaded").count() == 1


def test_a_general_hospital_gets_no_maternal_and_child_indicators(world):
    codes = {i.code for i in load_defaults(world.hospital2, actor=world.office_h2)}
    assert "op_visits" in codes and "maternal_deaths" not in codes and "high_risk_red" not in codes


def test_loading_again_adds_nothing_and_keeps_the_hospitals_edits(world):
    load_defaults(world.hospital, actor=world.office)
    Indicator.objects.filter(hospital=world.hospital, code="op_visits").update(name="门急诊人次")
    assert load_defaults(world.hospital, actor=world.office) == []
    assert Indicator.objects.get(hospital=world.hospital, code="op_visits").name == "门急诊人次"


def test_the_pending_computations_are_not_loaded_until_their_app_is_there(world):
    load_defaults(world.hospital, actor=world.office)
    for code in ("learning.study_hours", "points.honours"):
        loaded = Indicator.objects.filter(
            hospital=world.hospital, source=Source.COMPUTED, computation=code
        ).exists()
        assert loaded == computations.get(code).available()
