"""Failed logins written before user names were masked still hold what was typed, which may
be a national identity number or a password typed in the wrong box: mask them now, in the
audit log and in django-axes' tables (the same keyed hash `kmv.access.audit` uses today)."""

from django.db import migrations

MASKED_ACTIONS = ("login_failed", "locked_out")


def _mask(value):
    from kmv.access.audit import masked_username

    return masked_username(value or "")


def mask_names(apps, schema_editor):
    AuditEvent = apps.get_model("access", "AuditEvent")
    rows = AuditEvent.objects.filter(action__in=MASKED_ACTIONS).exclude(actor_label="")
    for row in rows.only("pk", "actor_label").iterator():
        masked = _mask(row.actor_label)
        if masked != row.actor_label:
            AuditEvent.objects.filter(pk=row.pk).update(actor_label=masked)
    for model_name in ("AccessAttempt", "AccessFailureLog", "AccessLog"):
        try:
            model = apps.get_model("axes", model_name)
        except LookupError:
            continue
        for row in model.objects.exclude(username="").exclude(username__isnull=True).iterator():
            masked = _mask(row.username)
            if masked != row.username:
                model.objects.filter(pk=row.pk).update(username=masked)


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0004_api_tokens"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(mask_names, migrations.RunPython.noop)]
