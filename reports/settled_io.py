"""Import and export of settled figures (people settled per municipality and year, from
national statistics), in one documented column format.

`validate(rows, user)` is the dry run: every row's problems in plain words, nothing written.
`commit(rows, user)` re-validates and writes every row in one transaction through
`participants.outcomes.settled_set` — all or nothing. A year already entered is replaced, as
on the page; the dry run says so per row.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kmv.access.models import Municipality, User
from participants import outcomes as outcome_services
from participants.models import SettledFigure

from .imports import ImportRejected, ImportResult, RowResult, read_rows

COLUMNS: list[tuple[str, str]] = [
    ("municipality", gettext_lazy("Municipality number, 4 digits (e.g. 4204)")),
    ("year", gettext_lazy("Year, e.g. 2025")),
    ("count", gettext_lazy("People settled in the municipality that year (a whole number)")),
    ("municipality_name", gettext_lazy("Municipality name, optional (not read, for people)")),
]
HEADER = [c for c, _d in COLUMNS]
FIRST_YEAR, LAST_YEAR = 1990, 2100
MAX_COUNT = 10_000_000


def read(name: str, data: bytes) -> list[dict[str, str]]:
    """File bytes → rows; raises `imports.ImportFileError` for an unreadable file."""
    return read_rows(name, data, columns=HEADER, key_columns=frozenset({"municipality"}))


def may_import(user: User) -> bool:
    return user.role in outcome_services.SETTLED_EDITORS


def _whole(value: str) -> int | None:
    text = value.replace(" ", "").replace("\u00a0", "")
    return int(text) if text.isdigit() else None


def validate(rows: list[dict[str, str]], user: User) -> ImportResult:
    """The dry run. Queries: municipalities, the figures already entered (2)."""
    municipalities = {m.number: m for m in Municipality.objects.all()}
    existing = {
        (m, y): n
        for m, y, n in SettledFigure.objects.values_list("municipality_id", "year", "count")
    }
    allowed = may_import(user)
    seen: dict[tuple[int, int], int] = {}
    results = []
    for number, row in enumerate(rows, start=2):
        res = RowResult(number=number)
        errors = res.errors
        if not allowed:
            errors.append(_("Only coordinators and leaders enter settled figures."))
        code = row.get("municipality", "")
        municipality = None
        if not code:
            errors.append(_("municipality is missing: give the 4-digit municipality number."))
        elif not code.isdigit() or code.zfill(4) not in municipalities:
            errors.append(_("municipality: no municipality has number %(n)s.") % {"n": code[:10]})
        else:
            municipality = municipalities[code.zfill(4)]
        raw_year = row.get("year", "")
        year = _whole(raw_year)
        if not raw_year:
            errors.append(_("year is missing."))
        elif year is None or not FIRST_YEAR <= year <= LAST_YEAR:
            errors.append(
                _("year: “%(v)s” is not a year between %(first)s and %(last)s.")
                % {"v": raw_year[:20], "first": FIRST_YEAR, "last": LAST_YEAR}
            )
            year = None
        raw_count = row.get("count", "")
        count = _whole(raw_count)
        if not raw_count:
            errors.append(_("count is missing: give the number of people settled."))
        elif count is None or count > MAX_COUNT:
            errors.append(
                _("count: “%(v)s” is not a whole number of people (0 or more).")
                % {"v": raw_count[:20]}
            )
            count = None
        if municipality is not None and year is not None:
            key = (municipality.pk, year)
            if key in seen:
                errors.append(
                    _("%(m)s %(y)s is already on row %(row)s.")
                    % {"m": municipality.name, "y": year, "row": seen[key]}
                )
            seen.setdefault(key, number)
            if key in existing:
                res.action = _("Replace %(m)s %(y)s (was %(old)s)") % {
                    "m": municipality.name,
                    "y": year,
                    "old": existing[key],
                }
            else:
                res.action = _("Add %(m)s %(y)s") % {"m": municipality.name, "y": year}
        res.data = {"municipality": municipality, "year": year, "count": count}
        results.append(res)
    return ImportResult(rows=results)


def commit(rows: list[dict[str, str]], user: User) -> ImportResult:
    """All or nothing: validate, then write every row in one transaction. Raises
    ImportRejected (nothing written) if any row has an error, before or during writing."""
    result = validate(rows, user)
    if not result.ok:
        raise ImportRejected(result)
    with transaction.atomic():
        for res in result.rows:
            try:
                outcome_services.settled_set(user=user, **res.data)
            except (ValidationError, PermissionDenied) as exc:
                res.errors.extend(exc.messages if isinstance(exc, ValidationError) else [str(exc)])
                raise ImportRejected(result) from exc
    result.committed = True
    return result


def export_rows() -> Iterable[list[str]]:
    """Every settled figure, in the import format (public statistics: no access rule)."""
    yield HEADER
    figures = SettledFigure.objects.select_related("municipality").order_by(
        "municipality__number", "year"
    )
    for f in figures:
        yield [f.municipality.number, str(f.year), str(f.count), f.municipality.name]


def template_rows() -> list[list[str]]:
    return [HEADER, ["4204", "2025", "312", "Kristiansand"]]
