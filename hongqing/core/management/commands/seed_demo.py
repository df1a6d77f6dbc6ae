"""Build the synthetic demo hospital (names from Faker zh_CN; nothing from the seed accounts)."""

from __future__ import annotations

from auditlog.context import disable_auditlog
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hongqing.core import demo


class Command(BaseCommand):
    help = "Build the demo maternal-and-child-health hospital and its demo accounts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="run on a non-empty database or with DEBUG off"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="seed only when there is no hospital yet; print the accounts either way",
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, force=False, if_empty=False, seed=2026, **options):
        hospital = apps.get_model("organization", "Hospital")
        non_empty = hospital.objects.exists()
        if non_empty and if_empty:
            self.stdout.write(
                "数据库已有数据，跳过演示数据。The database already has data; demo data not loaded."
            )
            self.print_accounts()
            return
        if non_empty and not force:
            raise CommandError(
                "数据库不为空：拒绝写入演示数据（使用 --force 强制）。The database is not empty; use --force."
            )
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG 已关闭（生产环境？）：拒绝写入演示数据（使用 --force 强制）。DEBUG is off; use --force."
            )
        ctx = demo.make_context(seed=seed)
        with transaction.atomic(), disable_auditlog():
            demo.run(ctx, progress=lambda name: self.stdout.write(f"  · {name}"))
        self.stdout.write(self.style.SUCCESS("演示医院已生成。The demo hospital is ready."))
        self.print_accounts(ctx.accounts)

    def print_accounts(self, accounts=None):
        accounts = accounts or DEMO_ACCOUNTS
        self.stdout.write("")
        self.stdout.write(f"演示账号 Demo accounts (password / 密码: {demo.DEMO_PASSWORD})")
        for username, role, scope in accounts:
            self.stdout.write(f"  {username:<12} {role}  {scope}")
        self.stdout.write("")


DEMO_ACCOUNTS = [
    ("admin", "系统管理员 system administrator", ""),
    ("security", "安全管理员 security administrator", ""),
    ("auditor", "审计管理员 audit administrator", ""),
    ("office", "党办 Party office", ""),
    ("secretary", "支部书记 branch secretary", "branch A"),
    ("secretary2", "支部书记 branch secretary", "branch B"),
    ("member", "党员 member", "branch A"),
    ("inspector", "纪委 discipline inspector", ""),
    ("region", "区域只读 regional reader", ""),
]
