#!/usr/bin/env python
"""Latency of the person list against a minimal Django view, on a real server, in the same run.

    .venv/bin/python bench/list_latency.py [--scale hospital|region] [--database-url URL]
                                           [--requests 200] [--warmup 20] [--json PATH]

The database must hold the scale's data (bench/generate.py; run.py does both). The script starts
gunicorn on 127.0.0.1 (one gthread worker with one thread, so one request at a time and HTTP
keep-alive works) with DEBUG off, as in production, plus HONGQING_BENCH=1, which mounts the
baseline ``/bench/minimal/``: the full middleware stack and the login check, then "ok".
It logs each user in through the login form, then times every endpoint once per round, the
endpoints in a random (seeded) order each round, over one keep-alive connection per user
(http.client), ``--warmup`` rounds not counted. Latency = from sending the request to having read
the whole body, on the client.

Per endpoint: median, p10 and p90 in ms, the ratio of its median to the median of the minimal
view of the same user, and that ratio's spread: the lowest and highest ratio over blocks of 25
consecutive rounds. ``cpu``: the median CPU time the gunicorn worker spent on the request (all its
threads, from /proc/PID/task/*/schedstat, read before and after each request), and its ratio:
steadier than wall time on a machine shared with other work. ``queries`` is the number of SQL
queries of one such request (counted once, in-process with the test client).

hospital scale, as the Party office (3,000 staff in scope): the list page by page (60 pages of
50), with a search (``q=zw``), with a branch filter, and the API list page by page.
region scale (50 hospitals, 17,700 staff): the regional reader's list (all hospitals), the branch
secretary's (their branch's members and departments' staff) and the office's (one hospital).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    OUT_DIR,
    PROJECT_DIR,
    PYTHON,
    SCALES,
    default_url,
    django_env,
    median,
    percentile,
    redact,
    setup_django,
)

HOST = "127.0.0.1"
PASSWORD = "hongqing-demo"  # hongqing.core.demo.DEMO_PASSWORD
BLOCK = 25  # rounds per block for the ratio's spread
TARGET_RATIO = 3.0


@dataclass
class Endpoint:
    name: str
    user: str
    paths: list[str]  # one per page; round i uses paths[i * 7 % len]
    baseline: str | None = None  # the minimal endpoint's name for the ratio
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # the server worker's CPU time, ms
    nbytes: int = 0
    queries: int | None = None

    def path(self, i: int) -> str:
        return self.paths[(i * 7) % len(self.paths)]


# --- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def manage(url: str, *args: str) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=django_env(url),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def ensure_static(url: str) -> None:
    """collectstatic into bench/out/static (DEBUG off needs the manifest) when a source is newer."""
    manifest = OUT_DIR / "static" / "staticfiles.json"
    sources = [p for d in PROJECT_DIR.glob("hongqing/**/static") for p in d.rglob("*") if p.is_file()]
    newest = max((p.stat().st_mtime for p in sources), default=0)
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        print("list_latency: collectstatic into bench/out/static", flush=True)
        manage(url, "collectstatic", "--noinput", "-v", "0")


def start_server(url: str, port: int) -> subprocess.Popen:
    gunicorn = Path(PYTHON).parent / "gunicorn"
    cmd = [
        str(gunicorn),
        "hongqing.config.wsgi",
        "--workers=1",
        "--worker-class=gthread",
        "--threads=1",
        f"--bind={HOST}:{port}",
        "--keep-alive=60",
        "--log-level=warning",
    ]
    log = open(OUT_DIR / "gunicorn.log", "ab")  # noqa: SIM115 (kept open for the server's life)
    proc = subprocess.Popen(
        cmd, cwd=PROJECT_DIR, env=django_env(url, HONGQING_BENCH="1"), stdout=log, stderr=log
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"list_latency: gunicorn exited ({proc.returncode}); see bench/out/gunicorn.log")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("list_latency: gunicorn did not answer within 60 s; see bench/out/gunicorn.log")


def worker_pid(master: int) -> int | None:
    """The gunicorn worker's pid (the master's only child), or None when /proc cannot tell."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return None
    return int(children[0]) if children else None


def cpu_ms(pid: int | None) -> float | None:
    """CPU time of all the threads of ``pid`` so far (ns precision, from /proc/PID/task/*/schedstat)."""
    if pid is None:
        return None
    try:
        total = 0
        for tid in os.listdir(f"/proc/{pid}/task"):
            total += int(Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split()[0])
        return total / 1e6
    except (OSError, ValueError, IndexError):
        return None


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- the client ----------------------------------------------------------------------------


class Session:
    """One logged-in user over one keep-alive connection."""

    def __init__(self, port: int, username: str):
        self.port = port
        self.username = username
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.reconnects = 0

    def _headers(self, extra: dict | None = None) -> dict:
        h = {
            "Host": f"{HOST}:{self.port}",
            "Accept": "text/html,application/json",
            "Accept-Language": "zh-hans",
        }
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        h.update(extra or {})
        return h

    def _store(self, resp: http.client.HTTPResponse) -> None:
        for value in resp.headers.get_all("Set-Cookie") or []:
            c = SimpleCookie()
            c.load(value)
            for k, morsel in c.items():
                self.cookies[k] = morsel.value

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=self._headers(headers))
                resp = self.conn.getresponse()
                data = resp.read()
                self._store(resp)
                if resp.getheader("Connection", "").lower() == "close":
                    self.conn.close()  # http.client reconnects on the next request
                    self.reconnects += 1
                return resp.status, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if attempt == 2:
                    raise
                self.conn.close()
                self.reconnects += 1
        raise AssertionError("unreachable")

    def timed_get(self, path: str) -> tuple[float, int, int]:
        t0 = time.perf_counter()
        status, data = self.request("GET", path)
        return (time.perf_counter() - t0) * 1000, status, len(data)

    def login(self) -> None:
        status, html = self.request("GET", "/accounts/login/")
        m = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if status != 200 or not m:
            raise SystemExit(f"list_latency: no login form ({status})")
        form = urlencode(
            {"csrfmiddlewaretoken": m.group(1).decode(), "username": self.username, "password": PASSWORD}
        ).encode()
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://{HOST}/"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"list_latency: login as {self.username} failed ({status})")


# --- the endpoints -------------------------------------------------------------------------


def pages(n: int) -> int:
    return max(1, -(-n // 50))


def plan(scale: str) -> list[Endpoint]:
    """The endpoints of a scale, with real page counts and ids read from the database."""
    from hongqing.accounts.models import User
    from hongqing.organization.models import Hospital
    from hongqing.people.models import Person

    first = Hospital.objects.order_by("pk").first()
    users = {u.username: u for u in User.objects.filter(username__in=["office", "secretary", "region"])}

    def visible(username: str) -> int:
        return Person.objects.restrict(users[username], "view").count()

    def list_pages(username: str, extra: str = "") -> list[str]:
        return [f"/people/persons/?page={k}{extra}" for k in range(1, pages(visible(username)) + 1)]

    def minimal(username: str) -> Endpoint:
        return Endpoint(f"minimal view ({username})", username, ["/bench/minimal/"])

    if scale == "hospital":
        # The branch filter: the branch with the most membership records (45 of 3,000 staff).
        from django.db.models import Count

        from hongqing.organization.models import PartyOrganization

        branch = (
            PartyOrganization.objects.filter(hospital=first, kind="branch")
            .annotate(n=Count("memberships"))
            .order_by("-n", "pk")
            .first()
        )
        base = "minimal view (office)"
        return [
            minimal("office"),
            Endpoint("person list, page 1..N", "office", list_pages("office"), base),
            Endpoint("person list, search q=zw", "office", ["/people/persons/?q=zw"], base),
            Endpoint("person list, branch filter", "office", [f"/people/persons/?branch={branch.pk}"], base),
            Endpoint(
                "API person list, page 1..N",
                "office",
                [f"/api/people/persons/?page={k}" for k in range(1, pages(visible("office")) + 1)],
                base,
            ),
        ]
    return [
        minimal("region"),
        Endpoint("person list (regional reader)", "region", list_pages("region"), "minimal view (region)"),
        Endpoint(
            "API person list (regional reader)",
            "region",
            [f"/api/people/persons/?page={k}" for k in range(1, pages(visible("region")) + 1)],
            "minimal view (region)",
        ),
        minimal("secretary"),
        Endpoint(
            "person list (branch secretary)", "secretary", list_pages("secretary"), "minimal view (secretary)"
        ),
        minimal("office"),
        Endpoint("person list (office, 1 hospital)", "office", list_pages("office"), "minimal view (office)"),
    ]


def count_queries(endpoints: list[Endpoint]) -> None:
    """SQL queries of one request per endpoint (its first path), in-process with the test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from hongqing.accounts.models import User

    clients: dict[str, Client] = {}
    for ep in endpoints:
        if ep.user not in clients:
            clients[ep.user] = Client()
            clients[ep.user].force_login(User.objects.get(username=ep.user))
        client = clients[ep.user]
        client.get(ep.paths[0])  # warm caches (grants, content types) as the server has them
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(ep.paths[0])
        if resp.status_code != 200:
            raise SystemExit(f"list_latency: {ep.paths[0]} as {ep.user} gave {resp.status_code}")
        ep.queries = len(ctx.captured_queries)
    connection.close()


# --- the run -------------------------------------------------------------------------------


def measure(
    port: int, endpoints: list[Endpoint], rounds: int, warmup: int, worker: int | None, seed: int = 1
) -> dict:
    sessions: dict[str, Session] = {}
    for ep in endpoints:
        if ep.user not in sessions:
            sessions[ep.user] = Session(port, ep.user)
            sessions[ep.user].login()
    rng = random.Random(seed)
    order = list(endpoints)
    for i in range(warmup + rounds):
        rng.shuffle(order)
        for ep in order:
            cpu0 = cpu_ms(worker)
            ms, status, nbytes = sessions[ep.user].timed_get(ep.path(i))
            cpu1 = cpu_ms(worker)
            if status != 200:
                raise SystemExit(f"list_latency: {ep.path(i)} as {ep.user} gave {status}")
            if i >= warmup:
                ep.times.append(ms)
                if cpu0 is not None and cpu1 is not None:
                    ep.cpu.append(cpu1 - cpu0)
                ep.nbytes = max(ep.nbytes, nbytes)
    return {u: s.reconnects for u, s in sessions.items()}


def summarise(endpoints: list[Endpoint]) -> list[dict]:
    by_name = {ep.name: ep for ep in endpoints}
    rows = []
    for ep in endpoints:
        row = {
            "endpoint": ep.name,
            "user": ep.user,
            "path": ep.paths[0] if len(ep.paths) == 1 else f"{ep.paths[0]} … ({len(ep.paths)} pages)",
            "n": len(ep.times),
            "median_ms": round(median(ep.times), 2),
            "p10_ms": round(percentile(ep.times, 10), 2),
            "p90_ms": round(percentile(ep.times, 90), 2),
            "cpu_median_ms": round(median(ep.cpu), 2) if ep.cpu else None,
            "bytes": ep.nbytes,
            "queries": ep.queries,
        }
        if ep.baseline:
            base = by_name[ep.baseline]
            row["ratio"] = round(median(ep.times) / median(base.times), 2)
            blocks = [
                median(ep.times[k : k + BLOCK]) / median(base.times[k : k + BLOCK])
                for k in range(0, len(ep.times) - BLOCK + 1, BLOCK)
            ]
            if blocks:
                row["ratio_min"] = round(min(blocks), 2)
                row["ratio_max"] = round(max(blocks), 2)
            if ep.cpu and base.cpu:
                row["cpu_ratio"] = round(median(ep.cpu) / median(base.cpu), 2)
        rows.append(row)
    return rows


def print_rows(rows: list[dict]) -> None:
    print(
        f"{'endpoint':<36} {'median':>7} {'p10':>7} {'p90':>7} {'ratio':>6} {'(spread)':>11} "
        f"{'cpu':>6} {'ratio':>6} {'queries':>7} {'KiB':>5}"
    )
    for r in rows:
        spread = f"{r['ratio_min']:.1f}–{r['ratio_max']:.1f}" if "ratio_min" in r else ""
        ratio = f"{r['ratio']:.2f}" if "ratio" in r else ""
        cpu = f"{r['cpu_median_ms']:.1f}" if r.get("cpu_median_ms") is not None else ""
        cpu_ratio = f"{r['cpu_ratio']:.2f}" if "cpu_ratio" in r else ""
        print(
            f"{r['endpoint']:<36} {r['median_ms']:>7.1f} {r['p10_ms']:>7.1f} {r['p90_ms']:>7.1f} "
            f"{ratio:>6} {spread:>11} {cpu:>6} {cpu_ratio:>6} "
            f"{r['queries'] if r['queries'] is not None else '':>7} {r['bytes'] / 1024:>5.0f}"
        )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", choices=SCALES, default="hospital")
    ap.add_argument("--database-url", help="default: bench/out/<scale>.sqlite3")
    ap.add_argument("--requests", type=int, default=200, help="measured rounds (each endpoint once a round)")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--port", type=int, default=0, help="default: a free port")
    ap.add_argument("--json", type=Path, help="also write the result as JSON to this file")
    args = ap.parse_args(argv)
    url = args.database_url or default_url(args.scale)
    OUT_DIR.mkdir(exist_ok=True)

    setup_django(url, HONGQING_BENCH="1")
    from django.db import connection

    from hongqing.organization.models import Hospital

    if not Hospital.objects.exists():
        raise SystemExit(f"list_latency: {redact(url)} is empty; run bench/generate.py --scale {args.scale}")
    manage(url, "migrate", "--noinput")
    ensure_static(url)
    endpoints = plan(args.scale)
    count_queries(endpoints)
    vendor = connection.vendor

    port = args.port or free_port()
    server = start_server(url, port)
    try:
        t0 = time.perf_counter()
        reconnects = measure(port, endpoints, args.requests, args.warmup, worker_pid(server.pid))
        elapsed = time.perf_counter() - t0
    finally:
        stop_server(server)
    rows = summarise(endpoints)
    worst = max((r["ratio"] for r in rows if "ratio" in r), default=0)
    print(
        f"\nlist_latency: {args.scale} scale on {vendor} ({redact(url)}), gunicorn 1 worker gthread 1 thread, "
        f"{args.requests} rounds after {args.warmup} warm-up, {elapsed:.0f} s; ms (median/p10/p90: wall time "
        "on the client; cpu: the server worker's CPU time)"
    )
    print_rows(rows)
    print(f"worst ratio {worst:.2f} (target ≤ {TARGET_RATIO:g}): {'OK' if worst <= TARGET_RATIO else 'OVER'}")
    if any(reconnects.values()):
        print(f"reconnects: {reconnects}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "scale": args.scale,
                    "vendor": vendor,
                    "database": redact(url),
                    "server": "gunicorn 1 worker, gthread, 1 thread, keep-alive",
                    "rounds": args.requests,
                    "warmup": args.warmup,
                    "elapsed_s": round(elapsed, 1),
                    "reconnects": reconnects,
                    "rows": rows,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
