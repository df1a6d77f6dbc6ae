#!/usr/bin/env python
"""Points for a region: every member's total and the branch totals, and a member's "my points" page.

    .venv/bin/python bench/points.py [--database-url URL] [--hospitals 50] [--branches 15]
                                     [--members 30000] [--lines 50] [--requests 30] [--json PATH]

Builds its own data in a fresh database (bench/out/points.sqlite3, or the PostgreSQL database
hongqing_bench_points on the server of ``--database-url``, dropped and created again):
``--hospitals`` hospitals, each a Party committee over ``--branches`` branches, ``--members`` full
members spread over the branches, each hospital with the default point catalogue, and a year of
ledger lines — ``--lines`` per member (50 × 30,000 = 1.5 million) — written with one bulk
``INSERT … SELECT`` over a recursive series (not through the services: the point is reading them).
Most lines are attendance (+2), some volunteering hours (+1.5), a few absences (−3). ``ANALYZE`` on
PostgreSQL afterwards, as autovacuum would.

Then, in this process:
- ``service``: ``points.services.totals.branch_totals`` for every hospital of the region, as the
  regional reader — every member's total of the year and each branch's members, total and average;
- ``plain SQL``: the same figures by two plain aggregates (members' totals ``GROUP BY person``, and
  branch totals through the membership), fetched; the ratio service ÷ SQL (target ≤ 1.5), best of
  ``--repeat`` runs each; and the members' ``GROUP BY`` alone (the cheapest possible read);
- through Django's test client with DEBUG off (the whole middleware stack, templates, no network),
  each page ``--requests`` times after 3 warm-up requests: ``minimal`` (/bench/minimal/, the baseline),
  ``layout`` (the empty notifications page: what any page on base.html costs), ``my points`` (a member with ``--lines`` lines in the year), ``branch`` (a branch's members and their
  totals, as its secretary), ``mine API`` (/api/points/mine/): median and p90 ms, the ratio to the
  baseline (target ≤ 3 for "my points"), median CPU ms, queries and bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import default_url, is_sqlite, median, percentile, redact, scale_url, setup_django  # noqa: E402

SCALE = "points"
PASSWORD = "bench-points-2026"
TARGET_TOTALS = 1.5
TARGET_PAGE = 3.0


def prepare_database(url: str) -> None:
    if is_sqlite(url):
        path = Path(urlsplit(url).path[1:])
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    from generate import pg_prepare

    pg_prepare(url, fresh=True)


def build(hospitals: int, branches: int, members: int, lines: int, year: int) -> dict:
    from auditlog.context import disable_auditlog
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from hongqing.accounts.choices import Role
    from hongqing.accounts.models import RoleAssignment, User
    from hongqing.organization.choices import OrgKind
    from hongqing.organization.models import Hospital, PartyOrganization
    from hongqing.party.models import Attendance
    from hongqing.people.choices import Stage
    from hongqing.people.models import Membership, Person
    from hongqing.points.models import PointRule
    from hongqing.points.services.catalogue import default_items

    P = PartyOrganization
    per_branch = max(1, members // (hospitals * branches))
    with disable_auditlog(), transaction.atomic():
        hs = Hospital.objects.bulk_create(
            [Hospital(name=f"区域第{i + 1}医院", code=f"p{i + 1}") for i in range(hospitals)]
        )
        nodes = []
        for i, h in enumerate(hs, start=1):
            root = P._get_path(None, 1, i)
            nodes.append(
                P(
                    hospital=h,
                    name=f"{h.name}党委",
                    kind=OrgKind.COMMITTEE,
                    path=root,
                    depth=1,
                    numchild=branches,
                )
            )
            for j in range(1, branches + 1):
                nodes.append(
                    P(
                        hospital=h,
                        name=f"{h.name}第{j}党支部",
                        kind=OrgKind.BRANCH,
                        sort_order=j,
                        path=P._get_path(root, 2, j),
                        depth=2,
                        numchild=0,
                    )
                )
        P.objects.bulk_create(nodes, batch_size=1000)
        branch_rows = list(P.objects.filter(kind=OrgKind.BRANCH).order_by("path"))
        persons, n = [], 0
        for b in branch_rows:
            for _k in range(per_branch):
                n += 1
                persons.append(
                    Person(hospital_id=b.hospital_id, staff_no=f"B{n:06d}", name=f"党员{n}", gender="F")
                )
        Person.objects.bulk_create(persons, batch_size=2000)
        persons = list(Person.objects.order_by("pk"))
        conv = dt.date(2010, 7, 1)
        Membership.objects.bulk_create(
            [
                Membership(
                    person=p,
                    organization=branch_rows[i // per_branch],
                    stage=Stage.FULL,
                    application_date=conv - dt.timedelta(days=900),
                    activist_date=conv - dt.timedelta(days=800),
                    candidate_date=conv - dt.timedelta(days=500),
                    admission_date=conv - dt.timedelta(days=366),
                    conversion_date=conv,
                )
                for i, p in enumerate(persons)
            ],
            batch_size=2000,
        )
        items = default_items()
        PointRule.objects.bulk_create(
            [PointRule(hospital=h, active_from=dt.date(year, 1, 1), **item) for h in hs for item in items],
            batch_size=1000,
        )
        ct = ContentType.objects.get_for_model(Attendance).pk
        sqlite = connection.vendor == "sqlite"
        day = (
            "date(%s, '+' || ((g.n * 7 + p.id) %% 365) || ' days')"
            if sqlite
            else "make_date(%s, 1, 1) + ((g.n * 7 + p.id) %% 365)::int"
        )
        now = "datetime('now')" if sqlite else "now()"
        sql = f"""
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %s)
            INSERT INTO points_pointentry (created, updated, hospital_id, person_id, year, date, rule_id, kind,
                amount, requested, quantity, cut, why, reason, source_type_id, source_id, record_type_id,
                record_id, label, generation)
            SELECT {now}, {now}, p.hospital_id, p.id, %s, {day}, r.id, 'award',
                CASE WHEN g.n %% 17 = 0 THEN -3 WHEN g.n %% 10 = 0 THEN 1.5 ELSE 2 END,
                CASE WHEN g.n %% 17 = 0 THEN -3 WHEN g.n %% 10 = 0 THEN 1.5 ELSE 2 END,
                1, '', '', '', %s, p.id * 1000 + g.n, %s, p.id * 1000 + g.n, '主题党日（基准）', 1
            FROM people_person p
            JOIN points_pointrule r ON r.hospital_id = p.hospital_id AND r.trigger = 'meeting_attendance'
            CROSS JOIN g
        """
        first_day = f"{year}-01-01" if sqlite else year
        with connection.cursor() as cur:
            cur.execute(sql, [lines, year, first_day, ct, ct])
        member_person = persons[0]
        member = User.objects.create_user(username="member", password=PASSWORD, display_name="党员")
        Person.objects.filter(pk=member_person.pk).update(user=member)
        RoleAssignment.objects.create(user=member, role=Role.MEMBER, organization=branch_rows[0])
        secretary = User.objects.create_user(username="secretary", password=PASSWORD, display_name="书记")
        RoleAssignment.objects.create(user=secretary, role=Role.BRANCH_SECRETARY, organization=branch_rows[0])
        region = User.objects.create_user(username="region", password=PASSWORD, display_name="区域")
        RoleAssignment.objects.create(user=region, role=Role.REGIONAL_READER, hospital=None)
    return {"hospitals": hs, "branch": branch_rows[0], "members": len(persons)}


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def best(fn, repeat: int) -> tuple[object, float]:
    value, times = None, []
    for _ in range(repeat):
        value, t = timed(fn)
        times.append(t)
    return value, min(times)


def service_totals(region, hospital_ids, year):
    from hongqing.points.services import totals

    out = {}
    for hid in hospital_ids:
        rows = totals.branch_totals(region, hid, year)
        out[hid] = rows
    return out


def sql_totals(year):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT person_id, SUM(amount) FROM points_pointentry WHERE year = %s GROUP BY person_id", [year]
        )
        people = cur.fetchall()
        cur.execute(
            """SELECT m.organization_id, COUNT(DISTINCT m.person_id), SUM(e.amount)
               FROM points_pointentry e JOIN people_membership m ON m.person_id = e.person_id
               WHERE e.year = %s GROUP BY m.organization_id""",
            [year],
        )
        branches = cur.fetchall()
    return people, branches


def sql_member_totals(year):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT person_id, SUM(amount) FROM points_pointentry WHERE year = %s GROUP BY person_id", [year]
        )
        return cur.fetchall()


def measure(client, path: str, n: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def once():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response

    for _ in range(3):
        once()
    times, cpu = [], []
    for _ in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        once()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        response = once()
    return {
        "median_ms": round(median(times), 2),
        "p90_ms": round(percentile(times, 90), 2),
        "cpu_ms": round(median(cpu), 2),
        "queries": len(ctx.captured_queries),
        "bytes": len(response.content),
    }


def run(args) -> dict:
    url = args.database_url
    prepare_database(url)
    setup_django(url, HONGQING_BENCH="1")
    from django.conf import settings
    from django.core.management import call_command

    settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    _, migrate_s = timed(lambda: call_command("migrate", verbosity=0))
    year = args.year
    data, build_s = timed(lambda: build(args.hospitals, args.branches, args.members, args.lines, year))
    vendor = "sqlite" if is_sqlite(url) else "postgresql"
    from django.db import connection

    if vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    from django.test import Client

    from hongqing.accounts.models import User
    from hongqing.points.models import PointEntry

    entries = PointEntry.objects.count()
    region = User.objects.get(username="region")
    ids = [h.pk for h in data["hospitals"]]
    sql_totals(year)  # warm both (the table's pages in the cache)
    service_totals(region, ids, year)
    service, service_s = best(lambda: service_totals(region, ids, year), args.repeat)
    (people, _branches), sql_s = best(lambda: sql_totals(year), args.repeat)
    _, sql_members_s = best(lambda: sql_member_totals(year), args.repeat)
    check = {r.organization.pk: r.total for rows in service.values() for r in rows}
    assert len(check) == args.hospitals * args.branches and sum(check.values()) == sum(s for _p, s in people)

    member, secretary = Client(), Client()
    member.force_login(User.objects.get(username="member"))
    secretary.force_login(User.objects.get(username="secretary"))
    n = args.requests
    results = {
        "minimal": measure(member, "/bench/minimal/", n),
        "layout": measure(member, "/notifications/", n),
        "my points": measure(member, f"/points/?year={year}", n),
        "mine API": measure(member, f"/api/points/mine/?year={year}", n),
        "branch": measure(secretary, f"/points/branches/{data['branch'].pk}/?year={year}", n),
    }
    base, base_cpu = results["minimal"]["median_ms"], results["minimal"]["cpu_ms"]
    for r in results.values():
        r["ratio"] = round(r["median_ms"] / base, 1) if base else None
        r["cpu_ratio"] = round(r["cpu_ms"] / base_cpu, 1) if base_cpu else None
    return {
        "database": redact(url),
        "vendor": vendor,
        "hospitals": args.hospitals,
        "branches": args.branches,
        "members": data["members"],
        "entries": entries,
        "year": year,
        "migrate_s": round(migrate_s, 1),
        "build_s": round(build_s, 1),
        "service_s": round(service_s, 3),
        "sql_s": round(sql_s, 3),
        "sql_members_s": round(sql_members_s, 3),
        "totals_ratio": round(service_s / sql_s, 2) if sql_s else None,
        "requests": n,
        "results": results,
        "load": os.getloadavg(),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }


def print_result(r: dict) -> None:
    print(
        f"points bench · {r['vendor']} · {r['hospitals']} hospitals × {r['branches']} branches · {r['members']} members · "
        f"{r['entries']:,} ledger lines in {r['year']} (built in {r['build_s']} s; load {', '.join(f'{x:.1f}' for x in r['load'])})"
    )
    verdict = "within" if r["totals_ratio"] is not None and r["totals_ratio"] <= TARGET_TOTALS else "ABOVE"
    print(
        f"every member's total and the branch totals: service {r['service_s']} s, plain SQL {r['sql_s']} s: "
        f"×{r['totals_ratio']} ({verdict} the target of {TARGET_TOTALS}); the members' GROUP BY alone "
        f"{r['sql_members_s']} s (×{round(r['service_s'] / r['sql_members_s'], 2) if r['sql_members_s'] else '—'})"
    )
    print(
        f"{'page':<12}{'median ms':>11}{'p90 ms':>9}{'× minimal':>11}{'cpu ms':>9}{'cpu ×min':>10}{'queries':>9}{'bytes':>9}"
    )
    for name, x in r["results"].items():
        print(
            f"{name:<12}{x['median_ms']:>11}{x['p90_ms']:>9}{x['ratio']:>11}{x['cpu_ms']:>9}{x['cpu_ratio']:>10}"
            f"{x['queries']:>9}{x['bytes']:>9}"
        )
    page = r["results"]["my points"]
    verdict = "within" if page["ratio"] is not None and page["ratio"] <= TARGET_PAGE else "ABOVE"
    print(
        f"my points: ×{page['ratio']} the minimal view (×{page['cpu_ratio']} in CPU), {verdict} the target of {TARGET_PAGE}"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=None,
        help="default: $DATABASE_URL when it names a server, else bench/out/points.sqlite3",
    )
    parser.add_argument("--hospitals", type=int, default=50)
    parser.add_argument("--branches", type=int, default=15)
    parser.add_argument("--members", type=int, default=30000)
    parser.add_argument("--lines", type=int, default=50, help="ledger lines per member in the year")
    parser.add_argument("--year", type=int, default=dt.date.today().year - 1, help="default: last year")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    base = args.database_url or os.environ.get("DATABASE_URL", "")
    args.database_url = (
        scale_url(base, SCALE) if base.startswith(("postgres", "sqlite")) else default_url(SCALE)
    )
    result = run(args)
    print_result(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
