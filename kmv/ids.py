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
