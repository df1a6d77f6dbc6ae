"""The generic Excel import page: template download, upload and check, preview, confirm, progress.

A model's import view sets attributes only::

    class PersonImportView(ObjectImportView):
        model = Person
        spec_class = PersonImport

and is wired with ``crud_urls(..., import_view=PersonImportView)`` (URL name ``<app>:<model>_import``).
One URL serves every step: ``GET`` the upload form, ``GET ?template=1`` the .xlsx template,
``POST`` a file (checked, nothing written), ``GET ?job=<id>`` a job's page, ``POST confirm`` the
commit, and ``GET ?job=<id>&partial=progress`` the progress bar an HTMX poll refreshes.
Requires change permission on the model; each new row must also be inside the user's change scope.
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from . import imports
from .choices import ImportStatus
from .exports import XLSX
from .models import ImportJob
from .scoping import CHANGE
from .views import ScopedMixin


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        allow_empty_file=True,  # an empty file gets the import's own message
        widget=forms.FileInput(
            attrs={
                "id": "import-file",
                "class": "form-control",
                "accept": f".xlsx,{XLSX}",
            }
        ),
    )


class ObjectImportView(ScopedMixin, View):
    """Import rows of ``model`` from Excel, as described by ``spec_class`` (an ImportSpec)."""

    action = CHANGE
    spec_class: type[imports.ImportSpec] | None = None
    template_name = "core/import.html"
    job_template_name = "core/import_preview.html"
    progress_template_name = "core/includes/import_progress.html"
    recent_jobs = 5

    # -- helpers -----------------------------------------------------------------------------------
    @property
    def model_label(self) -> str:
        return self.model._meta.label_lower

    def get_spec(self, options=None) -> imports.ImportSpec:
        return self.spec_class(self.request.user, options=options)

    def import_url(self) -> str:
        return reverse(self.model.url_name("import"))

    def job_url(self, job) -> str:
        return f"{self.import_url()}?job={job.pk}"

    def get_job(self, job_id) -> ImportJob:
        try:
            pk = int(job_id)
        except (TypeError, ValueError):
            raise Http404 from None
        # Only the user who uploaded a file ever sees its import.
        return get_object_or_404(ImportJob, pk=pk, created_by=self.request.user, model_label=self.model_label)

    def base_context(self) -> dict:
        ctx = self.model_context()
        ctx["import_url"] = self.import_url()
        ctx["template_url"] = f"{self.import_url()}?template=1"
        return ctx

    # -- GET ---------------------------------------------------------------------------------------
    def get(self, request, *args, **kwargs):
        if request.GET.get("template"):
            return self.template_response()
        if "job" in request.GET:
            job = self.get_job(request.GET["job"])
            if request.GET.get("partial") == "progress":
                return self.render_progress(job)
            return self.render_job(job)
        spec = self.get_spec()
        return self.render_upload(ImportUploadForm(), spec.options_form())

    def template_response(self) -> HttpResponse:
        spec = self.get_spec()
        response = HttpResponse(spec.template_bytes(), content_type=XLSX)
        name = _("%(name)s import template") % {"name": spec.template_title()}
        response["Content-Disposition"] = content_disposition_header(True, f"{name}.xlsx")
        return response

    def render_upload(self, form, options_form, status=200, file_error=None):
        ctx = self.base_context()
        ctx.update(
            {
                "form": form,
                "options_form": options_form,
                "file_error": file_error,
                "columns": self.spec_class.columns,
                "max_size": imports._human_size(imports.max_bytes()),
                "max_rows": imports.max_rows(),
                "jobs": ImportJob.objects.filter(
                    created_by=self.request.user, model_label=self.model_label
                ).defer("rows")[: self.recent_jobs],
            }
        )
        return render(self.request, self.template_name, ctx, status=status)

    def render_job(self, job, status=200):
        spec = self.get_spec(job.options)
        ctx = self.base_context()
        errors = [dict(e, text=imports.format_error(e)) for e in job.errors]
        ctx.update(
            {
                "job": job,
                "headers": [c.header for c in spec.columns],
                "preview": spec.preview(job.rows) if job.status == ImportStatus.VALIDATED else [],
                "notes": spec.preview_notes(job.rows) if job.status == ImportStatus.VALIDATED else [],
                "errors": errors,
                "file_errors": [e for e in errors if e.get("row") is None],
                "row_errors": [e for e in errors if e.get("row") is not None],
                "more_errors": max(job.error_count - len(errors), 0),
                "background": job.total_rows >= imports.background_min_rows(),
            }
        )
        ctx.update(self.progress_context(job))
        return render(self.request, self.job_template_name, ctx, status=status)

    def progress_context(self, job) -> dict:
        done, phase = job.done_rows, ""
        if job.status == ImportStatus.RUNNING:
            progress = imports.read_progress(job.pk) or {}
            phase = progress.get("phase", "check")
            done = progress.get("done", 0) if phase == "write" else 0
        percent = int(100 * done / job.total_rows) if job.total_rows else 0
        return {
            "job": job,
            "done": done,
            "phase": phase,
            "percent": percent,
            "progress_url": f"{self.job_url(job)}&partial=progress",
            "list_url": self.model_context()["list_url"],
            "model_name_plural": self.model._meta.verbose_name_plural,
        }

    def render_progress(self, job):
        return render(self.request, self.progress_template_name, self.progress_context(job))

    # -- POST --------------------------------------------------------------------------------------
    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self.confirm(request)
        return self.upload(request)

    def upload(self, request):
        spec = self.get_spec()
        form = ImportUploadForm(request.POST, request.FILES)
        options_form = spec.options_form(request.POST)
        valid = form.is_valid()
        if options_form is not None and not options_form.is_valid():
            valid = False
        if not valid:
            return self.render_upload(form, options_form, status=422)
        spec.options = spec.options_from_form(options_form) if options_form is not None else {}
        upload = form.cleaned_data["file"]
        try:
            parsed = spec.read(upload)
            result = spec.check(parsed.rows)
        except imports.ImportFileError as exc:
            return self.render_upload(form, options_form, status=422, file_error=str(exc))
        # An earlier file this user checked but did not confirm is superseded by this one.
        ImportJob.objects.filter(
            created_by=request.user, model_label=self.model_label, status=ImportStatus.VALIDATED
        ).delete()
        job = ImportJob.objects.create(
            created_by=request.user,
            model_label=self.model_label,
            file_name=(upload.name or "")[:200],
            status=ImportStatus.VALIDATED if result.ok else ImportStatus.FAILED,
            total_rows=result.total,
            errors=[e.as_dict() for e in result.errors],
            error_count=result.error_count,
            options=spec.options,
            rows=parsed.rows if result.ok else [],
            finished=None if result.ok else timezone.now(),
        )
        return self.render_job(job, status=200 if result.ok else 422)

    def confirm(self, request):
        job = self.get_job(request.POST.get("job"))
        # Claim the job: a second click (or a second tab) does not import the rows twice.
        claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.VALIDATED).update(
            status=ImportStatus.RUNNING, done_rows=0, updated=timezone.now()
        )
        if not claimed:
            return HttpResponseRedirect(self.job_url(job))
        job.refresh_from_db()
        if job.total_rows >= imports.background_min_rows():
            imports.report_progress(job.pk, "check", 0)
            response = HttpResponseRedirect(self.job_url(job))
            language = translation.get_language()
            user_id = request.user.pk
            spec_class = self.spec_class
            # Start once the response is closed, i.e. after this request's own database work
            # (the session save) is done: the thread then has the database to itself.
            response._resource_closers.append(
                lambda: imports.start_background(job, spec_class, user_id, language)
            )
            return response
        imports.run_job(job, self.spec_class, request.user)
        if job.status == ImportStatus.DONE:
            return HttpResponseRedirect(self.job_url(job))
        return self.render_job(job, status=422)
