from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kmv.uploads import UploadValidator

from .suppression import threshold


class CellSerializer(serializers.Serializer):
    """A count (perturbed unless the table is exact, see `noise_bound`), or a suppressed cell:
    `value` null and `suppressed` true — never 0."""

    value = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField()
    display = serializers.CharField(help_text=_('The number, or "x" (hidden).'))


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class RowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    cells = CellSerializer(many=True)
    total = CellSerializer()
    extras = serializers.ListField(child=serializers.CharField())


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    row_header = serializers.CharField()
    threshold = serializers.IntegerField()
    exact = serializers.BooleanField(
        help_text=_(
            "True when the caller may see every participant behind the table: nothing is "
            "suppressed."
        )
    )
    noise_bound = serializers.IntegerField(
        help_text=_(
            "0: the numbers are exact. Otherwise the counts are protected by the cell-key "
            "method: a count below the threshold (0 included) is hidden, a larger one is "
            "shifted by at most this much (the same shift for the same people every time), so "
            "tables do not add up exactly."
        )
    )
    columns = ColumnSerializer(many=True)
    extra_columns = serializers.ListField(child=serializers.CharField())
    rows = RowSerializer(many=True)
    column_totals = CellSerializer(many=True)
    total = CellSerializer()
    as_of = serializers.DateTimeField(
        help_text=_("When the figures were computed (they are cached for a few minutes)."),
    )


def section_data(section) -> dict:
    limit = threshold()
    t = section.table
    return {
        "key": section.key,
        "title": section.title,
        "description": section.description,
        "row_header": section.row_header,
        "threshold": limit,
        "exact": section.exact,
        "noise_bound": t.noise_bound,
        "columns": [{"key": k, "label": label} for k, label in section.cols],
        "extra_columns": [label for label, _v in section.extras],
        "rows": [
            {
                "key": key,
                "label": label,
                "cells": [c.as_json(limit) for c in t.cells[i]],
                "total": t.row_totals[i].as_json(limit),
                "extras": [values[i] for _l, values in section.extras],
            }
            for i, (key, label) in enumerate(section.rows)
        ],
        "column_totals": [c.as_json(limit) for c in t.col_totals],
        "total": t.total.as_json(limit),
        "as_of": timezone.localtime(section.as_of or timezone.now()).isoformat(),
    }


class DrillParticipantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    municipality = serializers.CharField(source="municipality.name")


class DrillPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = DrillParticipantSerializer(many=True)


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(validators=[UploadValidator("table")])
    dry_run = serializers.BooleanField(default=True)


class ImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(source="number")
    action = serializers.CharField()
    errors = serializers.ListField(child=serializers.CharField())


class ImportResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    committed = serializers.BooleanField()
    rows = ImportRowSerializer(many=True)
