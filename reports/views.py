"""Report pages: thin — parse filters, authorise, call selectors, render."""

from __future__ import annotations

import csv
import io
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kmv.access import audit, policy
from kmv.access.models import CASE_ROLES, Role
from participants import outcomes as outcome_services

from . import cache as report_cache
from . import charts, imports, selectors, settled_io, tasks
from .forms import ImportForm, ReportFilterForm, SettledFigureForm, SettledImportForm
from .models import ImportJob
from .suppression import EXACT_NOTE, LEGEND, threshold

LARGE_IMPORT_ROWS = 500  # more rows than this: committed by a worker, with progress

REPORT_ROLES = frozenset(
    {*CASE_ROLES, Role.NETWORK_COORDINATOR, Role.AGENCY_LEADER, Role.SYSTEM_ADMIN}
)


def may_see_reports(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in REPORT_ROLES)


def _require_reports(user) -> None:
    if not may_see_reports(user):
        raise PermissionDenied(_("Reports are for staff in the qualification network."))


def _filters(request):
    form = ReportFilterForm(request.GET or None)
    return form, form.filters()


def _query(request, drop=("page",)) -> str:
    q = request.GET.copy()
    for key in drop:
        q.pop(key, None)
    return q.urlencode()


def legend(sections) -> str:
    """The key to the marks, or — when the viewer's tables are exact — why they are."""
    limit = threshold()
    text = str(LEGEND % {"n": limit, "m": limit - 1})
    if any(s.exact for s in sections):
        text = f"{EXACT_NOTE} {text}"
    return text


def section_rows(section, limit: int):
    """Rows for templates and CSV: (row key, label, [(col key, cell)], total cell, extras)."""
    out = []
    for i, (key, label) in enumerate(section.rows):
        cells = list(zip([c for c, _l in section.cols], section.table.cells[i], strict=True))
        extras = [values[i] for _label, values in section.extras]
        out.append((key, label, cells, section.table.row_totals[i], extras))
    return out


@login_required
def dashboard(request):
    _require_reports(request.user)
    form, filters = _filters(request)
    sections = selectors.dashboard(filters, viewer=request.user)
    limit = threshold()
    blocks = [
        {
            "section": s,
            "rows": section_rows(s, limit),
            "totals": list(zip([c for c, _l in s.cols], s.table.col_totals, strict=False)),
            "chart": charts.chart_for(s),
        }
        for s in sections
    ]
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "blocks": blocks,
            "query": _query(request),
            "legend": legend(sections),
            "limit": limit,
            "as_of": selectors.as_of(sections),
            "fragment_ttl": report_cache.ttl(),
            "may_import": outcome_services.may_record_outcomes(request.user),
            "may_enter_settled": request.user.role in outcome_services.SETTLED_EDITORS,
        },
    )


@login_required
def drill_down(request):
    """The participants behind one number — only those the viewer may see."""
    _require_reports(request.user)
    form, filters = _filters(request)
    key = request.GET.get("section", "")
    row, col = request.GET.get("row", ""), request.GET.get("col", "")
    section = selectors.section(key, filters)
    if section is None or not section.drillable:
        raise Http404
    if (row and row not in dict(section.rows)) or (col and col not in dict(section.cols)):
        raise Http404
    behind = selectors.cell_participants(key, row, col, filters)
    qs = (
        policy.participants_for(request.user)
        .filter(pk__in=behind.values("pk"))
        .select_related("municipality", "owner_agency")
        .order_by("last_name", "first_name", "pk")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    ids = [p.pk for p in page.object_list]
    if ids:
        audit.record(
            request=request, action=audit.Action.LIST, object_type="participant", object_ids=ids
        )
    return render(
        request,
        "reports/drill_down.html",
        {
            "section": section,
            "row_label": dict(section.rows).get(row, _("All")),
            "col_label": dict(section.cols).get(col, _("All")),
            "page": page,
            "query": _query(request),
            "back": _query(request, drop=("page", "section", "row", "col")),
        },
    )


@login_required
def export_csv(request, key):
    """One dashboard table as CSV, suppressed exactly as on the page."""
    _require_reports(request.user)
    _form, filters = _filters(request)
    section = selectors.section(key, filters, viewer=request.user)
    if section is None:
        raise Http404
    content = section_csv(section, threshold())
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kmv-{key}.csv"'
    return response


def section_csv(section, limit: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [section.row_header, *[label for _c, label in section.cols], _("Total")]
        + [label for label, _v in section.extras]
    )
    for _key, label, cells, total, extras in section_rows(section, limit):
        writer.writerow(
            [label, *[cell.display(limit) for _c, cell in cells], total.display(limit), *extras]
        )
    writer.writerow(
        [_("Total"), *[c.display(limit) for c in section.table.col_totals]]
        + [section.table.total.display(limit)]
    )
    return out.getvalue()


@login_required
def dashboard_pdf(request):
    """The dashboard as a PDF report: the same suppressed tables, rendered by WeasyPrint."""
    from resourcegroups.pdf import FONT_STACK, font_face_css, render_pdf

    _require_reports(request.user)
    _form, filters = _filters(request)
    limit = threshold()
    sections = selectors.dashboard(filters, viewer=request.user)
    with translation.override(request.user.language or translation.get_language()):
        html = render_to_string(
            "reports/dashboard_pdf.html",
            {
                "blocks": [
                    {
                        "section": s,
                        "rows": section_rows(s, limit),
                        "totals": s.table.col_totals,
                        "chart": charts.chart_for(s),
                    }
                    for s in sections
                ],
                "legend": legend(sections),
                "filters": filters.as_query(),
                "generated": timezone.localtime(),
                "font_face_css": font_face_css(),
                "font_stack": FONT_STACK,
            },
        )
    pdf = render_pdf(html)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="kmv-rapport.pdf"'
    return response


@login_required
def settled_figures(request):
    if request.user.role not in outcome_services.SETTLED_EDITORS:
        raise PermissionDenied
    form = SettledFigureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome_services.settled_set(user=request.user, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("reports:settled")
    from participants.models import SettledFigure

    figures = SettledFigure.objects.select_related("municipality").order_by(
        "municipality__name", "-year"
    )[:500]
    return render(request, "reports/settled.html", {"form": form, "figures": figures})


# --- import / export of settled figures ------------------------------------------------

SETTLED_SESSION_KEY = "reports_settled_import"


def _settled_page(request, form, *, result=None, file_error="", rejected=False):
    return render(
        request,
        "reports/settled_import.html",
        {
            "form": form,
            "result": result,
            "file_error": file_error,
            "rejected": rejected,
            "columns": settled_io.COLUMNS,
        },
    )


@login_required
def settled_import(request):
    """Upload → dry run (every row's errors, nothing written) → commit (all or nothing)."""
    if not settled_io.may_import(request.user):
        raise PermissionDenied(_("Only coordinators and leaders enter settled figures."))
    form = SettledImportForm(request.POST or None, request.FILES or None)
    result, file_error = None, ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            rows = settled_io.read(upload.name, data)
        except imports.ImportFileError as exc:
            file_error = str(exc)
        else:
            result = settled_io.validate(rows, request.user)
            if result.ok:
                path = default_storage.save(f"imports/{uuid.uuid4().hex}", ContentFile(data))
                request.session[SETTLED_SESSION_KEY] = {"path": path, "name": upload.name}
    return _settled_page(request, form, result=result, file_error=file_error)


@require_POST
@login_required
def settled_import_commit(request):
    if not settled_io.may_import(request.user):
        raise PermissionDenied(_("Only coordinators and leaders enter settled figures."))
    pending = request.session.pop(SETTLED_SESSION_KEY, None)
    if not pending or not default_storage.exists(pending["path"]):
        messages.error(request, _("Upload the file again and check it first."))
        return redirect("reports:settled_import")
    with default_storage.open(pending["path"], "rb") as fh:
        data = fh.read()
    default_storage.delete(pending["path"])
    try:
        result = settled_io.commit(settled_io.read(pending["name"], data), request.user)
    except (imports.ImportRejected, imports.ImportFileError) as exc:
        result = getattr(exc, "result", None)
        return _settled_page(
            request,
            SettledImportForm(),
            result=result,
            file_error="" if result else str(exc),
            rejected=True,
        )
    messages.success(
        request, _("Imported %(n)s rows. Nothing else was changed.") % {"n": len(result.rows)}
    )
    return redirect("reports:settled")


@login_required
def settled_template(request):
    _require_reports(request.user)
    response = HttpResponse(
        imports.to_csv(settled_io.template_rows()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="kmv-bosatte-mal.csv"'
    return response


@login_required
def settled_export(request):
    """Every settled figure in the import format (public statistics, no individuals)."""
    _require_reports(request.user)
    rows = list(settled_io.export_rows())
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            imports.to_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="kmv-bosatte.xlsx"'
        return response
    response = HttpResponse(imports.to_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kmv-bosatte.csv"'
    return response


# --- import / export of participants and outcomes ---------------------------------------

SESSION_KEY = "reports_import"


def _require_importer(user) -> None:
    if not outcome_services.may_record_outcomes(user):
        raise PermissionDenied(_("Only staff working with participants can import."))


@login_required
def import_page(request):
    """Upload → dry run (every row's errors, nothing written) → commit (all or nothing)."""
    _require_importer(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    file_error = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            rows = imports.read_rows(upload.name, data)
        except imports.ImportFileError as exc:
            file_error = str(exc)
        else:
            result = imports.validate(rows, request.user)
            if result.ok:
                token = uuid.uuid4().hex
                path = default_storage.save(f"imports/{token}", ContentFile(data))
                request.session[SESSION_KEY] = {"path": path, "name": upload.name}
    return render(
        request,
        "reports/import.html",
        {
            "form": form,
            "result": result,
            "file_error": file_error,
            "columns": imports.COLUMNS,
            "statuses": imports.OutcomeStatus.choices,
        },
    )


@require_POST
@login_required
def import_commit(request):
    _require_importer(request.user)
    pending = request.session.pop(SESSION_KEY, None)
    if not pending or not default_storage.exists(pending["path"]):
        messages.error(request, _("Upload the file again and check it first."))
        return redirect("reports:import")
    with default_storage.open(pending["path"], "rb") as fh:
        data = fh.read()
    rows = imports.read_rows(pending["name"], data)
    if len(rows) > LARGE_IMPORT_ROWS:
        # large files are written by a worker; the status page shows the progress
        job = ImportJob.objects.create(
            user=request.user, path=pending["path"], name=pending["name"], total=len(rows)
        )
        transaction.on_commit(lambda: tasks.import_commit.delay(job.pk))
        return redirect("reports:import_status", job.token)
    default_storage.delete(pending["path"])
    try:
        result = imports.commit(rows, request.user)
    except imports.ImportRejected as exc:
        return render(
            request,
            "reports/import.html",
            {
                "form": ImportForm(),
                "result": exc.result,
                "rejected": True,
                "columns": imports.COLUMNS,
                "statuses": imports.OutcomeStatus.choices,
            },
        )
    messages.success(
        request, _("Imported %(n)s rows. Nothing else was changed.") % {"n": len(result.rows)}
    )
    return redirect("reports:import")


@login_required
def import_status(request, token):
    job = ImportJob.objects.filter(token=token, user=request.user).first()
    if job is None:
        raise Http404
    done, total = job.done, job.total
    if job.state == ImportJob.State.RUNNING:
        try:
            done, total = cache.get(tasks.progress_key(job.pk)) or (0, job.total)
        except Exception:  # noqa: BLE001 — cache down: show the job without a count
            done, total = 0, job.total
    return render(
        request,
        "reports/import_status.html",
        {
            "job": job,
            "done": done,
            "total": total,
            "percent": round(100 * done / total) if total else 0,
            "refresh": job.state in (ImportJob.State.QUEUED, ImportJob.State.RUNNING),
        },
    )


@login_required
def import_template(request):
    _require_reports(request.user)
    example = [
        "",
        "",
        "Nadia",
        "Yusuf",
        "1990-05-17",
        "4204",
        "with_vgo",
        "upper_secondary_started",
        "2024-08-19",
        "",
        "2024",
        "no",
        "",
        "",
    ]
    response = HttpResponse(
        imports.to_csv([imports.HEADER, example]), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="kmv-import-mal.csv"'
    return response


@login_required
def export_outcomes(request):
    """Participants the user may see, with their outcomes, in the import format."""
    _require_reports(request.user)
    qs = (
        policy.participants_for(request.user)
        .select_related("municipality")
        .prefetch_related("outcomes")
        .order_by("pk")
    )
    fmt = request.GET.get("format", "csv")
    rows = list(imports.export_rows(qs, user=request.user))
    ids = [int(r[0]) for r in rows[1:]]
    audit.record(
        request=request,
        action=audit.Action.EXPORT,
        object_type="participant",
        object_ids=sorted(set(ids)),
        channel=audit.AuditEvent.Channel.EXPORT,
    )
    if fmt == "xlsx":
        response = HttpResponse(
            imports.to_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="kmv-utfall.xlsx"'
        return response
    response = HttpResponse(imports.to_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kmv-utfall.csv"'
    return response
