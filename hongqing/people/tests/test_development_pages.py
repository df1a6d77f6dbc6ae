"""Member development pages and API: scoping (secretary B sees none of A's candidates; a member sees
only their own timeline), the HTMX forms, the pipelines and their query budget."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.context import disable_auditlog

from hongqing.core.testing.contracts import LOGIN, ApiContract
from hongqing.core.testing.records import add_records
from hongqing.core.testing.world import make_person
from hongqing.people.choices import Stage, StepKind
from hongqing.people.models import DevelopmentStep, Membership

D = dt.date
HX = {"HTTP_HX_REQUEST": "true"}


def candidate(org, dept, name) -> Membership:
    person = make_person(org.hospital, dept, name, birth_date=D(1998, 2, 3))
    m = Membership.objects.create(
        person=person,
        organization=org,
        stage=Stage.CANDIDATE,
        application_date=D(2023, 9, 1),
        activist_date=D(2024, 1, 5),
        candidate_date=D(2025, 3, 1),
    )
    for kind, date, end in (
        (StepKind.POLITICAL_REVIEW, D(2025, 4, 1), None),
        (StepKind.TRAINING, D(2025, 4, 7), D(2025, 4, 9)),
        (StepKind.PRE_REVIEW, D(2025, 6, 2), None),
        (StepKind.ADMISSION_NOTICE, D(2025, 6, 3), D(2025, 6, 9)),
    ):
        DevelopmentStep.objects.create(membership=m, kind=kind, date=date, end_date=end)
    return m


@pytest.fixture
def world(db, world):
    with disable_auditlog():
        world = add_records(world)
        world.cand_a = candidate(world.branch_a, world.dept_a, "陈候选")
        world.cand_b = candidate(world.branch_b, world.dept_b, "林候选")
    return world


def urls(m):
    return [
        f"/people/memberships/{m.pk}/development/",
        f"/people/memberships/{m.pk}/development/advance/",
        f"/people/memberships/{m.pk}/development/record/",
    ]


PIPELINE = "/people/development/"


def org_pipeline(org):
    return f"/people/development/organizations/{org.pk}/"


# Permissions
def test_anonymous_is_sent_to_login_and_the_roleless_get_403(client, world):
    pages = [*urls(world.cand_a), PIPELINE, org_pipeline(world.branch_a)]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN), url
    assert (
        client.post(urls(world.cand_a)[1], {"to_stage": "probationary", "date": "2025-06-10"}).status_code
        == 302
    )
    for persona in ("auditor", "nobody", "sysadmin"):
        client.force_login(getattr(world, persona))
        for url in pages:
            assert client.get(url).status_code == 403, (persona, url)
    world.cand_a.refresh_from_db()
    assert world.cand_a.stage == Stage.CANDIDATE


def test_secretary_b_sees_none_of_branch_a_candidates(client, world):
    client.force_login(world.secretary_b)
    for url in urls(world.cand_a):
        assert client.get(url).status_code == 404, url
    response = client.post(urls(world.cand_a)[1], {"to_stage": "probationary", "date": "2025-06-10"})
    assert response.status_code == 404
    assert client.get(org_pipeline(world.branch_a)).status_code == 404
    page = client.get(PIPELINE).content.decode()
    assert "林候选" in page and "陈候选" not in page
    world.cand_a.refresh_from_db()
    assert world.cand_a.stage == Stage.CANDIDATE


def test_secretary_a_reads_and_advances_branch_a(client, world):
    client.force_login(world.secretary_a)
    for url in urls(world.cand_a):
        assert client.get(url).status_code == 200, url
    page = client.get(PIPELINE).content.decode()
    assert "陈候选" in page and "林候选" not in page
    response = client.get(org_pipeline(world.branch_a))
    assert response.status_code == 200 and "陈候选" in response.content.decode()
    detail = client.get(world.cand_a.get_absolute_url()).content.decode()
    assert 'id="development"' in detail and 'id="development-advance"' in detail


def test_a_member_sees_only_their_own_timeline_and_changes_nothing(client, world):
    own = world.person_a.membership
    client.force_login(world.member_a)
    response = client.get(urls(own)[0])
    assert response.status_code == 200
    assert 'id="development-advance"' not in response.content.decode()
    assert 'id="development"' in client.get(own.get_absolute_url()).content.decode()
    assert client.get(urls(world.cand_a)[0]).status_code == 404
    assert client.get(urls(own)[1]).status_code == 403
    assert (
        client.post(urls(world.cand_a)[1], {"to_stage": "probationary", "date": "2025-06-10"}).status_code
        == 403
    )
    assert client.get(PIPELINE).status_code == 403
    assert client.get(org_pipeline(world.branch_a)).status_code == 403


def test_the_office_sees_both_branches_and_the_other_hospital_neither(client, world):
    client.force_login(world.office)
    page = client.get(PIPELINE).content.decode()
    assert "陈候选" in page and "林候选" in page
    assert world.branch_a.name in page and world.branch_b.name in page
    client.force_login(world.office_h2)
    page = client.get(PIPELINE).content.decode()
    assert "陈候选" not in page and "林候选" not in page
    assert client.get(urls(world.cand_a)[0]).status_code == 404


def test_readers_read_and_write_nothing(client, world):
    for persona in ("region", "inspector"):
        client.force_login(getattr(world, persona))
        assert client.get(urls(world.cand_a)[0]).status_code == 200
        assert "陈候选" in client.get(PIPELINE).content.decode()
        assert client.get(urls(world.cand_a)[1]).status_code == 403
        assert (
            client.post(urls(world.cand_a)[2], {"kind": "training", "date": "2025-05-01"}).status_code == 403
        )
    assert world.cand_a.steps.count() == 4


def test_the_branch_page_has_the_pipeline_panel(client, world):
    client.force_login(world.secretary_a)
    page = client.get(world.branch_a.get_absolute_url()).content.decode()
    assert 'id="development-pipeline"' in page and "陈候选" in page
    client.force_login(world.member_a)
    response = client.get(world.branch_a.get_absolute_url())
    if response.status_code == 200:
        assert 'id="development-pipeline"' not in response.content.decode()


# The forms: HTMX and plain
def test_advance_with_htmx_refreshes_the_timeline(client, world):
    client.force_login(world.secretary_a)
    url = urls(world.cand_a)[1]
    form = client.get(url, **HX)
    assert form.status_code == 200 and form["HX-Retarget"] == "#development-form"
    assert 'name="date"' in form.content.decode()
    response = client.post(url, {"to_stage": "probationary", "date": "2025-06-10", "note": "支部大会"}, **HX)
    assert response.status_code == 200 and response["HX-Retarget"] == "#development"
    body = response.content.decode()
    assert 'id="development-message"' in body and 'data-kind="approval"' in body
    world.cand_a.refresh_from_db()
    assert (world.cand_a.stage, world.cand_a.admission_date) == (Stage.PROBATIONARY, D(2025, 6, 10))


def test_a_refused_advance_shows_every_reason_and_writes_nothing(client, world):
    client.force_login(world.secretary_a)
    url = urls(world.cand_a)[1]
    response = client.post(url, {"to_stage": "probationary", "date": "2025-06-09"}, **HX)
    assert response.status_code == 200 and response["HX-Retarget"] == "#development-form"
    assert "公示于2025-06-09期满，期满后方可进行此环节。" in response.content.decode()
    response = client.post(url, {"to_stage": "probationary", "date": "2025-06-09"})
    assert response.status_code == 422
    response = client.post(url, {"to_stage": "probationary", "date": "not a date"}, **HX)
    assert response.status_code == 200 and response["HX-Retarget"] == "#development-form"
    world.cand_a.refresh_from_db()
    assert world.cand_a.stage == Stage.CANDIDATE and world.cand_a.steps.count() == 4


def test_advance_without_htmx_goes_back_to_the_membership(client, world):
    client.force_login(world.secretary_a)
    response = client.post(urls(world.cand_a)[1], {"to_stage": "probationary", "date": "2025-06-10"})
    assert response.status_code == 302
    assert response["Location"] == f"{world.cand_a.get_absolute_url()}#development"


def test_record_and_remove_a_step(client, world):
    client.force_login(world.secretary_a)
    url = urls(world.cand_a)[2]
    response = client.post(url, {"kind": "training", "date": "2025-05-06", "hours": "4"}, **HX)
    assert response.status_code == 200 and response["HX-Retarget"] == "#development"
    step = world.cand_a.steps.get(kind=StepKind.TRAINING, date=D(2025, 5, 6))
    assert step.hours == 4 and step.created_by == world.secretary_a
    response = client.post(url, {"kind": "approval", "date": "2025-05-06"}, **HX)  # not a candidate's step
    assert response["HX-Retarget"] == "#development-form"
    client.force_login(world.secretary_b)
    assert client.post(f"/people/development-steps/{step.pk}/remove/").status_code == 404
    client.force_login(world.secretary_a)
    response = client.post(f"/people/development-steps/{step.pk}/remove/", **HX)
    assert response.status_code == 200 and not DevelopmentStep.objects.filter(pk=step.pk).exists()
    stage_step = DevelopmentStep.objects.create(
        membership=world.cand_a, kind=StepKind.CANDIDATE, date=D(2025, 3, 1)
    )
    client.post(f"/people/development-steps/{stage_step.pk}/remove/")
    assert DevelopmentStep.objects.filter(pk=stage_step.pk).exists()


def test_the_stage_is_not_edited_in_the_membership_form_nor_the_api(client, world):
    client.force_login(world.secretary_a)
    m = world.cand_a
    form = client.get(f"/people/memberships/{m.pk}/edit/").context["form"]
    assert form.fields["stage"].disabled
    response = client.patch(
        f"/api/people/memberships/{m.pk}/", {"stage": "probationary"}, content_type="application/json"
    )
    assert response.status_code == 400
    m.refresh_from_db()
    assert m.stage == Stage.CANDIDATE


# Query budget
def grow(world, n):
    people = [make_person(world.hospital, world.dept_a, f"积极{i}") for i in range(n)]
    stages = [Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY]
    rows = []
    for i, p in enumerate(people):
        stage = stages[i % 4]
        dates = {"application_date": D(2023, 1, 1)}
        if stage != Stage.APPLICANT:
            dates["activist_date"] = D(2023, 3, 1)
        if stage in (Stage.CANDIDATE, Stage.PROBATIONARY):
            dates["candidate_date"] = D(2024, 3, 1)
        if stage == Stage.PROBATIONARY:
            dates["admission_date"] = D(2025, 9, 1)
        rows.append(Membership(person=p, organization=world.branch_a, stage=stage, **dates))
    ms = Membership.objects.bulk_create(rows)
    DevelopmentStep.objects.bulk_create(
        DevelopmentStep(membership=m, kind=StepKind.TALK, date=D(2023, 1, 20)) for m in ms
    )


def test_the_pipeline_queries_do_not_grow(client, world, django_assert_max_num_queries):
    client.force_login(world.office)
    with disable_auditlog():
        grow(world, 8)
    client.get(PIPELINE)  # the first request also saves the session
    with django_assert_max_num_queries(20) as few:
        assert client.get(PIPELINE).status_code == 200
    with disable_auditlog():
        grow(world, 300)
    with django_assert_max_num_queries(20) as many:
        response = client.get(PIPELINE)
    assert response.status_code == 200 and "积极299" in response.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    with django_assert_max_num_queries(22):
        assert client.get(org_pipeline(world.branch_a)).status_code == 200


# API
class TestDevelopmentStepApi(ApiContract):
    model = DevelopmentStep
    api_list = "/api/people/development-steps/"
    viewer = editor = "secretary_a"

    @pytest.fixture
    def world(self, db):
        from hongqing.core.testing.world import build_world

        with disable_auditlog():
            w = add_records(build_world())
            w.cand_a = candidate(w.branch_a, w.dept_a, "陈候选")
            w.cand_b = candidate(w.branch_b, w.dept_b, "林候选")
            w.own_step = DevelopmentStep.objects.create(
                membership=w.person_a.membership, kind=StepKind.CONVERSION, date=D(2015, 7, 1)
            )
        return w

    def in_scope(self, world):
        return world.cand_a.steps.get(kind=StepKind.TRAINING)

    def elsewhere(self, world):
        return world.cand_b.steps.get(kind=StepKind.TRAINING)

    def deletable(self, world):
        return self.in_scope(world)

    def member_own(self, world):
        return world.own_step

    def member_other(self, world):
        return self.in_scope(world)

    def api_create_data(self, world):
        return {"membership": world.cand_a.pk, "kind": "training", "date": "2025-04-20", "hours": "8"}

    def api_created(self, world):
        return DevelopmentStep.objects.filter(membership=world.cand_a, date=D(2025, 4, 20))

    def api_create_outside_data(self, world):
        return {**self.api_create_data(world), "membership": world.cand_b.pk}

    def test_api_write_elsewhere_is_404(self, client, world):
        # Steps are never edited (PATCH is 405 for everyone); a delete elsewhere is 404.
        self.login(client, world, self.editor)
        obj = self.elsewhere(world)
        assert self.patch(client, self.api_detail(obj), {}).status_code == 405
        assert client.delete(self.api_detail(obj)).status_code == 404
        assert self.exists(obj)

    def test_api_create_refuses_a_rule_breaking_step(self, client, world):
        self.login(client, world, self.editor)
        data = {"membership": world.cand_a.pk, "kind": "political_review", "date": "2025-05-01"}
        response = self.post(client, self.api_list, data)
        assert response.status_code == 400
        assert response.json() == {"non_field_errors": ["“政治审查”已登记。"]}  # Chinese by default
        data = {"membership": world.cand_a.pk, "kind": "candidate", "date": "2025-05-01"}
        assert self.post(client, self.api_list, data).status_code == 400

    def test_api_a_stage_step_is_not_removed(self, client, world):
        self.login(client, world, self.editor)
        step = DevelopmentStep.objects.create(
            membership=world.cand_a, kind=StepKind.CANDIDATE, date=D(2025, 3, 1)
        )
        assert client.delete(self.api_detail(step)).status_code == 409
        assert self.exists(step)

    def test_api_advance(self, client, world):
        url = f"{self.api_list}advance/"
        data = {"membership": world.cand_a.pk, "to_stage": "probationary", "date": "2025-06-10"}
        self.login(client, world, "member_a")
        assert self.post(client, url, data).status_code == 403
        self.login(client, world, "secretary_b")
        assert self.post(client, url, data).status_code == 400  # no such membership for B
        self.login(client, world, "secretary_a")
        response = self.post(client, url, {**data, "date": "2025-06-09"})
        assert response.status_code == 400 and "non_field_errors" in response.json()
        response = self.post(client, url, data)
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["stage"] == "probationary" and body["step"]["kind"] == "admission"
        world.cand_a.refresh_from_db()
        assert world.cand_a.stage == Stage.PROBATIONARY

    def test_api_plan(self, client, world):
        url = f"{self.api_list}plan/"
        self.login(client, world, "secretary_a")
        response = client.get(url, {"membership": world.cand_a.pk})
        assert response.status_code == 200
        body = response.json()
        assert (
            body["stage"] == "candidate"
            and body["version"] == "2014"
            and body["next_stage"] == "probationary"
        )
        admission = next(s for s in body["steps"] if s["kind"] == "admission")
        assert admission["earliest"] == "2025-06-10" and admission["is_stage"]
        assert client.get(url, {"membership": world.cand_b.pk}).status_code == 404
        assert client.get(url).status_code == 400
        self.login(client, world, "member_a")
        assert client.get(url, {"membership": world.person_a.membership.pk}).status_code == 200
        assert client.get(url, {"membership": world.cand_a.pk}).status_code == 404


def test_the_demo_has_development_steps_that_pass_their_checks(db):
    from django.utils import timezone

    from hongqing.core import demo as core_demo
    from hongqing.people import development

    ctx = core_demo.run(core_demo.make_context())
    hospital = ctx.data["hospitals"][0]["hospital"]
    steps = DevelopmentStep.objects.filter(membership__organization__hospital=hospital)
    assert steps.filter(kind=StepKind.ASSESSMENT).exists() and steps.filter(kind=StepKind.APPROVAL).exists()
    for step in steps.select_related("membership"):
        step.full_clean()
    memberships = Membership.objects.filter(organization__hospital=hospital)
    p = development.pipeline(memberships, today=timezone.localdate())
    assert p.counts[Stage.CANDIDATE] >= 1 and (p.overdue or p.due)
