"""Users and their role assignments over the organisation tree."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from hongqing.core.models import HQModel
from hongqing.core.scoping import ScopeLookups
from hongqing.organization.models import Hospital, PartyOrganization

from .choices import ADMIN_ROLES, Role


class User(AbstractUser):
    """A login. Staff records (people.Person) link to it; the three admins may have none."""

    display_name = models.CharField(_("display name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class RoleAssignment(HQModel):
    """A role held over a hospital, or over one Party organisation (optionally with its subtree)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    hospital = models.ForeignKey(
        Hospital,
        verbose_name=_("hospital"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        help_text=_("Empty only for a regional reader of every hospital"),
    )
    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("Party organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    include_subtree = models.BooleanField(_("with its subtree"), default=True)

    scope = ScopeLookups(hospital="hospital", organization="organization")
    scope_area = "accounts"

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["user__username", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "hospital", "organization"], name="accounts_unique_assignment"
            )
        ]

    def __str__(self) -> str:
        where = self.organization or self.hospital or _("all hospitals")
        return f"{self.user} · {self.get_role_display()} · {where}"

    def clean(self):
        errors = {}
        if self.organization_id and self.hospital_id and self.organization.hospital_id != self.hospital_id:
            errors["organization"] = _("The organisation belongs to another hospital.")
        if self.organization_id and not self.hospital_id:
            self.hospital_id = self.organization.hospital_id
        if (
            self.role in (Role.BRANCH_SECRETARY, Role.BRANCH_COMMITTEE_MEMBER, Role.MEMBER)
            and not self.organization_id
        ):
            errors["organization"] = _("This role is held over a Party organisation: choose one.")
        if self.role != Role.REGIONAL_READER and not self.hospital_id and not self.organization_id:
            errors["hospital"] = _("Choose the hospital this role is held in.")
        if self.user_id:
            others = set(
                RoleAssignment.objects.filter(user_id=self.user_id)
                .exclude(pk=self.pk)
                .values_list("role", flat=True)
            )
            if self.role in ADMIN_ROLES and (others & ADMIN_ROLES) - {self.role}:
                errors["role"] = _(
                    "The three administrator duties are separated: this user already holds another of them."
                )
            elif (self.role in ADMIN_ROLES and others - ADMIN_ROLES) or (
                self.role not in ADMIN_ROLES and others & ADMIN_ROLES
            ):
                # An administrator sees no business data: a business role on the same account would.
                errors["role"] = _(
                    "An administrator duty is held by an account of its own, without business roles."
                )
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.organization_id and not self.hospital_id:
            self.hospital_id = self.organization.hospital_id
        super().save(*args, **kwargs)
