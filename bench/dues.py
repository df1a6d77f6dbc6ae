#!/usr/bin/env python
"""The dues book of a 600-member hospital for a year: page latency and Excel export time.

    .venv/bin/python bench/dues.py [--database-url URL] [--members 600] [--branches 20]
                                   [--requests 30] [--json PATH]

Builds its own data in a fresh database (bench/out/dues.sqlite3, or the PostgreSQL database
hongqing_bench_dues on the server of ``--database-url``, dropped and created again): one hospital, a
committee and ``--branches`` branches sharing ``--members`` members (1 in 20 probationary, admitted
this year), each with a base for last year and this one, and a year of payments up to the current
month (most on time, some made up or in advance, about 1 in 12 members 3 or more months behind);
an office account (the whole hospital) and a branch secretary.

Then, in-process through Django's test client with DEBUG off (the whole middleware stack, the
templates, no network), each endpoint ``--requests`` times after 3 warm-up requests:

- ``minimal``: /bench/minimal/, a logged-in request that returns "ok" (the baseline);
- ``book hospital``: the book of the committee, every member (600 rows × 12 months);
- ``book branch``: the book of one branch, as its secretary;
- ``pay cell``: marking one cell paid with HTMX (the row and the totals come back), undone after;
- ``export hospital``: the Excel export, one sheet per branch plus the summary;
- ``export branch``: one branch's sheet.

Prints per endpoint the median and p90 in ms, the ratio of the median to the baseline's, the SQL
queries of one request and the response size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    OUT_DIR,
    default_url,
    is_sqlite,
    median,
    percentile,
    redact,
    scale_url,
    setup_django,
)

SCALE = "dues"
PASSWORD = "bench-dues-2026"


def prepare_database(url: str) -> None:
    """A fresh, empty database at ``url``."""
    if is_sqlite(url):
        path = Path(urlsplit(url).path[1:])
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def build(members: int, branches: int) -> dict:
    """The hospital, its tree, members, bases, a year of payments and two accounts."""
    from decimal import Decimal

    from auditlog.context import disable_auditlog
    from django.db import transaction
    from django.utils import timezone

    from hongqing.accounts.choices import Role
    from hongqing.accounts.models import RoleAssignment, User
    from hongqing.core.pinyin import pinyin_keys
    from hongqing.organization.choices import OrgKind
    from hongqing.organization.models import Department, Hospital, PartyOrganization
    from hongqing.party.choices import DuesCategory
    from hongqing.party.models import DuesBase, DuesPayment
    from hongqing.party.services import dues as services
    from hongqing.people.choices import Stage
    from hongqing.people.models import Membership, Person

    rng = random.Random(2026)
    today = timezone.localdate()
    now = services.month_index(today.year, today.month)
    surnames, given = (
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗",
        "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华",
    )
    with disable_auditlog(), transaction.atomic():
        h = Hospital.objects.create(name="基准妇幼保健院", code="bench-dues", kind="mch")
        committee = PartyOrganization.objects.add_root(
            dict(hospital=h, name="院党委", kind=OrgKind.COMMITTEE)
        )
        orgs, depts = [], []
        for b in range(branches):
            depts.append(
                Department.objects.add_root(dict(hospital=h, name=f"科室{b + 1:02d}", code=f"{b + 1:02d}"))
            )
            committee.refresh_from_db()
            orgs.append(
                PartyOrganization.objects.add_child(
                    committee, dict(hospital=h, name=f"第{b + 1:02d}党支部", kind=OrgKind.BRANCH)
                )
            )
        persons = []
        for i in range(members):
            name = (
                rng.choice(surnames) + rng.choice(given) + (rng.choice(given) if rng.random() < 0.6 else "")
            )
            full, initials = pinyin_keys(name)
            persons.append(
                Person(
                    hospital=h,
                    department=depts[i % branches],
                    staff_no=f"{20001 + i}",
                    name=name,
                    name_pinyin=full[:200],
                    name_initials=initials[:50],
                    gender="F" if rng.random() < 0.7 else "M",
                )
            )
        persons = Person.objects.bulk_create(persons, batch_size=500)
        memberships = []
        for i, p in enumerate(persons):
            if i % 20 == 7:  # probationary, admitted this year
                admitted = dt.date(today.year, rng.randint(1, today.month), rng.randint(1, 28))
                stage = Stage.PROBATIONARY
            else:
                admitted = dt.date(rng.randint(1990, today.year - 2), rng.randint(1, 12), rng.randint(1, 28))
                stage = Stage.FULL
            memberships.append(
                Membership(
                    person=p,
                    organization=orgs[i % branches],
                    stage=stage,
                    application_date=admitted - dt.timedelta(days=900),
                    activist_date=admitted - dt.timedelta(days=700),
                    candidate_date=admitted - dt.timedelta(days=200),
                    admission_date=admitted,
                    conversion_date=admitted + dt.timedelta(days=366) if stage == Stage.FULL else None,
                )
            )
        memberships = Membership.objects.bulk_create(memberships, batch_size=500)
        bases, payments = [], []
        with services.cached_rules():
            for i, m in enumerate(memberships):
                monthly = {}
                for year in (today.year - 1, today.year):
                    if m.admission_date.year > year:
                        continue
                    value = Decimal(rng.randrange(250000, 1500000)) / 100
                    amount = services.monthly_dues(
                        DuesCategory.SALARIED, value, h.pk, services.rules_date(m, year)
                    )
                    bases.append(
                        DuesBase(
                            membership=m, year=year, base=value, rate=amount.rate, monthly=amount.monthly
                        )
                    )
                    monthly[year] = amount.monthly
                lag = 3 + (i % 4) if i % 12 == 5 else 0
                first = services.first_due_month(m)
                for index in range(now - 11, now + 1):
                    year, month = divmod(index, 12)
                    month += 1
                    if year not in monthly or (year, month) < first or index > now - lag:
                        continue
                    if index == now and rng.random() < 0.4:
                        continue
                    roll = rng.random()
                    day = dt.date(year, month, rng.randint(1, 28))
                    if roll < 0.08 and index < now:
                        day = dt.date(year, month, 28) + dt.timedelta(days=rng.randint(4, 20))
                    elif roll > 0.97:
                        day = dt.date(year, month, 1) - dt.timedelta(days=rng.randint(1, 20))
                    day = min(day, today)
                    payments.append(
                        DuesPayment(
                            membership=m,
                            year=year,
                            month=month,
                            amount=monthly[year],
                            paid_on=day,
                            kind=services.payment_kind(year, month, day),
                        )
                    )
        DuesBase.objects.bulk_create(bases, batch_size=500)
        DuesPayment.objects.bulk_create(payments, batch_size=1000)
        office = User.objects.create_user(username="office", password=PASSWORD, display_name="党办")
        RoleAssignment.objects.create(user=office, role=Role.PARTY_OFFICE, hospital=h)
        secretary = User.objects.create_user(username="secretary", password=PASSWORD, display_name="书记")
        RoleAssignment.objects.create(user=secretary, role=Role.BRANCH_SECRETARY, organization=orgs[0])
    return {
        "hospital": h,
        "committee": committee,
        "branch": orgs[0],
        "members": len(memberships),
        "bases": len(bases),
        "payments": len(payments),
        "today": today,
    }


def measure(client, method: str, path: str, data=None, n: int = 30, undo=None, **extra) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def once():
        response = getattr(client, method)(path, data or {}, **extra)
        assert response.status_code == 200, (path, response.status_code)
        if undo:
            undo()
        return response

    for _ in range(3):
        once()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = once()
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(path, data or {}, **extra)
    if undo:
        undo()
    return {
        "median_ms": round(median(times), 1),
        "p90_ms": round(percentile(times, 90), 1),
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
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    data = build(args.members, args.branches)
    build_s = time.perf_counter() - t0
    if not is_sqlite(url):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    from django.test import Client
    from openpyxl import load_workbook

    from hongqing.accounts.models import User
    from hongqing.party.models import DuesPayment
    from hongqing.party.services import dues as services

    office, secretary = Client(), Client()
    office.force_login(User.objects.get(username="office"))
    secretary.force_login(User.objects.get(username="secretary"))
    year = data["today"].year
    hospital_q = {"organization": data["committee"].pk, "year": year}
    branch_q = {"organization": data["branch"].pk, "year": year}
    n = args.requests
    results = {}
    results["minimal"] = measure(office, "get", "/bench/minimal/", n=n)
    results["book hospital"] = measure(office, "get", "/party/dues/book/", hospital_q, n=n)
    results["book branch"] = measure(secretary, "get", "/party/dues/book/", branch_q, n=n)
    # One unpaid cell of the current month in the branch, paid and undone each time.
    book = services.build_book(
        data["branch"].memberships.filter(stage__in=("full", "probationary")),
        year,
        hospital_id=data["hospital"].pk,
    )
    cell = next(
        (r.membership.pk, c.month) for r in book.rows for c in r.cells if c.status == "unpaid" and c.can_pay
    )

    def undo():
        DuesPayment.objects.filter(membership_id=cell[0], year=year, month=cell[1]).delete()

    results["pay cell"] = measure(
        secretary,
        "post",
        "/party/dues/book/pay/",
        {**branch_q, "cell": f"{cell[0]}-{cell[1]}"},
        n=n,
        undo=undo,
        HTTP_HX_REQUEST="true",
    )
    results["export hospital"] = measure(
        office, "get", "/party/dues/book/export/", hospital_q, n=max(5, n // 3)
    )
    results["export branch"] = measure(secretary, "get", "/party/dues/book/export/", branch_q, n=n)
    content = office.get("/party/dues/book/export/", hospital_q).content
    wb = load_workbook(io.BytesIO(content), read_only=True)
    sheets = len(wb.sheetnames)
    rows = sum(1 for ws in wb.worksheets[1:] for _ in ws.iter_rows(min_row=3)) - (
        sheets - 1
    )  # less the totals
    base = results["minimal"]["median_ms"]
    for r in results.values():
        r["ratio"] = round(r["median_ms"] / base, 1) if base else None
    return {
        "database": redact(url),
        "vendor": "sqlite" if is_sqlite(url) else "postgresql",
        "members": data["members"],
        "branches": args.branches,
        "bases": data["bases"],
        "payments": data["payments"],
        "migrate_s": round(migrate_s, 1),
        "build_s": round(build_s, 1),
        "export_sheets": sheets,
        "export_member_rows": rows,
        "requests": n,
        "results": results,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }


def print_result(r: dict) -> None:
    print(
        f"dues book bench · {r['vendor']} · {r['members']} members in {r['branches']} branches · "
        f"{r['bases']} bases · {r['payments']} payments (built in {r['build_s']} s)"
    )
    print(f"{'endpoint':<18}{'median ms':>11}{'p90 ms':>9}{'× minimal':>11}{'queries':>9}{'bytes':>11}")
    for name, x in r["results"].items():
        print(
            f"{name:<18}{x['median_ms']:>11}{x['p90_ms']:>9}{x['ratio']:>11}{x['queries']:>9}{x['bytes']:>11}"
        )
    print(f"export: {r['export_sheets']} sheets, {r['export_member_rows']} member rows")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help="default: bench/out/dues.sqlite3")
    parser.add_argument("--members", type=int, default=600)
    parser.add_argument("--branches", type=int, default=20)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    args.database_url = scale_url(args.database_url, SCALE) if args.database_url else default_url(SCALE)
    OUT_DIR.mkdir(exist_ok=True)
    result = run(args)
    print_result(result)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
