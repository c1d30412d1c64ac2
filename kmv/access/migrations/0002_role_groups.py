from django.db import migrations

ROLES = [
    "programme_adviser",
    "follow_up_adviser",
    "teacher",
    "career_counsellor",
    "school_adviser",
    "network_coordinator",
    "agency_leader",
    "system_admin",
    "interpreter",
]


def create_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role in ROLES:
        Group.objects.get_or_create(name=f"role:{role}")


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
