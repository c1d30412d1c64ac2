from django.db import migrations


def load_kmv_routine(apps, schema_editor):
    from resourcegroups import kmv_routine

    Routine = apps.get_model("resourcegroups", "Routine")
    if Routine.objects.filter(name=kmv_routine.ROUTINE["name"]).exists():
        return
    kmv_routine.load(
        Routine,
        apps.get_model("resourcegroups", "RoutineStage"),
        apps.get_model("resourcegroups", "ChecklistItem"),
    )


def unload(apps, schema_editor):
    from resourcegroups import kmv_routine

    apps.get_model("resourcegroups", "Routine").objects.filter(
        name=kmv_routine.ROUTINE["name"], version=1
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("resourcegroups", "0002_routine_meetings_minutes")]
    operations = [migrations.RunPython(load_kmv_routine, unload)]
