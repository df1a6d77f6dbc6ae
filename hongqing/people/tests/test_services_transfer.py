"""Transfers (组织关系转接): the service moves the membership, keeps the history and audits the event."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils.translation import gettext

from hongqing.organization.models import PartyOrganization
from hongqing.people.choices import TransferKind
from hongqing.people.models import Membership, Transfer
from hongqing.people.services import transfer_membership

pytestmark = pytest.mark.django_db


def transfer_events(membership):
    return LogEntry.objects.filter(object_pk=str(membership.pk), additional_data__event="transfer")


class TestService:
    def test_moves_and_keeps_history(self, world):
        m = world.person_a.membership
        t = transfer_membership(
            m, to_organization=world.branch_b, date=dt.date(2026, 3, 1), actor=world.office, reason="科室调整"
        )
        m.refresh_from_db()
        assert m.organization == world.branch_b
        assert (t.from_organization, t.to_organization) == (world.branch_a, world.branch_b)
        assert (t.kind, t.date, t.reason, t.created_by) == (
            TransferKind.INTERNAL,
            dt.date(2026, 3, 1),
            "科室调整",
            world.office,
        )
        assert list(Transfer.objects.filter(membership=m)) == [t]

    def test_audits_the_event(self, world):
        m = world.person_a.membership
        t = transfer_membership(
            m, to_organization=world.branch_b, date=dt.date(2026, 3, 1), actor=world.office
        )
        entry = transfer_events(m).get()
        assert entry.actor == world.office
        assert entry.additional_data["to"] == world.branch_b.pk
        assert entry.additional_data["transfer"] == t.pk

    def test_two_transfers_two_rows(self, world):
        m = world.person_a.membership
        transfer_membership(m, to_organization=world.branch_b, date=dt.date(2026, 3, 1), actor=world.office)
        transfer_membership(m, to_organization=world.branch_a, date=dt.date(2026, 4, 1), actor=world.office)
        rows = list(Transfer.objects.filter(membership=m).order_by("date"))
        assert [(r.from_organization, r.to_organization) for r in rows] == [
            (world.branch_a, world.branch_b),
            (world.branch_b, world.branch_a),
        ]
        assert transfer_events(m).count() == 2

    def test_same_organisation_refused(self, world):
        m = world.person_a.membership
        with pytest.raises(ValueError) as exc:
            transfer_membership(
                m, to_organization=world.branch_a, date=dt.date(2026, 3, 1), actor=world.office
            )
        assert str(exc.value) == gettext("The membership is already in that organisation.")
        assert not Transfer.objects.exists()
        assert not transfer_events(m).exists()

    def test_other_hospital_refused(self, world):
        m = world.person_a.membership
        other = PartyOrganization.objects.get(hospital=world.hospital2, kind="branch")
        with pytest.raises(ValueError) as exc:
            transfer_membership(m, to_organization=other, date=dt.date(2026, 3, 1), actor=world.office)
        assert str(exc.value) == gettext("A transfer to another hospital is recorded as a transfer out.")
        m.refresh_from_db()
        assert m.organization == world.branch_a
        assert not Transfer.objects.exists()
        assert not transfer_events(m).exists()


class TestPage:
    def url(self, m):
        return reverse("people:membership_transfer", kwargs={"pk": m.pk})

    def test_office_sees_the_form(self, client, world):
        client.force_login(world.office)
        response = client.get(self.url(world.person_a.membership))
        assert response.status_code == 200
        choices = set(response.context["form"].fields["to_organization"].queryset)
        assert world.branch_b in choices
        assert world.branch_a not in choices  # the current organisation
        assert not any(o.hospital_id == world.hospital2.pk for o in choices)

    def test_office_transfers(self, client, world):
        client.force_login(world.office)
        m = world.person_a.membership
        response = client.post(
            self.url(m), {"to_organization": world.branch_b.pk, "date": "2026-03-01", "reason": "调岗"}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("people:membership_list")
        m.refresh_from_db()
        assert m.organization == world.branch_b
        t = Transfer.objects.get(membership=m)
        assert (t.from_organization, t.to_organization, t.created_by) == (
            world.branch_a,
            world.branch_b,
            world.office,
        )
        assert transfer_events(m).count() == 1

    @pytest.mark.parametrize("target", ["same", "other_hospital", "missing_date"])
    def test_bad_transfer_changes_nothing(self, client, world, target):
        client.force_login(world.office)
        m = world.person_a.membership
        data = {"to_organization": world.branch_b.pk, "date": "2026-03-01"}
        if target == "same":
            data["to_organization"] = world.branch_a.pk
        elif target == "other_hospital":
            data["to_organization"] = PartyOrganization.objects.get(
                hospital=world.hospital2, kind="branch"
            ).pk
        else:
            data["date"] = ""
        response = client.post(self.url(m), data)
        assert response.status_code == 422
        m.refresh_from_db()
        assert m.organization == world.branch_a
        assert not Transfer.objects.exists()
        field = "date" if target == "missing_date" else "to_organization"
        assert field in response.context["form"].errors

    def test_membership_of_another_hospital_is_404(self, client, world):
        client.force_login(world.office)
        assert client.get(self.url(world.person_h2.membership)).status_code == 404

    def test_member_may_not_transfer(self, client, world):
        client.force_login(world.member_a)
        m = world.person_a.membership
        response = client.post(self.url(m), {"to_organization": world.branch_b.pk, "date": "2026-03-01"})
        assert response.status_code in (403, 404)
        assert not Transfer.objects.exists()

    def test_history_on_the_membership_page(self, client, world):
        client.force_login(world.office)
        m = world.person_a.membership
        transfer_membership(m, to_organization=world.branch_b, date=dt.date(2026, 3, 1), actor=world.office)
        response = client.get(m.get_absolute_url())
        assert [(t.from_organization, t.to_organization) for t in response.context["transfers"]] == [
            (world.branch_a, world.branch_b)
        ]
        assert Membership.objects.get(pk=m.pk).organization == world.branch_b
