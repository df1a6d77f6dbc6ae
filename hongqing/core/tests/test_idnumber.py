"""ID numbers (GB 11643-1999): checksum, dates, normalisation, masking; generated numbers by hypothesis."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from hongqing.core import idnumber
from hongqing.core.idnumber import InvalidIdNumber, check_digit, mask, normalize, parse


def make(first17: str) -> str:
    return first17 + check_digit(first17)


def reason(raw) -> str:
    with pytest.raises(InvalidIdNumber) as exc:
        parse(raw)
    return str(exc.value)


class TestParse:
    def test_valid_number(self):
        info = parse("11010519491231002X")
        assert info.number == "11010519491231002X"
        assert info.birth_date == dt.date(1949, 12, 31)
        assert info.gender == "F"

    def test_male_from_odd_sequence_digit(self):
        number = make("11010519800101001")  # 17th digit 1: male
        info = parse(number)
        assert info.gender == "M"
        assert info.birth_date == dt.date(1980, 1, 1)

    def test_female_from_even_sequence_digit(self):
        assert parse(make("11010519800101002")).gender == "F"

    def test_wrong_check_digit(self):
        good = make("11010519800101001")
        wrong = good[:17] + ("0" if good[17] != "0" else "1")
        assert reason(wrong) == "checksum"

    def test_impossible_date(self):
        assert reason(make("11010519990230001")) == "date"  # 30 February
        assert reason(make("11010519991301001")) == "date"  # month 13
        assert reason(make("11010519990100001")) == "date"  # day 0

    def test_29_february_only_in_leap_years(self):
        assert parse(make("11010520000229001")).birth_date == dt.date(2000, 2, 29)
        assert reason(make("11010519990229001")) == "date"

    def test_before_1900_refused(self):
        assert reason(make("11010518991231001")) == "date"

    def test_lower_case_x_accepted_and_normalised(self):
        info = parse("11010519491231002x")
        assert info.number == "11010519491231002X"
        assert normalize("11010519491231002x") == "11010519491231002X"

    def test_spaces_are_removed(self):
        assert parse(" 110105 19491231 002X ").number == "11010519491231002X"

    @pytest.mark.parametrize(
        "raw",
        [
            "",
            "110105491231002",  # 15-digit first-generation number
            "11010519491231002",  # 17 digits
            "11010519491231002X1",  # 19 characters
            "1101051949123100XX",  # X not last
            "X10105194912310021",
            "11010519491231002Y",
            "11010519491231-02X",
            "ABCDEFGHIJKLMNOPQR",
        ],
    )
    def test_malformed(self, raw):
        assert reason(raw) == "format"

    def test_none_is_malformed(self):
        assert reason(None) == "format"

    def test_non_ascii_digits_refused(self):
        # Full-width and other Unicode digits look like digits to \d and int(); they are not ID numbers.
        fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in "11010519491231002X")
        assert reason(fullwidth) == "format"
        arabic = "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X"
        assert reason(arabic) == "format"

    def test_future_birth_date(self):
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        assert reason(make(f"110105{tomorrow:%Y%m%d}001")) == "date"

    def test_birth_today_is_accepted(self):
        today = timezone.localdate()
        assert parse(make(f"110105{today:%Y%m%d}001")).birth_date == today

    def test_today_is_the_local_date(self):
        # Asia/Shanghai is ahead of UTC: a child born today in China is not "in the future".
        today = dt.date(2026, 3, 1)
        assert parse(make("11010520260301001"), today=today).birth_date == today
        assert reason_on(make("11010520260302001"), today) == "date"


def reason_on(raw, today) -> str:
    with pytest.raises(InvalidIdNumber) as exc:
        parse(raw, today=today)
    return str(exc.value)


class TestMask:
    def test_shape(self):
        assert mask("11010519491231002X") == "110105********002X"

    def test_shape_keeps_region_and_last_four(self):
        number = make("11010519800101123")
        masked = mask(number)
        assert masked == "110105********" + number[-4:]
        assert len(masked) == 18
        assert "1980" not in masked

    def test_empty_and_short(self):
        assert mask("") == ""
        assert mask(None) == ""
        assert mask("12345") == "*****"
        assert mask("1234567890") == "**********"


# Hypothesis: region + birth date + sequence + computed check digit.
regions = st.integers(min_value=110000, max_value=659999).map(str)
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31))
sequences = st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")


@st.composite
def valid_numbers(draw):
    first17 = f"{draw(regions)}{draw(births):%Y%m%d}{draw(sequences)}"
    return first17 + check_digit(first17)


@given(valid_numbers())
def test_generated_numbers_parse(number):
    info = parse(number)
    assert info.number == number
    assert info.birth_date == dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert info.gender == ("M" if int(number[16]) % 2 else "F")
    assert parse(number.lower()).number == number


@given(valid_numbers(), st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=10))
def test_changing_any_single_character_fails(number, position, shift):
    alphabet = "0123456789X" if position == 17 else "0123456789"
    current = alphabet.index(number[position])
    step = 1 + (shift - 1) % (len(alphabet) - 1)  # never a full turn
    changed = number[:position] + alphabet[(current + step) % len(alphabet)] + number[position + 1 :]
    assert changed != number
    with pytest.raises(InvalidIdNumber):
        parse(changed)


@given(valid_numbers(), st.integers(min_value=0, max_value=15))
def test_swapping_adjacent_different_digits_fails(number, position):
    a, b = number[position], number[position + 1]
    if a == b:
        return
    swapped = number[:position] + b + a + number[position + 2 :]
    with pytest.raises(InvalidIdNumber):
        parse(swapped)


def test_check_digit_table():
    # The remainder table of the standard: 0..10 → 1 0 X 9 8 7 6 5 4 3 2.
    assert idnumber._CHECK == "10X98765432"
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44052418800101001") == "4"
