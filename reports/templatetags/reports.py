from urllib.parse import urlencode

from django import template
from django.template.loader import render_to_string
from django.urls import reverse

from reports.suppression import threshold

register = template.Library()


@register.simple_tag
def report_cell(cell, section, row, col, query):
    """A table cell: the number (a drill-down link) or the suppression mark."""
    limit = threshold()
    link = ""
    if section.drillable and cell.value:
        params = {"section": section.key, "row": row, "col": col}
        link = reverse("reports:drill_down") + "?" + urlencode(params)
        if query:
            link += "&" + query
    return render_to_string(
        "reports/_cell.html",
        {"cell": cell, "display": cell.display(limit), "link": link, "limit_minus": limit - 1},
    )
