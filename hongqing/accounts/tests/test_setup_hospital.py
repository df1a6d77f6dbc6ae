import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hongqing.accounts.models import RoleAssignment, User
from hongqing.organization.models import Hospital, PartyOrganization


def run(stdin_text, **kwargs):
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(stdin_text)
    try:
        call_command("setup_hospital", password_stdin=True, stdout=io.StringIO(), **kwargs)
    finally:
        sys.stdin = old


@pytest.mark.django_db
def test_it_creates_the_hospital_its_roots_and_three_separate_admins():
    run(
        "abc12345x\nabc12345y\nabc12345z\nabc12345w\n",
        name="某市妇幼保健院",
        code="msfy",
        kind="mch",
        office="dangban",
    )
    hospital = Hospital.objects.get(code="msfy")
    assert set(PartyOrganization.objects.filter(hospital=hospital).values_list("kind", flat=True)) == {
        "committee",
        "discipline_committee",
    }
    roles = dict(RoleAssignment.objects.values_list("user__username", "role"))
    assert roles == {
        "sysadmin": "system_admin",
        "secadmin": "security_admin",
        "auditadmin": "audit_admin",
        "dangban": "party_office",
    }
    assert not User.objects.filter(is_superuser=True).exists()


@pytest.mark.django_db
def test_a_weak_password_is_refused_and_nothing_is_written():
    with pytest.raises(CommandError):
        run("12345678\n", name="某市医院", code="ms")
    assert not Hospital.objects.exists()
    assert not User.objects.exists()
