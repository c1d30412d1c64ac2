"""Consent with an expiry date: the beat sweep revokes access once it has passed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kmv.access import policy
from kmv.access.tasks import expire_consents

pytestmark = pytest.mark.django_db


def test_expired_consent_is_revoked_by_the_sweep_and_the_sweep_is_idempotent(participant, personas):
    teacher = personas["teacher"]
    assert policy.may(teacher, participant)
    consent = participant.consents.get(agency=teacher.agency)
    # The consent ran out yesterday (written directly: the service refuses past dates).
    consent.given_on = timezone.localdate() - timedelta(days=10)
    consent.expires_on = timezone.localdate()
    consent.save(update_fields=["given_on", "expires_on"])
    assert policy.may(teacher, participant)  # guardian rows still there until the sweep

    assert expire_consents.delay().get() >= 1
    assert not policy.may(teacher, participant)
    assert policy.may(personas["nav_adviser"], participant)  # the owner keeps access

    expire_consents.delay().get()
    assert not policy.may(teacher, participant)


def test_ended_membership_is_revoked_even_with_consent(participant, personas):
    from resourcegroups import services

    teacher = personas["teacher"]
    membership = participant.resource_group.memberships.get(staff=teacher)
    services.membership_end(
        user=personas["nav_adviser"], membership=membership, reason="Finished adult education"
    )
    assert not policy.may(teacher, participant)
    membership.refresh_from_db()
    assert membership.end_date is not None  # history kept, not deleted
