"""Request bodies the API accepts: JSON that is valid Unicode all the way down.

JSON may spell a lone surrogate (`"\\ud800"`); Python keeps it in the string, and it fails
later wherever the text is encoded — in the database driver, or in the 400 that echoes an
invalid choice back (a 500). One parser refuses such a body for every field of every
endpoint; form and multipart bodies are decoded from bytes and cannot carry one.
"""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser


def _has_lone_surrogate(value) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _has_lone_surrogate(data):
            raise ParseError(_("The request contains text that is not valid Unicode."))
        return data


# What every API view accepts (views with uploads add nothing else).
PARSERS = [StrictJSONParser, FormParser, MultiPartParser]
