"""Schemathesis against the API schema, once per role with that role's API token.

Checks: no 5xx (not_a_server_error), every response matches the schema
(response_schema_conformance) and its status code is documented (status_code_conformance).

The schema is generated at collection time by drf-spectacular (what /api/schema/ serves;
`test_served_schema_is_the_fuzzed_schema` keeps the two equal) because schemathesis' lazy
fixture loader does not run on pytest 9. Requests go in-process to the WSGI application.
"""

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from kmv.wsgi import application
from tests.fuzz.conftest import FUZZ_SETTINGS

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

ROLES = ["nav_adviser", "teacher", "coordinator", "sysadmin"]
CHECKS = [not_a_server_error, response_schema_conformance]

SCHEMA_DICT = SchemaGenerator().get_schema(request=None, public=True)
schema = schemathesis.openapi.from_dict(SCHEMA_DICT)


@pytest.fixture(params=ROLES)
def role_headers(request, personas, participant):
    token, _ = Token.objects.get_or_create(user=personas[request.param])
    return {"Authorization": f"Token {token.key}"}


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
