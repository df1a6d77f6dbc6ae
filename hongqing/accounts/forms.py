from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from hongqing.core.forms import ScopedFormMixin
from hongqing.organization.models import Hospital, PartyOrganization

from .models import RoleAssignment, User


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs["class"] = "form-control"


class UserForm(ScopedFormMixin, forms.ModelForm):
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        widget=forms.PasswordInput,
        help_text=_("Empty: keep the current one"),
    )

    class Meta:
        model = User
        fields = ["username", "display_name", "email", "is_active"]

    def clean_password(self):
        pw = self.cleaned_data.get("password")
        if not pw and not self.instance.pk:
            raise forms.ValidationError(_("A new user needs an initial password."))
        if pw:
            validate_password(pw, self.instance)
        return pw

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("password"):
            user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user


class RoleAssignmentForm(ScopedFormMixin, forms.ModelForm):
    """Used by the security administrator only, who assigns roles over the whole installation's tree."""

    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "hospital", "organization", "include_subtree"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hospital"].queryset = Hospital.objects.all()
        self.fields["organization"].queryset = PartyOrganization.objects.select_related("hospital").all()
        users = User.objects.filter(is_active=True).order_by("username")
        if self.user is not None:
            users = users.exclude(pk=self.user.pk)  # nobody assigns their own roles
        self.fields["user"].queryset = users
