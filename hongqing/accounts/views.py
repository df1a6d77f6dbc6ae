"""Login and the three separated admin duties: users (system), roles (security), audit log (audit)."""

from __future__ import annotations

from auditlog.models import LogEntry
from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views import View
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from hongqing.core.exports import xlsx_response
from hongqing.core.templatetags.hq import log_action, log_changes

from .choices import Role
from .forms import LoginForm, RoleAssignmentForm, UserForm
from .models import RoleAssignment, User
from .roles import has_role


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class TokenLoginView(ObtainAuthToken):
    """``POST /api/auth/token/``: an API token for a username and password.

    Issuing a token is a login like the login page's: it is audited (``via: token``), and, as the
    lockout counts failures here too, a success resets them.
    """

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        user_logged_in.send(sender=user.__class__, request=request, user=user, via="token")
        return Response({"token": token.key})


class RoleRequiredMixin(LoginRequiredMixin):
    roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_role(request.user, *self.roles):
            raise PermissionDenied(_("This page belongs to another administrator duty."))
        return super().dispatch(request, *args, **kwargs)


class UserListView(RoleRequiredMixin, View):
    roles = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN)

    def get(self, request):
        q = request.GET.get("q", "").strip()
        users = User.objects.order_by("username").prefetch_related(
            "role_assignments__organization", "role_assignments__hospital"
        )
        if q:
            users = users.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
        page = Paginator(users, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "accounts/user_list.html",
            {
                "page": page,
                "q": q,
                "can_edit": has_role(request.user, Role.SYSTEM_ADMIN),
                "can_assign": has_role(request.user, Role.SECURITY_ADMIN),
            },
        )


class UserEditView(RoleRequiredMixin, View):
    roles = (Role.SYSTEM_ADMIN,)

    def get_object(self, pk):
        return get_object_or_404(User, pk=pk) if pk else User()

    def get(self, request, pk=None):
        return render(
            request,
            "accounts/user_edit.html",
            {"form": UserForm(instance=self.get_object(pk), user=request.user)},
        )

    def post(self, request, pk=None):
        form = UserForm(request.POST, instance=self.get_object(pk), user=request.user)
        if not form.is_valid():
            return render(request, "accounts/user_edit.html", {"form": form}, status=422)
        user = form.save()
        messages.success(request, _("Saved: %(obj)s") % {"obj": user})
        return redirect("accounts:user_list")


class RoleAssignmentEditView(RoleRequiredMixin, View):
    roles = (Role.SECURITY_ADMIN,)

    def get(self, request, pk=None):
        obj = (
            get_object_or_404(RoleAssignment, pk=pk)
            if pk
            else RoleAssignment(user_id=request.GET.get("user") or None)
        )
        return render(
            request,
            "accounts/roleassignment_edit.html",
            {"form": RoleAssignmentForm(instance=obj, user=request.user), "object": obj},
        )

    def post(self, request, pk=None):
        obj = get_object_or_404(RoleAssignment, pk=pk) if pk else RoleAssignment(created_by=request.user)
        if obj.pk and obj.user_id == request.user.pk:
            # The security administrator could otherwise grant themselves business data.
            raise PermissionDenied(_("Nobody assigns their own roles."))
        if request.POST.get("delete") and obj.pk:
            obj.delete()
            messages.success(request, _("The role assignment was removed."))
            return redirect("accounts:user_list")
        form = RoleAssignmentForm(request.POST, instance=obj, user=request.user)
        if not form.is_valid():
            return render(
                request, "accounts/roleassignment_edit.html", {"form": form, "object": obj}, status=422
            )
        form.save()
        messages.success(request, _("Saved: %(obj)s") % {"obj": form.instance})
        return redirect("accounts:user_list")


class UnlockView(RoleRequiredMixin, View):
    roles = (Role.SECURITY_ADMIN,)

    def post(self, request, pk):
        user = get_object_or_404(User, pk=pk)
        axes_reset(username=user.username)
        messages.success(request, _("The login lockout of %(u)s was lifted.") % {"u": user.username})
        return redirect("accounts:user_list")


class AuditLogView(RoleRequiredMixin, View):
    """The audit administrator reads and filters the whole log; nobody edits it."""

    roles = (Role.AUDIT_ADMIN,)

    def get(self, request):
        entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
        f = {
            k: request.GET.get(k, "").strip()
            for k in ("actor", "model", "action", "event", "date_from", "date_to", "q", "cid")
        }
        if f["actor"]:
            entries = entries.filter(actor__username__icontains=f["actor"])
        if f["model"]:
            entries = entries.filter(content_type__model=f["model"])
        if f["action"] in ("0", "1", "2", "3"):
            entries = entries.filter(action=int(f["action"]))
        if f["event"]:
            entries = entries.filter(additional_data__event=f["event"])
        for key in ("date_from", "date_to"):
            try:
                f[key] = f[key] if parse_date(f[key]) else ""  # a malformed date is ignored, not a 500
            except ValueError:
                f[key] = ""
        if f["date_from"]:
            entries = entries.filter(timestamp__date__gte=f["date_from"])
        if f["date_to"]:
            entries = entries.filter(timestamp__date__lte=f["date_to"])
        if f["q"]:
            entries = entries.filter(object_repr__icontains=f["q"])
        if f["cid"]:
            entries = entries.filter(cid=f["cid"])
        if request.GET.get("export") == "xlsx":
            rows = [[_("Time"), _("Who"), _("Record"), _("Action"), _("Changes"), _("IP"), _("Request")]]
            for e in entries[:50000]:
                rows.append(
                    [
                        e.timestamp.isoformat(),
                        str(e.actor or ""),
                        f"{e.content_type.name} {e.object_repr}",
                        log_action(e),
                        "; ".join(f"{label}: {old} → {new}" for label, (old, new) in log_changes(e)),
                        e.remote_addr or "",
                        e.cid or "",
                    ]
                )
            return xlsx_response(rows, _("audit log"))
        page = Paginator(entries, 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "accounts/audit_log.html",
            {
                "page": page,
                "f": f,
                "query": query.urlencode(),
                "export_url": reverse("accounts:audit_log") + "?" + query.urlencode() + "&export=xlsx",
            },
        )
