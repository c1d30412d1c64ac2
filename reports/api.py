"""Read-only report endpoints (the dashboard's tables, the same numbers and suppression),
drill-downs within access, and the import (dry run + commit) and export of outcomes."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from kmv.access import audit, policy
from kmv.access.api_permissions import IsStaffMember
from kmv.access.serializers import ERROR_400, READ_ERRORS
from participants import outcomes as outcome_services

from . import imports, selectors, settled_io
from .forms import ReportFilterForm
from .serializers import (
    DrillPageSerializer,
    DrillParticipantSerializer,
    ImportResultSerializer,
    ImportUploadSerializer,
    SectionSerializer,
    section_data,
)
from .views import may_see_reports


def _run_import(request, read, validate, commit) -> Response:
    """One upload through a format's reader: dry run (200/422) or all-or-nothing commit
    (201/422); an unreadable file is a 400 on `file`."""
    upload = ImportUploadSerializer(data=request.data)
    upload.is_valid(raise_exception=True)
    file = upload.validated_data["file"]
    try:
        rows = read(file.name, file.read())
    except imports.ImportFileError as exc:
        raise exceptions.ValidationError({"file": [str(exc)]}) from None
    if upload.validated_data["dry_run"]:
        result = validate(rows, request.user)
        code = status.HTTP_200_OK if result.ok else status.HTTP_422_UNPROCESSABLE_ENTITY
    else:
        try:
            result = commit(rows, request.user)
            code = status.HTTP_201_CREATED
        except imports.ImportRejected as exc:
            result, code = exc.result, status.HTTP_422_UNPROCESSABLE_ENTITY
    data = {"ok": result.ok, "committed": result.committed, "rows": result.rows}
    return Response(ImportResultSerializer(data).data, status=code)


FILTER_PARAMS = [
    OpenApiParameter("municipality", int, description="Municipality id"),
    OpenApiParameter("agency", int, description="Agency id"),
    OpenApiParameter("pathway", str, enum=["with_vgo", "without_vgo"]),
    OpenApiParameter("year_from", int),
    OpenApiParameter("year_to", int),
]
KEY_PARAM = OpenApiParameter(
    "key", str, OpenApiParameter.PATH, enum=["settled", *selectors.SECTION_KEYS]
)


class MaySeeReports(BasePermission):
    message = "Reports are for staff in the qualification network."

    def has_permission(self, request, view):
        return may_see_reports(request.user)


def _filters(request) -> selectors.Filters:
    form = ReportFilterForm(request.query_params or None)
    if form.is_bound and not form.is_valid():
        raise exceptions.ValidationError(form.errors)
    return form.filters()


CACHE_NOTE = (
    "The figures are computed at most a few minutes before the request (kept in a short-lived "
    "cache; saving outcomes, meetings or settled figures refreshes them): `as_of` in each "
    "table says when. Suppression is still decided for the caller on every request."
)


class ReportViewSet(viewsets.ViewSet):
    """Every dashboard table, suppressed for the caller by the same rule as the page
    (`reports.suppression.limit_for`): exact only for a caller who may see everyone behind it.

    The tables are kept for a few minutes (`reports.cache`); `as_of` says when each was
    computed. The participants behind a number are always live and scoped to the caller."""

    permission_classes = [IsStaffMember, MaySeeReports]
    lookup_field = "key"
    lookup_value_converter = "slug"

    @extend_schema(
        parameters=FILTER_PARAMS,
        responses=SectionSerializer(many=True),
        description=CACHE_NOTE,
    )
    def list(self, request):
        sections = selectors.dashboard(_filters(request), viewer=request.user)
        return Response([section_data(s) for s in sections])

    @extend_schema(
        parameters=[KEY_PARAM, *FILTER_PARAMS],
        responses=SectionSerializer,
        description=CACHE_NOTE,
    )
    def retrieve(self, request, key=None):
        section = selectors.section(key, _filters(request), viewer=request.user)
        if section is None:
            raise exceptions.NotFound
        return Response(section_data(section))

    @extend_schema(
        parameters=[
            KEY_PARAM,
            *FILTER_PARAMS,
            OpenApiParameter("row", str, description="Row key; empty: all rows"),
            OpenApiParameter("col", str, description="Column key; empty: all columns"),
        ],
        responses=DrillPageSerializer,
    )
    @action(detail=True, methods=["get"])
    def participants(self, request, key=None):
        """The participants behind one cell — only those the caller may see."""
        filters = _filters(request)
        section = selectors.section(key, filters)
        row, col = request.query_params.get("row", ""), request.query_params.get("col", "")
        if section is None or not section.drillable:
            raise exceptions.NotFound
        if (row and row not in dict(section.rows)) or (col and col not in dict(section.cols)):
            raise exceptions.NotFound
        behind = selectors.cell_participants(key, row, col, filters)
        qs = (
            policy.participants_for(request.user)
            .filter(pk__in=behind.values("pk"))
            .select_related("municipality")
            .order_by("last_name", "first_name", "pk")
        )
        paginator = self.paginator
        page = paginator.paginate_queryset(qs, request, view=self)
        if page:
            audit.record(
                request=request,
                action=audit.Action.LIST,
                object_type="participant",
                object_ids=[p.pk for p in page],
                channel="api",
            )
        return paginator.get_paginated_response(DrillParticipantSerializer(page, many=True).data)

    @property
    def paginator(self):
        from rest_framework.pagination import PageNumberPagination

        if not hasattr(self, "_paginator"):
            self._paginator = PageNumberPagination()
        return self._paginator


class OutcomeImportViewSet(viewsets.ViewSet):
    """Import participants and outcomes (CSV/XLSX, the template's columns). `dry_run=true`
    (the default) checks every row and writes nothing; `dry_run=false` writes all rows or,
    if any row is wrong, none (422 with every row's problems; 400: the file is unreadable)."""

    permission_classes = [IsStaffMember, MaySeeReports]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request=ImportUploadSerializer,
        responses={
            200: ImportResultSerializer,
            201: ImportResultSerializer,
            422: ImportResultSerializer,
        },
    )
    def create(self, request):
        if not outcome_services.may_record_outcomes(request.user):
            raise exceptions.PermissionDenied(_("Only staff working with participants can import."))
        return _run_import(request, imports.read_rows, imports.validate, imports.commit)


class OutcomeExportViewSet(viewsets.ViewSet):
    """Participants the caller may see with their outcomes, in the import format (CSV)."""

    permission_classes = [IsStaffMember, MaySeeReports]

    @extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR)},
    )
    def list(self, request):
        qs = (
            policy.participants_for(request.user)
            .select_related("municipality")
            .prefetch_related("outcomes")
            .order_by("pk")
        )
        rows = list(imports.export_rows(qs, user=request.user))
        audit.record(
            request=request,
            action=audit.Action.EXPORT,
            object_type="participant",
            object_ids=sorted({int(r[0]) for r in rows[1:]}),
            channel="api",
        )
        response = HttpResponse(imports.to_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="kmv-utfall.csv"'
        return response


class SettledImportViewSet(viewsets.ViewSet):
    """Import settled figures (CSV/XLSX: municipality, year, count — the template's columns).
    `dry_run=true` (the default) checks every row and writes nothing; `dry_run=false` writes
    all rows or, if any row is wrong, none (422 with every row's problems; 400: the file is
    unreadable). A year already entered is replaced. Coordinators, leaders, administrators."""

    permission_classes = [IsStaffMember, MaySeeReports]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request=ImportUploadSerializer,
        responses={
            200: ImportResultSerializer,
            201: ImportResultSerializer,
            400: ERROR_400,
            **READ_ERRORS,
            422: ImportResultSerializer,
        },
    )
    def create(self, request):
        if not settled_io.may_import(request.user):
            raise exceptions.PermissionDenied(
                _("Only coordinators and leaders enter settled figures.")
            )
        return _run_import(request, settled_io.read, settled_io.validate, settled_io.commit)


class SettledExportViewSet(viewsets.ViewSet):
    """Every settled figure in the import format (CSV). Public statistics: no individuals."""

    permission_classes = [IsStaffMember, MaySeeReports]

    @extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR), **READ_ERRORS},
    )
    def list(self, request):
        rows = list(settled_io.export_rows())
        response = HttpResponse(imports.to_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="kmv-bosatte.csv"'
        return response
