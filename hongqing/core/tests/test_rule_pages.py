import datetime as dt

from hongqing.core.models import Rule
from hongqing.core.rules import rule_value


def test_office_reads_rules_with_sources(client, world):
    client.force_login(world.office)
    response = client.get("/rules/")
    assert response.status_code == 200
    assert "branch.max_members" in response.content.decode()
    assert "《中国共产党支部工作条例（试行）》2018" in response.content.decode()


def test_office_overrides_a_rule_for_its_hospital_only(client, world):
    client.force_login(world.office)
    response = client.post(
        "/rules/override/",
        {
            "key": "branch.max_members",
            "hospital_id": world.hospital.pk,
            "value_text": "45",
            "effective_from": "2026-01-01",
        },
    )
    assert response.status_code == 302
    assert rule_value("branch.max_members", world.hospital.pk, dt.date(2026, 6, 1)) == 45
    assert rule_value("branch.max_members", world.hospital.pk, dt.date(2025, 12, 31)) == 50
    assert rule_value("branch.max_members", world.hospital2.pk, dt.date(2026, 6, 1)) == 50


def test_override_of_another_hospital_is_refused(client, world):
    client.force_login(world.office)
    before = Rule.objects.count()
    response = client.post(
        "/rules/override/",
        {
            "key": "branch.max_members",
            "hospital_id": world.hospital2.pk,
            "value_text": "45",
            "effective_from": "2026-01-01",
        },
    )
    assert response.status_code == 422
    assert Rule.objects.count() == before


def test_bad_values_are_refused(client, world):
    client.force_login(world.office)
    before = Rule.objects.count()
    for value in ("abc", "-3"):
        response = client.post(
            "/rules/override/",
            {
                "key": "branch.max_members",
                "hospital_id": world.hospital.pk,
                "value_text": value,
                "effective_from": "2026-01-01",
            },
        )
        assert response.status_code == 422
    assert Rule.objects.count() == before


def test_list_rules_take_lists(client, world):
    client.force_login(world.office)
    client.post(
        "/rules/override/",
        {
            "key": "term.reminder_months",
            "hospital_id": world.hospital.pk,
            "value_text": "6，2",
            "effective_from": "2020-01-01",
        },
    )
    assert rule_value("term.reminder_months", world.hospital.pk) == [6, 2]


def test_roles_without_a_hospital_grant_cannot_override(client, world):
    for user in (world.secretary_a, world.member_a, world.sysadmin, world.auditor, world.region):
        client.force_login(user)
        assert client.get("/rules/override/").status_code == 403


def test_regional_reader_cannot_override(client, world):
    client.force_login(world.inspector)
    assert client.get("/rules/").status_code == 200
    assert client.get("/rules/override/").status_code == 403


def test_a_request_reads_each_rule_once_and_sees_a_rule_it_saved(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hongqing.core.models import Rule
    from hongqing.core.rules import cached_rules, rule_value

    key = "dues.cap_warning"
    with cached_rules():
        with CaptureQueriesContext(connection) as ctx:
            first = rule_value(key, world.hospital.pk)
            assert rule_value(key, world.hospital.pk) == first
        assert len(ctx.captured_queries) == 1
        Rule.objects.create(key=key, hospital_id=world.hospital.pk, value=800, effective_from="2001-01-01")
        assert rule_value(key, world.hospital.pk) == 800
    items = rule_value("dues.included_items")
    items.append("x")  # a caller changing its copy changes nothing for the next one
    with cached_rules():
        rule_value("dues.included_items").append("y")
        assert "y" not in rule_value("dues.included_items")
