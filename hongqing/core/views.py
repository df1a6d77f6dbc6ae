"""The generic view layer: list, detail, history, edit and delete, all through the one scoping.

Per-model views set attributes only (model, queryset, table_class, filterset_class, form_class).
A user with no grant over the model's area gets 403; a row outside their scope is 404; a write
that would leave their scope rolls back with a message.
"""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from . import panels
from .exports import table_rows, xlsx_response
from .scoping import CHANGE, VIEW, can_reach, has_permission
from .templatetags.hq import attach_fk_names


def safe_reverse(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


class ScopedMixin(LoginRequiredMixin):
    model = None
    queryset = None
    action = VIEW

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_permission(request.user, self.model, self.action):
            raise PermissionDenied(_("You have no permission for this page."))
        return super().dispatch(request, *args, **kwargs)

    def base_queryset(self):
        return self.queryset.all() if self.queryset is not None else self.model._default_manager.all()

    def get_queryset(self):
        return self.base_queryset().restrict(self.request.user, self.action)

    def model_context(self) -> dict:
        meta = self.model._meta
        user = self.request.user
        can_change = has_permission(user, self.model, CHANGE) and can_reach(user, self.model, CHANGE)
        return {
            "model_name": meta.verbose_name,
            "model_name_plural": meta.verbose_name_plural,
            "list_url": safe_reverse(self.model.url_name("list")),
            "add_url": safe_reverse(self.model.url_name("add")) if can_change else None,
            "import_url": safe_reverse(self.model.url_name("import")) if can_change else None,
            "can_change": can_change,
        }


class ObjectListView(ScopedMixin, SingleTableMixin, FilterView):
    """A filterable, sortable, paginated list that also exports its current rows to Excel."""

    template_name = "core/object_list.html"
    table_pagination = {"per_page": 50}
    export_name: str | None = None

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            filterset = self.get_filterset(self.get_filterset_class())
            qs = filterset.qs if filterset.is_bound and filterset.is_valid() else self.get_queryset()
            rows = table_rows(self.table_class, qs)
            return xlsx_response(rows, self.export_name or str(self.model._meta.verbose_name_plural))
        return super().get(request, *args, **kwargs)

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["core/object_list.html#results"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(self.model_context())
        query = self.request.GET.copy()
        query.pop("page", None)
        query["export"] = "xlsx"
        ctx["export_query"] = query.urlencode()
        ctx["panels"] = panels.render_panels(f"{self.model._meta.label_lower}.list", self.request)
        return ctx


class ObjectDetailView(ScopedMixin, TemplateView):
    """A record's page: its fields, panels other apps add, and a history tab."""

    template_name = "core/object_detail.html"
    detail_fields: list[str] | None = None
    tab = "detail"

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_template_names(self):
        meta = self.model._meta
        return [f"{meta.app_label}/{meta.model_name}_detail.html", self.template_name]

    def field_rows(self, obj):
        rows = []
        names = self.detail_fields or [
            f.name
            for f in obj._meta.concrete_fields
            if f.editable and f.name not in ("id", "path", "depth", "numchild", "created_by")
        ]
        for name in names:
            field = obj._meta.get_field(name)
            display = getattr(obj, f"get_{name}_display", None)
            value = display() if display else getattr(obj, name)
            link = value.get_absolute_url() if hasattr(value, "get_absolute_url") else None
            rows.append({"label": field.verbose_name, "value": value, "link": link})
        return rows

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj = self.get_object()
        ctx.update(self.model_context())
        ctx["object"] = obj
        ctx["field_rows"] = self.field_rows(obj)
        user = self.request.user
        writable = obj._meta.model.objects.restrict(user, CHANGE).filter(pk=obj.pk).exists()
        ctx["edit_url"] = safe_reverse(self.model.url_name("edit"), pk=obj.pk) if writable else None
        ctx["delete_url"] = safe_reverse(self.model.url_name("delete"), pk=obj.pk) if writable else None
        ctx["history_url"] = safe_reverse(self.model.url_name("history"), pk=obj.pk)
        ctx["panels"] = panels.render_panels(f"{obj._meta.label_lower}.detail", self.request, obj=obj)
        ctx["tab"] = self.tab
        return ctx


class ObjectHistoryView(ObjectDetailView):
    """The change log of one record (the history tab)."""

    template_name = "core/object_history.html"
    tab = "history"

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj = ctx["object"]
        entries = list(
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk)
            )
            .select_related("actor", "content_type")
            .order_by("-timestamp")[:200]
        )
        attach_fk_names(entries)
        ctx["entries"] = entries
        return ctx


class ObjectEditView(ScopedMixin, View):
    """Create or edit a record; the saved record must still be in the user's scope."""

    action = CHANGE
    form_class = None
    template_name = "core/object_edit.html"

    def get_object(self):
        if "pk" in self.kwargs:
            return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return self.new_object()

    def new_object(self):
        return self.model()

    def get_form(self, obj, data=None, files=None):
        return self.form_class(data=data, files=files, instance=obj, user=self.request.user)

    def render_form(self, form, obj, status=200):
        ctx = self.model_context()
        ctx.update({"form": form, "object": obj if obj.pk else None, "is_new": obj.pk is None})
        return render(self.request, self.template_name, ctx, status=status)

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return self.render_form(self.get_form(obj), obj)

    def save_object(self, form):
        obj = form.save(commit=False)
        if obj.pk is None and hasattr(obj, "created_by_id"):
            obj.created_by = self.request.user
        obj.save()
        form.save_m2m()
        return obj

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.get_form(obj, request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form, obj, status=422)
        is_new = obj.pk is None
        with transaction.atomic():
            saved = self.save_object(form)
            in_scope = self.model.objects.restrict(request.user, CHANGE).filter(pk=saved.pk).exists()
            if not in_scope:
                transaction.set_rollback(True)
        if not in_scope:
            # Render after the rolled-back block: queries inside it would fail (and 500).
            if is_new:
                obj.pk = saved.pk = None
                obj._state.adding = saved._state.adding = True
            form.add_error(None, _("The record would be outside your scope, so nothing was saved."))
            return self.render_form(form, obj, status=422)
        messages.success(request, _("Saved: %(obj)s") % {"obj": saved})
        return HttpResponseRedirect(self.success_url(saved))

    def success_url(self, obj):
        return obj.get_absolute_url() or safe_reverse(self.model.url_name("list")) or "/"


class ObjectDeleteView(ScopedMixin, View):
    """Delete after confirmation; refused, with the reason, when records would be orphaned."""

    action = CHANGE
    template_name = "core/object_delete.html"

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        ctx = self.model_context()
        ctx.update({"object": obj, "blockers": obj.delete_blockers()})
        return render(request, self.template_name, ctx)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        blockers = obj.delete_blockers()
        if not blockers:
            try:
                with transaction.atomic():
                    obj.delete()
            except (ProtectedError, RestrictedError) as exc:
                related = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", [])
                names = ", ".join(str(o) for o in list(related)[:5])
                blockers = [_("Other records still refer to it: %(objs)s") % {"objs": names}]
        if blockers:
            ctx = self.model_context()
            ctx.update({"object": obj, "blockers": blockers})
            return render(request, self.template_name, ctx, status=409)
        messages.success(request, _("Deleted: %(obj)s") % {"obj": obj})
        return redirect(safe_reverse(self.model.url_name("list")) or "/")


class HomeView(LoginRequiredMixin, TemplateView):
    """The user's tasks (filled by later apps) and the counts of their scope."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        from .home import counts_for

        ctx = super().get_context_data(**kwargs)
        ctx["counts"] = counts_for(self.request.user)
        ctx["task_panels"] = panels.render_panels("core.home.tasks", self.request)
        ctx["panels"] = panels.render_panels("core.home", self.request)
        return ctx


def rule_hospitals(user, action: str) -> set[int]:
    """Hospitals whose rules the user may read (VIEW) or override (CHANGE): whole-hospital grants only."""
    from django.apps import apps
    from django.conf import settings

    from .scoping import ALL, HOSPITAL, grants_for

    grants = [g for g in grants_for(user) if action in g.actions and g.areas is None]
    if any(g.kind == ALL for g in grants):
        return set(apps.get_model(settings.HONGQING_TENANT_MODEL).objects.values_list("pk", flat=True))
    return {h for g in grants if g.kind == HOSPITAL for h in g.hospital_ids}


class RuleListView(LoginRequiredMixin, TemplateView):
    """Rules as data: each rule's regulation default, its source, and the hospital's overrides."""

    template_name = "core/rule_list.html"

    def get_context_data(self, **kwargs):
        from .models import Rule
        from .rules import declared

        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        readable = rule_hospitals(user, VIEW)
        if not readable:
            raise PermissionDenied(_("You have no permission for this page."))
        rows = Rule.objects.filter(hospital_id__isnull=True) | Rule.objects.filter(hospital_id__in=readable)
        by_key: dict[str, list] = {}
        for row in rows.order_by("key", "hospital_id", "-effective_from"):
            by_key.setdefault(row.key, []).append(row)
        decl = declared()
        ctx["rules"] = [
            {"key": key, "declared": decl.get(key), "rows": by_key.get(key, [])}
            for key in sorted(set(decl) | set(by_key))
        ]
        ctx["can_override"] = bool(rule_hospitals(user, CHANGE))
        return ctx


class RuleOverrideView(LoginRequiredMixin, View):
    """A hospital's own value for a rule, from a date (the regulation default row is never edited here)."""

    template_name = "core/rule_form.html"

    def get_form(self, data=None, instance=None):
        from .forms import RuleOverrideForm

        return RuleOverrideForm(
            data=data,
            instance=instance,
            hospitals=self.hospitals,
            initial={"key": self.request.GET.get("key", "")},
        )

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        self.hospitals = rule_hospitals(request.user, CHANGE)
        if not self.hospitals:
            raise PermissionDenied(_("You have no permission for this page."))
        return super().dispatch(request, *args, **kwargs)

    def get_instance(self, pk):
        from .models import Rule

        if pk is None:
            return None
        return get_object_or_404(Rule, pk=pk, hospital_id__in=self.hospitals)

    def get(self, request, pk=None):
        return render(request, self.template_name, {"form": self.get_form(instance=self.get_instance(pk))})

    def post(self, request, pk=None):
        instance = self.get_instance(pk)
        if instance is not None and request.POST.get("delete"):
            instance.delete()
            messages.success(request, _("The override was removed; the default applies again."))
            return redirect("core:rule_list")
        form = self.get_form(data=request.POST, instance=instance)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=422)
        form.save()
        messages.success(request, _("Saved: %(obj)s") % {"obj": form.instance})
        return redirect("core:rule_list")


class CalendarView(LoginRequiredMixin, View):
    """The working-day calendar of a year: its overrides, and whether the official schedule is loaded."""

    template_name = "core/calendar.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        if not rule_hospitals(request.user, VIEW):
            raise PermissionDenied(_("You have no permission for this page."))
        self.can_change = bool(rule_hospitals(request.user, CHANGE))
        return super().dispatch(request, *args, **kwargs)

    def context(self, year, form=None):
        from .calendar import calendar
        from .forms import CalendarOverrideForm
        from .models import CalendarOverride

        return {
            "year": year,
            "years": range(year - 1, year + 2),
            "missing": calendar().schedule_missing(year),
            "overrides": CalendarOverride.objects.filter(date__year=year),
            "form": form or CalendarOverrideForm(),
            "can_change": self.can_change,
        }

    def get(self, request):
        from django.utils import timezone

        year = int(request.GET.get("year") or timezone.localdate().year)
        return render(request, self.template_name, self.context(year))

    def post(self, request):
        from .forms import CalendarOverrideForm
        from .models import CalendarOverride

        if not self.can_change:
            raise PermissionDenied(_("You have no permission for this page."))
        if pk := request.POST.get("delete"):
            day = get_object_or_404(CalendarOverride, pk=pk)
            day.delete()
            messages.success(request, _("Removed: %(obj)s") % {"obj": day})
            return redirect(f"{reverse('core:calendar')}?year={day.date.year}")
        probe = CalendarOverrideForm(request.POST)
        probe.is_valid()  # only to read a valid date: editing a day that has an override replaces it
        day_value = probe.cleaned_data.get("date")
        existing = CalendarOverride.objects.filter(date=day_value).first() if day_value else None
        form = CalendarOverrideForm(request.POST, instance=existing)
        if not form.is_valid():
            year = int(request.POST.get("year") or 2026)
            return render(request, self.template_name, self.context(year, form), status=422)
        day = form.save()
        messages.success(request, _("Saved: %(obj)s") % {"obj": day})
        return redirect(f"{reverse('core:calendar')}?year={day.date.year}")


class NotificationListView(LoginRequiredMixin, View):
    """The user's own notifications (reminders, …), newest first; opening one marks it read.

    Only the user's own: no role reaches another user's notifications (a pk of someone else's is 404).
    """

    template_name = "core/notifications.html"

    def get(self, request, pk=None):
        from django.core.paginator import Paginator
        from django.utils.http import url_has_allowed_host_and_scheme

        from .models import Notification

        mine = Notification.objects.filter(user=request.user)
        if pk is not None:  # open one: read, and go to what it is about
            note = get_object_or_404(mine, pk=pk)
            if not note.read:
                mine.filter(pk=note.pk).update(read=True)
            safe = note.url and url_has_allowed_host_and_scheme(
                note.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            return redirect(note.url if safe else reverse("core:notifications"))
        page = Paginator(mine.order_by("-created", "-pk"), 50).get_page(request.GET.get("page"))
        return render(request, self.template_name, {"page": page, "unread": mine.filter(read=False).count()})

    def post(self, request, pk=None):
        from .models import Notification

        mine = Notification.objects.filter(user=request.user, read=False)
        if pk is not None:
            get_object_or_404(Notification.objects.filter(user=request.user), pk=pk)
            mine = mine.filter(pk=pk)
        mine.update(read=True)
        return redirect(reverse("core:notifications"))
