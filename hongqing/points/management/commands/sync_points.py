"""Bring the points ledger in line with every record (the safety net after bulk writes and imports).

Run it once a day (cron or a systemd timer, like send_reminders): it writes only what is missing
or no longer counts, nothing when the ledger is already right, and never into a closed year.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hongqing.organization.models import Hospital
from hongqing.points.services import ledger, periods


class Command(BaseCommand):
    help = "Bring the points ledger in line with the records (meetings, study, volunteering, honours, proposals)."

    def add_arguments(self, parser):
        parser.add_argument("--hospital", help="a hospital's code (default: every hospital)")
        parser.add_argument(
            "--year", type=int, action="append", help="a points year for base points (default: this one)"
        )

    def handle(self, *args, hospital=None, year=None, **options):
        ids = None
        if hospital:
            h = Hospital.objects.filter(code=hospital).first()
            if h is None:
                raise CommandError(f"no hospital with the code {hospital!r}")
            ids = [h.pk]
        years = year or [periods.year_of(timezone.localdate(), periods.start_month(ids[0] if ids else None))]

        def progress(key, n):
            self.stdout.write(f"  · {key}: {n} records")

        written = ledger.sync_all(ids, years=years, progress=progress)
        self.stdout.write(self.style.SUCCESS(f"{written} ledger lines written."))
