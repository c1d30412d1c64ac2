import pytest

from kmv.access.models import Role
from network import services
from tests.factories import UserFactory


@pytest.fixture
def outbox(monkeypatch):
    """Messages handed to the shared outbox, idempotent by key like the real one."""
    sent: dict[str, dict] = {}

    def queue_message(*, key, **kwargs):
        if key in sent:
            return None
        sent[key] = kwargs
        return kwargs

    monkeypatch.setattr("kmv.notify.services.queue_message", queue_message)
    return sent


@pytest.fixture
def network(personas, agencies, outbox):
    return services.network_create(
        user=personas["coordinator"],
        name="Kvalifiseringsnettverk Agder",
        region="Agder",
        agencies=[agencies["nav"], agencies["adult_ed"], agencies["career"]],
    )


@pytest.fixture
def leaders(agencies):
    """One agency leader per partner agency (leo leads NAV)."""
    return {
        "nav": UserFactory(username="leo2", agency=agencies["nav"], role=Role.AGENCY_LEADER),
        "adult_ed": UserFactory(
            username="lena", agency=agencies["adult_ed"], role=Role.AGENCY_LEADER
        ),
        "career": UserFactory(username="lars", agency=agencies["career"], role=Role.AGENCY_LEADER),
    }
