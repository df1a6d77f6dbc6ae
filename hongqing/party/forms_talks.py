"""The talk form: the organisation, the two people and the department among the user's scope."""

from django import forms

from hongqing.core.forms import HQModelForm
from hongqing.core.scoping import CHANGE

from .models import Talk
from .services.duties import organizations_in_scope


class TalkForm(HQModelForm):
    class Meta:
        model = Talk
        fields = ["organization", "kind", "date", "talker", "person", "department", "place", "notes", "goals"]
        widgets = {
            "date": forms.DateInput(),
            "notes": forms.Textarea(attrs={"rows": 4}),
            "goals": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is not None:
            # Under an organisation whose Party work the user may change (the people may be read only).
            allowed = organizations_in_scope(self.user, CHANGE).values("pk")
            self.fields["organization"].queryset = self.fields["organization"].queryset.filter(pk__in=allowed)
        self.fields["department"].required = False
