"""Uploaded files: one rule per upload kind for size and type, checked by content.

Every form and serializer that takes a file validates it with `UploadValidator(kind)`; the
import readers open spreadsheets only through `xlsx_table` / `csv_table`, which bound the work
*before* parsing (a 204 KB XLSX can expand to 200 MB; a CSV is streamed row by row). The
limits are settings (`KMV_UPLOAD_MAX_BYTES`, `KMV_XLSX_MAX_UNCOMPRESSED_BYTES`), so an
operator can tighten them without code.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# What each kind accepts: file-name endings and the content signatures that prove them.
KINDS = {
    # signed agreements
    "document": {"pdf"},
    # documents attached to a network meeting's agenda item
    "agenda": {"pdf", "docx", "xlsx", "pptx", "odt", "csv"},
    # signed consent forms: a PDF or a photo of the paper form
    "consent": {"pdf", "png", "jpeg"},
    # participant/outcome and settled-figure imports
    "table": {"csv", "xlsx"},
}
_ENDINGS = {
    "pdf": (".pdf",),
    "png": (".png",),
    "jpeg": (".jpg", ".jpeg"),
    "csv": (".csv", ".txt"),
    "xlsx": (".xlsx",),
    "docx": (".docx",),
    "pptx": (".pptx",),
    "odt": (".odt",),
}
_MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "xlsx": (b"PK\x03\x04",),
    "docx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
}
_XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
# Office files are zips: the part that makes each what its name says.
_ZIP_PARTS = {
    "xlsx": _XLSX_PARTS,
    "docx": ("[Content_Types].xml", "word/document.xml"),
    "pptx": ("[Content_Types].xml", "ppt/presentation.xml"),
    "odt": ("mimetype", "content.xml"),
}


class UploadRejected(ValidationError):
    """A file refused before anything was stored or parsed."""


def max_bytes(kind: str) -> int:
    return settings.KMV_UPLOAD_MAX_BYTES[kind]


def file_type(name: str, head: bytes) -> str | None:
    """The type a file is by its name *and* its first bytes, or None when they disagree."""
    lower = (name or "").lower()
    for kind, endings in _ENDINGS.items():
        if lower.endswith(endings):
            if kind == "csv":
                return "csv" if b"\x00" not in head else None
            return kind if head.startswith(_MAGIC[kind]) else None
    return None


def _allowed_text(kind: str) -> str:
    names = {"pdf": "PDF", "png": "PNG", "jpeg": "JPEG", "csv": "CSV/TXT", "xlsx": "XLSX"}
    names |= {"docx": "DOCX", "pptx": "PPTX", "odt": "ODT"}
    return ", ".join(names[t] for t in sorted(KINDS[kind]))


def check_upload(upload, kind: str) -> str:
    """Size and type of an uploaded file (Django `UploadedFile` or any file with `.name`,
    `.size`, `.read`/`.seek`); returns its type or raises `UploadRejected`."""
    limit = max_bytes(kind)
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > limit:
        raise UploadRejected(
            _("The file is too large (at most %(size)s).") % {"size": filesizeformat(limit)},
            code="file_too_large",
        )
    if size == 0:
        raise UploadRejected(_("The file is empty."), code="file_empty")
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    found = file_type(upload.name, head)
    if found not in KINDS[kind]:
        raise UploadRejected(
            _("The file must be one of: %(types)s (checked by its content, not only its name).")
            % {"types": _allowed_text(kind)},
            code="file_type",
        )
    if found in _ZIP_PARTS:
        _check_zip(upload, _ZIP_PARTS[found])
        upload.seek(0)
    return found


@deconstructible
class UploadValidator:
    """`validators=[UploadValidator("document")]` on a form or serializer FileField."""

    def __init__(self, kind: str):
        if kind not in KINDS:
            raise ValueError(kind)
        self.kind = kind

    def __call__(self, upload):
        check_upload(upload, self.kind)

    def __eq__(self, other):
        return isinstance(other, UploadValidator) and other.kind == self.kind


def _check_zip(fileobj, parts=_XLSX_PARTS) -> None:
    """An Office file is a zip with its own parts, whose uncompressed size is bounded."""
    limit = settings.KMV_XLSX_MAX_UNCOMPRESSED_BYTES
    try:
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            total = sum(info.file_size for info in infos)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UploadRejected(_("The file could not be read."), code="zip_broken") from None
    if not all(part in names for part in parts):
        raise UploadRejected(_("The file could not be read."), code="zip_broken")
    if total > limit:
        raise UploadRejected(
            _("The file unpacks to more than %(size)s; split it into smaller files.")
            % {"size": filesizeformat(limit)},
            code="xlsx_too_large",
        )


def _too_many_rows(max_rows: int) -> UploadRejected:
    return UploadRejected(
        _("The file has more than %(max)s rows; split it into files of at most %(max)s.")
        % {"max": max_rows},
        code="too_many_rows",
    )


def xlsx_table(data: bytes, *, max_rows: int) -> list[list]:
    """The first sheet's rows, after the zip is checked; stops past `max_rows` data rows."""
    from openpyxl import load_workbook

    _check_zip(io.BytesIO(data))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        table = []
        for row in sheet.iter_rows(values_only=True):
            table.append(list(row))
            if len(table) > max_rows + 1:
                raise _too_many_rows(max_rows)
    except UploadRejected:
        raise
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, XML errors …)
        raise UploadRejected(_("The XLSX file could not be read."), code="xlsx_broken") from None
    return table


def csv_rows(fileobj, *, max_rows: int) -> Iterator[list[str]]:
    """Rows of a UTF-8 CSV (`,` or `;`), decoded and parsed as a stream."""
    reader = codecs.getreader("utf-8-sig")(fileobj, errors="strict")
    try:
        first = reader.readline()
        if not first:
            return
        delimiter = ";" if first.count(";") > first.count(",") else ","

        def lines():
            yield first
            yield from reader

        for count, row in enumerate(csv.reader(lines(), delimiter=delimiter)):
            if count > max_rows:
                raise _too_many_rows(max_rows)
            yield row
    except UnicodeDecodeError:
        raise UploadRejected(
            _("The CSV file must be saved as UTF-8."), code="csv_encoding"
        ) from None
    except csv.Error:
        raise UploadRejected(_("The CSV file could not be read."), code="csv_broken") from None


def csv_table(data: bytes, *, max_rows: int) -> list[list[str]]:
    return list(csv_rows(io.BytesIO(data), max_rows=max_rows))


class RequestSizeLimitMiddleware:
    """A request body larger than the largest upload kind (plus form overhead) is refused with
    a translated 413 before any view or parser reads it; DRF's JSON parser reads the stream
    itself and so ignores DATA_UPLOAD_MAX_MEMORY_SIZE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.KMV_MAX_REQUEST_BYTES
        if length > limit:
            from django.http import HttpResponse, JsonResponse

            message = _("The request is too large (at most %(size)s).") % {
                "size": filesizeformat(limit)
            }
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
