"""Talks: the record's rules, the heart-to-heart duty (an outside satisfier of the duty lists) at its
boundaries, the coverage and growth pages, the permission contracts of the pages and API."""

import datetime as dt

import pytest
from auditlog.context import disable_auditlog
from django.core.exceptions import ValidationError
from django.urls import reverse

from hongqing.core.testing.contracts import ApiContract, PageContract
from hongqing.core.testing.records import add_records
from hongqing.core.testing.world import build_world, make_member, make_person
from hongqing.organization.models import CommitteeTerm
from hongqing.party.choices import TalkKind
from hongqing.party.models import Obligation, Talk
from hongqing.party.services.duties import OutsideRecord, sync_obligations
from hongqing.party.services.talks import coverage
from hongqing.people.choices import Post
from hongqing.people.models import TermPosition

D = dt.date
YEAR = 2025  # a past year: every talk of it can be recorded (none is in the future)


def talk(org, talker, person, day, kind=TalkKind.HEART_TO_HEART, **kw):
    return Talk.objects.create(organization=org, talker=talker, person=person, date=day, kind=kind, **kw)


def duty_row(org, year=YEAR):
    return Obligation.objects.get(organization=org, code="duty.heart_to_heart", period_start=D(year, 1, 1))


@pytest.fixture
def branch(db, world):
    """Branch A with a committee of two (the secretary and person A) and one more member: 3 pairs owed."""
    term = CommitteeTerm.objects.get(organization=world.branch_a)
    sec = world.secretary_a.person
    TermPosition.objects.create(term=term, person=sec, post=Post.SECRETARY, start=term.start)
    TermPosition.objects.create(term=term, person=world.person_a, post=Post.ORGANIZATION, start=term.start)
    third = make_person(world.hospital, world.dept_a, "周洁", gender="F")
    make_member(third, world.branch_a)
    world.third = third
    return world


# --- the record --------------------------------------------------------------------------------


def test_a_talk_is_between_two_people_of_the_organisation(branch):
    w = branch
    with pytest.raises(ValidationError) as err:
        Talk(organization=w.branch_a, talker=w.person_a, person=w.person_a, date=D(2025, 5, 1)).full_clean()
    assert "person" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        Talk(organization=w.branch_a, talker=w.person_a, person=w.person_b, date=D(2025, 5, 1)).full_clean()
    assert "person" in err.value.message_dict  # person B is a member of branch B


def test_a_talk_cannot_be_recorded_before_it_is_held(branch):
    w = branch
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    with pytest.raises(ValidationError) as err:
        Talk(organization=w.branch_a, talker=w.person_a, person=w.third, date=tomorrow).full_clean()
    assert "date" in err.value.message_dict


def test_a_growth_talk_may_be_held_with_department_staff_outside_the_party(branch, db):
    w = branch
    colleague = make_person(w.hospital, w.dept_a, "吴昊")
    growth = Talk(
        organization=w.branch_a,
        kind=TalkKind.GROWTH_MONTHLY,
        talker=w.person_a,
        person=colleague,
        date=D(2025, 5, 1),
    )
    growth.full_clean()
    growth.save()
    assert growth.department == w.dept_a  # counted for the person's department
    hearty = Talk(organization=w.branch_a, talker=w.person_a, person=colleague, date=D(2025, 5, 1))
    with pytest.raises(ValidationError):
        hearty.full_clean()  # a heart-to-heart talk is a Party duty: with members only


def test_a_talker_of_another_hospital_is_refused(branch):
    w = branch
    with pytest.raises(ValidationError) as err:
        Talk(organization=w.branch_a, talker=w.person_h2, person=w.third, date=D(2025, 5, 1)).full_clean()
    assert "talker" in err.value.message_dict


# --- the duty ----------------------------------------------------------------------------------


def test_the_pairs_owed_are_each_committee_member_with_every_member(branch):
    w = branch
    cov = coverage([w.branch_a.pk], [(D(YEAR, 1, 1), D(YEAR, 12, 31))])[(w.branch_a.pk, D(YEAR, 1, 1))]
    sec = w.secretary_a.person.pk
    assert cov.committee == {sec, w.person_a.pk}
    assert cov.pairs == {
        frozenset((sec, w.person_a.pk)),
        frozenset((sec, w.third.pk)),
        frozenset((w.person_a.pk, w.third.pk)),
    }


def test_the_duty_is_done_on_the_day_the_last_pair_talked(branch):
    w = branch
    sec = w.secretary_a.person
    sync_obligations([w.branch_a], YEAR)
    row = duty_row(w.branch_a)
    assert (row.done_count, row.required, row.done_on) == (0, 3, None)
    talk(w.branch_a, sec, w.person_a, D(YEAR, 3, 1))
    talk(w.branch_a, w.third, sec, D(YEAR, 6, 1))  # recorded the other way round: still the pair
    row.refresh_from_db()
    assert (row.done_count, row.required, row.done_on) == (2, 3, None)
    last = talk(w.branch_a, w.person_a, w.third, D(YEAR, 12, 31))  # the last day of the period counts
    row.refresh_from_db()
    assert (row.done_count, row.done_on, row.satisfied_by_other) == (3, D(YEAR, 12, 31), "heart_to_heart")
    record = row.record
    assert isinstance(record, OutsideRecord) and "3/3" in str(record)
    assert record.url == reverse("party:talk_coverage", kwargs={"pk": w.branch_a.pk}) + f"?year={YEAR}"
    last.delete()
    row.refresh_from_db()
    assert (row.done_count, row.done_on) == (2, None)


def test_a_talk_of_the_next_year_does_not_count(branch):
    w = branch
    sec = w.secretary_a.person
    sync_obligations([w.branch_a], YEAR)
    talk(w.branch_a, sec, w.person_a, D(YEAR, 12, 31))
    talk(w.branch_a, sec, w.third, D(YEAR + 1, 1, 1))
    assert duty_row(w.branch_a).done_count == 1


def test_a_post_ended_before_the_year_owes_no_talks(branch):
    w = branch
    position = TermPosition.objects.get(person=w.person_a)
    position.end = D(YEAR - 1, 12, 31)
    position.save()
    sync_obligations([w.branch_a], YEAR)
    row = duty_row(w.branch_a)
    assert row.required == 2  # the secretary with person A and with the third member


def test_a_branch_without_committee_posts_owes_nothing_counted(world):
    sync_obligations([world.branch_b], YEAR)
    row = duty_row(world.branch_b)
    assert (row.done_count, row.required, row.done_on) == (0, 0, None)


# --- pages -------------------------------------------------------------------------------------


def test_the_coverage_page_lists_whom_each_committee_member_still_owes(client, branch):
    w = branch
    sec = w.secretary_a.person
    talk(w.branch_a, sec, w.person_a, D(YEAR, 3, 1))
    client.force_login(w.secretary_a)
    html = client.get(
        reverse("party:talk_coverage", kwargs={"pk": w.branch_a.pk}), {"year": YEAR}
    ).content.decode()
    assert 'data-done="1" data-required="3"' in html
    assert "周洁" in html and "hq-talk-todo" in html
    add = reverse("party:talk_add")
    assert (
        f"{add}?organization={w.branch_a.pk}&amp;kind=heart_to_heart&amp;talker={sec.pk}&amp;person={w.third.pk}"
        in html
    )


def test_another_branch_coverage_is_not_found(client, branch):
    client.force_login(branch.secretary_b)
    url = reverse("party:talk_coverage", kwargs={"pk": branch.branch_a.pk})
    assert client.get(url).status_code == 404


def test_the_add_page_comes_filled_from_the_coverage_link(client, branch):
    w = branch
    client.force_login(w.secretary_a)
    url = reverse("party:talk_add")
    html = client.get(
        url, {"organization": w.branch_a.pk, "talker": w.person_a.pk, "person": w.third.pk}
    ).content
    html = html.decode()
    assert f'<option value="{w.third.pk}" selected>' in html
    assert f'<option value="{w.branch_a.pk}" selected>' in html


def test_growth_talks_are_counted_per_department_and_link_to_the_talks(client, branch):
    w = branch
    colleague = make_person(w.hospital, w.dept_a, "吴昊")
    for month in (1, 2, 3):
        talk(w.branch_a, w.person_a, colleague, D(YEAR, month, 10), kind=TalkKind.GROWTH_MONTHLY)
    talk(w.branch_a, w.person_a, w.third, D(YEAR, 12, 10), kind=TalkKind.GROWTH_REVIEW)
    talk(w.branch_a, w.person_a, w.third, D(YEAR, 12, 11))  # not a growth talk
    client.force_login(w.secretary_a)
    response = client.get(reverse("party:talk_growth"), {"year": YEAR})
    rows = response.context["rows"]
    assert [(r["department__name"], r["monthly"], r["reviews"], r["people"]) for r in rows] == [
        ("产科", 3, 1, 2)
    ]
    listed = client.get(rows[0]["monthly_url"])
    assert len(listed.context["table"].rows) == 3


def test_the_talk_list_does_not_grow_queries_with_rows(client, branch, django_assert_max_num_queries):
    w = branch
    with disable_auditlog():
        Talk.objects.bulk_create(
            [
                Talk(organization=w.branch_a, talker=w.person_a, person=w.third, date=D(YEAR, 1 + i % 12, 1))
                for i in range(300)
            ]
        )
    client.force_login(w.secretary_a)
    with django_assert_max_num_queries(22):
        assert client.get(reverse("party:talk_list")).status_code == 200
    client.force_login(w.office)
    with django_assert_max_num_queries(16):
        assert client.get("/api/party/talks/").status_code == 200


# --- permission contracts ----------------------------------------------------------------------


class TalkWorld:
    @pytest.fixture
    def world(self, db):
        with disable_auditlog():
            w = add_records(build_world())
            sec_a, sec_b = w.secretary_a.person, w.secretary_b.person
            w.talk_a = talk(w.branch_a, sec_a, w.person_a, D(2025, 4, 1), notes="甲支部谈心")
            w.talk_a2 = talk(w.branch_a, w.person_a, sec_a, D(2025, 5, 1), notes="甲支部第二次谈心")
            w.talk_b = talk(w.branch_b, sec_b, w.person_b, D(2025, 4, 1), notes="乙支部谈心")
            other = make_person(w.hospital2, w.rec.dept_h2, "郑强")
            w.talk_h2 = talk(w.rec.branch_h2, other, w.person_h2, D(2025, 4, 1), notes="外院谈心")
            return w


class TalkCase(TalkWorld):
    model = Talk
    viewer = editor = "secretary_a"
    edit_changes = api_changes = {"place": "党员活动室"}

    def in_scope(self, world):
        return world.talk_a

    def elsewhere(self, world):
        return world.talk_b

    def export_marker(self, obj):
        return obj.person.name if obj is not None else ""

    def create_data(self, world):
        return {
            "organization": world.branch_a.pk,
            "kind": TalkKind.HEART_TO_HEART,
            "date": "2025-06-01",
            "talker": world.secretary_a.person.pk,
            "person": world.person_a.pk,
            "notes": "新建的谈话",
        }

    def created(self, world):
        return Talk.objects.filter(notes="新建的谈话")

    def create_outside_data(self, world):
        return {**self.create_data(world), "organization": world.branch_b.pk, "person": world.person_b.pk}

    api_create_data = create_data
    api_created = created
    api_create_outside_data = create_outside_data

    def forbidden_choices(self, world):
        return {"organization": [world.branch_b, world.committee], "person": [world.person_b]}

    def forbidden_filter_choices(self, world):
        return {"organization": [world.branch_b]}

    def deletable(self, world):
        return world.talk_a2

    def member_own(self, world):
        return world.talk_a

    def member_other(self, world):
        return world.talk_b


class TestTalkPages(TalkCase, PageContract):
    pass


class TestTalkApi(TalkCase, ApiContract):
    api_list = "/api/party/talks/"


class TalkOfficeCase(TalkCase):
    viewer = editor = "office"

    def elsewhere(self, world):
        return world.talk_h2

    def create_outside_data(self, world):
        return {
            **self.create_data(world),
            "organization": world.rec.branch_h2.pk,
            "person": world.person_h2.pk,
        }

    api_create_outside_data = create_outside_data

    def forbidden_choices(self, world):
        return {"organization": [world.rec.branch_h2], "person": [world.person_h2]}

    def forbidden_filter_choices(self, world):
        return {"organization": [world.rec.branch_h2]}

    def member_own(self, world):
        return None

    def member_other(self, world):
        return world.talk_h2


class TestTalkOfficePages(TalkOfficeCase, PageContract):
    pass


class TestTalkOfficeApi(TalkOfficeCase, ApiContract):
    api_list = "/api/party/talks/"


def test_a_duty_rule_may_name_a_registered_satisfier_and_no_unknown_one():
    from hongqing.party.rules import check_duty, duty

    assert check_duty(duty(["branch"], "year", ["heart_to_heart"])) == []
    errors = check_duty(duty(["branch"], "year", ["heart_to_hearts"]))
    assert len(errors) == 1 and "heart_to_heart" in str(errors[0])


def test_a_reader_follows_the_duty_to_its_talks_but_is_offered_no_recording(client, branch):
    w = branch
    sync_obligations([w.branch_a], YEAR)
    row = duty_row(w.branch_a)
    client.force_login(w.inspector)
    html = client.get(reverse("party:obligation_detail", kwargs={"pk": row.pk})).content.decode()
    coverage_url = reverse("party:talk_coverage", kwargs={"pk": w.branch_a.pk})
    assert f'href="{coverage_url}?year={YEAR}" id="duty-progress">0/3<' in html
    page = client.get(coverage_url, {"year": YEAR}).content.decode()
    assert "hq-talk-todo" in page and reverse("party:talk_add") not in page
