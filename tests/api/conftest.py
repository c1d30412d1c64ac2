from datetime import date

import pytest
from rest_framework.test import APIClient

from tests.factories import MunicipalityFactory

_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check(digits, weights):
    k = 11 - sum(d * w for d, w in zip(digits, weights, strict=False)) % 11
    return 0 if k == 11 else (None if k == 10 else k)


def national_id_for(born: date, start: int = 100) -> str:
    """A valid identity number for someone born in the 1900s (individual number 000-499)."""
    for individual in range(start, 500):
        digits = [int(c) for c in f"{born:%d%m%y}{individual:03d}"]
        k1 = _check(digits, _W1)
        if k1 is None:
            continue
        k2 = _check([*digits, k1], _W2)
        if k2 is None:
            continue
        return "".join(map(str, [*digits, k1, k2]))
    raise AssertionError("no valid number")


@pytest.fixture
def client_for():
    """An API client logged in as the given user (DRF force_authenticate)."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def other_municipality(db):
    return MunicipalityFactory(number="4203", name="Arendal")
