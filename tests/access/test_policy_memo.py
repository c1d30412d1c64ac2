"""`policy.may` answers each question once inside a read-only request, and only there."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from kmv.access import policy
from kmv.access.middleware import PolicyMemoMiddleware

pytestmark = pytest.mark.django_db


def _may_queries(ctx) -> int:
    return sum('FROM "participants_participant"' in q["sql"] for q in ctx.captured_queries)


def test_remembered_inside_the_block_only(personas, participant):
    alice, charlie = personas["nav_adviser"], personas["counsellor"]
    with CaptureQueriesContext(connection) as ctx, policy.remembering():
        answers = [policy.may(alice, participant) for _i in range(5)]
        answers += [policy.may(charlie, participant)]
        answers += [policy.may(alice, participant, policy.CHANGE)]
    assert answers == [True] * 5 + [False, True]
    assert _may_queries(ctx) == 3  # one per (user, participant, action)
    with CaptureQueriesContext(connection) as ctx:
        policy.may(alice, participant)
        policy.may(alice, participant)
    assert _may_queries(ctx) == 2


def test_a_change_inside_an_unsafe_request_is_seen(personas, participant):
    """POST requests are not memoised: an answer after a change in the same request is
    the new one."""
    alice = personas["nav_adviser"]
    seen = []

    def view(request):
        seen.append(policy.may(alice, participant))
        participant.owner_agency = personas["counsellor"].agency
        participant.save(update_fields=["owner_agency"])
        policy.sync_participant_access(participant)
        seen.append(policy.may(alice, participant))
        return None

    PolicyMemoMiddleware(view)(RequestFactory().post("/"))
    assert seen == [True, False]


def test_get_requests_are_memoised(personas, participant):
    alice = personas["nav_adviser"]
    counted = {}

    def view(request):
        with CaptureQueriesContext(connection) as ctx:
            for _i in range(4):
                assert policy.may(alice, participant)
        counted["n"] = _may_queries(ctx)

    PolicyMemoMiddleware(view)(RequestFactory().get("/"))
    assert counted["n"] == 1
