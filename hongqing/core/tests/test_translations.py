"""The Chinese catalogue is complete and is what the pages speak.

Completeness against the *source* (msgids not yet in the .po) is checked by
``scripts/check_messages.sh`` in ``make test``; these tests check the catalogue itself and that the
compiled catalogue is used.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]")  # %(name)s, %(n)02d, %s
# Visible English a page must not show in Chinese (as element text).
ENGLISH_UI = [
    ">Add<",
    ">Edit<",
    ">Delete<",
    ">Filter<",
    ">Reset<",
    ">Search<",
    ">Save<",
    ">Cancel<",
    ">Home<",
    ">Log in<",
    ">Log out<",
    ">Change password<",
    "My tasks",
    "Export to Excel",
    "HongQing",
    "Organisation",
    "Persons",
]


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def parse_po(text: str) -> list[Entry]:
    """msgctxt/msgid/msgid_plural/msgstr[n] blocks of a .po file, with their flags (stdlib only)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    key: tuple[str, int] | None = None

    def value(quoted: str) -> str:
        return ast.literal_eval(quoted)

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            entry, key = None, None
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#~"):
            entry.obsolete = True
        elif line.startswith("#,"):
            entry.flags.update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            pass
        elif line.startswith('"'):
            name, index = key
            if name == "msgstr":
                entry.msgstr[index] += value(line)
            else:
                setattr(entry, name, getattr(entry, name) + value(line))
        else:
            word, _sep, rest = line.partition(" ")
            if m := re.fullmatch(r"msgstr\[(\d+)\]", word):
                key = ("msgstr", int(m.group(1)))
                entry.msgstr[key[1]] = value(rest)
            elif word == "msgstr":
                key = ("msgstr", 0)
                entry.msgstr[0] = value(rest)
            elif word in ("msgid", "msgid_plural", "msgctxt"):
                key = (word, 0)
                setattr(entry, word, value(rest))
            else:
                raise AssertionError(f"{PO.name}:{number}: cannot read {raw!r}")
    return entries


def messages() -> list[Entry]:
    return [e for e in parse_po(PO.read_text(encoding="utf-8")) if not e.obsolete and e.msgid]


def where(e: Entry) -> str:
    ctx = f" [{e.msgctxt}]" if e.msgctxt else ""
    return f"{PO.name}:{e.line}{ctx} {e.msgid!r}"


def test_the_parser_reads_the_catalogue():
    entries = parse_po(PO.read_text(encoding="utf-8"))
    header = [e for e in entries if e.msgid == "" and not e.obsolete]
    assert len(header) == 1 and "nplurals=1; plural=0;" in header[0].msgstr[0]
    assert len(messages()) > 300


def test_every_msgid_is_translated():
    empty = [where(e) for e in messages() if not all(s.strip() for s in e.msgstr.values()) or not e.msgstr]
    assert not empty, "untranslated:\n" + "\n".join(empty)


def test_no_entry_is_fuzzy():
    fuzzy = [where(e) for e in parse_po(PO.read_text(encoding="utf-8")) if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy (not used by gettext):\n" + "\n".join(fuzzy)


def test_plural_entries_have_the_single_chinese_form():
    wrong = [where(e) for e in messages() if e.msgid_plural is not None and set(e.msgstr) != {0}]
    assert not wrong, "Chinese has one plural form (msgstr[0] only):\n" + "\n".join(wrong)


def test_translations_keep_the_placeholders_and_have_no_stray_spaces():
    problems = []
    for e in messages():
        expected = sorted(PLACEHOLDER.findall(e.msgid))
        for s in e.msgstr.values():
            if sorted(PLACEHOLDER.findall(s)) != expected:
                problems.append(f"{where(e)}: placeholders {s!r}")
            if s != s.strip():
                problems.append(f"{where(e)}: leading or trailing space {s!r}")
    assert not problems, "\n".join(problems)


def test_translations_are_chinese():
    # An entry copied through in English is as bad as an empty one; a msgstr of placeholders and
    # Chinese punctuation only ("%(item)s：%(error)s") is fine.
    def english(s: str) -> bool:
        words = PLACEHOLDER.sub("", s)
        return not any("\u4e00" <= ch <= "\u9fff" for ch in words) and bool(re.search("[A-Za-z]{2}", words))

    latin_only = [where(e) for e in messages() if any(english(s) for s in e.msgstr.values())]
    assert not latin_only, "msgstr without Chinese:\n" + "\n".join(latin_only)


# ---------------------------------------------------------------------------------------------
# The pages speak Chinese by default


@pytest.fixture
def compiled():
    """The compiled catalogue is needed (``make messages``); a failure under CI, a skip elsewhere."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        msg = f"{MO} is missing or older than the .po: run `make messages`"
        if re.fullmatch(r"[Tt]rue|TRUE|1|yes", os.environ.get("CI", "")):
            pytest.fail(msg)
        pytest.skip(msg)


def assert_chinese(html: str, *expected: str) -> None:
    for text in expected:
        assert text in html, f"{text!r} not on the page"
    english = [w for w in ENGLISH_UI if w in html]
    assert not english, f"English on a Chinese page: {english}"


def test_login_page_is_chinese(client, db, compiled):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert_chinese(html, '<html lang="zh-hans">', "登录", "用户名", "密码", "红擎", "党建引领高质量发展")


def test_home_page_is_chinese(client, world, compiled):
    client.force_login(world.office)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert_chinese(response.content.decode(), "首页", "我的待办", "退出登录", "修改密码", "职工", "党组织")


def test_a_list_page_is_chinese(client, world, compiled):
    client.force_login(world.office)
    response = client.get(reverse("people:person_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert_chinese(html, "筛选", "重置", "导出Excel", "新增", "工号", "姓名")
    assert '<option value="" selected>全部</option>' in html and "---------" not in html


def test_chinese_even_for_an_english_browser(client, db, compiled):
    # Ward PCs often run an English system: Chinese stays the default until a user chooses.
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "登录" in response.content.decode()


def test_english_is_still_offered_when_chosen(client, db, compiled):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    html = client.get(reverse("accounts:login")).content.decode()
    assert ">Log in<" in html and "登录" not in html


def test_history_names_fields_and_choices_in_chinese(client, world, compiled):
    person = world.person_b
    person.phone, person.gender, person.post = "13900001111", "M", "护士长"
    person.save()
    client.force_login(world.office)
    response = client.get(reverse("people:person_history", args=[person.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<b>联系电话</b>" in html and "<b>性别</b>: 女 → 男" in html
    assert "<b>phone</b>" not in html and "<b>gender</b>" not in html
