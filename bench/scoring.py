#!/usr/bin/env python
"""Scoring every branch of a 50-hospital region for a year, against the same sums in SQL alone.

    .venv/bin/python bench/scoring.py [--database-url URL] [--repeat 3] [--json PATH]

Data: the ``region`` scale of bench/generate.py (50 hospitals: the 3,000-staff MCH hospital and 49
county hospitals of 300 staff, 17,700 staff in all) with the assessment demo builder's data: each
hospital's catalogue, three years of monthly values, the Party rollups, and a quarterly scheme of
this year and last (6 Party and 9 business items). Generated into bench/out/region.sqlite3 (or
``--database-url``) when missing or built without the assessment data.

Measured in-process (median of ``--repeat`` runs):

- ``score the region``: ``scoring.score_scheme`` of every hospital's scheme of this year — every
  quarter begun, every branch: the rollups read, each item scored (linear, bands, ranks), grades,
  ranks, the scorecards written with their components, the audit events;
- ``SQL aggregates alone``: the same Σnum and Σden of the same rollups (every branch × scheme item
  × quarter of the region) in one GROUP BY query, read into Python: the floor any scoring must pay;
- ``rebuild the Party rollups``: every hospital's computed indicators over the three years from the
  records (what a day's changes cost at most, once, when every hospital is stale).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT_DIR, PYTHON, default_url, median, redact, setup_django  # noqa: E402


def ensure_data(url: str) -> None:
    from django.db import connection

    from hongqing.assessment.models import Scheme
    from hongqing.organization.models import Hospital

    if Hospital.objects.count() >= 50 and Scheme.objects.exists():
        return
    connection.close()
    print(f"scoring: generating the region scale into {redact(url)} (with the assessment data)", flush=True)
    rc = subprocess.run(
        [PYTHON, "bench/generate.py", "--scale", "region", "--database-url", url, "--fresh"],
        cwd=Path(__file__).resolve().parent.parent,
    ).returncode
    if rc:
        raise SystemExit(f"scoring: generate.py failed ({rc})")


def score_region(schemes, today) -> int:
    from auditlog.context import disable_auditlog

    from hongqing.assessment.services import scoring

    n = 0
    with disable_auditlog():
        for s in schemes:
            n += len(scoring.score_scheme(s, today=today))
    return n


def sql_alone(schemes, today) -> int:
    """Σnum, Σden per branch × indicator × quarter for every scheme, in one query."""
    import datetime as dt

    from django.db.models import Q, Sum

    from hongqing.assessment.models import Rollup, SchemeItem
    from hongqing.organization.choices import OrgKind

    items = SchemeItem.objects.filter(scheme__in=schemes)
    q = Q()
    for s in schemes:
        q |= Q(hospital_id=s.hospital_id, month__gte=dt.date(s.year, 1, 1), month__lte=dt.date(s.year, 12, 1))
    rows = list(
        Rollup.objects.filter(
            q, organization__kind=OrgKind.BRANCH, indicator_id__in=items.values("indicator_id")
        )
        .values("organization_id", "indicator_id", "month__quarter")
        .annotate(num=Sum("num"), den=Sum("den"))
        .order_by()
    )
    return len(rows)


def party_rebuild(today) -> float:
    import datetime as dt

    from hongqing.assessment.services import rollups
    from hongqing.organization.models import Hospital

    t0 = time.perf_counter()
    for h in Hospital.objects.all():
        rollups.refresh_party(h.pk, dt.date(today.year - 2, 1, 1), today.replace(day=1), today=today)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", help="default: bench/out/region.sqlite3")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    url = args.database_url or default_url("region")
    OUT_DIR.mkdir(exist_ok=True)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", "--noinput", verbosity=0)
    ensure_data(url)
    from hongqing.assessment.models import DualScorecard, Rollup, Scheme
    from hongqing.organization.models import Hospital, PartyOrganization

    today = timezone.localdate()
    schemes = list(Scheme.objects.filter(year=today.year).select_related("hospital"))
    hospitals = Hospital.objects.count()
    branches = PartyOrganization.objects.filter(kind="branch").count()
    score_times, sql_times = [], []
    cards = groups = 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        cards = score_region(schemes, today)
        score_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        groups = sql_alone(schemes, today)
        sql_times.append(time.perf_counter() - t0)
    party_s = party_rebuild(today)
    result = {
        "vendor": connection.vendor,
        "database": redact(url),
        "hospitals": hospitals,
        "branches": branches,
        "schemes": len(schemes),
        "scorecards_written": cards,
        "rollups": Rollup.objects.count(),
        "score_region_s": round(median(score_times), 2),
        "score_region_runs_s": [round(t, 2) for t in score_times],
        "sql_alone_s": round(median(sql_times), 3),
        "sql_groups": groups,
        "ratio": round(median(score_times) / median(sql_times), 1) if median(sql_times) else None,
        "party_rollups_rebuild_s": round(party_s, 1),
        "stored_scorecards": DualScorecard.objects.count(),
    }
    with contextlib.suppress(OSError):
        result["load"] = Path("/proc/loadavg").read_text().split()[:3]
    print(
        f"\nscoring: {hospitals} hospitals, {branches} branches, {len(schemes)} schemes of {today.year} on "
        f"{connection.vendor} ({redact(url)}), {result['rollups']:,} rollups; load {' '.join(result.get('load', []))}"
    )
    print(
        f"  score the region (every quarter begun, every branch): {result['score_region_s']} s median "
        f"{result['score_region_runs_s']} → {cards} scorecards"
    )
    print(f"  the same sums in SQL alone: {result['sql_alone_s']} s ({groups:,} groups) → ×{result['ratio']}")
    print(f"  rebuild every hospital's Party rollups over three years: {result['party_rollups_rebuild_s']} s")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
