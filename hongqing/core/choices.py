from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    VALIDATED = "validated", _("Checked, waiting for confirmation")
    FAILED = "failed", _("Refused: errors in the file")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    ERROR = "error", _("Failed while writing")
