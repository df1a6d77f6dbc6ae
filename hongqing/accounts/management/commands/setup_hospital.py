"""First run on a new installation: a hospital, its committee and discipline committee, and the
three separated administrators (三员分立). Everything after this is done in the application."""

from __future__ import annotations

import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hongqing.accounts.choices import Role
from hongqing.accounts.models import RoleAssignment, User
from hongqing.organization.choices import HospitalKind, HospitalLevel, OrgKind
from hongqing.organization.models import Hospital, PartyOrganization

ADMINS = (
    ("sysadmin", Role.SYSTEM_ADMIN),
    ("secadmin", Role.SECURITY_ADMIN),
    ("auditadmin", Role.AUDIT_ADMIN),
)


class Command(BaseCommand):
    help = "Create a hospital with its Party committee and the three separated administrators."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="e.g. 某某市妇幼保健院")
        parser.add_argument("--code", required=True, help="short ASCII code, e.g. mcfy")
        parser.add_argument("--kind", default=HospitalKind.GENERAL, choices=HospitalKind.values)
        parser.add_argument("--level", default=HospitalLevel.TERTIARY_A, choices=HospitalLevel.values)
        parser.add_argument("--office", help="username of a first Party office account (optional)")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read one password per account from stdin"
        )

    def _password(self, username, from_stdin):
        if from_stdin:
            import sys

            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass(f"Password for {username}: ")
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(f"{username}: " + " ".join(exc.messages)) from exc
        return password

    def handle(self, *args, name, code, kind, level, office=None, password_stdin=False, **options):
        if Hospital.objects.filter(code=code).exists():
            raise CommandError(f"A hospital with code {code!r} exists already.")
        accounts = [(u, r) for u, r in ADMINS if not User.objects.filter(username=u).exists()]
        if office:
            accounts.append((office, Role.PARTY_OFFICE))
        passwords = {u: self._password(u, password_stdin) for u, _r in accounts}
        with transaction.atomic():
            hospital = Hospital.objects.create(name=name, code=code, kind=kind, level=level)
            PartyOrganization.objects.add_root(
                dict(hospital=hospital, name=f"中共{name}委员会", kind=OrgKind.COMMITTEE, sort_order=1)
            )
            PartyOrganization.objects.add_root(
                dict(
                    hospital=hospital,
                    name=f"中共{name}纪律检查委员会",
                    kind=OrgKind.DISCIPLINE_COMMITTEE,
                    sort_order=2,
                )
            )
            for username, role in accounts:
                user = User.objects.create_user(username=username, password=passwords[username])
                RoleAssignment.objects.create(user=user, role=role, hospital=hospital)
        self.stdout.write(
            self.style.SUCCESS(
                f"{name}: created, with accounts {', '.join(u for u, _r in accounts) or '(none new)'}"
            )
        )
