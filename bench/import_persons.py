#!/usr/bin/env python
"""Benchmark: import 5,000 persons from an Excel file through the importer service (not HTTP).

    .venv/bin/python bench/import_persons.py [--rows 5000] [--repeat 3] [--json FILE] [--tracemalloc]
    bash scripts/with_postgres.sh .venv/bin/python bench/import_persons.py

The database: without DATABASE_URL, a throwaway SQLite file in a temporary directory; with a
PostgreSQL DATABASE_URL, a throwaway database ``<name>_bench_import`` on that server (created,
migrated, dropped at the end; the database named in the URL is never touched). Any other URL is
refused. Settings are production-like: DEBUG off (so no query log grows in memory).

It seeds one hospital (40 departments, 3 talent tags, a Party-office user), writes an .xlsx of
``--rows`` persons with Faker zh_CN names and valid ID numbers (GB 11643 check digit), then runs
what the import pages run, phase by phase, and times each:

1. read   — open the workbook and read the rows (``imports.read_workbook``);
2. check  — check every row, nothing written (``PersonImport.check``): the upload's preview;
3. confirm — check again and write in one transaction (``imports.run_job``): the confirmation.

It runs ``--repeat`` times (3; the rows are deleted in between) and prints the best run's wall and
CPU seconds per phase, rows per second over the whole (target: ≥ 500 rows/s; also the median run,
and rows per CPU second of this process, which a busy machine disturbs less), and memory:
the process's peak resident set size during the import (the kernel's VmHWM, reset just before it;
``resource.getrusage`` where that is unavailable) and its growth over the size before it.
``--tracemalloc`` adds Python's own allocation peak, at the cost of a slower run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
TARGET_ROWS_PER_SECOND = 500
SEED = 2026
BENCH_SECRET_KEY = "bench-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz-hongqing"

DEPARTMENTS = [
    ("产一科", "clinical"),
    ("产二科", "clinical"),
    ("产三科", "clinical"),
    ("妇一科", "clinical"),
    ("妇二科", "clinical"),
    ("生殖医学科", "clinical"),
    ("乳腺科", "clinical"),
    ("产前诊断中心", "clinical"),
    ("新生儿科", "clinical"),
    ("儿内科", "clinical"),
    ("儿外科", "clinical"),
    ("儿童保健科", "clinical"),
    ("儿童康复科", "clinical"),
    ("小儿呼吸科", "clinical"),
    ("小儿消化科", "clinical"),
    ("麻醉科", "clinical"),
    ("重症医学科", "clinical"),
    ("急诊科", "clinical"),
    ("中医科", "clinical"),
    ("口腔科", "clinical"),
    ("眼科", "clinical"),
    ("耳鼻喉科", "clinical"),
    ("皮肤科", "clinical"),
    ("检验科", "medtech"),
    ("放射科", "medtech"),
    ("超声科", "medtech"),
    ("病理科", "medtech"),
    ("药剂科", "medtech"),
    ("护理部", "nursing"),
    ("产科病区", "nursing"),
    ("儿科病区", "nursing"),
    ("手术室", "nursing"),
    ("党委办公室", "administrative"),
    ("院长办公室", "administrative"),
    ("人事科", "administrative"),
    ("医务科", "administrative"),
    ("财务科", "administrative"),
    ("信息科", "administrative"),
    ("总务科", "logistics"),
    ("保卫科", "logistics"),
]
TAGS = ["学科带头人", "头雁人才", "青年骨干"]
REGIONS = ["110105", "310104", "320106", "330106", "420106", "440106", "510107", "610113"]
POSTS = ["", "", "", "", "科主任", "副主任", "护士长", "主治医师", "住院医师", "主管护师", "技师"]
TITLES = ["初级", "中级", "中级", "副高", "正高", ""]
EDUCATIONS = ["博士研究生", "硕士研究生", "本科", "本科", "大专", "中专及以下"]
HEADERS = [
    "工号",
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "手机",
    "科室",
    "职务",
    "职称",
    "学历",
    "入职日期",
    "人才标签",
]


def database_url() -> tuple[str, callable]:
    """The URL to run on, and a function that removes what was created."""
    base = os.environ.get("DATABASE_URL", "")
    if not base:
        tmp = tempfile.TemporaryDirectory(prefix="hongqing-bench-import-")
        url = f"sqlite:///{Path(tmp.name) / 'bench.sqlite3'}"
        return url, tmp.cleanup
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit(
            f"bench/import_persons.py: DATABASE_URL must be PostgreSQL or unset, not {base.split(':')[0]}"
        )
    import psycopg

    parts = urlsplit(base)
    name = (parts.path.lstrip("/") or "postgres") + "_bench_import"
    url = urlunsplit(parts._replace(path=f"/{name}"))
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')

    return url, drop


def setup_django(url: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="hongqing.config.settings",
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY=BENCH_SECRET_KEY,
        LOG_LEVEL="WARNING",
    )
    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()


def seed():
    from hongqing.accounts.choices import Role
    from hongqing.accounts.models import RoleAssignment, User
    from hongqing.organization.models import Department, Hospital
    from hongqing.people.models import TalentTag

    hospital = Hospital.objects.create(name="基准测试妇幼保健院", code="bench-import", kind="mch")
    for i, (name, kind) in enumerate(DEPARTMENTS, start=1):
        Department.objects.add_root(dict(hospital=hospital, name=name, code=f"{i:02d}", kind=kind))
    for tag in TAGS:
        TalentTag.objects.create(hospital=hospital, name=tag)
    user = User.objects.create_user(username="bench-office", password="bench-only-2026x", display_name="党办")
    RoleAssignment.objects.create(user=user, role=Role.PARTY_OFFICE, hospital=hospital)
    return hospital, user


def workbook(rows: int) -> bytes:
    from faker import Faker
    from openpyxl import Workbook

    from hongqing.core.idnumber import check_digit

    fake = Faker("zh_CN")
    Faker.seed(SEED)
    rnd = random.Random(SEED)
    # A regular workbook, as Excel or WPS save it (with the sheet's <dimension>, which a write-only
    # workbook lacks and without which openpyxl scans the whole sheet once more to size it).
    wb = Workbook()
    ws = wb.active
    ws.title = "职工"
    ws.append(HEADERS)
    used_ids = set()
    for n in range(1, rows + 1):
        female = rnd.random() < 0.7  # an MCH hospital's staff is mostly women
        while True:
            birth = dt.date(1962, 1, 1) + dt.timedelta(days=rnd.randrange(0, 40 * 365))
            first17 = (
                f"{rnd.choice(REGIONS)}{birth:%Y%m%d}{rnd.randrange(0, 50) * 2 + (0 if female else 1):03d}"
            )
            if first17 not in used_ids:
                used_ids.add(first17)
                break
        name = fake.name_female() if female else fake.name_male()
        tags = "、".join(rnd.sample(TAGS, rnd.choice([1, 2]))) if rnd.random() < 0.05 else ""
        hired = max(birth + dt.timedelta(days=22 * 365), dt.date(1985, 7, 1)) + dt.timedelta(
            days=rnd.randrange(3000)
        )
        hired = min(hired, dt.date(2025, 12, 31))
        ws.append(
            [
                f"{100000 + n}",
                name,
                "女" if female else "男",
                birth.isoformat(),
                first17 + check_digit(first17),
                fake.phone_number(),
                rnd.choice(DEPARTMENTS)[0],
                rnd.choice(POSTS),
                rnd.choice(TITLES),
                rnd.choice(EDUCATIONS),
                hired.isoformat(),
                tags,
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) so that it measures the import alone (Linux ≥ 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def status_mib(key: str) -> float | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return None


def peak_rss_mib() -> float:
    peak = status_mib("VmHWM")
    if peak is not None:
        return peak
    # ru_maxrss: the whole process's peak, in KiB on Linux, bytes on macOS.
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value / (1024 * 1024) if sys.platform == "darwin" else value / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs (the rows are deleted in between); best is reported"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also report Python's allocation peak (slower run)"
    )
    args = parser.parse_args()

    url, cleanup = database_url()
    try:
        setup_django(url)
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        settings.IMPORT_MAX_ROWS = max(settings.IMPORT_MAX_ROWS, args.rows)
        settings.IMPORT_MAX_BYTES = max(settings.IMPORT_MAX_BYTES, 64 * 1024 * 1024)

        from hongqing.core import imports
        from hongqing.core.choices import ImportStatus
        from hongqing.core.models import ImportJob
        from hongqing.people.imports import PersonImport
        from hongqing.people.models import Person

        t = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrate_s = time.perf_counter() - t
        hospital, user = seed()
        t = time.perf_counter()
        content = workbook(args.rows)
        generate_s = time.perf_counter() - t

        def run_once() -> dict:
            """One import, phase by phase: {phase: (wall seconds, CPU seconds)}."""
            marks = [(time.perf_counter(), time.process_time())]

            def mark():
                marks.append((time.perf_counter(), time.process_time()))

            # 1. read
            parsed = imports.read_workbook(io.BytesIO(content), PersonImport.columns)
            mark()
            # 2. check (the upload's preview), and the job that keeps the checked rows until confirmed
            spec = PersonImport(user, options={"hospital": hospital.pk})
            result = spec.check(parsed.rows)
            if not result.ok:
                for e in result.errors[:10]:
                    print("error:", imports.format_error(e.as_dict()), file=sys.stderr)
                raise SystemExit(1)
            job = ImportJob.objects.create(
                created_by=user,
                model_label="people.person",
                file_name="bench.xlsx",
                status=ImportStatus.RUNNING,
                total_rows=result.total,
                options=spec.options,
                rows=parsed.rows,
            )
            mark()
            # 3. confirm: check again (the database may have changed), then write in one transaction
            job = ImportJob.objects.get(pk=job.pk)
            imports.run_job(job, PersonImport, user)
            mark()
            job.refresh_from_db()
            written = Person.objects.filter(hospital=hospital).count()
            if job.status != ImportStatus.DONE or written != args.rows:
                print(
                    f"import did not complete: {job.status} {job.message} {job.errors[:5]}", file=sys.stderr
                )
                raise SystemExit(1)
            phases = ("read", "check", "confirm")
            out = {
                p: (marks[i + 1][0] - marks[i][0], marks[i + 1][1] - marks[i][1])
                for i, p in enumerate(phases)
            }
            out["total"] = (marks[-1][0] - marks[0][0], marks[-1][1] - marks[0][1])
            return out

        def undo() -> None:
            Person.talent_tags.through.objects.filter(person__hospital=hospital).delete()
            Person.objects.filter(hospital=hospital).delete()
            ImportJob.objects.all().delete()

        rss_before = status_mib("VmRSS") or peak_rss_mib()
        reset_peak_rss()
        if args.tracemalloc:
            tracemalloc.start()
        runs = []
        for i in range(args.repeat):
            if i:
                undo()
            runs.append(run_once())
        peak = peak_rss_mib()
        py_peak = tracemalloc.get_traced_memory()[1] / (1024 * 1024) if args.tracemalloc else None
        with_pinyin = Person.objects.filter(hospital=hospital).exclude(name_pinyin="").count()
        best = min(runs, key=lambda r: r["total"][0])
        walls = sorted(r["total"][0] for r in runs)
        median_wall = walls[len(walls) // 2]
        figures = {
            "database": connection.vendor,
            "rows": args.rows,
            "runs": args.repeat,
            "file_kib": round(len(content) / 1024),
            "best_seconds": {k: round(v[0], 3) for k, v in best.items()},
            "best_cpu_seconds": {k: round(v[1], 3) for k, v in best.items()},
            "median_total_seconds": round(median_wall, 3),
            "rows_per_second": round(args.rows / best["total"][0]),
            "rows_per_second_median": round(args.rows / median_wall),
            "rows_per_cpu_second": round(args.rows / best["total"][1]),
            "target_rows_per_second": TARGET_ROWS_PER_SECOND,
            "peak_rss_mib": round(peak, 1),
            "rss_before_mib": round(rss_before, 1),
            "rss_growth_mib": round(peak - rss_before, 1),
            "python_peak_mib": round(py_peak, 1) if py_peak is not None else None,
            "with_pinyin": with_pinyin,
            "setup_seconds": {"migrate": round(migrate_s, 2), "generate_xlsx": round(generate_s, 2)},
        }
        print(
            f"Import of {args.rows:,} persons on {connection.vendor} ({figures['file_kib']:,} KiB .xlsx), "
            f"best of {args.repeat}"
        )
        print(f"  {'phase':<8} {'wall s':>7} {'CPU s':>7}")
        for phase in ("read", "check", "confirm", "total"):
            print(f"  {phase:<8} {best[phase][0]:7.2f} {best[phase][1]:7.2f}")
        print(
            f"  rate     {figures['rows_per_second']:,} rows/s (median of runs {figures['rows_per_second_median']:,}; "
            f"{figures['rows_per_cpu_second']:,} per CPU second of this process); target ≥ {TARGET_ROWS_PER_SECOND}"
        )
        print(
            f"  memory   peak RSS {peak:.0f} MiB during the import "
            f"({rss_before:.0f} MiB before it: +{peak - rss_before:.0f} MiB)"
        )
        if py_peak is not None:
            print(f"  python   peak {py_peak:.0f} MiB allocated (tracemalloc; it slows the runs above)")
        if args.json:
            args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2))
        if args.tracemalloc:
            return 0
        return 0 if figures["rows_per_second"] >= TARGET_ROWS_PER_SECOND else 2
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
