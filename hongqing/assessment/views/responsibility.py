"""Responsibility lists (双责任清单): the lists, a list's items with their status, and the owner's side.

The branch (its secretary, the Party office) writes the lists and items; an item tied to an indicator
or a duty is done when its record is; a free-text item is marked done by its owner with evidence — on
a phone, from "My responsibility list", with only a read grant on their own records (the service checks
that the actor is the owner).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from hongqing.core.scoping import CHANGE, VIEW
from hongqing.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ScopedMixin,
)

from ..choices import ItemKind
from ..filtersets import ResponsibilityListFilterSet
from ..forms import MarkDoneForm, ResponsibilityItemForm, ResponsibilityListForm
from ..models import ResponsibilityItem, ResponsibilityList
from ..services import responsibility as services
from ..tables import ResponsibilityListTable

ITEM_RELATED = ("responsibility_list__owner", "responsibility_list__organization", "indicator", "obligation")


class ResponsibilityListListView(ObjectListView):
    model = ResponsibilityList
    queryset = ResponsibilityList.objects.select_related("owner", "organization", "department").annotate(
        item_count=Count("items")
    )
    table_class = ResponsibilityListTable
    filterset_class = ResponsibilityListFilterSet


def list_context(rl, user, form=None) -> dict:
    items = list(rl.items.select_related(*ITEM_RELATED).order_by("due", "sort_order", "pk"))
    states = services.states(items)
    done, total = services.completion(states)
    can_change = ResponsibilityList.objects.restrict(user, CHANGE).filter(pk=rl.pk).exists()
    owner = services.is_owner(user, rl)
    return {
        "list": rl,
        "states": states,
        "done": done,
        "total": total,
        "percent": round(done / total * 100) if total else 0,
        "can_change": can_change,
        "is_owner": owner,
        "done_form": form or MarkDoneForm(),
        "add_item_url": f"{reverse('assessment:responsibilityitem_add')}?list={rl.pk}"
        if can_change
        else None,
        "text": ItemKind.TEXT,
    }


class ResponsibilityListDetailView(ObjectDetailView):
    model = ResponsibilityList
    queryset = ResponsibilityList.objects.select_related("owner", "organization", "department", "hospital")
    template_name = "assessment/responsibility_detail.html"
    detail_fields = ["owner", "role", "organization", "department", "year", "note"]

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(list_context(ctx["object"], self.request.user))
        return ctx


class ResponsibilityListEditView(ObjectEditView):
    model = ResponsibilityList
    form_class = ResponsibilityListForm

    def new_object(self):
        return ResponsibilityList(year=timezone.localdate().year)


class ResponsibilityListDeleteView(ObjectDeleteView):
    model = ResponsibilityList


class ResponsibilityListHistoryView(ObjectHistoryView):
    model = ResponsibilityList


class ResponsibilityItemEditView(ObjectEditView):
    model = ResponsibilityItem
    form_class = ResponsibilityItemForm

    def new_object(self):
        return ResponsibilityItem(due=timezone.localdate().replace(month=12, day=31))

    def get_form(self, obj, data=None, files=None):
        initial = {}
        if obj.pk is None and self.request.GET.get("list"):
            initial["responsibility_list"] = self.request.GET["list"]
        return self.form_class(data=data, files=files, instance=obj, user=self.request.user, initial=initial)

    def success_url(self, obj):
        return obj.responsibility_list.get_absolute_url()


class ResponsibilityItemDetailView(ObjectDetailView):
    model = ResponsibilityItem
    queryset = ResponsibilityItem.objects.select_related(
        "responsibility_list__owner", "indicator", "obligation"
    )
    detail_fields = [
        "responsibility_list",
        "kind",
        "title",
        "indicator",
        "target",
        "obligation",
        "due",
        "done_on",
        "evidence",
    ]


class ResponsibilityItemDeleteView(ObjectDeleteView):
    model = ResponsibilityItem


class ResponsibilityItemHistoryView(ObjectHistoryView):
    model = ResponsibilityItem


class ItemDoneView(ScopedMixin, View):
    """The owner marks a free-text item done (with evidence), or takes it back."""

    model = ResponsibilityItem

    def post(self, request, pk, undo=False):
        item = get_object_or_404(self.get_queryset().select_related(*ITEM_RELATED), pk=pk)
        rl = item.responsibility_list
        form = MarkDoneForm(request.POST, request.FILES)
        status = 200
        try:
            if undo:
                services.undo(item, actor=request.user)
            elif form.is_valid():
                services.mark_done(
                    item,
                    actor=request.user,
                    evidence=form.cleaned_data["evidence"],
                    file=form.cleaned_data.get("evidence_file"),
                    on=form.cleaned_data.get("done_on"),
                )
            else:
                status = 422
        except PermissionDenied:
            raise
        except ValidationError as exc:
            for field, errs in (
                exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
            ):
                form.add_error(field if field in form.fields else None, errs)
            status = 422
        if request.htmx:
            ctx = list_context(rl, request.user, form if status != 200 else None)
            ctx["open_item"] = item.pk if status != 200 else None
            return render(request, "assessment/responsibility_items.html", ctx, status=status)
        if status == 200:
            messages.success(request, _("Saved: %(obj)s") % {"obj": item})
        else:
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(request.POST.get("next") or rl.get_absolute_url())


class MyResponsibilityView(ScopedMixin, TemplateView):
    """The user's own lists of the year, on a phone: each item, its status, and "done" for free text."""

    model = ResponsibilityList
    template_name = "assessment/responsibility_mine.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = timezone.localdate().year
        lists = (
            ResponsibilityList.objects.restrict(self.request.user, VIEW)
            .filter(owner__user=self.request.user, year=year)
            .select_related("owner", "organization", "department")
        )
        ctx["lists"] = [list_context(rl, self.request.user) for rl in lists]
        ctx["year"] = year
        return ctx
