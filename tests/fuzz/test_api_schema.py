"""Schemathesis against the API schema, once per role with that role's API token.

Checks: no 5xx (not_a_server_error) and every response matches the schema
(response_schema_conformance). status_code_conformance is not on: the schema does not
document DRF's 404 for an invalid `?page=` nor 400 for bad filter values yet.

The schema is generated at collection time by drf-spectacular (what /api/schema/ serves;
`test_served_schema_is_the_fuzzed_schema` keeps the two equal) because schemathesis' lazy
fixture loader does not run on pytest 9. Requests go in-process to the WSGI application.
"""

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from kmv.wsgi import application
from tests.fuzz.conftest import FUZZ_SETTINGS, PROFILE

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

ROLES = ["nav_adviser", "teacher", "coordinator", "sysadmin"]
CHECKS = [not_a_server_error, response_schema_conformance]

SCHEMA_DICT = SchemaGenerator().get_schema(request=None, public=True)
# The coverage phase (boundary values for every parameter) runs nightly; the fast profile
# keeps the examples and fuzzing phases.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": PROFILE == "nightly"}}})
schema = schemathesis.openapi.from_dict(SCHEMA_DICT, config=CONFIG)


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


def test_schema_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
