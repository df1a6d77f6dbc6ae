import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from hongqing.core.tables import HQTable

from .models import Talk


class TalkTable(HQTable):
    date = tables.Column(linkify=True)
    person = tables.Column(verbose_name=_("talked with"), accessor="person__name")
    talker = tables.Column(verbose_name=_("held by"), accessor="talker__name")

    class Meta(HQTable.Meta):
        model = Talk
        fields = ["date", "kind", "person", "talker", "organization", "department", "place"]
