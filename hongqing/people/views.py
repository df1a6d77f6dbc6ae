"""People pages: persons (with pinyin search and audited unmasking), memberships, transfers, cadres."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views import View

from hongqing.accounts.roles import UNMASK_ROLES, has_role
from hongqing.core.audit import log_event
from hongqing.core.import_views import ObjectImportView
from hongqing.core.scoping import CHANGE, VIEW
from hongqing.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ScopedMixin,
)

from . import filtersets, forms, services, tables
from .imports import MembershipImport, PersonImport
from .models import Cadre, Membership, Person, Rotation, TalentTag, TermPosition, Transfer


def may_unmask(user) -> bool:
    return has_role(user, *UNMASK_ROLES)


# Persons
class PersonListView(ObjectListView):
    model = Person
    queryset = Person.objects.select_related("department", "membership__organization").prefetch_related(
        "talent_tags"
    )
    table_class = tables.PersonTable
    filterset_class = filtersets.PersonFilterSet


class PersonDetailView(ObjectDetailView):
    model = Person
    detail_fields = [
        "staff_no",
        "name",
        "gender",
        "birth_date",
        "phone",
        "department",
        "post",
        "title_grade",
        "education",
        "employment_start",
        "status",
    ]

    def get_queryset(self):
        return super().get_queryset().select_related("department", "hospital")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        person = ctx["object"]
        user = self.request.user
        ctx["may_unmask"] = may_unmask(user) and bool(person.id_number)
        ctx["membership"] = (
            Membership.objects.restrict(user, VIEW)
            .filter(person=person)
            .select_related("organization")
            .first()
        )
        ctx["cadre_posts"] = (
            Cadre.objects.restrict(user, VIEW).filter(person=person).select_related("department")
        )
        ctx["rotations"] = (
            Rotation.objects.restrict(user, VIEW)
            .filter(person=person)
            .select_related("from_department", "to_department")
        )
        ctx["term_positions"] = (
            TermPosition.objects.restrict(user, VIEW)
            .filter(person=person)
            .select_related("term__organization")
        )
        ctx["talent_tags"] = person.talent_tags.all()
        return ctx


class PersonIdNumberView(ScopedMixin, View):
    """Shows one unmasked ID number to a role allowed to see it, and audits the view."""

    model = Person

    def get(self, request, pk):
        person = get_object_or_404(self.get_queryset(), pk=pk)
        if not may_unmask(request.user):
            raise PermissionDenied(_("Your role may not see ID numbers."))
        log_event("unmask", actor=request.user, obj=person, request=request, data={"field": "id_number"})
        return HttpResponse(
            format_html('<span class="font-monospace" id="id-number">{}</span>', person.id_number)
        )


class PersonHistoryView(ObjectHistoryView):
    model = Person


class PersonEditView(ObjectEditView):
    model = Person
    form_class = forms.PersonForm


class PersonDeleteView(ObjectDeleteView):
    model = Person


class PersonImportView(ObjectImportView):
    model = Person
    spec_class = PersonImport


# Memberships
class MembershipListView(ObjectListView):
    model = Membership
    queryset = Membership.objects.select_related("person__department", "organization")
    table_class = tables.MembershipTable
    filterset_class = filtersets.MembershipFilterSet


class MembershipDetailView(ObjectDetailView):
    model = Membership
    detail_fields = [
        "person",
        "organization",
        "stage",
        "application_date",
        "activist_date",
        "candidate_date",
        "admission_date",
        "conversion_date",
        "note",
    ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        m = ctx["object"]
        ctx["party_age"] = m.party_age()
        ctx["transfers"] = (
            Transfer.objects.restrict(self.request.user, VIEW)
            .filter(membership=m)
            .select_related("from_organization", "to_organization")
        )
        return ctx


class MembershipHistoryView(ObjectHistoryView):
    model = Membership


class MembershipEditView(ObjectEditView):
    model = Membership
    form_class = forms.MembershipForm

    def new_object(self):
        obj = Membership()
        if pid := self.request.GET.get("person"):
            obj.person = Person.objects.restrict(self.request.user, VIEW).filter(pk=pid).first()
        return obj


class MembershipDeleteView(ObjectDeleteView):
    model = Membership


class MembershipImportView(ObjectImportView):
    model = Membership
    spec_class = MembershipImport


class MembershipTransferView(ScopedMixin, View):
    """Transfer a membership to another organisation: a service action that keeps the history."""

    model = Membership
    action = CHANGE

    def get(self, request, pk):
        m = get_object_or_404(self.get_queryset().select_related("person", "organization"), pk=pk)
        return render(
            request,
            "people/membership_transfer.html",
            {"object": m, "form": forms.TransferForm(user=request.user, membership=m)},
        )

    def post(self, request, pk):
        m = get_object_or_404(self.get_queryset().select_related("person", "organization"), pk=pk)
        form = forms.TransferForm(request.POST, user=request.user, membership=m)
        if form.is_valid():
            try:
                services.transfer_membership(
                    m,
                    to_organization=form.cleaned_data["to_organization"],
                    date=form.cleaned_data["date"],
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValueError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("%(name)s was transferred.") % {"name": m.person.name})
                # The secretary of the old branch may no longer see the membership: go to the list.
                return redirect("people:membership_list")
        return render(request, "people/membership_transfer.html", {"object": m, "form": form}, status=422)


class TransferListView(ObjectListView):
    model = Transfer
    queryset = Transfer.objects.select_related("membership__person", "from_organization", "to_organization")
    table_class = tables.TransferTable
    filterset_class = filtersets.TransferFilterSet


class TransferDetailView(ObjectDetailView):
    model = Transfer


class TransferHistoryView(ObjectHistoryView):
    model = Transfer


# Cadres and rotations
class CadreListView(ObjectListView):
    model = Cadre
    queryset = Cadre.objects.select_related("person", "department")
    table_class = tables.CadreTable
    filterset_class = filtersets.CadreFilterSet


class CadreDetailView(ObjectDetailView):
    model = Cadre


class CadreHistoryView(ObjectHistoryView):
    model = Cadre


class CadreEditView(ObjectEditView):
    model = Cadre
    form_class = forms.CadreForm

    def new_object(self):
        obj = Cadre()
        if pid := self.request.GET.get("person"):
            obj.person = Person.objects.restrict(self.request.user, VIEW).filter(pk=pid).first()
        return obj


class CadreDeleteView(ObjectDeleteView):
    model = Cadre


class RotationDetailView(ObjectDetailView):
    model = Rotation


class RotationEditView(ObjectEditView):
    model = Rotation
    form_class = forms.RotationForm

    def new_object(self):
        obj = Rotation()
        if pid := self.request.GET.get("person"):
            obj.person = Person.objects.restrict(self.request.user, VIEW).filter(pk=pid).first()
        return obj


class RotationDeleteView(ObjectDeleteView):
    model = Rotation


class RotationHistoryView(ObjectHistoryView):
    model = Rotation


# Talent tags
class TalentTagListView(ObjectListView):
    model = TalentTag
    queryset = TalentTag.objects.select_related("hospital").annotate(person_count=Count("persons"))
    table_class = tables.TalentTagTable
    filterset_class = filtersets.TalentTagFilterSet


class TalentTagDetailView(ObjectDetailView):
    model = TalentTag


class TalentTagEditView(ObjectEditView):
    model = TalentTag
    form_class = forms.TalentTagForm


class TalentTagDeleteView(ObjectDeleteView):
    model = TalentTag


class TalentTagHistoryView(ObjectHistoryView):
    model = TalentTag


# Committee posts
class TermPositionDetailView(ObjectDetailView):
    model = TermPosition


class TermPositionEditView(ObjectEditView):
    model = TermPosition
    form_class = forms.TermPositionForm

    def new_object(self):
        from hongqing.organization.models import CommitteeTerm

        obj = TermPosition()
        if tid := self.request.GET.get("term"):
            obj.term = CommitteeTerm.objects.restrict(self.request.user, CHANGE).filter(pk=tid).first()
            if obj.term:
                obj.start = obj.term.start
        return obj

    def success_url(self, obj):
        return obj.term.get_absolute_url()


class TermPositionDeleteView(ObjectDeleteView):
    model = TermPosition


class TermPositionHistoryView(ObjectHistoryView):
    model = TermPosition
