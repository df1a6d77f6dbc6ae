"""Person.clean: the ID number, and the birth date and gender derived from it and checked against it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from hongqing.core.idnumber import check_digit
from hongqing.core.testing.world import make_person
from hongqing.people.models import ID_ERRORS, Person

pytestmark = pytest.mark.django_db


def idn(birth: dt.date, seq: str = "001", region: str = "110105") -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq}"
    return first17 + check_digit(first17)


MALE_1985 = idn(dt.date(1985, 6, 15), "123")  # 17th digit 3: male
FEMALE_1990 = idn(dt.date(1990, 2, 3), "124")  # 17th digit 4: female


def tr(msgid: str, **params) -> str:
    """A message as the user reads it (the active language: Chinese by default)."""
    text = gettext(msgid)
    return text % params if params else text


def new_person(world, **kwargs):
    defaults = dict(hospital=world.hospital, staff_no="N0001", name="王小明", department=world.dept_a)
    defaults.update(kwargs)
    return Person(**defaults)


def errors_of(person) -> dict:
    with pytest.raises(ValidationError) as exc:
        person.full_clean()
    return exc.value.message_dict


class TestIdNumber:
    def test_valid_number_derives_birth_date_and_gender(self, world):
        p = new_person(world, id_number=MALE_1985, gender="")
        p.full_clean()
        assert p.birth_date == dt.date(1985, 6, 15)
        assert p.gender == "M"

    def test_female_derived(self, world):
        p = new_person(world, id_number=FEMALE_1990, gender="")
        p.full_clean()
        assert (p.birth_date, p.gender) == (dt.date(1990, 2, 3), "F")

    def test_matching_birth_date_and_gender_accepted(self, world):
        p = new_person(world, id_number=MALE_1985, gender="M", birth_date=dt.date(1985, 6, 15))
        p.full_clean()

    def test_lower_case_x_normalised(self, world):
        number = "11010519491231002X"
        p = new_person(world, id_number=number.lower(), gender="")
        p.full_clean()
        assert p.id_number == number
        p.save()
        p.refresh_from_db()
        assert p.id_number == number

    def test_wrong_check_digit(self, world):
        bad = MALE_1985[:17] + ("0" if MALE_1985[17] != "0" else "1")
        errors = errors_of(new_person(world, id_number=bad, gender="M"))
        assert errors["id_number"] == [str(ID_ERRORS["checksum"])]

    def test_impossible_date(self, world):
        first17 = "11010519990230123"
        errors = errors_of(new_person(world, id_number=first17 + check_digit(first17), gender="M"))
        assert errors["id_number"] == [str(ID_ERRORS["date"])]

    @pytest.mark.parametrize("raw", ["110105850615123", "1101051985061512", "11010519850615123Y", "abc"])
    def test_malformed(self, world, raw):
        errors = errors_of(new_person(world, id_number=raw, gender="M"))
        assert errors["id_number"] == [str(ID_ERRORS["format"])]

    def test_future_birth_date_in_number(self, world):
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        errors = errors_of(new_person(world, id_number=idn(tomorrow), gender="M"))
        assert "id_number" in errors

    def test_birth_date_mismatch_is_an_error_on_birth_date(self, world):
        errors = errors_of(
            new_person(world, id_number=MALE_1985, gender="M", birth_date=dt.date(1985, 6, 16))
        )
        assert list(errors) == ["birth_date"]
        assert errors["birth_date"] == [
            tr("The birth date does not match the ID number (%(d)s).", d="1985-06-15")
        ]

    def test_gender_mismatch_is_an_error_on_gender(self, world):
        errors = errors_of(new_person(world, id_number=MALE_1985, gender="F"))
        assert list(errors) == ["gender"]
        assert errors["gender"] == [tr("The gender does not match the ID number.")]

    def test_mismatch_leaves_entered_values(self, world):
        p = new_person(world, id_number=MALE_1985, gender="F", birth_date=dt.date(1985, 6, 16))
        errors_of(p)
        assert p.gender == "F" and p.birth_date == dt.date(1985, 6, 16)

    def test_messages_are_translatable(self, world):
        # Chinese-ready: every message is a gettext msgid (lazy), rendered in the active language.
        from django.utils.functional import Promise

        assert all(isinstance(m, Promise) for m in ID_ERRORS.values())

    def test_no_id_number_is_allowed(self, world):
        new_person(world, id_number="", gender="F").full_clean()

    def test_same_id_number_twice_in_a_hospital_refused(self, world):
        make_person(world.hospital, world.dept_a, "甲", id_number=MALE_1985, birth_date=dt.date(1985, 6, 15))
        errors = errors_of(new_person(world, id_number=MALE_1985, gender="M"))
        assert "__all__" in errors or "id_number" in errors

    def test_same_id_number_in_another_hospital_allowed(self, world):
        make_person(world.hospital2, None, "甲", id_number=MALE_1985, birth_date=dt.date(1985, 6, 15))
        new_person(world, id_number=MALE_1985, gender="M").full_clean()


class TestOtherFields:
    def test_future_birth_date(self, world):
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        errors = errors_of(new_person(world, gender="M", birth_date=tomorrow))
        assert errors["birth_date"] == [tr("The birth date is in the future.")]

    def test_birth_date_today_allowed(self, world):
        new_person(world, gender="M", birth_date=timezone.localdate()).full_clean()

    def test_department_of_another_hospital(self, world):
        from hongqing.organization.models import Department

        other = Department.objects.get(hospital=world.hospital2)
        errors = errors_of(new_person(world, gender="M", department=other))
        assert errors["department"] == [tr("The department belongs to another hospital.")]

    def test_duplicate_staff_number_in_hospital(self, world):
        errors = errors_of(new_person(world, gender="M", staff_no=world.person_a.staff_no))
        label = str(Person._meta.get_field("staff_no").verbose_name)
        assert any(label in m for m in errors["__all__"])

    def test_same_staff_number_in_another_hospital_allowed(self, world):
        new_person(
            world, gender="M", hospital=world.hospital2, department=None, staff_no=world.person_a.staff_no
        ).full_clean()


class TestPinyinKeys:
    def test_keys_on_create(self, world):
        assert (world.person_a.name_pinyin, world.person_a.name_initials) == ("zhangwei", "zw")

    def test_keys_follow_a_name_change(self, world):
        p = world.person_a
        p.name = "李娜"
        p.save()
        p.refresh_from_db()
        assert (p.name_pinyin, p.name_initials) == ("lina", "ln")

    def test_keys_follow_a_name_change_with_update_fields(self, world):
        p = world.person_a
        p.name = "王芳"
        p.save(update_fields=["name"])
        p.refresh_from_db()
        assert (p.name_pinyin, p.name_initials) == ("wangfang", "wf")

    def test_other_update_fields_leave_keys_alone(self, world):
        p = world.person_a
        p.phone = "13800000000"
        p.save(update_fields=["phone"])
        p.refresh_from_db()
        assert p.name_pinyin == "zhangwei"


class TestMasking:
    def test_masked_id_number(self, world):
        p = make_person(world.hospital, world.dept_a, "甲", id_number="11010519491231002X")
        assert p.masked_id_number == "110105********002X"

    def test_no_number_no_mask(self, world):
        assert world.person_a.masked_id_number == ""

    def test_long_name_keys_fit_their_columns(self, world):
        # 50 characters of six-letter pinyin is 300 letters; the column holds 200 (PostgreSQL refuses more).
        p = make_person(world.hospital, world.dept_a, "庄" * 50)
        p.refresh_from_db()
        assert p.name_pinyin == "zhuang" * 33 + "zh"
        assert p.name_initials == "z" * 50
