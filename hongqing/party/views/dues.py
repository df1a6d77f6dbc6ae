"""Party-work pages: dues (党费).

- the dues book of an organisation (a branch, or any node: its subtree) for a year, with a cell
  marked paid in place (HTMX) and the whole month at once, and its Excel export for the finance
  office (one sheet per branch);
- a member's own dues page;
- the bases of a year (list, detail, edit with the reason for a change, history, delete, import)
  and the payments (list, detail, record, delete).

Every query goes through ``restrict``; the book reads organisations and memberships by the user's
``dues`` grants (``restrict(..., area="dues")``). Writes go through ``services.dues``.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import escape
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from hongqing.core.exports import XLSX
from hongqing.core.import_views import ObjectImportView
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
from hongqing.organization.choices import OrgKind
from hongqing.organization.models import PartyOrganization
from hongqing.people.choices import MEMBER_STAGES
from hongqing.people.models import Membership

from ..choices import DuesCategory
from ..filtersets_dues import DuesBaseFilterSet, DuesPaymentFilterSet
from ..forms_dues import DuesBaseForm, DuesPaymentForm
from ..imports_dues import DuesBaseImport
from ..models import DuesBase, DuesPayment
from ..services import dues as services
from ..tables_dues import DuesBaseTable, DuesPaymentTable


def dues_organizations(user, action=VIEW):
    return (
        PartyOrganization.objects.restrict(user, action, area="dues")
        .exclude(kind=OrgKind.DISCIPLINE_COMMITTEE)
        .order_by("path")
    )


def dues_members(user, organization, action=VIEW):
    """The members of an organisation and its subtree whose dues the user may see (or change)."""
    return Membership.objects.restrict(user, action, area="dues").filter(
        organization__path__startswith=organization.path, stage__in=MEMBER_STAGES
    )


def year_param(value, default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default


def add_service_errors(form, exc: ValidationError, fields) -> None:
    for name, errors in exc.message_dict.items():
        for message in errors:
            form.add_error(name if name in fields and name in form.fields else None, message)


class ServiceEditView(ObjectEditView):
    """An edit page whose save is a service call; the service's refusals become form errors."""

    def perform(self, form, obj):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.get_form(obj, request.POST, request.FILES)
        if form.is_valid():
            try:
                with transaction.atomic():
                    saved = self.perform(form, obj)
                    if not self.model.objects.restrict(request.user, CHANGE).filter(pk=saved.pk).exists():
                        raise ValidationError(
                            _("The record would be outside your scope, so nothing was saved.")
                        )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    add_service_errors(form, exc, tuple(form.fields))
                else:
                    for message in exc.messages:
                        form.add_error(None, message)
            else:
                messages.success(request, _("Saved: %(obj)s") % {"obj": saved})
                return HttpResponseRedirect(self.success_url(saved))
        if obj.pk is None:
            obj = self.new_object()
        return self.render_form(form, obj, status=422)


# ---------------------------------------------------------------------------------------------
# Bases


class DuesBaseListView(ObjectListView):
    model = DuesBase
    queryset = DuesBase.objects.select_related("membership__person", "membership__organization")
    table_class = DuesBaseTable
    filterset_class = DuesBaseFilterSet
    export_name = None

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if "year" not in self.request.GET:  # the list is per year: this year unless another is asked
            data = self.request.GET.copy()
            data["year"] = str(services.today().year)
            kwargs["data"] = data
        return kwargs

    def get_table_kwargs(self):
        hospitals = set(dues_organizations(self.request.user).values_list("hospital_id", flat=True)[:2])
        hospital = hospitals.pop() if len(hospitals) == 1 else None
        return {"cap": services.cap_warning(hospital)}


class DuesBaseDetailView(ObjectDetailView):
    model = DuesBase
    detail_fields = ["membership", "year", "category", "base", "items", "rate", "monthly", "change_reason"]

    def get_queryset(self):
        return super().get_queryset().select_related("membership__person", "membership__organization")

    def get_template_names(self):
        return ["party/dues/base_detail.html"]

    def field_rows(self, obj):
        rows = super().field_rows(obj)
        for row in rows:
            if row["label"] == DuesBase._meta.get_field("items").verbose_name:
                row["value"] = "、".join(f"{k} {v}" for k, v in (obj.items or {}).items()) or None
            if row["label"] == DuesBase._meta.get_field("rate").verbose_name:
                row["value"] = f"{obj.rate * 100:.1f}%" if obj.rate else None
        return rows

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj = ctx["object"]
        hospital = obj.membership.organization.hospital_id
        ctx["row"] = services.member_months(obj.membership, obj.year)
        ctx["cap"] = services.cap_warning(hospital, services.rules_date(obj.membership, obj.year))
        ctx["over_cap"] = obj.monthly > ctx["cap"]
        ctx["book_url"] = f"{reverse('party:dues_book')}?" + urlencode(
            {"organization": obj.membership.organization_id, "year": obj.year}
        )
        return ctx


class DuesBaseHistoryView(ObjectHistoryView):
    model = DuesBase


class DuesBaseEditView(ServiceEditView):
    model = DuesBase
    form_class = DuesBaseForm

    def new_object(self):
        obj = DuesBase(year=services.today().year)
        if pk := self.request.GET.get("membership"):
            obj.membership = dues_members_any(self.request.user).filter(pk=pk).first()
        return obj

    def get_form(self, obj, data=None, files=None):
        form = super().get_form(obj, data, files)
        if data is None and obj.pk is None and obj.membership_id:
            form.initial["membership"] = obj.membership_id
        if data is None and obj.pk is None and (year := self.request.GET.get("year")):
            form.initial["year"] = year_param(year, services.today().year)
        return form

    def perform(self, form, obj):
        c = form.cleaned_data
        membership = obj.membership if obj.pk else c["membership"]
        items = {k: v for k, v in form.item_values().items() if v not in (None, "")}
        return services.set_base(
            membership,
            obj.year if obj.pk else c["year"],
            category=c["category"],
            base=c.get("base") or None,
            items=items or None,
            actor=self.request.user,
            reason=c.get("change_reason", ""),
        )


def dues_members_any(user):
    return Membership.objects.restrict(user, CHANGE, area="dues").filter(stage__in=MEMBER_STAGES)


class DuesBaseDeleteView(ObjectDeleteView):
    model = DuesBase


class DuesBaseImportView(ObjectImportView):
    model = DuesBase
    spec_class = DuesBaseImport


# ---------------------------------------------------------------------------------------------
# Payments


class DuesPaymentListView(ObjectListView):
    model = DuesPayment
    queryset = DuesPayment.objects.select_related("membership__person", "membership__organization")
    table_class = DuesPaymentTable
    filterset_class = DuesPaymentFilterSet


class DuesPaymentDetailView(ObjectDetailView):
    model = DuesPayment
    detail_fields = ["membership", "year", "month", "amount", "paid_on", "kind", "note"]

    def get_queryset(self):
        return super().get_queryset().select_related("membership__person")


class DuesPaymentHistoryView(ObjectHistoryView):
    model = DuesPayment


class DuesPaymentEditView(ServiceEditView):
    """Record a payment (a recorded payment is not edited: delete it and record it again)."""

    model = DuesPayment
    form_class = DuesPaymentForm

    def get_object(self):
        if "pk" in self.kwargs:
            raise Http404
        return DuesPayment()

    def get_form(self, obj, data=None, files=None):
        initial = {}
        for name in ("membership", "year", "month"):
            if value := self.request.GET.get(name):
                initial[name] = value
        return DuesPaymentForm(data=data, user=self.request.user, initial=initial)

    def perform(self, form, obj):
        c = form.cleaned_data
        return services.record_payment(
            c["membership"],
            c["year"],
            c["month"],
            amount=c["amount"] or None,
            paid_on=c["paid_on"],
            actor=self.request.user,
            note=c["note"],
        )


class DuesPaymentDeleteView(ObjectDeleteView):
    model = DuesPayment


# ---------------------------------------------------------------------------------------------
# The book


class BookMixin(ScopedMixin):
    """Resolves the organisation (in the user's dues scope, else 404) and the year of the book."""

    model = DuesBase

    def book_params(self, source):
        self.organizations = list(dues_organizations(self.request.user).select_related("hospital"))
        self.year = year_param(source.get("year"), services.today().year)
        wanted = source.get("organization")
        if wanted:
            org = next((o for o in self.organizations if str(o.pk) == str(wanted)), None)
            if org is None:
                raise Http404
            return org
        branches = [o for o in self.organizations if o.kind == OrgKind.BRANCH]
        return (branches or self.organizations or [None])[0]

    def book_url(self, org, year) -> str:
        return f"{reverse('party:dues_book')}?" + urlencode({"organization": org.pk, "year": year})

    def build(self, org, year):
        members = dues_members(self.request.user, org)
        return services.build_book(members, year, hospital_id=org.hospital_id)

    def book_context(self, org, year, book, rows=None) -> dict:
        user = self.request.user
        changeable = set(dues_members(user, org, CHANGE).values_list("pk", flat=True))
        today = services.today()
        current_month = today.month if today.year == year else None
        pay_url = reverse("party:dues_pay")
        render_cells(rows if rows is not None else book.rows, changeable, pay_url, current_month)
        return {
            "organization": org,
            "year": year,
            "book": book,
            "changeable": changeable,
            "can_change": bool(changeable),
            "pay_url": pay_url,
            "month_names": month_names(),
            "current_month": current_month,
        }


def render_cells(rows, changeable: set, pay_url: str, current_month: int | None) -> None:
    """The month cells of each row as HTML, built here rather than in the template.

    A hospital's book is 600 rows × 12 months: the template language spent seconds on the cells'
    conditions; this is the same markup (see book.html's row) in a few milliseconds.
    """
    labels = {s: services.status_label(s) for s in services.STATUSES}
    icons = {
        services.MAKEUP: ' <i class="bi bi-arrow-counterclockwise" aria-hidden="true"></i>',
        services.ADVANCE: ' <i class="bi bi-skip-forward" aria-hidden="true"></i>',
    }
    pay = escape(pay_url)
    for row in rows:
        mpk = row.membership.pk
        may_pay = mpk in changeable
        parts = []
        for cell in row.cells:
            current = " dues-current" if cell.month == current_month else ""
            if cell.payment is not None:
                inner = f"{cell.payment.amount}{icons.get(cell.status, '')}"
            elif cell.can_pay and may_pay:
                inner = (
                    f'<button class="dues-pay" form="dues-pay-form" name="cell" value="{mpk}-{cell.month}" '
                    f'hx-post="{pay}">{cell.due}</button>'
                )
            elif cell.due is not None:
                inner = str(cell.due)
            else:
                inner = ""
            parts.append(
                f'<td class="dues-cell dues-{cell.status}{current}" data-month="{cell.month}" '
                f'title="{escape(labels[cell.status])}">{inner}</td>'
            )
        row.cells_html = mark_safe("".join(parts))  # noqa: S308 (numbers, statuses and escaped labels only)


def month_names() -> list[str]:
    return [_("%(month)d月") % {"month": m} for m in range(1, 13)]


class DuesBookView(BookMixin, TemplateView):
    template_name = "party/dues/book.html"

    def get(self, request, *args, **kwargs):
        org = self.book_params(request.GET)
        if org is None:
            # A member has no organisation's book to read: their own dues are their page.
            return redirect("party:dues_mine")
        book = self.build(org, self.year)
        ctx = self.book_context(org, self.year, book)
        today = services.today()
        ctx.update(
            {
                "organizations": self.organizations,
                "years": range(today.year - 3, today.year + 2),
                "export_url": f"{reverse('party:dues_export')}?"
                + urlencode({"organization": org.pk, "year": self.year}),
                "bases_url": f"{reverse('party:duesbase_list')}?"
                + urlencode({"organization": org.pk, "year": self.year}),
                "import_url": reverse("party:duesbase_import") if ctx["can_change"] else None,
                "statuses": [
                    (s, services.status_label(s)) for s in ("paid", "makeup", "advance", "unpaid", "not_due")
                ],
            }
        )
        return self.render_to_response(ctx)


class DuesPayView(BookMixin, View):
    """Mark one member's month paid from the book (today, the month's dues); HTMX swaps the row."""

    model = DuesPayment
    action = CHANGE

    def post(self, request):
        org = self.book_params(request.POST)
        if org is None:
            raise Http404
        try:
            membership_id, month = (int(x) for x in request.POST.get("cell", "").split("-"))
        except ValueError:
            raise Http404 from None
        membership = get_object_or_404(
            dues_members(request.user, org, CHANGE).select_related("person", "organization"), pk=membership_id
        )
        error = None
        try:
            services.record_payment(membership, self.year, month, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        if not request.htmx:
            if error:
                messages.error(request, error)
            else:
                messages.success(
                    request,
                    _("%(name)s: %(month)s paid.")
                    % {"name": membership.person.name, "month": services.month_label(self.year, month)},
                )
            return redirect(self.book_url(org, self.year))
        book = self.build(org, self.year)
        row = next((r for r in book.rows if r.membership.pk == membership.pk), None)
        if row is None:
            raise Http404
        ctx = self.book_context(org, self.year, book, rows=[row])
        ctx.update({"row": row, "oob": True, "error": error})
        html = render_to_string("party/dues/book.html#row", ctx, request=request)
        html += render_to_string("party/dues/book.html#totals", ctx, request=request)
        html += render_to_string("party/dues/book.html#alerts", ctx, request=request)
        html += render_to_string("party/dues/book.html#messages", ctx, request=request)
        return HttpResponse(html, status=200)


class DuesPayMonthView(BookMixin, View):
    """Mark a whole month paid for every member of the organisation who owes it."""

    model = DuesPayment
    action = CHANGE

    def post(self, request):
        org = self.book_params(request.POST)
        if org is None:
            raise Http404
        try:
            month = int(request.POST.get("month", ""))
        except ValueError:
            month = 0
        try:
            result = services.mark_month_paid(
                dues_members(request.user, org, CHANGE),
                self.year,
                month,
                actor=request.user,
                organization=org,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(month)s: %(n)d members marked paid.")
                % {"month": services.month_label(self.year, month), "n": len(result.paid)},
            )
            if result.skipped:
                messages.warning(
                    request,
                    _("Not marked: %(list)s")
                    % {
                        "list": "；".join(f"{m.person.name}（{reason}）" for m, reason in result.skipped[:20])
                    },
                )
        return redirect(self.book_url(org, self.year))


class DuesBookExportView(BookMixin, View):
    """The book as Excel for the finance office: one sheet per branch of the organisation, with totals."""

    def get(self, request):
        org = self.book_params(request.GET)
        if org is None:
            raise Http404
        book = self.build(org, self.year)
        content = export_book(book, org, self.organizations)
        response = HttpResponse(content, content_type=XLSX)
        name = _("Dues book %(org)s %(year)d") % {"org": org.name, "year": self.year}
        response["Content-Disposition"] = content_disposition_header(True, f"{name}.xlsx")
        return response


def export_book(book, org, organizations) -> bytes:
    """One sheet per branch (members of its groups included), a summary sheet when there are several."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    branches = [o for o in organizations if o.path.startswith(org.path) and o.kind == OrgKind.BRANCH]
    groups: dict[int, list] = {}
    by_pk = {o.pk: o for o in organizations}
    for row in book.rows:
        member_org = row.membership.organization
        sheet_org = next((b for b in branches if member_org.path.startswith(b.path)), None)
        sheet_org = sheet_org or by_pk.get(member_org.pk, member_org)
        groups.setdefault(sheet_org.pk, []).append(row)
        by_pk.setdefault(sheet_org.pk, sheet_org)
    order = sorted(groups, key=lambda pk: by_pk[pk].path)
    months = month_names()
    headers = [
        _("staff number"),
        _("name"),
        _("Party organisation"),
        _("category"),
        _("monthly base (yuan)"),
        _("monthly dues (yuan)"),
        *months,
        _("Due"),
        _("Paid"),
        _("Arrears"),
        _("Consecutive unpaid months"),
    ]
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    used_titles: set[str] = set()

    def title_for(name: str) -> str:
        title = "".join(" " if ch in "[]:*?/\\" else ch for ch in name)[:28] or "Sheet"
        candidate, n = title, 2
        while candidate in used_titles:
            candidate, n = f"{title[:26]}-{n}", n + 1
        used_titles.add(candidate)
        return candidate

    def header_row(ws, values):
        cells = []
        for v in values:
            c = WriteOnlyCell(ws, value=str(v))
            c.font = bold
            cells.append(c)
        ws.append(cells)

    def bold_row(ws, values):
        cells = []
        for v in values:
            c = WriteOnlyCell(ws, value=v)
            c.font = bold
            cells.append(c)
        ws.append(cells)

    unpaid = _("Unpaid")
    categories = {value: str(label) for value, label in DuesCategory.choices}
    summary = []
    if len(order) > 1:
        summary_ws = wb.create_sheet(title_for(_("Summary")))
    for pk in order:
        rows = groups[pk]
        sheet_org = by_pk[pk]
        ws = wb.create_sheet(title_for(sheet_org.name))
        ws.append([f"{sheet_org.name} · {book.year}"])
        header_row(ws, headers)
        month_paid = [0.0] * 12
        for r in rows:
            person = r.membership.person
            cells = []
            for i, c in enumerate(r.cells):
                if c.payment is not None:
                    cells.append(float(c.payment.amount))
                    month_paid[i] += float(c.payment.amount)
                elif c.status == services.UNPAID:
                    cells.append(unpaid)
                else:
                    cells.append(None)
            ws.append(
                [
                    person.staff_no,
                    person.name,
                    r.membership.organization.name,
                    categories.get(r.base.category, r.base.category) if r.base else None,
                    float(r.base.base) if r.base else None,
                    float(r.base.monthly) if r.base else None,
                    *cells,
                    float(r.due_total),
                    float(r.paid_total),
                    float(r.arrears),
                    r.unpaid_run,
                ]
            )
        due = sum(float(r.due_total) for r in rows)
        paid = sum(float(r.paid_total) for r in rows)
        arrears = sum(float(r.arrears) for r in rows)
        bold_row(
            ws,
            [
                _("Total"),
                None,
                None,
                None,
                None,
                None,
                *[round(v, 2) for v in month_paid],
                round(due, 2),
                round(paid, 2),
                round(arrears, 2),
                None,
            ],
        )
        summary.append([sheet_org.name, len(rows), round(due, 2), round(paid, 2), round(arrears, 2)])
    if len(order) > 1:
        header_row(summary_ws, [_("Party organisation"), _("Members"), _("Due"), _("Paid"), _("Arrears")])
        for line in summary:
            summary_ws.append(line)
        bold_row(
            summary_ws,
            [
                _("Total"),
                sum(s[1] for s in summary),
                round(sum(s[2] for s in summary), 2),
                round(sum(s[3] for s in summary), 2),
                round(sum(s[4] for s in summary), 2),
            ],
        )
    if not order:
        ws = wb.create_sheet(title_for(org.name))
        ws.append([f"{org.name} · {book.year}"])
        header_row(ws, headers)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# A member's own dues


class MyDuesView(ScopedMixin, TemplateView):
    """The user's own dues: the months of a year, amounts and status (nobody else's)."""

    model = DuesPayment
    template_name = "party/dues/mine.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        today = services.today()
        year = year_param(self.request.GET.get("year"), today.year)
        membership = (
            Membership.objects.restrict(user, VIEW, area="dues")
            .filter(person__user=user, stage__in=MEMBER_STAGES)
            .select_related("person", "organization")
            .first()
        )
        ctx.update({"membership": membership, "year": year, "month_names": month_names()})
        if membership is not None:
            ctx["row"] = services.member_months(membership, year)
            ctx["years"] = sorted(
                set(
                    DuesBase.objects.restrict(user, VIEW)
                    .filter(membership=membership)
                    .values_list("year", flat=True)
                )
                | {today.year}
            )
            ctx["cells"] = list(zip(ctx["month_names"], ctx["row"].cells, strict=True))
        return ctx


def book_redirect(request):
    return redirect("party:dues_book")


urlpatterns = [
    path("dues/", book_redirect, name="dues"),
    path("dues/book/", DuesBookView.as_view(), name="dues_book"),
    path("dues/book/pay/", DuesPayView.as_view(), name="dues_pay"),
    path("dues/book/pay-month/", DuesPayMonthView.as_view(), name="dues_pay_month"),
    path("dues/book/export/", DuesBookExportView.as_view(), name="dues_export"),
    path("dues/mine/", MyDuesView.as_view(), name="dues_mine"),
    *crud_urls(
        "dues/bases",
        DuesBase,
        list_view=DuesBaseListView,
        detail_view=DuesBaseDetailView,
        edit_view=DuesBaseEditView,
        delete_view=DuesBaseDeleteView,
        history_view=DuesBaseHistoryView,
        import_view=DuesBaseImportView,
    ),
    *crud_urls(
        "dues/payments",
        DuesPayment,
        list_view=DuesPaymentListView,
        detail_view=DuesPaymentDetailView,
        delete_view=DuesPaymentDeleteView,
        history_view=DuesPaymentHistoryView,
    ),
    path("dues/payments/add/", DuesPaymentEditView.as_view(), name="duespayment_add"),
]
