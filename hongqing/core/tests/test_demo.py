"""seed_demo: the demo hospital it builds, its accounts, and when it refuses to run."""

import io

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import CommandError, call_command
from django.utils import timezone

from hongqing.accounts.models import User
from hongqing.core.demo import DEMO_PASSWORD
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import CommitteeTerm, Department, Hospital, PartyOrganization
from hongqing.people.choices import Stage
from hongqing.people.models import Membership, Person
from hongqing.people.services import organization_warnings

pytestmark = pytest.mark.django_db

DEMO_USERS = [
    "admin",
    "security",
    "auditor",
    "office",
    "secretary",
    "secretary2",
    "member",
    "inspector",
    "region",
]


def run(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_full_build(client, settings):
    settings.DEBUG = True
    output = run()
    assert "hongqing-demo" in output

    hospital = Hospital.objects.get(code="hxfy")
    depts = Department.objects.filter(hospital=hospital)
    assert 22 <= depts.count() <= 28

    orgs = PartyOrganization.objects.filter(hospital=hospital)
    assert orgs.filter(kind=OrgKind.COMMITTEE).count() == 1
    assert orgs.filter(kind=OrgKind.DISCIPLINE_COMMITTEE).count() == 1
    assert orgs.filter(kind=OrgKind.BRANCH).count() == 12
    general = orgs.get(kind=OrgKind.GENERAL_BRANCH)
    assert PartyOrganization.objects.get_children(general).filter(kind=OrgKind.BRANCH).exists()
    # Every branch is built on at least one department.
    for branch in orgs.filter(kind=OrgKind.BRANCH):
        assert branch.current_departments().exists(), branch

    staff = Person.objects.filter(hospital=hospital)
    assert 550 <= staff.count() <= 650
    members = Membership.objects.filter(organization__hospital=hospital)
    assert 90 <= members.count() <= 110
    assert set(members.values_list("stage", flat=True)) == set(Stage.values)

    # Terms: one overdue, one due within three months (besides the six-month reminders).
    today = timezone.localdate()
    current = CommitteeTerm.objects.filter(organization__hospital=hospital, actual_end__isnull=True)
    assert current.filter(due_end__lt=today).count() == 1
    assert current.filter(due_end__gte=today, due_end__lte=today + relativedelta(months=3)).count() == 1
    codes = [w.code for w in organization_warnings(orgs)]
    assert codes.count("term_overdue") == 1
    assert "too_few" in codes  # the small branch on purpose

    # Every generated record passes the model's own validation.
    for person in Person.objects.select_related("department", "hospital"):
        person.full_clean()
    for membership in Membership.objects.select_related("person", "organization"):
        membership.full_clean()
    # The pinyin keys were filled in by the bulk insert.
    assert not Person.objects.filter(name_pinyin="").exists()

    # The demo accounts log in through the login page (with axes in front).
    for username in DEMO_USERS:
        client.logout()
        response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert "_auth_user_id" in client.session, username
        assert username in output
    assert set(DEMO_USERS) <= set(User.objects.values_list("username", flat=True))

    # The office's home shows the demo hospital's warnings.
    client.logout()
    client.post("/accounts/login/", {"username": "office", "password": DEMO_PASSWORD})
    assert 'data-code="term_overdue"' in client.get("/").content.decode()

    # Running again without --force is refused; --if-empty leaves it alone.
    with pytest.raises(CommandError):
        run()
    before = Person.objects.count()
    assert "already has data" in run("--if-empty")
    assert Person.objects.count() == before


def test_refuses_a_non_empty_database(settings):
    settings.DEBUG = True
    Hospital.objects.create(name="已有医院", code="existing")
    with pytest.raises(CommandError) as exc:
        run()
    assert "--force" in str(exc.value)
    assert Hospital.objects.count() == 1


def test_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError) as exc:
        run()
    assert "DEBUG" in str(exc.value)
    assert not Hospital.objects.exists()


def test_if_empty_on_a_non_empty_database_does_nothing(settings):
    """``make run`` calls it on every start: no error (exit status 0), nothing written."""
    settings.DEBUG = False  # not even DEBUG off stops --if-empty from exiting cleanly
    Hospital.objects.create(name="已有医院", code="existing")
    output = run("--if-empty")
    assert "already has data" in output
    assert "admin" in output  # the accounts are printed either way
    assert Hospital.objects.count() == 1
    assert not Person.objects.exists()
