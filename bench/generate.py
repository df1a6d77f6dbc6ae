#!/usr/bin/env python
"""Scale data for the benchmarks, built by the demo builders (hongqing.core.demo) with a DemoScale.

    .venv/bin/python bench/generate.py --scale hospital|region [--database-url URL] [--fresh]

``hospital``: one maternal-and-child-health hospital of 3,000 staff and 600 membership records
(every stage, full members the most) in 19 branches of 2 to 45 (the demo's 12-branch layout,
grown to 39 departments and 19 branches so that no branch exceeds 50).
``region``: 50 hospitals; the first is the ``hospital`` one, the other 49 are county hospitals
of 300 staff and 55 membership records each (the demo's small layout: 4 departments, 2 branches):
17,700 staff and 3,295 membership records in all. Both come with the demo accounts (password
``hongqing-demo``): office, secretary, region, …

Deterministic: the same seed and the same ``--today`` give the same rows (default seed 2026,
default today: the local date, which the demo's dates are relative to).

Without ``--database-url`` the data goes to a fresh SQLite file bench/out/<scale>.sqlite3
(git-ignored). With a PostgreSQL URL the database is created when missing; a non-empty database
is refused unless ``--fresh`` (which drops and re-creates it). The script migrates, fills (one
transaction, audit log off, like ``seed_demo``), runs ANALYZE on PostgreSQL (what autovacuum
does shortly after a bulk load), and prints the timings and row counts (``--json`` writes them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT_DIR, SCALES, default_url, is_sqlite, redact, setup_django, sqlite_path  # noqa: E402

SEED = 2026
GENERATOR_VERSION = 1  # bump when the data changes shape: run.py regenerates cached databases


def builders_fingerprint() -> str:
    """A hash of this script and every app's demo builders: run.py rebuilds a cached database when
    it changes (the builders grow with the apps)."""
    import hashlib

    from common import PROJECT_DIR

    h = hashlib.sha256()
    for path in sorted([Path(__file__).resolve(), *PROJECT_DIR.glob("hongqing/**/demo*.py")]):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


# The 3,000-staff hospital: the demo's MCH layout grown to 39 departments (37 leaves get staff,
# weighted clinical 5, medtech/nursing 3, others 1, so a clinical leaf has ~120 staff).
# (department, kind, children); kinds are organization.choices.DepartmentKind values.
C, M, N, A, L = "clinical", "medtech", "nursing", "administrative", "logistics"
LARGE_DEPARTMENTS = [
    (
        "妇产部",
        C,
        [
            ("产一科", C),
            ("产二科", C),
            ("产三科", C),
            ("妇一科", C),
            ("妇二科", C),
            ("生殖医学科", C),
            ("乳腺科", C),
            ("产前诊断中心", C),
        ],
    ),
    (
        "儿童医学部",
        C,
        [
            ("儿内科", C),
            ("儿外科", C),
            ("新生儿科", C),
            ("新生儿重症监护室", C),
            ("儿童保健科", C),
            ("儿童康复科", C),
        ],
    ),
    ("妇女保健科", C, []),
    ("急诊科", C, []),
    ("麻醉科", C, []),
    ("重症医学科", C, []),
    ("中医科", C, []),
    ("医学检验科", M, []),
    ("医学影像科", M, []),
    ("超声科", M, []),
    ("药剂科", M, []),
    ("病理科", M, []),
    ("输血科", M, []),
    ("护理部", N, []),
    ("党委办公室", A, []),
    ("院长办公室", A, []),
    ("医务科", A, []),
    ("人事科", A, []),
    ("财务科", A, []),
    ("信息科", A, []),
    ("科教科", A, []),
    ("质量管理科", A, []),
    ("纪检监察室", A, []),
    ("后勤保障科", L, []),
    ("保卫科", L, []),
]
# (branch, departments it is built on, under the general branch?, membership records).
# The first is the demo "secretary"'s branch, the fourth "secretary2"'s; the last is too small on
# purpose (the demo's warning), like the demo's.
LARGE_BRANCHES = [
    ("产科第一党支部", ["产一科"], True, 30),
    ("产科第二党支部", ["产二科", "产三科"], True, 45),
    ("妇科党支部", ["妇一科", "妇二科"], True, 44),
    ("生殖医学党支部", ["生殖医学科", "产前诊断中心"], True, 40),
    ("乳腺妇保党支部", ["乳腺科", "妇女保健科"], True, 38),
    ("儿内科党支部", ["儿内科"], False, 30),
    ("儿外科党支部", ["儿外科", "儿童康复科"], False, 40),
    ("新生儿党支部", ["新生儿科", "新生儿重症监护室"], False, 40),
    ("儿童保健党支部", ["儿童保健科"], False, 26),
    ("急诊重症党支部", ["急诊科", "重症医学科"], False, 40),
    ("麻醉中医党支部", ["麻醉科", "中医科"], False, 36),
    ("医技第一党支部", ["医学检验科", "输血科", "病理科"], False, 38),
    ("医技第二党支部", ["医学影像科", "超声科"], False, 30),
    ("药学党支部", ["药剂科"], False, 20),
    ("护理党支部", ["护理部"], False, 24),
    ("机关第一党支部", ["党委办公室", "院长办公室", "人事科", "纪检监察室"], False, 34),
    ("机关第二党支部", ["医务科", "质量管理科", "科教科"], False, 25),
    ("机关第三党支部", ["财务科", "信息科"], False, 18),
    ("后勤党支部", ["后勤保障科", "保卫科"], False, 2),
]
HOSPITAL_STAFF = 3000
HOSPITAL_MEMBERS = sum(b[3] for b in LARGE_BRANCHES)  # 600
REGION_HOSPITALS = 50
REGION_STAFF = 300  # each of the 49 county hospitals
REGION_MEMBERS_PER_BRANCH = [30, 25]  # their 临床 and 医技行政 branches


def demo_scale(scale: str):
    from hongqing.core.demo import DemoScale

    assert HOSPITAL_MEMBERS == 600 and all(b[3] <= 50 for b in LARGE_BRANCHES)
    return DemoScale(
        hospitals=1 if scale == "hospital" else REGION_HOSPITALS,
        staff=HOSPITAL_STAFF,
        members=HOSPITAL_MEMBERS,
        extra_hospital_staff=REGION_STAFF,
        departments=LARGE_DEPARTMENTS,
        branches=[b[:3] for b in LARGE_BRANCHES],
        members_per_branch=[b[3] for b in LARGE_BRANCHES],
        extra_hospital_members_per_branch=REGION_MEMBERS_PER_BRANCH,
    )


# --- PostgreSQL databases -------------------------------------------------------------------


def _pg_connect(url: str, dbname: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(path=f"/{dbname}")), autocommit=True)


def pg_prepare(url: str, fresh: bool) -> None:
    """Create the database of ``url`` when missing; drop and re-create it when ``fresh``."""
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    maintenance = "postgres" if name != "postgres" else "template1"
    with _pg_connect(url, maintenance) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            if name == "postgres":
                raise SystemExit("generate: refusing to drop the 'postgres' database; name another one")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_exists(url: str) -> bool:
    """Whether ``url`` holds generated data (a hospital), without setting Django up."""
    if is_sqlite(url):
        path = sqlite_path(url)
        if not path.exists():
            return False
        import sqlite3

        try:
            with sqlite3.connect(path) as conn:
                return conn.execute("SELECT count(*) FROM organization_hospital").fetchone()[0] > 0
        except sqlite3.Error:
            return False
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    try:
        with _pg_connect(url, name) as conn:
            return conn.execute("SELECT count(*) FROM organization_hospital").fetchone()[0] > 0
    except psycopg.Error:
        return False


# --- generation -----------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    from django.apps import apps

    counts = {}
    for model in apps.get_models():
        if model.__module__.startswith("hongqing."):
            counts[model._meta.label] = model._base_manager.count()
    return {k: v for k, v in sorted(counts.items()) if v}


def generate(scale: str, url: str, *, fresh: bool, seed: int, today: dt.date | None) -> dict:
    if is_sqlite(url):
        path = sqlite_path(url)
        if fresh:
            for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                p.unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        pg_prepare(url, fresh)
    setup_django(url)

    from auditlog.context import disable_auditlog
    from django.core.management import call_command
    from django.db import connection, transaction

    from hongqing.core import demo
    from hongqing.organization.models import Hospital

    t0 = time.perf_counter()
    call_command("migrate", "--noinput", verbosity=0)
    t_migrate = time.perf_counter() - t0
    if Hospital.objects.exists():
        raise SystemExit(f"generate: {redact(url)} already has data; use --fresh to rebuild it")

    steps: dict[str, float] = {}

    def progress(name: str) -> None:
        steps[name] = time.perf_counter()
        print(f"  · {name}", flush=True)

    ctx = demo.make_context(demo_scale(scale), seed=seed, today=today)
    t1 = time.perf_counter()
    with transaction.atomic(), disable_auditlog():
        demo.run(ctx, progress=progress)
    t_fill = time.perf_counter() - t1
    names = list(steps)
    step_times = {
        n: round((steps[names[i + 1]] if i + 1 < len(names) else t1 + t_fill) - steps[n], 2)
        for i, n in enumerate(names)
    }
    t2 = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    t_analyze = time.perf_counter() - t2

    counts = row_counts()
    first = Hospital.objects.order_by("pk").first()
    result = {
        "scale": scale,
        "database": redact(url),
        "vendor": connection.vendor,
        "seed": seed,
        "today": ctx.today.isoformat(),
        "generator_version": GENERATOR_VERSION,
        "builders": builders_fingerprint(),
        "migrate_s": round(t_migrate, 2),
        "fill_s": round(t_fill, 2),
        "fill_steps_s": step_times,
        "analyze_s": round(t_analyze, 2),
        "total_s": round(time.perf_counter() - t0, 2),
        "hospitals": counts.get("organization.Hospital", 0),
        "staff": counts.get("people.Person", 0),
        "memberships": counts.get("people.Membership", 0),
        "first_hospital_staff": first.persons.count(),
        "first_hospital_memberships": first.persons.filter(membership__isnull=False).count(),
        "branches": counts.get("organization.PartyOrganization", 0),
        "rows": counts,
    }
    return result


def print_result(r: dict) -> None:
    print(
        f"\n{r['scale']} on {r['vendor']} ({r['database']}): {r['hospitals']} hospitals, "
        f"{r['staff']:,} staff, {r['memberships']:,} membership records "
        f"(first hospital: {r['first_hospital_staff']:,} staff, {r['first_hospital_memberships']} records)"
    )
    print(
        f"time: migrate {r['migrate_s']:.1f} s, fill {r['fill_s']:.1f} s "
        f"({', '.join(f'{k} {v:.1f} s' for k, v in r['fill_steps_s'].items())}), "
        f"analyze {r['analyze_s']:.1f} s, total {r['total_s']:.1f} s"
    )
    print("rows:")
    for label, n in r["rows"].items():
        print(f"  {label:<32} {n:>8,}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", choices=SCALES, required=True)
    ap.add_argument(
        "--database-url", help="default: a fresh SQLite file bench/out/<scale>.sqlite3 (always rebuilt)"
    )
    ap.add_argument("--fresh", action="store_true", help="drop the existing data first")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--today", type=dt.date.fromisoformat, help="the demo's today (YYYY-MM-DD)")
    ap.add_argument("--json", type=Path, help="also write the result as JSON to this file")
    args = ap.parse_args(argv)
    url = args.database_url or default_url(args.scale)
    fresh = args.fresh or not args.database_url
    OUT_DIR.mkdir(exist_ok=True)
    print(f"generate: scale {args.scale} into {redact(url)}", flush=True)
    result = generate(args.scale, url, fresh=fresh, seed=args.seed, today=args.today)
    print_result(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
