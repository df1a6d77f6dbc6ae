"""Remind the people responsible of their duties (党务清单): due soon, and overdue.

Run once a day from cron or a systemd timer, e.g. ``30 7 * * * cd /srv/hongqing && .venv/bin/python
manage.py send_reminders``. Safe to run twice: nothing is reminded twice. ``--date`` runs as of
another day (a missed day); ``--dry-run`` lists what would be sent and writes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hongqing.party.services.duties import send_reminders


class Command(BaseCommand):
    help = "Send the duty reminders of the day (in-app and by e-mail); safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="run as of this day (YYYY-MM-DD); default today")
        parser.add_argument("--dry-run", action="store_true", help="list what would be sent; write nothing")

    def handle(self, *args, date=None, dry_run=False, **options):
        today = None
        if date:
            try:
                today = dt.date.fromisoformat(date)
            except ValueError as exc:
                raise CommandError(f"--date: not a date: {date!r} (YYYY-MM-DD)") from exc
        if dry_run:
            with transaction.atomic():  # the duties are brought up to date to see, then rolled back
                run = send_reminders(today=today, dry_run=True)
                for user, kind, items in run.planned:
                    self.stdout.write(f"{user.username}\t{kind}\t" + "; ".join(str(o) for o in items))
                transaction.set_rollback(True)
            self.stdout.write(f"{len(run.planned)} notifications would be sent")
            return
        run = send_reminders(today=today)
        self.stdout.write(
            f"duties: {run.synced.created} created, {run.synced.updated} updated, {run.synced.deleted} removed; "
            f"reminders: {run.ahead} due soon, {run.overdue} overdue, "
            f"in {run.notifications} notifications, {run.emails} e-mailed"
        )
