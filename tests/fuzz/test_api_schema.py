"""Schemathesis against the API schema, once per role with that role's API token.

Checks: no 5xx (not_a_server_error), every response matches the schema
(response_schema_conformance) and every status code is documented (status_code_conformance;
`kmv.schema.document_error_responses` adds DRF's own 400/401/403/404, such as the 404 for an
invalid `?page=`, to every operation).

The schema is generated at collection time by drf-spectacular (what /api/schema/ serves;
`test_served_schema_is_the_fuzzed_schema` keeps the two equal) because schemathesis' lazy
fixture loader does not run on pytest 9. Requests go in-process to the WSGI application.
"""

import os

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from kmv.wsgi import application
from tests.factories import api_token_for
from tests.fuzz.conftest import FUZZ_SETTINGS, PROFILE

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

ROLES = ["nav_adviser", "teacher", "coordinator", "sysadmin"]
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]

SCHEMA_DICT = SchemaGenerator().get_schema(request=None, public=True)
# The coverage phase (boundary values for every parameter) runs nightly; the fast profile
# keeps the examples and fuzzing phases.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": PROFILE == "nightly"}}})
schema = schemathesis.openapi.from_dict(SCHEMA_DICT, config=CONFIG)
# KMV_FUZZ_PATHS (a regular expression) fuzzes only the matching paths, e.g. to run the
# nightly profile on a few operations: KMV_FUZZ_PATHS='^/api/participants/$'.
if os.environ.get("KMV_FUZZ_PATHS"):
    schema = schema.include(path_regex=os.environ["KMV_FUZZ_PATHS"])


@pytest.fixture(params=ROLES)
def role_headers(request, personas, participant):
    return {"Authorization": f"Token {api_token_for(personas[request.param])}"}


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_conforms_to_schema(case, role_headers, wsgi_in_test_transaction):
    case.call_and_validate(headers=role_headers, checks=CHECKS, app=application)


def test_served_schema_is_the_fuzzed_schema(role_headers, client):
    served = client.get(
        "/api/schema/?format=json", headers={"Authorization": role_headers["Authorization"]}
    )
    assert served.status_code == 200
    assert served.json()["paths"].keys() == SCHEMA_DICT["paths"].keys()


def test_schema_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )


def test_every_operation_documents_its_errors():
    """401/403 everywhere; 404 where a path names an object or a list is paginated; 400 where
    there is a body or a filter to validate; 415 where there is a body
    (kmv.schema.document_error_responses)."""
    missing = []
    for path, item in SCHEMA_DICT["paths"].items():
        for method, operation in item.items():
            params = operation.get("parameters", [])
            query = {p["name"] for p in params if p["in"] == "query"}
            wanted = {"401", "403"}
            if "page" in query or any(p["in"] == "path" for p in params):
                wanted.add("404")
            if "requestBody" in operation or query - {"page"}:
                wanted.add("400")
            if "requestBody" in operation:
                wanted.add("415")
            if not wanted <= operation["responses"].keys():
                missing.append(
                    f"{method.upper()} {path}: {sorted(wanted - operation['responses'].keys())}"
                )
    assert not missing, missing


def test_page_past_the_end_is_the_documented_404(client, personas, participant):
    token = api_token_for(personas["nav_adviser"])
    response = client.get(
        "/api/participants/?page=999", headers={"Authorization": f"Token {token}"}
    )
    assert response.status_code == 404
    assert response.json().keys() == {"detail"}
    documented = SCHEMA_DICT["paths"]["/api/participants/"]["get"]["responses"]["404"]
    assert documented["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
