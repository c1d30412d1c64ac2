"""Keep national identity numbers out of logs.

An 11-digit run (a Norwegian fødselsnummer or D-number, also written "DDMMYY NNNNN" or
URL-encoded) in a logged request line, query string or referer is replaced by
`[fnr]`. Used by Django's logging (`ScrubIdsFilter` on the console handler, which also
carries `django.server`'s request lines) and by gunicorn's access log
(`GunicornLogger`, configured in gunicorn.conf.py).
"""

from __future__ import annotations

import logging
import re

MASK = "[fnr]"
_ID = re.compile(r"(?<!\d)\d{6}(?:\s|%20|\+|-)?\d{5}(?!\d)")


def scrub(text: str) -> str:
    return _ID.sub(MASK, text) if text else text


class ScrubIdsFilter(logging.Filter):
    """Rewrites a record's formatted message with ID-like values masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


try:  # gunicorn is a production dependency; the filter above must work without it
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = None

if _GunicornLogger is not None:

    class GunicornLogger(_GunicornLogger):
        """gunicorn's logger with every access-log atom (request line, query, referer)
        scrubbed of ID-like values."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            return {k: scrub(v) if isinstance(v, str) else v for k, v in atoms.items()}
