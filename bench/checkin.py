#!/usr/bin/env python
"""Check-in burst: 200 members check in to one study session within 60 s, against gunicorn.

    .venv/bin/python bench/checkin.py [--database-url URL] [--members 200] [--within 60]
                                      [--workers 2] [--json PATH]

Builds its own data in a fresh database (the PostgreSQL database ``hongqing_bench_checkin`` on the
server of ``--database-url`` or ``DATABASE_URL``, dropped and created again; else
bench/out/checkin.sqlite3): a hospital, its committee and one branch of ``--members`` members, each
with an account, the branch's duty list of the year (each check-in re-evaluates its study-hours duty)
and a night school of the branch happening now. Each member's browser session is
created in the database beforehand (the burst measures checking in, not logging in: a login is
PBKDF2's time).

Then gunicorn (``--workers`` sync workers, DEBUG off, the production settings otherwise) serves,
and one thread per member, at a moment drawn uniformly (seeded) within ``--within`` seconds, does
what the phone does: opens the check-in link of the code the organiser's screen shows at that
moment (``scan``: the page checks the code and gives a single-use confirmation), taps the button
(``confirm``: the attendance and its proof are written) and follows the redirect to My study
(``my study``). Each request on a new connection, as a phone on the ward's Wi-Fi.

Prints the latency of each step (median, p95, max, in ms), the throughput, the machine's load
average, and checks the result: every member recorded exactly once (attendance and check-in
rows), nobody refused, and a replay of ten confirmations refused with nothing added.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    OUT_DIR,
    PROJECT_DIR,
    PYTHON,
    django_env,
    is_sqlite,
    median,
    percentile,
    redact,
    scale_url,
    setup_django,
    sqlite_path,
)

HOST = "127.0.0.1"
SCALE = "checkin"
SEED = 2026


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def prepare_database(url: str) -> None:
    if is_sqlite(url):
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
    else:
        from generate import pg_prepare

        pg_prepare(url, fresh=True)
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=PROJECT_DIR,
        env=django_env(url),
        check=True,
    )


def build(members: int) -> dict:
    """The hospital, the branch, the members with their accounts and sessions, the night school."""
    from auditlog.context import disable_auditlog
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction
    from django.utils import timezone

    from hongqing.accounts.choices import Role
    from hongqing.accounts.models import RoleAssignment, User
    from hongqing.learning.models import StudySession
    from hongqing.organization.choices import OrgKind
    from hongqing.organization.models import Hospital, PartyOrganization
    from hongqing.people.choices import Stage
    from hongqing.people.models import Membership, Person

    started = time.perf_counter()
    with disable_auditlog(), transaction.atomic():
        hospital = Hospital.objects.create(name="签到压测医院", code="bench-checkin", kind="mch")
        committee = PartyOrganization.objects.add_root(
            dict(hospital=hospital, name="院党委", kind=OrgKind.COMMITTEE)
        )
        branch = PartyOrganization.objects.add_child(
            committee, dict(hospital=hospital, name="内科党支部", kind=OrgKind.BRANCH)
        )
        users = []
        for i in range(members):
            u = User(username=f"m{i:04d}", display_name=f"党员{i:04d}")
            u.set_unusable_password()
            users.append(u)
        User.objects.bulk_create(users)
        users = list(User.objects.filter(username__startswith="m").order_by("username"))
        persons = Person.objects.bulk_create(
            [
                Person(hospital=hospital, staff_no=f"B{i:05d}", name=f"党员{i:04d}", gender="F", user=u)
                for i, u in enumerate(users)
            ]
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    person=p, organization=branch, stage=Stage.FULL, conversion_date=dt.date(2015, 7, 1)
                )
                for p in persons
            ]
        )
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=u, role=Role.MEMBER, organization=branch) for u in users]
        )
        now = timezone.now()
        session = StudySession.objects.create(
            organization=branch,
            kind="night_school",
            title="夜校：签到压测",
            start=now - dt.timedelta(minutes=5),
            end=now + dt.timedelta(hours=2),
            hours=2,
        )
        # The branch's duty list of the year: each check-in re-evaluates its study-hours duty, as in use.
        from hongqing.party.services.duties import sync_obligations

        sync_obligations([branch], now.year)
        cookies = {}
        for u in users:
            s = SessionStore()
            s[SESSION_KEY] = str(u.pk)
            s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # the model backend
            s[HASH_SESSION_KEY] = u.get_session_auth_hash()
            s["_hq_last_seen"] = int(time.time())
            s.create()
            cookies[u.pk] = s.session_key
    return {
        "session": session,
        "persons": [(p.pk, p.user_id) for p in persons],
        "cookies": cookies,
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "seconds": time.perf_counter() - started,
    }


def start_server(url: str, port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(PYTHON).parent / "gunicorn"
    cmd = [
        str(gunicorn),
        "hongqing.config.wsgi",
        f"--workers={workers}",
        f"--bind={HOST}:{port}",
        "--log-level=warning",
    ]
    log = open(OUT_DIR / "gunicorn-checkin.log", "ab")  # noqa: SIM115 (kept open for the server's life)
    proc = subprocess.Popen(cmd, cwd=PROJECT_DIR, env=django_env(url), stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(
                f"checkin: gunicorn exited ({proc.returncode}); see bench/out/gunicorn-checkin.log"
            )
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("checkin: gunicorn did not answer within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Phone:
    """One member's browser: the session cookie (created beforehand) and the CSRF cookie it is given."""

    def __init__(self, port: int, cookie_name: str, session_key: str):
        self.port = port
        self.cookies = {cookie_name: session_key}

    def request(self, method: str, path: str, body: str | None = None):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "User-Agent": "bench-phone",
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        elapsed = (time.perf_counter() - started) * 1000
        for header, value in resp.getheaders():
            if header.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return resp.status, resp.getheader("Location"), data.decode("utf-8", "replace"), elapsed


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    return html.unescape(match.group(1)) if match else ""


def burst(port: int, data: dict, within: float) -> dict:
    from urllib.parse import quote, urlencode

    from hongqing.learning.services import sessions as services

    session = data["session"]
    hospital_id = session.organization.hospital_id
    period = services.rules(hospital_id).value("learning.checkin_code_seconds", hospital_id)
    from django.db import connection

    connection.close()  # the threads below sign codes without the database
    rng = random.Random(SEED)
    plan = sorted((rng.uniform(0, within), pid, uid) for pid, uid in data["persons"])
    results: list[dict] = []
    lock = threading.Lock()
    t0 = time.monotonic() + 1.0

    def one(at: float, uid: int):
        out = {"ok": False}
        try:
            time.sleep(max(0.0, t0 + at - time.monotonic()))
            phone = Phone(port, data["cookie_name"], data["cookies"][uid])
            # What the organiser's screen shows now (signed here: no database connection per thread).
            code = services.sign_code(session.pk, int(time.time()) // period)
            path = f"/learning/check-in/{quote(code, safe='.:')}/"
            status, _loc, page, scan = phone.request("GET", path)
            out.update(scan=scan, scan_status=status)
            ticket = hidden(page, "ticket")
            body = urlencode({"csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"), "ticket": ticket})
            status, location, _page, confirm = phone.request("POST", path, body)
            out.update(confirm=confirm, confirm_status=status, ticket=ticket, phone=phone, path=path)
            if status == 302 and location:
                status2, _l, _p, mine = phone.request(
                    "GET", urlsplit(location).path + "?" + (urlsplit(location).query or "")
                )
                out.update(mine=mine, ok=status2 == 200)
        except Exception as exc:  # noqa: BLE001 - a failed request is a result
            out["error"] = repr(exc)
        with lock:
            results.append(out)

    threads = [threading.Thread(target=one, args=(at, uid)) for at, _pid, uid in plan]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started - 1.0
    return {"results": results, "wall": wall}


def summarise(name: str, values: list[float]) -> dict:
    return {
        "step": name,
        "n": len(values),
        "median": median(values),
        "p95": percentile(values, 95),
        "max": max(values) if values else float("nan"),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--within", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    OUT_DIR.mkdir(exist_ok=True)
    url = (
        scale_url(args.database_url, SCALE)
        if args.database_url
        else f"sqlite:///{OUT_DIR / 'checkin.sqlite3'}"
    )
    vendor = "SQLite" if is_sqlite(url) else "PostgreSQL"
    print(
        f"checkin: {args.members} members within {args.within:.0f} s, gunicorn {args.workers} workers, {vendor} ({redact(url)})",
        flush=True,
    )
    prepare_database(url)
    from list_latency import ensure_static

    ensure_static(url)  # DEBUG off serves the collected files (the manifest)
    setup_django(url)
    data = build(args.members)
    print(f"checkin: data built in {data['seconds']:.1f} s", flush=True)
    if not is_sqlite(url):
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    from django.db import connection

    connection.close()  # the server's workers have the database; this process only reads codes
    port = free_port()
    proc = start_server(url, port, args.workers)
    load_before = os.getloadavg()
    try:
        run = burst(port, data, args.within)
        load_after = os.getloadavg()
        # A replay of ten confirmations: refused, nothing added.
        done = [r for r in run["results"] if r.get("ticket")]
        replays = []
        for r in done[:10]:
            status, _l, page, _ms = r["phone"].request(
                "POST",
                r["path"],
                f"csrfmiddlewaretoken={r['phone'].cookies.get('csrftoken', '')}&ticket={r['ticket']}",
            )
            replays.append(status)
    finally:
        stop_server(proc)

    from hongqing.learning.models import CheckIn, StudyAttendance

    session = data["session"]
    rows = StudyAttendance.objects.filter(session=session)
    recorded = rows.count()
    distinct = rows.values("person").distinct().count()
    proofs = CheckIn.objects.filter(session=session, attendance__isnull=False).count()
    results = run["results"]
    ok = [r for r in results if r.get("ok")]
    errors = [
        r.get("error") or (r.get("scan_status"), r.get("confirm_status")) for r in results if not r.get("ok")
    ]
    both = [r["scan"] + r["confirm"] for r in ok]
    steps = [
        summarise("scan (GET the check-in page)", [r["scan"] for r in ok]),
        summarise("confirm (POST: attendance + proof)", [r["confirm"] for r in ok]),
        summarise("check-in (scan + confirm)", both),
        summarise("my study (after the redirect)", [r["mine"] for r in ok]),
    ]
    print(
        f"\ncheckin: {len(ok)} of {len(results)} checked in, wall {run['wall']:.1f} s "
        f"({len(ok) / run['wall']:.1f} check-ins/s); load average {load_before[0]:.2f} → {load_after[0]:.2f}"
    )
    print(f"{'step':38} {'n':>4} {'median':>8} {'p95':>8} {'max':>8}   (ms)")
    for s in steps:
        print(f"{s['step']:38} {s['n']:>4} {s['median']:>8.1f} {s['p95']:>8.1f} {s['max']:>8.1f}")
    checks = {
        "attendance rows": recorded,
        "distinct persons": distinct,
        "check-in proofs": proofs,
        "refused or failed": len(errors),
        "replays refused (422)": sum(1 for s in replays if s == 422),
        "replays": len(replays),
    }
    print("result:", ", ".join(f"{k} {v}" for k, v in checks.items()))
    good = (
        recorded == distinct == proofs == args.members
        and not errors
        and checks["replays refused (422)"] == len(replays)
    )
    print("checkin: every member recorded exactly once" if good else f"checkin: PROBLEM {errors[:5]}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "database": vendor,
                    "members": args.members,
                    "within": args.within,
                    "workers": args.workers,
                    "wall": run["wall"],
                    "load": [load_before[0], load_after[0]],
                    "steps": steps,
                    "checks": checks,
                    "ok": good,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
