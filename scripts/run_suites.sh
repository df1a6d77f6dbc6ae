#!/usr/bin/env bash
# The pytest suite on SQLite and on PostgreSQL at the same time, then both logs.
# PostgreSQL's run is the longer (every query a round trip): it goes on PG_WORKERS pytest-xdist workers
# (default 2, 0 for none) so that both finish at about the same time on two cores.
# Each run gets its own MEDIA_ROOT so uploaded test files cannot collide. Extra arguments go to pytest.
# PostgreSQL unavailable (with_postgres.sh exits 125): a failure under CI=true, a loud skip otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
in_ci() { [[ ${CI:-} =~ ^([Tt]rue|TRUE|1|yes)$ ]]; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

start=$(date +%s)
env -u DATABASE_URL MEDIA_ROOT="$tmp/media-sqlite" scripts/pytest.sh -q hongqing "$@" >"$tmp/sqlite.log" 2>&1 &
sqlite_pid=$!
pg_workers=${PG_WORKERS:-2}
xdist=()
[[ $pg_workers -gt 0 ]] && xdist=(-n "$pg_workers")
MEDIA_ROOT="$tmp/media-pg" scripts/with_postgres.sh scripts/pytest.sh -q "${xdist[@]}" hongqing "$@" >"$tmp/pg.log" 2>&1 &
pg_pid=$!
wait "$sqlite_pid"; sqlite_rc=$?
wait "$pg_pid"; pg_rc=$?

printf '\n\033[1;34m==> pytest on SQLite (exit %s)\033[0m\n' "$sqlite_rc"
cat "$tmp/sqlite.log"
printf '\n\033[1;34m==> pytest on PostgreSQL (exit %s)\033[0m\n' "$pg_rc"
cat "$tmp/pg.log"
printf '\nboth suites: %ss\n' "$(($(date +%s) - start))"

if [[ $pg_rc -eq 125 ]]; then
    if in_ci; then
        echo "ERROR: PostgreSQL tests are required under CI but no server could be started" >&2
        exit 1
    fi
    printf '\n\033[1;31m!!! SKIPPED: PostgreSQL tests (no PostgreSQL server available) !!!\033[0m\n\n' >&2
    pg_rc=0
fi
[[ $sqlite_rc -eq 0 && $pg_rc -eq 0 ]]
