"""Give the existing checklist items their data category.

An item that updates a profile fact takes the fact's category (a frozen copy of
participants.facts as it stood); the others are sorted by what the question asks about.
Anything not recognised stays "plan and meetings", the meeting's own record.
"""

import re

from django.db import migrations

FACT_CATEGORIES = {
    "earlier_education": "education_mapping",
    "education_documented": "education_mapping",
    "education_approved": "education_mapping",
    "english_level": "education_mapping",
    "norwegian_progress": "education_mapping",
    "occupational_wish": "education_mapping",
    "realistic_timeline": "plan_meetings",
    "applied_vigo": "plan_meetings",
    "lanekassen": "plan_meetings",
    "travel_costs": "plan_meetings",
    "own_pc": "plan_meetings",
    "adapted_teaching": "health_adaptation",
}

# first match wins: health before anything else, so a health question is never shared wider
KEYWORDS = [
    (
        "health_adaptation",
        ("helse", "tilrettelagt", "spesialundervisning", "trivsel", "fravær", "sykdom"),
    ),
    ("nav_benefits", ("arbeidsrettede tiltak", "arbeidsformidling", "nav", "ytelse", "stønad")),
    (
        "education_mapping",
        (
            "utdanning",
            "kartlegging",
            "engelsk",
            "norsk",
            "progresjon",
            "eksamen",
            "egenerklæring",
            "grunnskole",
            "dokumentasjon",
            "yrkesønske",
        ),
    ),
]


def category_for(text: str, profile_fact: str) -> str:
    if profile_fact in FACT_CATEGORIES:
        return FACT_CATEGORIES[profile_fact]
    lowered = (text or "").lower()
    for category, words in KEYWORDS:
        if any(re.search(rf"\b{re.escape(word)}", lowered) for word in words):
            return category
    return "plan_meetings"


def assign(apps, schema_editor):
    ChecklistItem = apps.get_model("resourcegroups", "ChecklistItem")
    for item in ChecklistItem.objects.all().only("pk", "text", "profile_fact"):
        category = category_for(item.text, item.profile_fact)
        if category != "plan_meetings":
            ChecklistItem.objects.filter(pk=item.pk).update(category=category)


class Migration(migrations.Migration):
    dependencies = [("resourcegroups", "0008_data_categories")]

    operations = [migrations.RunPython(assign, migrations.RunPython.noop)]
