"""Member development pages: a person's timeline, the advance and step forms, the pipelines.

Every page reads through the one scoping: the membership (or step, or organisation) is looked up
in ``restrict(user, action)``; a member reads their own timeline, a secretary their branch's, the
Party office the hospital's. The forms post to the services (``people.development``), which check
the rules; a refusal re-renders the form with every reason and nothing written.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_htmx.http import reswap, retarget

from hongqing.core.scoping import CHANGE, VIEW, grants_for
from hongqing.core.views import ScopedMixin
from hongqing.organization.models import PartyOrganization

from . import development
from .choices import Stage
from .forms_development import AdvanceForm, StepForm
from .models import DevelopmentStep, Membership


def manages(user, action: str = VIEW) -> bool:
    """Whether the user reads memberships beyond their own (a secretary, the office, a reader)."""
    return any(g.applies(Membership.scope_area, action) and not g.personal for g in grants_for(user))


def timeline_context(request, membership: Membership, **extra) -> dict:
    user = request.user
    can_change = Membership.objects.restrict(user, CHANGE).filter(pk=membership.pk).exists()
    plan = development.plan(membership, today=timezone.localdate())
    return {"m": membership, "plan": plan, "can_change": can_change, **extra}


def timeline_panel(request, obj, **kwargs):
    """The timeline on the membership's page (slot ``people.membership.detail``)."""
    return timeline_context(request, obj)


class MembershipMixin(ScopedMixin):
    model = Membership

    def get_membership(self) -> Membership:
        qs = self.get_queryset().select_related("person", "organization")
        return get_object_or_404(qs, pk=self.kwargs["pk"])


class TimelineView(MembershipMixin, View):
    """A person's development timeline: the full page, or the card alone for HTMX."""

    def get(self, request, pk):
        m = self.get_membership()
        ctx = timeline_context(request, m)
        if request.htmx:
            return render(request, "people/development/timeline.html", {"panel": ctx})
        return render(request, "people/development/timeline_page.html", {"panel": ctx, "object": m})


class _ServiceFormView(MembershipMixin, View):
    """GET: the form (the card's form area for HTMX, else a page); POST: the service."""

    action = CHANGE
    form_class = None
    title = ""

    def form(self, m, data=None):
        return self.form_class(data=data, membership=m, user=self.request.user)

    def render_form(self, m, form, status=200):
        ctx = {"form": form, "m": m, "title": self.title, "action_url": self.request.path}
        if self.request.htmx:
            response = render(self.request, "people/development/form.html", ctx)
            return reswap(retarget(response, "#development-form"), "innerHTML")
        return render(self.request, "people/development/form_page.html", {**ctx, "object": m}, status=status)

    def get(self, request, pk):
        m = self.get_membership()
        return self.render_form(m, self.form(m))

    def post(self, request, pk):
        m = self.get_membership()
        form = self.form(m, request.POST)
        if form.is_valid():
            try:
                text = self.perform(m, form.cleaned_data)
            except ValidationError as exc:
                for error in exc.messages:
                    form.add_error(None, error)
            else:
                if request.htmx:
                    m.refresh_from_db()
                    ctx = timeline_context(request, m, message=text)
                    response = render(request, "people/development/timeline.html", {"panel": ctx})
                    return reswap(retarget(response, "#development"), "outerHTML")
                messages.success(request, text)
                return HttpResponseRedirect(f"{m.get_absolute_url()}#development")
        return self.render_form(m, form, status=422)


class AdvanceView(_ServiceFormView):
    form_class = AdvanceForm

    @property
    def title(self):
        return _("Advance to the next stage")

    def perform(self, m, data) -> str:
        step = development.advance(
            m, to_stage=data["to_stage"], date=data["date"], actor=self.request.user, note=data["note"]
        )
        text = _("%(name)s is now at the stage %(stage)s.") % {
            "name": m.person.name,
            "stage": Stage(data["to_stage"]).label,
        }
        if step.warnings:
            text += " " + " ".join(str(w) for w in step.warnings)
        return text


class RecordStepView(_ServiceFormView):
    form_class = StepForm

    @property
    def title(self):
        return _("Record a step")

    def perform(self, m, data) -> str:
        step = development.record_step(
            m,
            kind=data["kind"],
            date=data["date"],
            end_date=data["end_date"],
            hours=data["hours"],
            note=data["note"],
            actor=self.request.user,
        )
        return _("Recorded: %(step)s") % {"step": step.get_kind_display()}


class RemoveStepView(ScopedMixin, View):
    model = DevelopmentStep
    action = CHANGE

    def post(self, request, pk):
        step = get_object_or_404(self.get_queryset().select_related("membership__person"), pk=pk)
        m = step.membership
        try:
            development.remove_step(step, actor=request.user)
        except ValidationError as exc:
            text, ok = " ".join(exc.messages), False
        else:
            text, ok = _("Removed: %(step)s") % {"step": step.get_kind_display()}, True
        if request.htmx:
            m = Membership.objects.select_related("person", "organization").get(pk=m.pk)
            ctx = timeline_context(request, m, message=text, message_ok=ok)
            return render(request, "people/development/timeline.html", {"panel": ctx})
        (messages.success if ok else messages.error)(request, text)
        return HttpResponseRedirect(f"{m.get_absolute_url()}#development")


class PipelineView(ScopedMixin, TemplateView):
    """The development pipeline of the user's scope (the Party office: the hospital), or of one organisation."""

    model = Membership
    template_name = "people/development/pipeline.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not manages(request.user):
            raise PermissionDenied(_("You have no permission for this page."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        memberships = self.get_queryset()
        organization = None
        if "pk" in self.kwargs:
            organization = get_object_or_404(
                PartyOrganization.objects.restrict(user, VIEW), pk=self.kwargs["pk"]
            )
            memberships = memberships.filter(organization__path__startswith=organization.path)
        p = development.pipeline(memberships, today=timezone.localdate())
        p.rows.sort(key=lambda r: r.organization.path)
        ctx.update({"pipeline": p, "organization": organization, "horizon": development.HORIZON_DAYS})
        return ctx


def organization_panel(request, obj, **kwargs):
    """The pipeline of a Party organisation on its page (slot ``organization.partyorganization.detail``)."""
    user = request.user
    if not manages(user):
        return None
    memberships = Membership.objects.restrict(user, VIEW).filter(organization__path__startswith=obj.path)
    p = development.pipeline(memberships, today=timezone.localdate(), organizations=[])
    if not p.counts:
        return None
    return {"organization": obj, "pipeline": p, "items": (p.overdue + p.due)[:5]}
