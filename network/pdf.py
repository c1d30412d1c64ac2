"""Network PDFs (minutes, evaluation summary, year summary) in the project's three layers:
template → HTML (testable alone); `resourcegroups.pdf.render_pdf` (WeasyPrint in a child
process with the restricted URL fetcher) → bytes; the view streams them."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext


def pdf_html(template: str, context: dict, *, language: str = "nb") -> str:
    from resourcegroups.pdf import FONT_STACK, font_face_css, page_counter_css

    with translation.override(language):
        ctx = dict(context)
        ctx.update(
            {
                "language": language,
                "font_face_css": font_face_css(),
                "font_stack": FONT_STACK,
                "page_counter": page_counter_css(gettext("Page %(page)s of %(pages)s")),
                "body_template": template,
            }
        )
        return render_to_string("network/pdf/base.html", ctx)


def render(template: str, context: dict, *, language: str = "nb") -> bytes:
    from resourcegroups.pdf import render_pdf

    return render_pdf(pdf_html(template, context, language=language))
