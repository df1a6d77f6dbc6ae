#!/usr/bin/env python
"""Duty lists for a region: computing every duty list, and the heat map's latency for one hospital.

    .venv/bin/python bench/duties.py [--database-url URL] [--hospitals 50] [--branches 15]
                                     [--requests 30] [--json PATH]

Builds its own data in a fresh database (bench/out/duties.sqlite3, or the PostgreSQL database
hongqing_bench_duties on the server of ``--database-url``, dropped and created again): ``--hospitals``
hospitals, each a Party committee over ``--branches`` branches with a current committee term, and a
year of held meetings in every branch (the monthly committee meeting and theme day, the quarterly
congress and lecture, the yearly organisational life session; about 1 in 12 left out so that some
duties are overdue), the committee's lecture; an office account for the first hospital and a
regional reader. Persons are not needed: duties belong to organisations.

Then:
- ``sync all``: ``sync_obligations`` of every organisation of the region for the year, from nothing
  (every row created): the seconds to build every duty list; ``sync again``: the same with nothing
  to change (what the daily job costs); ``sync one hospital``; ``reminders``: the daily job
  (``send_reminders``, its sync included) as of a day when the month's duties turn amber;
- in-process through Django's test client with DEBUG off (the whole middleware stack, the
  templates, no network), each page ``--requests`` times after 3 warm-up requests: ``minimal``
  (/bench/minimal/, a logged-in request that returns "ok": the baseline), ``layout`` (the empty
  notifications page: what any page on base.html costs, menu and bell included), ``heat map`` (the first
  hospital, as its Party office; the year is over, so every duty is green or red), ``heat map (region)`` (the same hospital as the regional reader),
  ``board`` (one branch's year), ``list`` (the duty list, first page).

Prints the seconds, and per page the median and p90 in ms, the ratio of the median to the
baseline's (target: ≤ 3 for the heat map), the median CPU time of this process (steadier on a busy
machine; on PostgreSQL the server's work is not in it) and its ratios to the baseline's and to the
layout's, the SQL queries of one request and the response size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    default_url,
    is_sqlite,
    median,
    percentile,
    redact,
    scale_url,
    setup_django,
)

SCALE = "duties"
PASSWORD = "bench-duties-2026"
TARGET_RATIO = 3.0
SEED = 2026


def prepare_database(url: str) -> None:
    """A fresh, empty database at ``url`` (generate.py's PostgreSQL helper drops and creates it)."""
    if is_sqlite(url):
        path = Path(urlsplit(url).path[1:])
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    from generate import pg_prepare

    pg_prepare(url, fresh=True)


def build(hospitals: int, branches: int, year: int) -> dict:
    """The region's trees (bulk: materialised paths computed here), terms and a year of meetings."""
    from auditlog.context import disable_auditlog
    from django.db import transaction
    from django.utils import timezone

    from hongqing.accounts.choices import Role
    from hongqing.accounts.models import RoleAssignment, User
    from hongqing.organization.choices import OrgKind
    from hongqing.organization.models import CommitteeTerm, Hospital, PartyOrganization
    from hongqing.party.choices import MeetingKind, MeetingStatus
    from hongqing.party.models import Meeting

    rng = random.Random(SEED)
    tz = timezone.get_default_timezone()
    P = PartyOrganization
    with disable_auditlog(), transaction.atomic():
        hs = Hospital.objects.bulk_create(
            [Hospital(name=f"区域第{i + 1}医院", code=f"r{i + 1}") for i in range(hospitals)]
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
                        short_name=f"第{j}支部",
                        kind=OrgKind.BRANCH,
                        sort_order=j,
                        path=P._get_path(root, 2, j),
                        depth=2,
                        numchild=0,
                    )
                )
        P.objects.bulk_create(nodes, batch_size=500)
        orgs = list(P.objects.order_by("path"))
        CommitteeTerm.objects.bulk_create(
            [
                CommitteeTerm(
                    organization=o,
                    number=1,
                    start=dt.date(year - 1, 3, 1),
                    due_end=dt.date(year + 2, 3, 1) if o.kind == OrgKind.BRANCH else dt.date(year + 4, 3, 1),
                )
                for o in orgs
            ],
            batch_size=500,
        )

        def at(day, hour):
            return dt.datetime.combine(day, dt.time(hour), tzinfo=tz)

        meetings = []
        for o in orgs:
            plan = []
            if o.kind == OrgKind.COMMITTEE:
                plan.append((MeetingKind.PARTY_LECTURE, dt.date(year, 6, 28)))
            else:
                for m in range(1, 13):
                    plan += [
                        (MeetingKind.BRANCH_COMMITTEE, dt.date(year, m, 3 + rng.randrange(5))),
                        (MeetingKind.THEME_DAY, dt.date(year, m, 10 + rng.randrange(10))),
                    ]
                for q in range(4):
                    plan += [
                        (MeetingKind.MEMBER_CONGRESS, dt.date(year, 3 * q + 2, 15)),
                        (MeetingKind.PARTY_LECTURE, dt.date(year, 3 * q + 3, 20)),
                    ]
                plan.append((MeetingKind.ORG_LIFE_SESSION, dt.date(year, 12, 18)))
            for kind, day in plan:
                if rng.random() < 1 / 12:
                    continue  # missed: an overdue duty
                meetings.append(
                    Meeting(
                        organization=o,
                        kind=kind,
                        status=MeetingStatus.HELD,
                        start=at(day, 9 + rng.randrange(8)),
                        topic=str(kind.label),
                    )
                )
        Meeting.objects.bulk_create(meetings, batch_size=1000)
        office = User.objects.create_user(username="office", password=PASSWORD, display_name="党办")
        RoleAssignment.objects.create(user=office, role=Role.PARTY_OFFICE, hospital=hs[0])
        region = User.objects.create_user(username="region", password=PASSWORD, display_name="区域")
        RoleAssignment.objects.create(user=region, role=Role.REGIONAL_READER, hospital=None)
    return {
        "hospital": hs[0],
        "branch": next(o for o in orgs if o.hospital_id == hs[0].pk and o.kind == OrgKind.BRANCH),
        "organizations": len(orgs),
        "meetings": len(meetings),
    }


def measure(client, path: str, data=None, n: int = 30) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def once():
        response = client.get(path, data or {})
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


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, round(time.perf_counter() - start, 2)


def run(args) -> dict:
    url = args.database_url
    prepare_database(url)
    setup_django(url, HONGQING_BENCH="1")
    from django.conf import settings
    from django.core.management import call_command

    settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    _, migrate_s = timed(lambda: call_command("migrate", verbosity=0))
    year = args.year
    data, build_s = timed(lambda: build(args.hospitals, args.branches, year))
    vendor = "sqlite" if is_sqlite(url) else "postgresql"
    if vendor == "postgresql":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    from django.test import Client

    from hongqing.accounts.models import User
    from hongqing.organization.models import PartyOrganization
    from hongqing.party.models import Obligation
    from hongqing.party.services.duties import send_reminders, sync_obligations

    everyone = PartyOrganization.objects.all()
    first, sync_s = timed(lambda: sync_obligations(everyone, year))
    again, resync_s = timed(lambda: sync_obligations(everyone, year))
    one = PartyOrganization.objects.filter(hospital=data["hospital"])
    _, one_s = timed(lambda: sync_obligations(one, year))
    # The daily job as of the day the month's duties turn amber (the meetings are all in the year).
    reminder_day = dt.date(year, 11, 24)
    job, job_s = timed(lambda: send_reminders(today=reminder_day))
    obligations = Obligation.objects.filter(period_start__year=year).count()

    office, region = Client(), Client()
    office.force_login(User.objects.get(username="office"))
    region.force_login(User.objects.get(username="region"))
    n = args.requests
    hospital_q = {"hospital": data["hospital"].pk, "year": year}
    results = {
        "minimal": measure(office, "/bench/minimal/", n=n),
        "layout": measure(office, "/notifications/", n=n),
        "heat map": measure(office, "/party/duties/heatmap/", hospital_q, n=n),
        "heat map (region)": measure(region, "/party/duties/heatmap/", hospital_q, n=n),
        "board": measure(office, f"/party/duties/organizations/{data['branch'].pk}/", {"year": year}, n=n),
        "list": measure(office, "/party/duties/", {"year": year}, n=n),
    }
    base, base_cpu = results["minimal"]["median_ms"], results["minimal"]["cpu_ms"]
    layout = results["layout"]["cpu_ms"]
    for r in results.values():
        r["ratio"] = round(r["median_ms"] / base, 1) if base else None
        r["cpu_ratio"] = round(r["cpu_ms"] / base_cpu, 1) if base_cpu else None
        r["over_layout"] = round(r["cpu_ms"] / layout, 1) if layout else None
    return {
        "database": redact(url),
        "vendor": vendor,
        "hospitals": args.hospitals,
        "branches": args.branches,
        "organizations": data["organizations"],
        "meetings": data["meetings"],
        "obligations": obligations,
        "year": year,
        "migrate_s": migrate_s,
        "build_s": build_s,
        "sync_all_s": sync_s,
        "sync_all_created": first.created,
        "sync_again_s": resync_s,
        "sync_again_changed": again.created + again.updated + again.deleted,
        "sync_one_hospital_s": one_s,
        "reminders_s": job_s,
        "reminders": {"ahead": job.ahead, "overdue": job.overdue, "notifications": job.notifications},
        "requests": n,
        "results": results,
        "target_ratio": TARGET_RATIO,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }


def print_result(r: dict) -> None:
    print(
        f"duty lists bench · {r['vendor']} · {r['hospitals']} hospitals × {r['branches']} branches "
        f"({r['organizations']} organisations) · {r['meetings']} meetings in {r['year']} (built in {r['build_s']} s)"
    )
    print(
        f"sync every duty list: {r['sync_all_s']} s ({r['sync_all_created']} duties); again, nothing to "
        f"change: {r['sync_again_s']} s; one hospital: {r['sync_one_hospital_s']} s; "
        f"daily reminder job: {r['reminders_s']} s ({r['reminders']['notifications']} notifications)"
    )
    print(
        f"{'page':<20}{'median ms':>11}{'p90 ms':>9}{'× minimal':>11}{'cpu ms':>9}{'cpu ×min':>10}"
        f"{'× layout':>10}{'queries':>9}{'bytes':>9}"
    )
    for name, x in r["results"].items():
        print(
            f"{name:<20}{x['median_ms']:>11}{x['p90_ms']:>9}{x['ratio']:>11}{x['cpu_ms']:>9}{x['cpu_ratio']:>10}"
            f"{x['over_layout']:>10}{x['queries']:>9}{x['bytes']:>9}"
        )
    heat = r["results"]["heat map"]
    verdict = "within" if heat["ratio"] is not None and heat["ratio"] <= r["target_ratio"] else "ABOVE"
    print(
        f"heat map: {heat['ratio']} × the minimal view ({heat['cpu_ratio']} × in CPU), {verdict} the target of "
        f"{r['target_ratio']}; {heat['over_layout']} × an empty page on the same layout (/notifications/)"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help="default: bench/out/duties.sqlite3")
    parser.add_argument("--hospitals", type=int, default=50)
    parser.add_argument("--branches", type=int, default=15)
    parser.add_argument("--year", type=int, default=dt.date.today().year - 1, help="default: last year")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    args.database_url = scale_url(args.database_url, SCALE) if args.database_url else default_url(SCALE)
    result = run(args)
    print_result(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
