#!/usr/bin/env python3
"""Fill translations into the zh_Hans catalogue from a TSV file, and list what is still missing.

    scripts/check_messages.sh --update            # new msgids arrive empty
    .venv/bin/python scripts/fill_messages.py --missing            # print them, one a line
    .venv/bin/python scripts/fill_messages.py FILE.tsv [FILE.tsv…] # fill them

Each line of a TSV file is ``msgid<TAB>msgstr`` (``msgctxt<TAB>msgid<TAB>msgstr`` for a pgettext
entry); ``\\n`` in either stands for a newline. Only empty or fuzzy entries are filled, so a
translation already in the catalogue wins; the fuzzy flag is removed. Then ``make messages``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "hongqing/locale/zh_Hans/LC_MESSAGES/django.po"


def _unescape(text: str) -> str:
    return text.replace("\\n", "\n").replace("\\t", "\t")


def read_tsv(path: str) -> dict[tuple[str | None, str], str]:
    out = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) == 2:
            ctx, msgid, msgstr = None, *parts
        elif len(parts) == 3:
            ctx, msgid, msgstr = parts
        else:
            sys.exit(f"{path}:{number}: expected msgid<TAB>msgstr (or msgctxt<TAB>msgid<TAB>msgstr)")
        out[(ctx, _unescape(msgid))] = _unescape(msgstr)
    return out


def todo(po) -> list:
    return [e for e in po if not e.obsolete and (not e.msgstr or "fuzzy" in e.flags) and not e.msgid_plural]


def main(argv: list[str]) -> int:
    po = polib.pofile(str(PO), wrapwidth=0)
    if not argv or argv == ["--missing"]:
        for entry in todo(po):
            ctx = f"{entry.msgctxt}\t" if entry.msgctxt else ""
            print(ctx + entry.msgid.replace("\n", "\\n"))
        return 0
    table: dict = {}
    for path in argv:
        table.update(read_tsv(path))
    filled = 0
    for entry in todo(po):
        value = table.get((entry.msgctxt, entry.msgid))
        if value:
            entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
                entry.previous_msgid = entry.previous_msgctxt = None
            filled += 1
    po.save(str(PO))
    # gettext's own line wrapping, as makemessages writes it (polib wraps differently).
    subprocess.run(["msgcat", "--output-file", str(PO), str(PO)], check=True)
    left = len(todo(po))
    print(f"fill_messages: {filled} filled, {left} still without a translation")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
