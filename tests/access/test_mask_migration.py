"""Failed-login names stored before masking are masked by migration 0005 (its function, run
on the migration state's historical models, as `migrate` runs it)."""

import importlib

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from kmv.access.audit import masked_username
from kmv.access.models import AuditEvent

pytestmark = pytest.mark.django_db

migration = importlib.import_module("kmv.access.migrations.0005_mask_failed_login_names")


def test_old_failed_login_names_are_masked():
    typed = "01019012345"  # a national identity number typed as the user name
    with connection.cursor() as cursor:  # as rows written before masking: raw names
        AuditEvent.objects.bulk_create(
            [AuditEvent(action="login_failed", actor_label="x"), AuditEvent(action="view")]
        )
        cursor.execute(
            "UPDATE access_auditevent SET actor_label = %s WHERE action = 'login_failed'",
            [typed],
        )
        cursor.execute("UPDATE access_auditevent SET actor_label = 'alice' WHERE action = 'view'")
    attempt = AccessAttempt.objects.create(
        username="Hemmelig-passord1", ip_address="127.0.0.1", failures_since_start=1
    )

    apps = MigrationLoader(connection).project_state().apps
    migration.mask_names(apps, None)

    failed = AuditEvent.objects.get(action="login_failed")
    assert failed.actor_label == masked_username(typed) and typed not in failed.actor_label
    assert AuditEvent.objects.get(action="view").actor_label == "alice"
    attempt.refresh_from_db()
    assert attempt.username == masked_username("Hemmelig-passord1")
    migration.mask_names(apps, None)  # twice changes nothing more
    assert AuditEvent.objects.get(action="login_failed").actor_label == masked_username(typed)
