"""Identifiers from outside (paths, bodies, query strings, imports) are range-checked here.

Two layers, one rule — "an id outside the database's integer range names no row":
- `as_pk` for code that takes a raw id and wants a 404;
- `install_bounded_lookups` for every ORM lookup on an integer or foreign-key column, so that
  DRF's related fields, django-filter, form choice fields and hand-written filters all inherit
  it. Django (6.1) already answers "no rows" for `exact`/`gt`/`lt` on an IntegerField, but not
  for `in`, `range` or any lookup through a foreign key: SQLite then raises OverflowError (a
  500) while PostgreSQL compares the bigint with a numeric and finds nothing. These lookups give
  both backends PostgreSQL's answer.
"""

import contextlib

from django.core.exceptions import EmptyResultSet
from django.db.models import ForeignObject, IntegerField, lookups
from django.db.models.fields import related_lookups
from django.http import Http404

_MAX_PK = 2**63 - 1


def as_pk(value) -> int:
    """A primary key from a URL or body, or 404: never a 500 for "abc" or 2**70."""
    try:
        pk = int(str(value))
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk <= _MAX_PK:
        raise Http404
    return pk


def object_or_404(queryset, value):
    """`get_object_or_404` for an id that came from a form or query string, not the URL's
    int converter: "abc", "", None and 2**70 are a 404, not a ValueError (a 500)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(queryset, pk=as_pk(value))


def _bounds(lhs, connection) -> tuple[int | None, int | None]:
    """The column's integer range on this backend (through a foreign key: the target's)."""
    field = lhs.output_field
    if getattr(field, "path_infos", None):
        field = field.path_infos[-1].target_fields[-1]
    try:
        return connection.ops.integer_field_range(field.get_internal_type())
    except (KeyError, AttributeError):
        return None, None


def _outside(value, low, high) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and ((low is not None and value < low) or (high is not None and value > high))
    )


class _BoundedComparison:
    """`=`, `<`, `>` … with a value outside the column's range: no row can match (or every
    row, for `<` above the range), decided before the value reaches the database driver."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value() and not hasattr(self.rhs, "resolve_expression"):
            low, high = _bounds(self.lhs, connection)
            if _outside(self.rhs, low, high):
                raise EmptyResultSet
        return super().process_rhs(compiler, connection)


class _BoundedIn:
    """`IN (…)`: values outside the column's range are dropped (they name no row)."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = _bounds(self.lhs, connection)
            with contextlib.suppress(TypeError):  # not iterable: Django reports it
                self.rhs = [value for value in self.rhs if not _outside(value, low, high)]
        return super().process_rhs(compiler, connection)


class _BoundedRange:
    """`BETWEEN a AND b`: the ends are clipped to the column's range."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = _bounds(self.lhs, connection)
            start, end = self.rhs
            if _outside(start, None, high) or _outside(end, low, None):
                raise EmptyResultSet
            if _outside(start, low, None):
                start = low
            if _outside(end, None, high):
                end = high
            self.rhs = (start, end)
        return super().process_rhs(compiler, connection)


def _bounded(name, mixin, base):
    return type(name, (mixin, base), {"__module__": __name__})


def install_bounded_lookups() -> None:
    """Register the bounded lookups on IntegerField (incl. AutoField) and ForeignObject."""
    integer = [
        _bounded("BoundedIntegerIn", _BoundedIn, lookups.In),
        _bounded("BoundedIntegerRange", _BoundedRange, lookups.Range),
    ]
    related = [
        _bounded("BoundedRelatedExact", _BoundedComparison, related_lookups.RelatedExact),
        _bounded("BoundedRelatedLessThan", _BoundedComparison, related_lookups.RelatedLessThan),
        _bounded(
            "BoundedRelatedGreaterThan", _BoundedComparison, related_lookups.RelatedGreaterThan
        ),
        _bounded(
            "BoundedRelatedGreaterThanOrEqual",
            _BoundedComparison,
            related_lookups.RelatedGreaterThanOrEqual,
        ),
        _bounded(
            "BoundedRelatedLessThanOrEqual",
            _BoundedComparison,
            related_lookups.RelatedLessThanOrEqual,
        ),
        _bounded("BoundedRelatedIn", _BoundedIn, related_lookups.RelatedIn),
    ]
    for lookup in integer:
        IntegerField.register_lookup(lookup)
    for lookup in related:
        ForeignObject.register_lookup(lookup)
