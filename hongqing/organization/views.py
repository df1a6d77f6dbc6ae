"""Organisation pages: per-model views set attributes; the tree views add parent handling."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from hongqing.core import panels
from hongqing.core.import_views import ObjectImportView
from hongqing.core.scoping import VIEW
from hongqing.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ScopedMixin,
)

from . import filtersets, forms, services, tables
from .imports import DepartmentImport
from .models import (
    BranchDepartment,
    Campus,
    CommitteeTerm,
    Department,
    DisciplineGroup,
    Hospital,
    PartyOrganization,
)

# Party members are the probationary and full stages (strings: organisation does not import people).
MEMBER_Q = Q(memberships__stage__in=("probationary", "full"))


def with_parent_name(qs, model):
    parent = model._base_manager.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - model.steplen)
    )
    return qs.annotate(parent_name=Subquery(parent.values("name")[:1]))


class TreeEditView(ObjectEditView):
    def save_object(self, form):
        parent = form.cleaned_data.get("parent")
        obj = form.save(commit=False)  # not saved: it gives form.save_m2m() below
        if obj.pk is None:
            obj.created_by = self.request.user
            manager = self.model.objects
            obj = manager.add_child(parent, instance=obj) if parent else manager.add_root(instance=obj)
        else:
            obj.save()
            current_parent = self.model.objects.get_parent(obj, update=True)
            if (parent.pk if parent else None) != (current_parent.pk if current_parent else None):
                if parent:
                    self.model.objects.move(obj, parent, "sorted-child")
                else:
                    self.model.objects.move(obj, self.model.objects.get_first_root_node(), "sorted-sibling")
                obj.refresh_from_db()
        form.save_m2m()
        return obj


# Hospitals
class HospitalListView(ObjectListView):
    model = Hospital
    table_class = tables.HospitalTable
    filterset_class = filtersets.HospitalFilterSet


class HospitalDetailView(ObjectDetailView):
    model = Hospital


class HospitalHistoryView(ObjectHistoryView):
    model = Hospital


class HospitalEditView(ObjectEditView):
    model = Hospital
    form_class = forms.HospitalForm


class HospitalDeleteView(ObjectDeleteView):
    model = Hospital


# Campuses
class CampusListView(ObjectListView):
    model = Campus
    queryset = Campus.objects.select_related("hospital")
    table_class = tables.CampusTable
    filterset_class = filtersets.CampusFilterSet


class CampusDetailView(ObjectDetailView):
    model = Campus


class CampusHistoryView(ObjectHistoryView):
    model = Campus


class CampusEditView(ObjectEditView):
    model = Campus
    form_class = forms.CampusForm


class CampusDeleteView(ObjectDeleteView):
    model = Campus


# Departments
class DepartmentListView(ObjectListView):
    model = Department
    table_class = tables.DepartmentTable
    filterset_class = filtersets.DepartmentFilterSet

    def base_queryset(self):
        return with_parent_name(Department.objects.select_related("hospital", "campus"), Department)


class DepartmentDetailView(ObjectDetailView):
    model = Department
    detail_fields = ["hospital", "name", "code", "kind", "campus", "is_active"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        dept = ctx["object"]
        user = self.request.user
        ctx["parent"] = Department.objects.get_parent(dept)
        ctx["children"] = Department.objects.get_children(dept).restrict(user, VIEW)
        ctx["links"] = (
            BranchDepartment.objects.restrict(user, VIEW)
            .filter(department=dept)
            .select_related("organization")
        )
        return ctx


class DepartmentHistoryView(ObjectHistoryView):
    model = Department


class DepartmentEditView(TreeEditView):
    model = Department
    form_class = forms.DepartmentForm


class DepartmentDeleteView(ObjectDeleteView):
    model = Department


class DepartmentImportView(ObjectImportView):
    model = Department
    spec_class = DepartmentImport


# Discipline groups
class DisciplineGroupListView(ObjectListView):
    model = DisciplineGroup
    queryset = DisciplineGroup.objects.select_related("hospital").prefetch_related("departments")
    table_class = tables.DisciplineGroupTable
    filterset_class = filtersets.DisciplineGroupFilterSet


class DisciplineGroupHistoryView(ObjectHistoryView):
    model = DisciplineGroup


class DisciplineGroupDeleteView(ObjectDeleteView):
    model = DisciplineGroup


class DisciplineGroupEditView(ObjectEditView):
    model = DisciplineGroup
    form_class = forms.DisciplineGroupForm


class DisciplineGroupDetailView(ObjectDetailView):
    model = DisciplineGroup


# Party organisations
class PartyOrganizationListView(ObjectListView):
    model = PartyOrganization
    table_class = tables.PartyOrganizationTable
    filterset_class = filtersets.PartyOrganizationFilterSet

    def base_queryset(self):
        return PartyOrganization.objects.select_related("hospital").annotate(
            member_count=Count("memberships", filter=MEMBER_Q)
        )


class PartyOrganizationDetailView(ObjectDetailView):
    model = PartyOrganization
    detail_fields = ["hospital", "name", "short_name", "kind", "discipline_group", "established"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        org = ctx["object"]
        user = self.request.user
        ctx["parent"] = PartyOrganization.objects.get_parent(org)
        ctx["children"] = (
            PartyOrganization.objects.get_children(org)
            .restrict(user, VIEW)
            .annotate(member_count=Count("memberships", filter=MEMBER_Q))
        )
        ctx["links"] = (
            BranchDepartment.objects.restrict(user, VIEW)
            .filter(organization=org)
            .select_related("department")
            .order_by("-start")
        )
        ctx["terms"] = CommitteeTerm.objects.restrict(user, VIEW).filter(organization=org).order_by("-number")
        ctx["member_count"] = org.memberships.filter(stage__in=("probationary", "full")).count()
        return ctx


class PartyOrganizationLinkGroupView(ScopedMixin, View):
    """Link every department of the branch's discipline group to the branch, from today."""

    model = PartyOrganization
    action = "change"

    def post(self, request, pk):
        branch = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            created = services.link_discipline_group(branch, start=timezone.localdate(), actor=request.user)
        except services.LinkRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(n)d departments linked.") % {"n": len(created)})
        return redirect(branch.get_absolute_url())


class PartyOrganizationHistoryView(ObjectHistoryView):
    model = PartyOrganization


class PartyOrganizationEditView(TreeEditView):
    model = PartyOrganization
    form_class = forms.PartyOrganizationForm


class PartyOrganizationDeleteView(ObjectDeleteView):
    model = PartyOrganization


class TreeView(ScopedMixin, TemplateView):
    """The organisation tree browser: the Party tree and the department tree of the user's scope."""

    model = PartyOrganization
    template_name = "organization/tree.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        orgs = list(
            PartyOrganization.objects.restrict(user, VIEW)
            .select_related("hospital")
            .annotate(
                member_count=Count("memberships", filter=MEMBER_Q),
                dept_count=Count("department_links", filter=Q(department_links__end__isnull=True)),
            )
            .order_by("hospital__name", "path")
        )
        depts = list(
            Department.objects.restrict(user, VIEW)
            .select_related("hospital")
            .annotate(staff_count=Count("persons", filter=Q(persons__status="active")))
            .order_by("hospital__name", "path")
        )
        ctx["orgs"] = _indent(orgs)
        ctx["depts"] = _indent(depts)
        ctx["panels"] = panels.render_panels("organization.tree", self.request)
        return ctx


def _indent(nodes):
    """Depth relative to the shallowest node the user can see, per hospital."""
    min_depth: dict[int, int] = {}
    for n in nodes:
        min_depth[n.hospital_id] = min(min_depth.get(n.hospital_id, n.depth), n.depth)
    for n in nodes:
        n.rel_depth = n.depth - min_depth[n.hospital_id]
        n.indent_rem = 0.75 + n.rel_depth * 1.25
    return nodes


# Branch–department links and terms
class BranchDepartmentEditView(ObjectEditView):
    model = BranchDepartment
    form_class = forms.BranchDepartmentForm

    def new_object(self):
        obj = BranchDepartment()
        if org := self.request.GET.get("organization"):
            obj.organization = (
                PartyOrganization.objects.restrict(self.request.user, "change").filter(pk=org).first()
            )
        return obj

    def success_url(self, obj):
        return obj.organization.get_absolute_url()


class BranchDepartmentDetailView(ObjectDetailView):
    model = BranchDepartment


class BranchDepartmentDeleteView(ObjectDeleteView):
    model = BranchDepartment


class BranchDepartmentHistoryView(ObjectHistoryView):
    model = BranchDepartment


class CommitteeTermListView(ObjectListView):
    model = CommitteeTerm
    queryset = CommitteeTerm.objects.select_related("organization")
    table_class = tables.CommitteeTermTable
    filterset_class = filtersets.CommitteeTermFilterSet


class CommitteeTermDetailView(ObjectDetailView):
    model = CommitteeTerm
    detail_fields = ["organization", "number", "start", "due_end", "actual_end", "note"]


class CommitteeTermHistoryView(ObjectHistoryView):
    model = CommitteeTerm


class CommitteeTermEditView(ObjectEditView):
    model = CommitteeTerm
    form_class = forms.CommitteeTermForm

    def new_object(self):
        obj = CommitteeTerm()
        if org := self.request.GET.get("organization"):
            obj.organization = (
                PartyOrganization.objects.restrict(self.request.user, "change").filter(pk=org).first()
            )
            if obj.organization:
                last = obj.organization.terms.order_by("-number").first()
                obj.number = (last.number + 1) if last else 1
        return obj


class CommitteeTermDeleteView(ObjectDeleteView):
    model = CommitteeTerm
