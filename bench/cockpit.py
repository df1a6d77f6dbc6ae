#!/usr/bin/env python
"""The cockpit of a hospital with three years of data, against a minimal Django view, on a real server.

    .venv/bin/python bench/cockpit.py [--database-url URL] [--requests 200] [--warmup 20] [--json PATH]

Data: the ``hospital`` scale of bench/generate.py (3,000 staff, 600 membership records, 39
departments in 19 branches) with the assessment demo builder's three years of monthly values of
every entered indicator (41 indicators in the catalogue, ~30 entered per department), the Party
indicators computed from the meetings, dues and duties of the other builders, two years of quarterly
schemes scored. Generated into bench/out/hospital.sqlite3 (or ``--database-url``) when missing or
built without the assessment data.

The server is list_latency.py's (gunicorn, one gthread worker with one thread, DEBUG off, the
production settings, HONGQING_BENCH=1 for /bench/minimal/). Each round requests every endpoint once,
in a random (seeded) order, after ``--warmup`` rounds; per endpoint the median, p10 and p90 wall
time, the ratio to the minimal view of the same user in the same run (and its spread over blocks of
25 rounds), the worker's CPU time and its ratio, the SQL queries of one request, the size.

Endpoints: the cockpit (the Party office; served from the cache of the hospital's figures, which a
change of the data invalidates), the big screen, a secretary's branch cockpit, a branch's scorecard,
the grid of last month, two drill-downs of the year so far (an entered and a computed indicator),
the comparison. Also measured in-process: building the cockpit's figures from the stored rollups
and scores with an empty cache (what the first request after a change pays), and rebuilding the
hospital's Party rollups (what a changed record costs once).

Target (issue 5): the cockpit at most 4 × the minimal view, and at most 300 ms median.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT_DIR, PYTHON, default_url, median, redact, setup_django  # noqa: E402
from list_latency import (  # noqa: E402
    Endpoint,
    count_queries,
    ensure_static,
    free_port,
    manage,
    measure,
    print_rows,
    start_server,
    stop_server,
    summarise,
    worker_pid,
)

TARGET_RATIO = 4.0
TARGET_MS = 300.0


def has_assessment_data() -> bool:
    from hongqing.assessment.models import DualScorecard, IndicatorValue
    from hongqing.organization.models import Hospital

    return Hospital.objects.exists() and IndicatorValue.objects.exists() and DualScorecard.objects.exists()


def ensure_data(url: str) -> None:
    from django.db import connection

    if has_assessment_data():
        return
    connection.close()  # generate.py replaces the file
    print(f"cockpit: generating the hospital scale into {redact(url)} (with the assessment data)", flush=True)
    rc = subprocess.run(
        [PYTHON, "bench/generate.py", "--scale", "hospital", "--database-url", url, "--fresh"],
        cwd=Path(__file__).resolve().parent.parent,
    ).returncode
    if rc:
        raise SystemExit(f"cockpit: generate.py failed ({rc})")


def fill_to_scale() -> int:
    """Every entered indicator monthly in every department for three years (issue 5's scale: 40
    departments × 40 indicators a month): the demo enters only what each department has (no
    operations in a laboratory); the bench adds plausible values for the rest, then the rollups."""
    import datetime as dt
    import random
    from decimal import Decimal

    from django.utils import timezone

    from hongqing.assessment.models import Indicator, IndicatorValue
    from hongqing.assessment.periods import add_months, month_of
    from hongqing.assessment.services import rollups
    from hongqing.organization.models import Department, Hospital

    h = Hospital.objects.order_by("pk").first()
    today = timezone.localdate()
    first = dt.date(today.year - 2, 1, 1)
    months = []
    m = first
    while m < month_of(today):
        months.append(m)
        m = add_months(m, 1)
    inds = list(Indicator.objects.filter(hospital=h, source="entered", entry_level="department"))
    depts = list(Department.objects.filter(hospital=h, numchild=0))
    have = set(
        IndicatorValue.objects.filter(hospital=h).values_list("indicator_id", "department_id", "month")
    )
    rng = random.Random(2026)
    new = []
    for ind in inds:
        low = float(ind.min_value or 0)
        high = float(ind.max_value) if ind.max_value is not None else 500.0
        for d in depts:
            base = (
                rng.uniform(low + (high - low) * 0.3, low + (high - low) * 0.9)
                if ind.max_value
                else rng.uniform(5, 400)
            )
            for m in months:
                if (ind.pk, d.pk, m) in have:
                    continue
                v = max(low, min(high, base * rng.uniform(0.9, 1.1)))
                new.append(
                    IndicatorValue(
                        hospital=h,
                        indicator=ind,
                        department=d,
                        month=m,
                        value=Decimal(str(round(v, 0 if ind.decimals == 0 else 2))),
                        source="demo",
                    )
                )
    IndicatorValue.objects.bulk_create(new, batch_size=5000)
    rollups.refresh_entered(h.pk, months)
    return len(new)


def plan() -> list[Endpoint]:
    import datetime as dt

    from django.utils import timezone

    from hongqing.assessment.models import DualScorecard, Indicator
    from hongqing.organization.models import Hospital

    h = Hospital.objects.order_by("pk").first()
    today = timezone.localdate()
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    inds = {i.code: i for i in Indicator.objects.filter(hospital=h)}
    card = (
        DualScorecard.objects.filter(hospital=h, organization__name="产科第一党支部")
        .order_by("-period_start")
        .first()
    )
    ytd = f"from={today.year}-01&to={last:%Y-%m}"
    minimal = lambda user: Endpoint(f"minimal view ({user})", user, ["/bench/minimal/"])  # noqa: E731
    return [
        minimal("office"),
        Endpoint("cockpit (office)", "office", ["/assessment/"], "minimal view (office)"),
        Endpoint("big screen (office)", "office", ["/assessment/screen/"], "minimal view (office)"),
        Endpoint(
            "grid, last month (office)",
            "office",
            [f"/assessment/grid/?month={last:%Y-%m}"],
            "minimal view (office)",
        ),
        Endpoint(
            "drill: visits YTD (office)",
            "office",
            [f"/assessment/drill/?indicator={inds['op_visits'].pk}&unit=hospital:{h.pk}&{ytd}"],
            "minimal view (office)",
        ),
        Endpoint(
            "drill: duty rate YTD (office)",
            "office",
            [f"/assessment/drill/?indicator={inds['duty_rate'].pk}&unit=hospital:{h.pk}&{ytd}"],
            "minimal view (office)",
        ),
        Endpoint(
            "compare: ALOS by branch (office)",
            "office",
            [f"/assessment/compare/?indicator={inds['alos'].pk}&level=org"],
            "minimal view (office)",
        ),
        minimal("secretary"),
        Endpoint("cockpit (branch secretary)", "secretary", ["/assessment/"], "minimal view (secretary)"),
        Endpoint(
            "scorecard (branch secretary)", "secretary", [card.get_absolute_url()], "minimal view (secretary)"
        ),
    ]


def in_process() -> dict:
    """The uncached cockpit build and a full rebuild of the Party rollups, timed in this process."""
    from django.core.cache import cache
    from django.utils import timezone

    from hongqing.assessment.services import cockpit, rollups
    from hongqing.organization.models import Hospital

    h = Hospital.objects.order_by("pk").first()
    year = timezone.localdate().year
    builds = []
    for _ in range(5):
        cache.clear()
        t0 = time.perf_counter()
        cockpit.build_hospital(h, year, timezone.localdate())
        builds.append((time.perf_counter() - t0) * 1000)
    today = timezone.localdate()
    t0 = time.perf_counter()
    rollups.refresh_party(h.pk, today.replace(year=today.year - 2, month=1, day=1), today.replace(day=1))
    party = time.perf_counter() - t0
    from hongqing.assessment.models import IndicatorValue, Rollup

    return {
        "cockpit_build_ms_median": round(median(builds), 1),
        "cockpit_build_ms_min": round(min(builds), 1),
        "party_rollups_3_years_s": round(party, 2),
        "values": IndicatorValue.objects.filter(hospital=h).count(),
        "rollups": Rollup.objects.filter(hospital=h).count(),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", help="default: bench/out/hospital.sqlite3")
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    url = args.database_url or default_url("hospital")
    OUT_DIR.mkdir(exist_ok=True)
    setup_django(url, HONGQING_BENCH="1")
    from django.db import connection

    manage(url, "migrate", "--noinput")
    ensure_data(url)
    added = fill_to_scale()
    if added:
        print(
            f"cockpit: {added:,} values added to reach every indicator monthly in every department",
            flush=True,
        )
    ensure_static(url)
    endpoints = plan()
    count_queries(endpoints)
    inproc = in_process()
    connection.close()
    vendor = connection.vendor
    port = free_port()
    server = start_server(url, port)
    try:
        t0 = time.perf_counter()
        measure(port, endpoints, args.requests, args.warmup, worker_pid(server.pid))
        elapsed = time.perf_counter() - t0
    finally:
        stop_server(server)
    rows = summarise(endpoints)
    try:
        load = Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        load = []
    print(
        f"\ncockpit: hospital scale on {vendor} ({redact(url)}), {inproc['values']:,} values, "
        f"{inproc['rollups']:,} rollups; {args.requests} rounds after {args.warmup} warm-up, {elapsed:.0f} s; "
        f"load {' '.join(load)}"
    )
    print_rows(rows)
    cock = next(r for r in rows if r["endpoint"] == "cockpit (office)")
    ok = cock["ratio"] <= TARGET_RATIO and cock["median_ms"] <= TARGET_MS
    print(
        f"cockpit (office): {cock['median_ms']:.1f} ms median, {cock['ratio']:.2f} × the minimal view "
        f"(target ≤ {TARGET_RATIO:g} × and ≤ {TARGET_MS:g} ms): {'OK' if ok else 'OVER'}"
    )
    print(
        f"in-process: the cockpit's figures built without the cache {inproc['cockpit_build_ms_median']} ms "
        f"(min {inproc['cockpit_build_ms_min']}); the Party rollups of three years rebuilt in "
        f"{inproc['party_rollups_3_years_s']} s"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {"vendor": vendor, "database": redact(url), "rows": rows, "in_process": inproc, "load": load},
                ensure_ascii=False,
                indent=1,
            )
        )
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
