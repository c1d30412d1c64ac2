from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.translation import gettext

from reports.suppression import threshold

register = template.Library()


@register.simple_tag
def report_cell(cell, section, row, col, query):
    """A table cell: the number (a drill-down link) or the suppression mark. Built in Python
    rather than by an included template: a dashboard has over a thousand cells."""
    limit = threshold()
    link = ""
    # every hidden cell links (to whoever the viewer may see): the link tells nothing
    if section.drillable and (cell.suppressed or cell.value):
        params = {"section": section.key, "row": row, "col": col}
        link = reverse("reports:drill_down") + "?" + urlencode(params)
        if query:
            link += "&" + query
    if cell.suppressed:
        title = gettext("Under %(limit)s (possibly 0): hidden to protect individuals") % {
            "limit": localize(limit)
        }
        more = ""
        if link:
            more = format_html(
                ' <a class="ds-link" href="{}"><span class="ds-sr-only">{}</span>›</a>',
                link,
                gettext("Participants you may see"),
            )
        return format_html(
            '<td class="kmv-suppressed" data-suppressed="true"><em><abbr title="{}">{}</abbr>'
            "</em>{}</td>",
            title,
            cell.display(limit),
            more,
        )
    if link:
        return format_html(
            '<td><a class="ds-link" href="{}">{}</a></td>', link, localize(cell.value)
        )
    return format_html("<td>{}</td>", localize(cell.value))


@register.simple_tag
def pdf_cell(cell):
    """A table cell of the PDF report: the same text as on the page (`Cell.display`)."""
    if cell.suppressed:
        return format_html('<td class="suppressed">{}</td>', cell.display(threshold()))
    return format_html("<td>{}</td>", localize(cell.value))
