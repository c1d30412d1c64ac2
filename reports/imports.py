"""Bulk import and export of participants and outcomes (CSV or XLSX), in one column format.

`validate(rows, user)` is the dry run: every row's problems in plain words, nothing written.
`commit(rows, user)` re-validates and writes everything in one transaction through the
services (`participants.services.participant_create`, `participants.outcomes.outcome_record`)
— all or nothing: one bad row and no row is written.

A row names an existing participant by `kmv_id` or `national_id` (only participants the
importing user may see), or registers a new one (first name, last name, date of birth,
municipality number). Outcome columns are optional; when `status` is filled, an outcome is
recorded for the participant.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kmv import uploads
from kmv.access import policy
from kmv.access.models import Municipality, User
from participants import outcomes as outcome_services
from participants import selectors as participant_selectors
from participants import services as participant_services
from participants.models import OutcomeRecord, OutcomeStatus, Participant
from participants.validators import validate_national_id

# (column, required for new participants, description) — the documented format
COLUMNS: list[tuple[str, str]] = [
    ("kmv_id", gettext_lazy("KMV number of an existing participant (leave empty for new)")),
    ("national_id", gettext_lazy("National identity number or D-number (11 digits), optional")),
    ("first_name", gettext_lazy("First name (required for a new participant)")),
    ("last_name", gettext_lazy("Last name (required for a new participant)")),
    ("date_of_birth", gettext_lazy("Date of birth, YYYY-MM-DD or DD.MM.YYYY (new participant)")),
    ("municipality", gettext_lazy("Municipality number, 4 digits (new participant)")),
    ("pathway", gettext_lazy("with_vgo or without_vgo (new participant, default with_vgo)")),
    ("status", gettext_lazy("Outcome status code (see the list); empty: no outcome")),
    ("since", gettext_lazy("Date the status applies from (required with a status)")),
    ("until", gettext_lazy("Date the status ended, optional")),
    (
        "cohort_year",
        gettext_lazy("Year upper-secondary started (required for upper_secondary_started)"),
    ),
    ("in_work", gettext_lazy("In work: yes/no (ja/nei), default no")),
    ("in_work_since", gettext_lazy("In work since (date), optional")),
    ("note", gettext_lazy("Short note, optional")),
]
HEADER = [c for c, _d in COLUMNS]
MAX_ROWS = 50_000
TRUE = {"yes", "ja", "y", "j", "true", "1", "x"}
FALSE = {"no", "nei", "n", "false", "0", ""}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong type, no header, too many rows)."""


@dataclass
class RowResult:
    number: int  # the row number as the spreadsheet shows it (header = 1)
    errors: list[str] = field(default_factory=list)
    action: str = ""
    participant: Participant | None = None
    data: dict = field(default_factory=dict)


@dataclass
class ImportResult:
    rows: list[RowResult]
    committed: bool = False

    @property
    def ok(self) -> bool:
        return all(not r.errors for r in self.rows)

    @property
    def error_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.errors]


# --- reading --------------------------------------------------------------------------


def read_rows(
    name: str,
    data: bytes,
    *,
    columns: list[str] = HEADER,
    key_columns: frozenset[str] = frozenset({"kmv_id", "national_id", "first_name"}),
) -> list[dict[str, str]]:
    """File bytes → list of {column: text}. CSV (UTF-8, `,` or `;`) or XLSX. `columns`: the
    format's column names; the header must name at least one of `key_columns`."""
    lower = name.lower()
    if len(data) > uploads.max_bytes("table"):
        raise ImportFileError(
            _("The file is too large (at most %(size)s).")
            % {"size": filesizeformat(uploads.max_bytes("table"))}
        )
    if lower.endswith(".xlsx"):
        table = _read_xlsx(data)
    elif lower.endswith(".csv") or lower.endswith(".txt"):
        table = _read_csv(data)
    else:
        raise ImportFileError(_("Upload a .csv or .xlsx file."))
    if not table:
        raise ImportFileError(_("The file is empty."))
    header = [str(h or "").strip().lower() for h in table[0]]
    unknown = [h for h in header if h and h not in columns]
    if unknown:
        raise ImportFileError(
            _("Unknown columns: %(cols)s. Use the template's column names.")
            % {"cols": ", ".join(unknown)}
        )
    if not key_columns & set(header):
        raise ImportFileError(_("The first row must hold the column names from the template."))
    body = [r for r in table[1:] if any(str(v or "").strip() for v in r)]
    if len(body) > MAX_ROWS:
        raise ImportFileError(
            _("The file has %(n)s rows; split it into files of at most %(max)s.")
            % {"n": len(body), "max": MAX_ROWS}
        )
    rows = []
    for values in table[1:]:
        row = {h: _text(values[i]) if i < len(values) else "" for i, h in enumerate(header) if h}
        rows.append(row)
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(data: bytes) -> list[list[str]]:
    """Streamed and bounded by kmv.uploads (rows beyond MAX_ROWS are never parsed)."""
    try:
        return uploads.csv_table(data, max_rows=MAX_ROWS)
    except uploads.UploadRejected as exc:
        raise ImportFileError(exc.messages[0]) from None


def _read_xlsx(data: bytes) -> list[list]:
    """The zip's size is checked before openpyxl parses anything (kmv.uploads)."""
    try:
        return uploads.xlsx_table(data, max_rows=MAX_ROWS)
    except uploads.UploadRejected as exc:
        raise ImportFileError(exc.messages[0]) from None


# --- validating -----------------------------------------------------------------------


def _date(value: str, label: str, errors: list[str]) -> date | None:
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    errors.append(
        _("%(col)s: “%(value)s” is not a date (use YYYY-MM-DD or DD.MM.YYYY).")
        % {"col": label, "value": value[:40]}
    )
    return None


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [
            f"{name}: {msg}" if name != "__all__" else str(msg)
            for name, msgs in exc.message_dict.items()
            for msg in msgs
        ]
    return list(exc.messages)


def validate(rows: list[dict[str, str]], user: User) -> ImportResult:
    """The dry run. Queries: municipalities, the visible participants named in the file, and
    one uniqueness check per new participant with an identity number."""
    municipalities = {m.number: m for m in Municipality.objects.all()}
    ids = {r.get("kmv_id") for r in rows if (r.get("kmv_id") or "").isdigit()}
    nids = {r.get("national_id") for r in rows if r.get("national_id")}
    visible = policy.participants_for(user)
    by_id = {p.pk: p for p in visible.filter(pk__in=[int(i) for i in ids])}
    by_nid = {p.national_id: p for p in visible.filter(policy.national_id_match(user, nids))}
    seen_nids: dict[str, int] = {}
    results = []
    may_create = outcome_services.may_record_outcomes(user)
    for index, row in enumerate(rows, start=2):
        res = RowResult(number=index)
        errors = res.errors
        participant = None
        kmv_id, nid = row.get("kmv_id", ""), row.get("national_id", "")
        if kmv_id:
            if not kmv_id.isdigit() or int(kmv_id) not in by_id:
                errors.append(
                    _("kmv_id: no participant number %(id)s that you have access to.")
                    % {"id": kmv_id[:20]}
                )
            else:
                participant = by_id[int(kmv_id)]
        elif nid and nid in by_nid:
            participant = by_nid[nid]
        if nid:
            if nid in seen_nids:
                errors.append(
                    _("national_id: the same number is already on row %(row)s.")
                    % {"row": seen_nids[nid]}
                )
            seen_nids.setdefault(nid, index)
        if participant is None and not kmv_id:
            res.action = _("New participant")
            if not may_create:
                errors.append(_("Only staff working with participants can register them."))
            data = _new_participant(row, municipalities, errors)
            if nid and not errors:
                try:
                    validate_national_id(nid)
                except ValidationError as exc:
                    errors.extend(f"national_id: {m}" for m in exc.messages)
                if participant_selectors.national_id_registered(nid, user=user):
                    errors.append(f"national_id: {participant_selectors.DUPLICATE_NATIONAL_ID}")
            if not errors:
                candidate = Participant(owner_agency_id=user.agency_id, **data)
                try:
                    candidate.full_clean(exclude=["owner_agency", "national_id"])
                except ValidationError as exc:
                    errors.extend(_messages(exc))
            res.data["participant"] = data
        elif participant is not None:
            res.participant = participant
            res.action = _("Existing participant %(id)s") % {"id": participant.pk}
        outcome = _outcome(row, errors)
        if outcome is not None:
            res.data["outcome"] = outcome
            res.action += " + " + _("outcome “%(s)s”") % {
                "s": OutcomeStatus(outcome["status"]).label
            }
            if not may_create:
                errors.append(_("Only staff working with participants can record outcomes."))
        results.append(res)
    return ImportResult(rows=results)


def _new_participant(row, municipalities, errors) -> dict:
    data: dict = {}
    for col in ("first_name", "last_name"):
        if not row.get(col):
            errors.append(_("%(col)s is missing (needed for a new participant).") % {"col": col})
        data[col] = (row.get(col) or "")[:100]
    born = _date(row.get("date_of_birth", ""), "date_of_birth", errors)
    if not row.get("date_of_birth"):
        errors.append(_("date_of_birth is missing (needed for a new participant)."))
    data["date_of_birth"] = born
    number = row.get("municipality", "")
    if not number:
        errors.append(_("municipality is missing (needed for a new participant)."))
    elif number.zfill(4) not in municipalities:
        errors.append(_("municipality: no municipality has number %(n)s.") % {"n": number[:10]})
    else:
        data["municipality"] = municipalities[number.zfill(4)]
    pathway = row.get("pathway") or Participant.Pathway.WITH_UPPER_SECONDARY
    if pathway not in Participant.Pathway.values:
        errors.append(
            _("pathway: “%(v)s” is not one of %(choices)s.")
            % {"v": pathway[:40], "choices": ", ".join(Participant.Pathway.values)}
        )
    data["pathway"] = pathway
    if row.get("national_id"):
        data["national_id"] = row["national_id"]
    return data


def _outcome(row, errors) -> dict | None:
    status = row.get("status", "")
    if not status:
        for col in ("since", "until", "cohort_year", "in_work_since"):
            if row.get(col):
                errors.append(_("%(col)s is filled but status is empty.") % {"col": col})
        return None
    if status not in OutcomeStatus.values:
        errors.append(
            _("status: “%(v)s” is not a known status. Use one of: %(choices)s.")
            % {"v": status[:40], "choices": ", ".join(OutcomeStatus.values)}
        )
        return None
    before = len(errors)
    data = {
        "status": status,
        "since": _date(row.get("since", ""), "since", errors),
        "until": _date(row.get("until", ""), "until", errors),
        "in_work_since": _date(row.get("in_work_since", ""), "in_work_since", errors),
        "note": (row.get("note") or "")[:400],
        "cohort_year": None,
    }
    if not row.get("since"):
        errors.append(_("since is missing: give the date the status applies from."))
    cohort = row.get("cohort_year", "")
    if cohort:
        if not cohort.isdigit():
            errors.append(_("cohort_year: “%(v)s” is not a year.") % {"v": cohort[:20]})
        else:
            data["cohort_year"] = int(cohort)
    work = (row.get("in_work") or "").lower()
    if work not in TRUE | FALSE:
        errors.append(_("in_work: write yes or no, not “%(v)s”.") % {"v": work[:20]})
    data["in_work"] = work in TRUE
    if len(errors) == before:
        record = OutcomeRecord(participant_id=0, reported_by_agency_id=0, **data)
        try:
            record.full_clean(exclude=["participant", "reported_by_agency"])
        except ValidationError as exc:
            errors.extend(_messages(exc))
    return data


# --- writing --------------------------------------------------------------------------


class ImportRejected(Exception):
    def __init__(self, result: ImportResult):
        super().__init__("import rejected")
        self.result = result


def commit(
    rows: list[dict[str, str]],
    user: User,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """All or nothing: validate, then write every row in one transaction. Raises
    ImportRejected (nothing written) if any row has an error, before or during writing."""
    result = validate(rows, user)
    if not result.ok:
        raise ImportRejected(result)
    total = len(result.rows)
    try:
        with transaction.atomic():
            for done, res in enumerate(result.rows, start=1):
                try:
                    _write(res, user)
                except (ValidationError, PermissionDenied) as exc:
                    res.errors.extend(
                        _messages(exc) if isinstance(exc, ValidationError) else [str(exc)]
                    )
                    raise ImportRejected(result) from exc
                if progress and (done % 100 == 0 or done == total):
                    progress(done, total)
    except ImportRejected:
        raise
    result.committed = True
    return result


def _write(res: RowResult, user: User) -> None:
    participant = res.participant
    if participant is None and "participant" in res.data:
        participant = participant_services.participant_create(user=user, **res.data["participant"])
        res.participant = participant
    outcome = res.data.get("outcome")
    if outcome and participant is not None:
        outcome_services.outcome_record(user=user, participant=participant, **outcome)


# --- export (the same format) ----------------------------------------------------------


def export_rows(participants: Iterable[Participant], *, user: User) -> Iterable[list[str]]:
    """One row per outcome record (or one without outcome columns), import format, as `user`
    may read it: the identity number masked unless the user's agency owns the participant,
    outcomes only where their data category is visible (`kmv.access.policy`)."""
    from participants.facts import OUTCOME_CATEGORY

    participants = list(participants)
    categories = policy.visible_categories_map(user, participants)
    yield HEADER
    for p in participants:
        base = [
            str(p.pk),
            policy.shown_national_id(user, p),
            p.first_name,
            p.last_name,
            p.date_of_birth.isoformat(),
            p.municipality.number,
            p.pathway,
        ]
        records = [
            o
            for o in p.outcomes.all()
            if policy.may_read_datum(
                categories.get(p.pk, set()),
                OUTCOME_CATEGORY,
                agency_id=o.reported_by_agency_id,
                own_agency_id=user.agency_id,
            )
        ]
        if not records:
            yield [*base, "", "", "", "", "", "", ""]
        for o in sorted(records, key=lambda o: (o.since, o.pk)):
            yield [
                *base,
                o.status,
                o.since.isoformat(),
                o.until.isoformat() if o.until else "",
                str(o.cohort_year or ""),
                "yes" if o.in_work else "no",
                o.in_work_since.isoformat() if o.in_work_since else "",
                o.note,
            ]


def to_csv(rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_safe_cell(v) for v in row])
    return out.getvalue()


def to_xlsx(rows: Iterable[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append([_safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _safe_cell(value) -> str:
    """Spreadsheet formula injection: a cell starting with = + - @ is written as text."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
