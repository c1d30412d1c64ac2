"""Minutes as PDF/A, in two of the three layers (STYLE.md habit 8).

1. `minutes_html(minutes, agency=..., language=...)` — a Django template → an HTML string.
2. `render_pdf(html)` — WeasyPrint → PDF/A-2a bytes, in a separate, short-lived process with a
   wall-clock timeout, an address-space cap and a restricted URL fetcher that only hands out
   the project's own font files (no file://, no http(s), nothing else).

The third layer (storing the bytes once, with their checksum) is `resourcegroups.archive`.

This module is also the renderer process's entry point (`_worker_main`), so its top-level
imports are the standard library and Django modules that need no configured settings.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# PDF/A-2a: PDF/A-2 with Unicode text and a structure tree (tagged), the accessible level
# the archives accept. WeasyPrint calls its PDF/A and tagging support experimental, and no
# validator (e.g. veraPDF) runs here: the tests check the declaration, the output intent,
# the structure tree and text extraction, not full conformance.
PDF_VARIANT = "pdf/a-2a"
FONT_SCHEME = "kmv-font"
MAX_HTML_BYTES = 2 * 1024 * 1024  # a long set of minutes is ~60 kB
DEFAULT_TIMEOUT_SECONDS = 60
DEFAULT_MEMORY_MB = 1024

# (CSS family, npm package, fontsource subset). Noto Sans covers Norwegian (æøå), other
# Latin and Cyrillic names; Arabic and Ethiopic (Tigrinya, Amharic) come from their own
# families. The machine's own fonts (often DejaVu only) are never relied on.
# One CSS family per subset file, on purpose: WeasyPrint 70 keys embedded fonts by their
# Pango description (family + weight + style), so fontsource's usual "one family, many
# unicode-range files" would merge the Latin and Cyrillic files into one PDF font and print
# Cyrillic names with Latin glyphs ("Олена" came out as "C` ZbU").
FONT_FAMILIES = [
    ("KMV Noto Sans", "noto-sans", "latin"),
    ("KMV Noto Sans Latin Ext", "noto-sans", "latin-ext"),
    ("KMV Noto Sans Cyrillic", "noto-sans", "cyrillic"),
    ("KMV Noto Sans Arabic", "noto-sans-arabic", "arabic"),
    ("KMV Noto Sans Ethiopic", "noto-sans-ethiopic", "ethiopic"),
]
FONT_WEIGHTS = (400, 700)
FONT_STACK = ", ".join(f'"{family}"' for family, _p, _s in FONT_FAMILIES)


class PdfRenderError(RuntimeError):
    """Rendering failed, took too long, used too much memory or the input is too large."""


class FontsMissing(ImproperlyConfigured):
    """The font packages are not installed: without them names would print as boxes."""


class RefusedURL(ValueError):
    """The renderer asked for a resource outside the allow-list."""


# --- Fonts -------------------------------------------------------------------------------


def _node_modules() -> Path:
    from django.conf import settings

    return Path(getattr(settings, "NODE_MODULES_DIR", Path(settings.BASE_DIR) / "node_modules"))


def _font_file(root: Path, package: str, subset: str, weight: int) -> Path:
    return root / "@fontsource" / package / "files" / f"{package}-{subset}-{weight}-normal.woff"


def font_files(root: Path | None = None) -> dict[str, Path]:
    """The allow-list: file name → path of every font the PDF may load.

    WOFF (zlib) rather than WOFF2: WOFF2 needs the brotli module, which is not installed.
    Raises FontsMissing, loudly, if any file is absent.
    """
    root = Path(root) if root is not None else _node_modules()
    files, missing = {}, []
    for _family, package, subset in FONT_FAMILIES:
        for weight in FONT_WEIGHTS:
            path = _font_file(root, package, subset, weight)
            if path.is_file():
                files[path.name] = path
            else:
                missing.append(str(path))
    if missing:
        raise FontsMissing(
            "PDF fonts are missing, so letters outside the machine's fonts (æøå, Arabic, "
            "Ethiopic) would print as boxes. Install the npm packages with `make npm` "
            "(npm ci). Missing: " + ", ".join(missing)
        )
    return files


_BLOCK_RE = re.compile(r"/\*\s*([\w-]+)\s*\*/\s*@font-face\s*{(.*?)}", re.S)


@lru_cache(maxsize=4)
def _unicode_ranges(css_path: Path) -> dict[str, str]:
    """fontsource's own CSS: block name (e.g. noto-sans-latin-400-normal) → unicode-range."""
    ranges = {}
    for name, body in _BLOCK_RE.findall(css_path.read_text(encoding="utf-8")):
        match = re.search(r"unicode-range:\s*([^;]+);", body)
        if match:
            ranges[name] = match.group(1).strip()
    return ranges


def font_face_css(root: Path | None = None) -> str:
    """@font-face rules that point at the allow-listed files through the kmv-font: scheme."""
    root = Path(root) if root is not None else _node_modules()
    font_files(root)  # fail loudly before anything else
    rules = []
    for family, package, subset in FONT_FAMILIES:
        for weight in FONT_WEIGHTS:
            css = root / "@fontsource" / package / f"{weight}.css"
            name = f"{package}-{subset}-{weight}-normal"
            unicode_range = (_unicode_ranges(css) if css.is_file() else {}).get(name)
            rules.append(
                "@font-face { "
                f'font-family: "{family}"; font-style: normal; font-weight: {weight}; '
                f"src: url({FONT_SCHEME}:{name}.woff) format('woff');"
                + (f" unicode-range: {unicode_range};" if unicode_range else "")
                + " }"
            )
    return "\n".join(rules)


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class RestrictedFetcher(URLFetcher):
        """Hands out allow-listed font files by name; refuses every other URL.

        `fail_on_errors=True`: a refused URL stops the rendering instead of being skipped
        with a warning, so a stray <img src="file:///..."> can never leak into a PDF.
        """

        def __init__(self, allowed: dict[str, Path]):
            super().__init__(allowed_protocols=[FONT_SCHEME], fail_on_errors=True)
            self.allowed = dict(allowed)

        def fetch(self, url, headers=None):
            scheme, _sep, name = url.partition(":")
            if scheme.lower() != FONT_SCHEME or name not in self.allowed:
                raise RefusedURL(f"The PDF renderer may not fetch {url[:200]!r}")
            return URLFetcherResponse(
                url, self.allowed[name].read_bytes(), headers={"Content-Type": "font/woff"}
            )

    return RestrictedFetcher


def restricted_fetcher(allowed: dict[str, Path] | None = None):
    return _fetcher_class()(font_files() if allowed is None else allowed)


# --- Layer 1: template → HTML -------------------------------------------------------------


def page_counter_css(template: str) -> str:
    """ "Page %(page)s of %(pages)s" (translated) → a CSS `content` value with counters."""
    parts = re.split(r"(%\(pages?\)s)", template)
    out = []
    for part in parts:
        if part == "%(page)s":
            out.append("counter(page)")
        elif part == "%(pages)s":
            out.append("counter(pages)")
        elif part:
            escaped = part.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
            out.append(f'"{escaped}"')
    return " ".join(out)


def minutes_context(minutes, *, agency=None, categories=None) -> dict:
    """Everything the minutes template shows. Only the shared record: identity, the
    checklist answers every attending agency saw, decisions, next steps, approvals and
    addenda — never an agency's private notes and never profile facts.

    `categories`: the data categories the reader may see (`policy.agency_categories` for the
    agency the copy is for); None for the complete document, which only an agency that may
    see every category gets. What is outside them reads as the neutral hidden marker."""
    from itertools import groupby

    from participants.models import DataCategory
    from resourcegroups import selectors
    from resourcegroups.models import MeetingInvitee
    from resourcegroups.services.checklist import display_value
    from resourcegroups.services.minutes import attending_agencies

    categories = set(DataCategory.values) if categories is None else set(categories)
    own = {"own_agency_id": agency.pk if agency is not None else None}
    meeting = minutes.meeting
    participant = meeting.participant
    checklist = [
        {
            "text": entry.item.localized("text"),
            "answer": selectors.HIDDEN
            if entry.hidden
            else (display_value(entry.item, entry.value) if entry.value else ""),
            "comment": entry.comment,
            "hidden": entry.hidden,
        }
        for entry in selectors.checklist_for(
            meeting, categories, answers=meeting.answers.all(), **own
        )
    ]
    shown = selectors.minutes_for(minutes, categories, **own)
    invitees = (
        MeetingInvitee.objects.filter(meeting=meeting)
        .select_related("staff", "agency")
        .order_by("agency__name", "staff__last_name", "staff__first_name")
    )
    attendees = [
        {"agency": agency_, "people": list(people)}
        for agency_, people in groupby(invitees, key=lambda i: i.agency)
    ]
    approvals = {a.agency_id: a for a in minutes.approvals.select_related("approved_by")}
    approval_rows = [
        {"agency": a, "approval": approvals.pop(a.pk, None)} for a in attending_agencies(meeting)
    ]
    # approvals from agencies no longer counted as attending are still shown, never hidden
    approval_rows += [{"agency": a.agency, "approval": a} for a in approvals.values()]
    return {
        "minutes": shown,
        "meeting": meeting,
        "participant": participant,
        "stage_name": meeting.stage.localized("name"),
        "routine": meeting.routine,
        "attendees": attendees,
        "checklist": checklist,
        "actions": shown.actions,
        "approvals": approval_rows,
        "addenda": shown.addenda,
        "copy_for": agency,
    }


def minutes_html(
    minutes, *, agency=None, language: str = "nb", context=None, categories=None
) -> str:
    """The minutes as a standalone HTML document (fonts inlined as @font-face rules).

    `agency`: the agency the copy is printed for (None: the shared document that is archived).
    `context`: a ready context (the benchmark renders without a database).
    """
    from django.template.loader import render_to_string
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override(language):
        ctx = (
            dict(context)
            if context is not None
            else minutes_context(minutes, agency=agency, categories=categories)
        )
        ctx.update(
            {
                "language": language,
                "font_face_css": font_face_css(),
                "font_stack": FONT_STACK,
                "page_counter": page_counter_css(gettext("Page %(page)s of %(pages)s")),
            }
        )
        return render_to_string("resourcegroups/archive/minutes_pdf.html", ctx)


# --- Layer 2: HTML → PDF/A bytes, isolated ----------------------------------------------


def _settings_value(name: str, default):
    from django.conf import settings

    return getattr(settings, name, default)


def render_pdf(html: str, *, timeout: float | None = None, memory_mb: int | None = None) -> bytes:
    """Render HTML to PDF/A bytes in a child process.

    A child process because WeasyPrint cannot be interrupted from inside: the parent kills
    it after `timeout` seconds, and the child caps its own address space (RLIMIT_AS) and
    CPU time before it imports WeasyPrint. A subprocess (not multiprocessing) also works
    inside daemonic Celery workers.
    """
    from django.conf import settings

    data = html.encode("utf-8")
    if len(data) > MAX_HTML_BYTES:
        raise PdfRenderError(f"HTML too large for a PDF ({len(data)} > {MAX_HTML_BYTES} bytes)")
    timeout = timeout or _settings_value("KMV_PDF_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)
    memory_mb = memory_mb or _settings_value("KMV_PDF_MEMORY_MB", DEFAULT_MEMORY_MB)
    root = _node_modules()
    font_files(root)  # fail loudly here, with the clear message, not in the child
    job = {
        "fonts": str(root),
        "memory_bytes": int(memory_mb) * 1024 * 1024,
        "cpu_seconds": int(timeout) + 5,
    }
    try:
        result = subprocess.run(  # noqa: S603 — our own interpreter and module, no shell
            [
                sys.executable,
                "-c",
                "from resourcegroups.pdf import _worker_main; _worker_main()",
                json.dumps(job),
            ],
            input=data,
            capture_output=True,
            timeout=timeout,
            cwd=str(settings.BASE_DIR),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PdfRenderError(f"PDF rendering took longer than {timeout} s") from None
    if result.returncode != 0 or not result.stdout.startswith(b"%PDF"):
        tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
        raise PdfRenderError(
            f"PDF rendering failed (exit {result.returncode}): " + " | ".join(tail)
        )
    return result.stdout


def render_pdf_in_process(html: str, *, fonts_root: Path | None = None) -> bytes:
    """The rendering itself, without the process isolation (the child calls this)."""
    from weasyprint import HTML

    fetcher = _fetcher_class()(font_files(fonts_root))
    return HTML(string=html, url_fetcher=fetcher).write_pdf(
        pdf_variant=PDF_VARIANT, uncompressed_pdf=False
    )


def _worker_main() -> None:  # pragma: no cover — runs in the child process
    import resource

    job = json.loads(sys.argv[-1])
    limit = job["memory_bytes"]
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (job["cpu_seconds"], job["cpu_seconds"]))
    html = sys.stdin.buffer.read().decode("utf-8")
    try:
        pdf = render_pdf_in_process(html, fonts_root=Path(job["fonts"]))
    except MemoryError:
        sys.stderr.write("PDF rendering ran out of its memory limit\n")
        sys.exit(3)
    except BaseException as exc:  # FatalURLFetchingError is a BaseException
        cause = exc.__cause__ or exc
        sys.stderr.write(f"{type(exc).__name__}: {exc} ({type(cause).__name__}: {cause})\n")
        sys.exit(2)
    sys.stdout.buffer.write(pdf)
    sys.stdout.flush()
