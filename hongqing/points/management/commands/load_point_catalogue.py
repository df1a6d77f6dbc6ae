"""Load the default point catalogue into a hospital that has none (after setup_hospital)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hongqing.organization.models import Hospital
from hongqing.points.services import catalogue


class Command(BaseCommand):
    help = "Load the default point catalogue (积分规则) into a hospital without one; edit it afterwards."

    def add_arguments(self, parser):
        parser.add_argument("--hospital", required=True, help="the hospital's code")

    def handle(self, *args, hospital, **options):
        h = Hospital.objects.filter(code=hospital).first()
        if h is None:
            raise CommandError(f"no hospital with the code {hospital!r}")
        try:
            rules = catalogue.load_default_catalogue(h)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"{len(rules)} items loaded into {h}."))
