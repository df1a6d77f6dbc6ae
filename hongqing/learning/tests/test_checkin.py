"""QR check-in: outside the window, an expired (rotated-out) code, a replayed confirmation, a forged
signature, a person not in the audience, a second check-in — each refused with its message; a good
one records the attendance once, with its proof. The pages and the API say the same."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing

from hongqing.learning.choices import RecordedVia, StudyAttendanceStatus
from hongqing.learning.models import CheckIn, StudyAttendance
from hongqing.learning.services import sessions as services
from hongqing.learning.services.sessions import CheckInRefused

from .learning_records import at, attend, session

START = at(3, 10, 19)  # a night school, 19:00–21:00


@pytest.fixture
def night(world):
    return session(world.branch_a, start=START, title="夜校：党章学习", hours="2")


def check_in(night, person, user, when, code_when=None):
    code = services.code_for(night, now=code_when or when)
    s, step = services.read_code(code, now=when)
    services.check_person(s, person)
    ticket = services.ticket_for(s, person, step)
    return services.check_in(ticket, person=person, actor=user, now=when)


def refused(fn, *args, **kwargs) -> CheckInRefused:
    with pytest.raises(CheckInRefused) as exc:
        fn(*args, **kwargs)
    return exc.value


def test_a_good_check_in_records_the_attendance_once_with_its_proof(world, night):
    when = START + dt.timedelta(minutes=5)
    att = check_in(night, world.person_a, world.member_a, when)
    assert (att.status, att.via, att.hours, att.counts) == (
        StudyAttendanceStatus.PRESENT,
        RecordedVia.CHECKIN,
        2,
        True,
    )
    proof = CheckIn.objects.get(person=world.person_a)
    assert proof.attendance == att and proof.at == when and proof.session == night
    assert StudyAttendance.objects.filter(session=night).count() == 1


def test_check_in_opens_before_the_start_and_closes_after_the_end(world, night):
    before = START - dt.timedelta(minutes=31)
    e = refused(services.read_code, services.code_for(night, now=before), now=before)
    assert e.reason == "window"
    after = night.end + dt.timedelta(minutes=31)
    e = refused(services.read_code, services.code_for(night, now=after), now=after)
    assert e.reason == "window"
    # Thirty minutes either side are inside the window.
    assert services.read_code(
        services.code_for(night, now=before + dt.timedelta(minutes=1)), now=before + dt.timedelta(minutes=1)
    )
    assert services.read_code(
        services.code_for(night, now=after - dt.timedelta(minutes=1)), now=after - dt.timedelta(minutes=1)
    )


def test_a_rotated_out_code_has_expired(world, night):
    shown = START + dt.timedelta(minutes=10)
    code = services.code_for(night, now=shown)
    # Still good a minute later (90 s of life)…
    assert services.read_code(code, now=shown + dt.timedelta(seconds=60))
    # …but a photo forwarded two minutes later is not.
    e = refused(services.read_code, code, now=shown + dt.timedelta(seconds=130))
    assert e.reason == "expired"
    assert services.code_for(night, now=shown) != services.code_for(
        night, now=shown + dt.timedelta(seconds=31)
    )


def test_a_forged_or_altered_code_is_refused(world, night):
    when = START + dt.timedelta(minutes=10)
    code = services.code_for(night, now=when)
    value, signature = code.rsplit(":", 1)
    session_id, step = value.split(".")
    for bad in (
        f"{session_id}.{int(step) + 5}:{signature}",  # a later step with the old signature
        f"{int(session_id) + 1}.{step}:{signature}",  # another session
        f"{value}:{signature[:-2]}xx",
        "anything",
        "",
        signing.Signer(salt="another.salt").sign(value),
    ):
        e = refused(services.read_code, bad, now=when)
        assert e.reason == "forged", bad


def test_a_code_from_the_future_is_refused(world, night):
    when = START + dt.timedelta(minutes=10)
    code = services.code_for(night, now=when + dt.timedelta(minutes=5))
    assert refused(services.read_code, code, now=when).reason == "forged"


def test_a_person_not_in_the_audience_is_refused(world, night):
    e = refused(services.check_person, night, world.person_b)  # a member of branch B
    assert e.reason == "audience"
    night.audience_persons.add(world.person_b)  # invited by name: now in (and branch A's are not)
    services.check_person(night, world.person_b)
    assert refused(services.check_person, night, world.person_a).reason == "audience"


def test_an_audience_of_organisations_includes_those_under_them(world, night):
    night.audience_organizations.add(world.committee)
    services.check_person(night, world.person_b)
    services.check_person(night, world.person_a)
    assert refused(services.check_person, night, world.person_h2).reason == "audience"


def test_a_second_check_in_is_refused(world, night):
    when = START + dt.timedelta(minutes=5)
    check_in(night, world.person_a, world.member_a, when)
    e = refused(check_in, night, world.person_a, world.member_a, when + dt.timedelta(minutes=1))
    assert e.reason == "already"
    assert StudyAttendance.objects.filter(session=night, person=world.person_a).count() == 1


def test_a_replayed_confirmation_is_refused_even_after_the_attendance_was_removed(world, night):
    when = START + dt.timedelta(minutes=5)
    s, step = services.read_code(services.code_for(night, now=when), now=when)
    ticket = services.ticket_for(s, world.person_a, step)
    att = services.check_in(ticket, person=world.person_a, actor=world.member_a, now=when)
    att.delete()  # the organiser removed it by mistake; the proof stays
    e = refused(services.check_in, ticket, person=world.person_a, actor=world.member_a, now=when)
    assert e.reason == "replayed"
    assert not StudyAttendance.objects.filter(session=night).exists()


def test_someone_elses_confirmation_is_refused(world, night):
    when = START + dt.timedelta(minutes=5)
    s, step = services.read_code(services.code_for(night, now=when), now=when)
    ticket = services.ticket_for(s, world.person_a, step)
    e = refused(services.check_in, ticket, person=world.secretary_a.person, actor=world.secretary_a, now=when)
    assert e.reason == "forged"
    tampered = ticket[:-3] + ("AAA" if not ticket.endswith("AAA") else "BBB")
    assert (
        refused(services.check_in, tampered, person=world.person_a, actor=world.member_a, now=when).reason
        == "forged"
    )


def test_a_check_in_turns_a_recorded_leave_into_presence(world, night):
    attend(night, [world.person_a], StudyAttendanceStatus.LEAVE)
    att = check_in(night, world.person_a, world.member_a, START + dt.timedelta(minutes=2))
    assert (att.status, att.reason, att.via) == (StudyAttendanceStatus.PRESENT, "", RecordedVia.CHECKIN)
    assert StudyAttendance.objects.filter(session=night).count() == 1


def test_one_batch_of_an_activity_counts(world):
    trip = session(world.branch_a, start=at(4, 1, 8), minutes=60 * 10, title="红色教育：井冈山", hours="8")
    b1 = services.add_batch(trip, start=at(4, 1, 8), end=at(4, 1, 18), actor=world.secretary_a)
    b2 = services.add_batch(
        trip, start=at(4, 8, 8), end=at(4, 8, 18), place="井冈山", actor=world.secretary_a
    )
    assert (b1.batch_number, b2.batch_number, b2.hours, b2.place) == (1, 2, 8, "井冈山")
    check_in(b1, world.person_a, world.member_a, at(4, 1, 8, 10))
    e = refused(check_in, b2, world.person_a, world.member_a, at(4, 8, 8, 10))
    assert e.reason == "already"
    # The activity itself takes no attendance, its batches do.
    assert refused(services.check_person, trip, world.secretary_a.person).reason == "forged"
    assert services.counts(trip)["counted"] == 1
