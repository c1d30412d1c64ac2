"""An id outside the database's integer range names no row — on SQLite as on PostgreSQL.

The rule lives in `kmv.ids` (bounded ORM lookups + `as_pk`); these rows try it through the
ORM lookups every path ends in, and through a path, a query string and a body.
"""

import pytest

from kmv.access.models import Agency, User

pytestmark = pytest.mark.django_db

BIG = 2**70
NEG = -(2**70)


@pytest.mark.parametrize(
    "lookup",
    [
        {"pk": BIG},
        {"pk": NEG},
        {"pk__in": [BIG, NEG]},
        {"pk__gt": BIG},
        {"pk__range": (BIG, BIG + 1)},
        {"agency": BIG},
        {"agency_id": BIG},
        {"agency__in": [BIG]},
        {"agency_id__in": [NEG]},
        {"agency__pk__in": [BIG]},
        {"agency__lt": NEG},
        {"agency__gte": BIG},
    ],
    ids=str,
)
def test_an_out_of_range_id_matches_no_row(lookup, personas):
    assert not User.objects.filter(**lookup).exists()


def test_valid_ids_beside_out_of_range_ones_still_match(personas):
    alice = personas["nav_adviser"]
    everyone = set(User.objects.values_list("pk", flat=True))

    def pks(**lookup):
        return set(User.objects.filter(**lookup).values_list("pk", flat=True))

    assert pks(pk__in=[BIG, alice.pk, NEG]) == {alice.pk}
    assert pks(pk__range=(NEG, BIG)) == everyone
    assert pks(pk__lt=BIG) == everyone
    assert pks(agency__in=[BIG, alice.agency_id]) == pks(agency=alice.agency_id)


def test_a_body_with_an_out_of_range_many_to_many_id_is_a_400(api_client, personas, agencies):
    """The schemathesis find that failed `make test` on SQLite (POST /api/network/networks/)."""
    api_client.force_authenticate(personas["coordinator"])
    response = api_client.post(
        "/api/network/networks/",
        {"name": "Agder", "region": "Agder", "agencies": [-219514451256212660944896, BIG]},
        format="json",
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        f"/api/participants/{BIG}/",
        f"/api/consents/?agency={BIG}",
        f"/api/consents/?participant={NEG}",
        f"/api/meetings/{BIG}/",
        f"/deltakere/{BIG}/",
    ],
)
def test_a_path_or_query_id_out_of_range_is_a_4xx(client, api_client, personas, url):
    if url.startswith("/api/"):
        api_client.force_authenticate(personas["nav_adviser"])
        response = api_client.get(url)
    else:
        client.force_login(personas["nav_adviser"])
        response = client.get(url)
    assert 400 <= response.status_code < 500, response.status_code


def test_get_with_a_huge_id_is_does_not_exist():
    with pytest.raises(Agency.DoesNotExist):
        Agency.objects.get(pk=BIG)
