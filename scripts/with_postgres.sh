#!/usr/bin/env bash
# Run a command against PostgreSQL.
#
#   scripts/with_postgres.sh CMD [ARGS...]
#
# If DATABASE_URL already points at PostgreSQL, CMD just runs with it. Otherwise a throwaway
# server is started for the duration of CMD: initdb into a temp dir, 127.0.0.1 on the first free
# port from 5433 (PG_PORT to start elsewhere), fsync off, Unix socket inside the temp dir. CMD sees
# DATABASE_URL=postgres://postgres@127.0.0.1:PORT/postgres (trust auth); pytest-django creates
# its test database (test_postgres) there itself. The server is stopped (-m immediate) and the dir
# removed on exit, whatever happens.
#
# Exit status: CMD's; 125 when no PostgreSQL server could be provided (binaries missing and we
# cannot install them, or the server would not start), so callers can tell "no database" from
# "tests failed".
set -euo pipefail

NO_SERVER=125
log() { echo "with_postgres: $*" >&2; }

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

case "${DATABASE_URL:-}" in
    postgres://* | postgresql://* | pgsql://* | postgis://*)
        log "using DATABASE_URL from the environment"
        exec "$@"
        ;;
esac

# PG_BINDIR overrides the search of Debian's /usr/lib/postgresql/*/bin (highest version wins).
find_bindir() {
    local d=${PG_BINDIR:-}
    [[ -n $d ]] || d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n $d && -x $d/initdb && -x $d/pg_ctl ]]; then echo "$d"; fi
}

bindir=$(find_bindir)
if [[ -z $bindir ]]; then
    if [[ $EUID -eq 0 && -z ${PG_BINDIR:-} ]] && command -v apt-get >/dev/null; then
        log "PostgreSQL binaries missing: apt-get install -y postgresql"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2 || true
        bindir=$(find_bindir)
    fi
    if [[ -z $bindir ]]; then
        log "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (install Debian's postgresql as root)"
        exit $NO_SERVER
    fi
fi

# initdb refuses to run as root: as root, the server runs as the postgres user.
if [[ $EUID -eq 0 ]]; then
    if ! id -u postgres >/dev/null 2>&1; then
        log "running as root but there is no postgres user to own the server"
        exit $NO_SERVER
    fi
    as_pg() { (cd "$dir" && runuser -u postgres -- "$@"); }
else
    as_pg() { (cd "$dir" && "$@"); }
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/hongqing-pg.XXXXXX")
chmod 700 "$dir"
[[ $EUID -eq 0 ]] && chown postgres: "$dir"
cleanup() {
    if [[ -f $dir/data/postmaster.pid ]]; then
        as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! as_pg "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$dir/initdb.log" 2>&1; then
    log "initdb failed:"
    cat "$dir/initdb.log" >&2
    exit $NO_SERVER
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port=${PG_PORT:-5433}
last=$((port + 50))
while :; do
    if ((port > last)); then
        log "no free port found up to $last"
        exit $NO_SERVER
    fi
    if port_in_use "$port"; then
        port=$((port + 1))
        continue
    fi
    if as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null 2>&1; then
        break
    fi
    # Lost a race for the port, or a real failure: say which, then try the next port or give up.
    if grep -q "could not bind\|Address already in use" "$dir/server.log" 2>/dev/null; then
        : >"$dir/server.log"
        port=$((port + 1))
        continue
    fi
    log "the server did not start:"
    cat "$dir/server.log" >&2 2>/dev/null || true
    exit $NO_SERVER
done

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir)"

set +e
"$@"
status=$?
set -e
exit $status
