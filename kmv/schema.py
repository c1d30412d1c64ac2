"""drf-spectacular postprocessing: every operation documents the error answers the API gives.

Views document their own errors with `extend_schema`; this hook fills in what DRF itself
answers and a view cannot easily declare, so the schema is complete for clients and for
schemathesis' status_code_conformance check:

- 401 and 403 on every authenticated operation (token/session required, staff permission);
- 404 on every operation with a path parameter, and on every paginated list: DRF's
  PageNumberPagination answers 404 for `?page=` past the last page or not a number;
- 400 on every operation that takes a request body or query filters (validation);
- 415 on every operation that takes a request body: DRF's parsers answer it for a content
  type they do not accept or a multipart body they cannot read.

Responses a view documented itself are left as they are.

It also describes times of day as what DRF sends ("09:30:00", local time, no offset) with a
pattern instead of `format: time`, which JSON Schema defines as RFC 3339 time *with* offset
(a client validating against the schema would otherwise reject every correct answer).
"""

from django.utils.translation import gettext as _

HTTP_METHODS = {"get", "put", "patch", "post", "delete"}
LOCAL_TIME = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"
ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _error(description: str, schema=None) -> dict:
    return {
        "content": {"application/json": {"schema": schema or ERROR_REF}},
        "description": description,
    }


def _local_times(node) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") == "time":
            del node["format"]
            node["pattern"] = LOCAL_TIME
        for value in node.values():
            _local_times(value)
    elif isinstance(node, list):
        for value in node:
            _local_times(value)


def document_error_responses(result, generator, request, public):
    from kmv.access.serializers import ERROR_400, ERROR_401, ERROR_403, ERROR_404

    result.setdefault("components", {}).setdefault("schemas", {}).setdefault(
        "Error",
        {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]},
    )
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            params = operation.get("parameters", [])
            query = {p["name"] for p in params if p.get("in") == "query"}
            in_path = any(p.get("in") == "path" for p in params)
            missing = {}
            if operation.get("security") and {} not in operation["security"]:
                missing["401"] = _error(str(ERROR_401.description))
                missing["403"] = _error(str(ERROR_403.description))
            if "page" in query:
                missing["404"] = _error(
                    _("Not found: the page number is past the last page or not a number.")
                    if not in_path
                    else str(ERROR_404.description)
                )
            elif in_path:
                missing["404"] = _error(str(ERROR_404.description))
            if "requestBody" in operation or query - {"page"}:
                missing["400"] = _error(str(ERROR_400.description), {"type": "object"})
            if "requestBody" in operation:
                missing["415"] = _error(
                    _("The request's content type is not accepted, or its body cannot be read.")
                )
            for status, response in missing.items():
                responses.setdefault(status, response)
            operation["responses"] = dict(sorted(responses.items()))
    _local_times(result)
    return result
