#!/usr/bin/env python
"""All the benchmarks, on SQLite and on PostgreSQL, with one summary table (``make bench``).

    .venv/bin/python bench/run.py [--only sqlite|postgresql] [--database-url URL]
                                  [--scales hospital,region] [--requests 200] [--warmup 20]
                                  [--regenerate] [--no-import] [--json PATH]

For each database: the scale data (bench/generate.py: ``hospital`` and ``region``, generated when
the database is missing or was made by another version of generate.py or of the apps' demo
builders; the SQLite files in bench/out/ are kept between runs, a PostgreSQL database is rebuilt
when missing), the list latencies on each
(bench/list_latency.py), and the import benchmark (bench/import_persons.py, when present).

Databases: SQLite in bench/out/<scale>.sqlite3; PostgreSQL from DATABASE_URL when it names one,
else a throwaway server from scripts/with_postgres.sh (skipped, and said so, when none can be
started). ``--database-url`` runs one database only: a SQLite file (suffixed -<scale>) or a
PostgreSQL server (databases hongqing_bench_<scale> are created on it).
Each script's own output is shown as it runs; the summary comes last (``--json`` saves it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH_DIR, OUT_DIR, PROJECT_DIR, PYTHON, SCALES, is_sqlite, redact, scale_url  # noqa: E402
from generate import GENERATOR_VERSION, builders_fingerprint, database_exists  # noqa: E402

NO_SERVER = 125  # scripts/with_postgres.sh: no PostgreSQL could be provided
VENDORS = ("sqlite", "postgresql")


def is_postgres(url: str | None) -> bool:
    return bool(url) and url.split(":", 1)[0] in ("postgres", "postgresql", "pgsql", "postgis")


def step(title: str) -> None:
    print(f"\n\033[1;34m==> {title}\033[0m", flush=True)


def run_script(args: list[str], env: dict | None = None) -> int:
    return subprocess.run([PYTHON, *args], cwd=PROJECT_DIR, env=env).returncode


def run_database(vendor: str, base: str | None, args) -> dict:
    """Generate (when needed) and measure every scale on one database; then the import."""
    out: dict = {"vendor": vendor, "generate": {}, "latency": {}, "import": None}
    for scale in args.scales:
        url = scale_url(base, scale)
        gen_json = OUT_DIR / f"generate-{vendor}-{scale}.json"
        cached = None
        if gen_json.exists() and not args.regenerate:
            cached = json.loads(gen_json.read_text())
            if (
                cached.get("generator_version") != GENERATOR_VERSION
                or cached.get("builders") != builders_fingerprint()
                or cached.get("database") != redact(url)
            ):
                cached = None
        if cached is None or not database_exists(url):
            step(f"{vendor}: generate {scale} into {redact(url)}")
            rc = run_script(
                [
                    "bench/generate.py",
                    "--scale",
                    scale,
                    "--database-url",
                    url,
                    "--fresh",
                    "--json",
                    str(gen_json),
                ]
            )
            if rc:
                raise SystemExit(f"run: generate.py failed ({rc})")
            out["generate"][scale] = json.loads(gen_json.read_text()) | {"cached": False}
        else:
            print(
                f"\n{vendor}: {scale} data already in {redact(url)} (generated {cached['total_s']} s earlier)"
            )
            out["generate"][scale] = cached | {"cached": True}
        step(f"{vendor}: list latency, {scale} scale")
        lat_json = OUT_DIR / f"latency-{vendor}-{scale}.json"
        rc = run_script(
            [
                "bench/list_latency.py",
                "--scale",
                scale,
                "--database-url",
                url,
                "--requests",
                str(args.requests),
                "--warmup",
                str(args.warmup),
                "--json",
                str(lat_json),
            ]
        )
        if rc:
            raise SystemExit(f"run: list_latency.py failed ({rc})")
        out["latency"][scale] = json.loads(lat_json.read_text())
    importer = BENCH_DIR / "import_persons.py"
    if importer.exists() and not args.no_import:
        step(f"{vendor}: import benchmark (bench/import_persons.py)")
        env = dict(os.environ)
        if vendor == "postgresql":
            env["DATABASE_URL"] = base  # it creates and drops its own database on that server
        else:
            env.pop("DATABASE_URL", None)  # a throwaway SQLite file of its own
        imp_json = OUT_DIR / f"import-{vendor}.json"
        imp_json.unlink(missing_ok=True)
        rc = run_script(["bench/import_persons.py", "--json", str(imp_json)], env=env)
        # 2: it ran, below its target rate; anything else without a result is a failure
        out["import"] = json.loads(imp_json.read_text()) if imp_json.exists() else {"error": rc}
    return out


def run_under_with_postgres(args) -> dict | None:
    """This script again, on the throwaway PostgreSQL server of scripts/with_postgres.sh."""
    with tempfile.NamedTemporaryFile(suffix=".json", dir=OUT_DIR, delete=False) as f:
        result_path = Path(f.name)
    cmd = [
        str(PROJECT_DIR / "scripts" / "with_postgres.sh"),
        PYTHON,
        str(Path(__file__).resolve()),
        "--only",
        "postgresql",
        "--scales",
        ",".join(args.scales),
        "--requests",
        str(args.requests),
        "--warmup",
        str(args.warmup),
        "--result",
        str(result_path),
    ]
    if args.no_import:
        cmd.append("--no-import")
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    try:
        rc = subprocess.run(cmd, cwd=PROJECT_DIR, env=env).returncode
        if rc == NO_SERVER:
            return None
        if rc:
            raise SystemExit(f"run: the PostgreSQL run failed ({rc})")
        return json.loads(result_path.read_text())["postgresql"]
    finally:
        result_path.unlink(missing_ok=True)


# --- the summary ---------------------------------------------------------------------------


def _gen_cell(g: dict | None) -> str:
    if not g:
        return "—"
    cached = ", cached" if g.get("cached") else ""
    return f"{g['total_s']:.1f} s (fill {g['fill_s']:.1f}{cached})"


def _lat_cell(row: dict | None) -> str:
    if not row:
        return "—"
    cell = f"{row['median_ms']:.1f} ms (p90 {row['p90_ms']:.0f})"
    if "ratio" in row:
        spread = f" {row['ratio_min']:.1f}–{row['ratio_max']:.1f}" if "ratio_min" in row else ""
        cell += f" ×{row['ratio']:.1f}{spread}"
        if row.get("cpu_ratio") is not None:
            cell += f", cpu ×{row['cpu_ratio']:.1f}"
    return cell


def _import_cell(imp: dict | None) -> str:
    if not imp:
        return "—"
    if "error" in imp:
        return f"failed ({imp['error']})"
    return f"{imp['rows_per_second']:,} rows/s ({imp['best_seconds']['total']:.1f} s, {imp['peak_rss_mib']:.0f} MiB)"


def summary_rows(results: dict[str, dict | None]) -> list[tuple[str, list[str]]]:
    rows: list[tuple[str, list[str]]] = []
    present = [r for r in results.values() if r]
    scales = [s for s in SCALES if any(s in r["generate"] for r in present)]
    for scale in scales:
        label = "hospital (3,000 staff)" if scale == "hospital" else "region (50 hospitals, 17,700 staff)"
        rows.append(
            (
                f"generate {label}",
                [_gen_cell((r or {}).get("generate", {}).get(scale)) for r in results.values()],
            )
        )
    for scale in scales:
        names: list[str] = []
        for r in present:
            for row in r["latency"].get(scale, {}).get("rows", []):
                if row["endpoint"] not in names:
                    names.append(row["endpoint"])
        for name in names:
            cells = []
            for r in results.values():
                found = None
                for row in (r or {}).get("latency", {}).get(scale, {}).get("rows", []):
                    if row["endpoint"] == name:
                        found = row
                cells.append(_lat_cell(found))
            rows.append((f"{scale}: {name}", cells))
    if any(r.get("import") for r in present):
        rows.append(
            ("import 5,000 persons", [_import_cell((r or {}).get("import")) for r in results.values()])
        )
    return rows


def print_summary(results: dict[str, dict | None], args) -> None:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"\n\033[1mHongQing benchmarks\033[0m — {dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, "
        f"load average {load:.1f}; {args.requests} rounds after {args.warmup} warm-up"
    )
    print(
        "latency: median (p90) wall ms on the client; ×ratio to the minimal view of the same user "
        "(lowest–highest over blocks of 25 rounds), cpu ×: the same for the server worker's CPU time"
    )
    headers = ["SQLite" if v == "sqlite" else "PostgreSQL" for v in results]
    rows = summary_rows(results)
    width0 = max([len(label) for label, _ in rows] + [10])
    widths = [max([len(h)] + [len(cells[i]) for _, cells in rows]) for i, h in enumerate(headers)]
    print(f"{'':<{width0}}  " + "  ".join(f"{h:<{w}}" for h, w in zip(headers, widths, strict=True)))
    for label, cells in rows:
        print(f"{label:<{width0}}  " + "  ".join(f"{c:<{w}}" for c, w in zip(cells, widths, strict=True)))
    for vendor, r in results.items():
        if r is None:
            print(f"{vendor}: SKIPPED (no PostgreSQL server; as root: apt-get install -y postgresql)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=VENDORS)
    ap.add_argument("--database-url", help="one database (SQLite file or PostgreSQL server) instead of both")
    ap.add_argument("--scales", default=",".join(SCALES), help="comma-separated: hospital,region")
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--regenerate", action="store_true", help="rebuild the scale data even if present")
    ap.add_argument("--no-import", action="store_true", help="skip bench/import_persons.py")
    ap.add_argument("--json", type=Path, help="also write the summary's figures to this file")
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)  # the inner PostgreSQL run's output
    args = ap.parse_args(argv)
    args.scales = [s for s in args.scales.split(",") if s]
    if bad := [s for s in args.scales if s not in SCALES]:
        ap.error(f"unknown scale(s): {', '.join(bad)}")
    OUT_DIR.mkdir(exist_ok=True)

    if args.database_url:
        vendor = "sqlite" if is_sqlite(args.database_url) else "postgresql"
        plan = [(vendor, args.database_url)]
    else:
        plan = []
        if args.only != "postgresql":
            plan.append(("sqlite", None))
        if args.only != "sqlite":
            env_url = os.environ.get("DATABASE_URL")
            plan.append(("postgresql", env_url if is_postgres(env_url) else "with_postgres"))

    results: dict[str, dict | None] = {}
    for vendor, base in plan:
        if base == "with_postgres":
            step("postgresql: a throwaway server (scripts/with_postgres.sh)")
            results[vendor] = run_under_with_postgres(args)
        else:
            results[vendor] = run_database(vendor, base, args)
    if args.result:  # the inner run: hand the figures back to the outer one
        args.result.write_text(json.dumps(results, ensure_ascii=False))
        return 0
    print_summary(results, args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
