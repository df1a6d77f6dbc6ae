"""Study-plan pages: the plans (学习清单) per level and year, their topics, and the sessions that covered each."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from hongqing.core.scoping import CHANGE, VIEW
from hongqing.core.urls_helpers import crud_urls
from hongqing.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ScopedMixin,
)

from .. import filtersets, forms, tables
from ..models import StudyPlan, StudyPlanItem, StudySession
from ..services import selfstudy as services
from .common import count_where, errors_of

T = "learning/plans/"


class StudyPlanListView(ObjectListView):
    model = StudyPlan
    queryset = StudyPlan.objects.select_related("organization").annotate(
        item_count=count_where(StudyPlanItem.objects.filter(plan=OuterRef("pk")))
    )
    table_class = tables.StudyPlanTable
    filterset_class = filtersets.StudyPlanFilterSet


class StudyPlanDetailView(ObjectDetailView):
    model = StudyPlan
    detail_fields = ["organization", "level", "year", "title", "note"]

    def get_template_names(self):
        return [T + "plan_detail.html"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        plan, user = ctx["object"], self.request.user
        sessions = StudySession.objects.restrict(user, VIEW).select_related("organization").order_by("start")
        ctx["items"] = list(
            StudyPlanItem.objects.filter(plan=plan)
            .prefetch_related(Prefetch("sessions", queryset=sessions, to_attr="covering"))
            .order_by("order", "pk")
        )
        ctx["can_publish"] = ctx["edit_url"] is not None and not plan.is_published
        return ctx


class StudyPlanHistoryView(ObjectHistoryView):
    model = StudyPlan


class StudyPlanEditView(ObjectEditView):
    model = StudyPlan
    form_class = forms.StudyPlanForm


class StudyPlanDeleteView(ObjectDeleteView):
    model = StudyPlan


class StudyPlanPublishView(ScopedMixin, View):
    model = StudyPlan
    action = CHANGE

    def post(self, request, pk):
        plan = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            services.publish_plan(plan, actor=request.user, request=request)
        except ValidationError as exc:
            for message in errors_of(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("Published: %(obj)s") % {"obj": plan})
        return redirect(plan.get_absolute_url())


class StudyPlanItemDetailView(ObjectDetailView):
    model = StudyPlanItem
    detail_fields = ["plan", "order", "topic", "month", "hours", "mode", "note"]

    def get_template_names(self):
        return [T + "item_detail.html"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["sessions"] = (
            StudySession.objects.restrict(self.request.user, VIEW)
            .filter(plan_items=ctx["object"])
            .select_related("organization")
            .order_by("start")
        )
        return ctx


class StudyPlanItemHistoryView(ObjectHistoryView):
    model = StudyPlanItem


class StudyPlanItemEditView(ObjectEditView):
    model = StudyPlanItem
    form_class = forms.StudyPlanItemForm

    def new_object(self):
        item = StudyPlanItem()
        plan_id = self.request.GET.get("plan") or self.request.POST.get("plan")
        if plan_id and str(plan_id).isdigit():
            plan = StudyPlan.objects.restrict(self.request.user, CHANGE).filter(pk=plan_id).first()
            if plan is not None:
                item.plan = plan
                item.order = plan.items.count() + 1
        return item

    def success_url(self, obj):
        return obj.plan.get_absolute_url()


class StudyPlanItemDeleteView(ObjectDeleteView):
    model = StudyPlanItem

    def post(self, request, *args, **kwargs):
        plan = self.get_object().plan
        response = super().post(request, *args, **kwargs)
        return redirect(plan.get_absolute_url()) if response.status_code == 302 else response


urlpatterns = [
    path("plans/<int:pk>/publish/", StudyPlanPublishView.as_view(), name="studyplan_publish"),
    *crud_urls(
        "plans",
        StudyPlan,
        list_view=StudyPlanListView,
        detail_view=StudyPlanDetailView,
        edit_view=StudyPlanEditView,
        delete_view=StudyPlanDeleteView,
        history_view=StudyPlanHistoryView,
    ),
    *crud_urls(
        "plan-items",
        StudyPlanItem,
        detail_view=StudyPlanItemDetailView,
        edit_view=StudyPlanItemEditView,
        delete_view=StudyPlanItemDeleteView,
        history_view=StudyPlanItemHistoryView,
    ),
]
