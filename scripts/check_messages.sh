#!/usr/bin/env bash
# The zh_Hans catalogue must cover the source: every msgid that `makemessages` finds has a
# translation, none is fuzzy.
#
#   scripts/check_messages.sh           extract into a temporary copy of hongqing/locale and report
#                                       msgids without a translation (the real .po is not touched);
#                                       a failure under CI=true, a warning otherwise
#   scripts/check_messages.sh --update  refresh hongqing/locale/zh_Hans/LC_MESSAGES/django.po itself
#                                       (new msgids arrive empty; translate them, then `make messages`)
#
# Needs xgettext/msgmerge/msgattrib (Debian package gettext).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
PO=hongqing/locale/zh_Hans/LC_MESSAGES/django.po
in_ci() { [[ ${CI:-} =~ ^([Tt]rue|TRUE|1|yes)$ ]]; }

mode=check
case "${1:-}" in
    "") ;;
    --update) mode=update ;;
    *) echo "usage: $0 [--update]" >&2; exit 2 ;;
esac

if ! command -v xgettext >/dev/null || ! command -v msgattrib >/dev/null; then
    if in_ci; then echo "check_messages: ERROR: gettext tools missing under CI" >&2; exit 1; fi
    printf '\n\033[1;31m!!! SKIPPED: message check (gettext tools missing; Debian package gettext) !!!\033[0m\n\n' >&2
    exit 0
fi

# The msgids of a .po on stdin, one a line (continuation lines joined), without the header.
msgids() {
    awk '/^msgid /{inid=1; s=$0; next} inid && /^"/{s=s " " $0; next} inid{if (s != "msgid \"\"") print s; inid=0}'
}

# makemessages with the project's options, writing into the locale folder $1.
extract() {
    "$PY" - "$1" <<'EOF'
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hongqing.config.settings")
django.setup()
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

locale_dir = os.path.abspath(sys.argv[1])
settings.LOCALE_PATHS = [locale_dir]
ignore = [".venv", "node_modules", "bench", "e2e", "tests", "staticfiles", "test-results", "media"]
if locale_dir != os.path.abspath("hongqing/locale"):
    ignore.append("hongqing/locale")  # else makemessages finds it and writes there
call_command(
    "makemessages",
    locale=["zh_Hans"],
    ignore_patterns=ignore,
    add_location="file",
    no_obsolete=True,
    verbosity=0,
)
EOF
}

if [[ $mode == update ]]; then
    extract hongqing/locale
    n=$( { msgattrib --untranslated "$PO"; msgattrib --only-fuzzy "$PO"; } | msgids | wc -l)
    echo "check_messages: $n msgid(s) to translate in $PO"
    exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r hongqing/locale "$tmp/locale"
extract "$tmp/locale"
out="$tmp/locale/zh_Hans/LC_MESSAGES/django.po"
todo=$( { msgattrib --untranslated "$out"; msgattrib --only-fuzzy "$out"; } | msgids)
if [[ -z $todo ]]; then
    echo "check_messages: every msgid has a Chinese translation"
    exit 0
fi
echo "check_messages: these msgids have no (or only a fuzzy) translation in $PO:" >&2
echo "$todo" | sed 's/^/  /' >&2
echo "  -> scripts/check_messages.sh --update, translate, make messages" >&2
if in_ci; then exit 1; fi
printf '\n\033[1;31m!!! WARNING: the Chinese catalogue is incomplete (a failure under CI) !!!\033[0m\n\n' >&2
exit 0
