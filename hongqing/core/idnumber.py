"""Chinese resident ID numbers (GB 11643-1999): checksum, birth date and gender."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# ASCII digits only: \d would also accept full-width and other Unicode digits.
_PATTERN = re.compile(r"[0-9]{17}[0-9X]")


class InvalidIdNumber(ValueError):
    pass


@dataclass(frozen=True)
class IdNumberInfo:
    number: str
    birth_date: dt.date
    gender: str  # "M" or "F"


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalize(raw: str) -> str:
    return (raw or "").strip().replace(" ", "").upper()


def _today() -> dt.date:
    try:
        from django.utils import timezone

        return timezone.localdate()  # the hospital's date (Asia/Shanghai), not the server's UTC date
    except Exception:  # outside a configured Django project
        return dt.date.today()


def parse(raw: str, today: dt.date | None = None) -> IdNumberInfo:
    """Validate an 18-digit ID number; raise InvalidIdNumber with a Chinese-ready reason code."""
    number = normalize(raw)
    if not _PATTERN.fullmatch(number):
        raise InvalidIdNumber("format")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise InvalidIdNumber("date") from exc
    if birth.year < 1900 or birth > (today or _today()):
        raise InvalidIdNumber("date")
    if check_digit(number[:17]) != number[17]:
        raise InvalidIdNumber("checksum")
    return IdNumberInfo(number, birth, "M" if int(number[16]) % 2 else "F")


def mask(number: str) -> str:
    """``110105********123X``: region and the last four stay visible."""
    if not number:
        return ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
