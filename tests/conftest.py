"""Personas (after healthchecks' alice/bob/charlie):

- nav_adviser (alice): programme adviser at the NAV office that registered the participant
- teacher (bob): teacher at adult education, a group member with consent
- counsellor (charlie): career counsellor at the county career centre, no consent
- coordinator, leader, sysadmin, interpreter: roles that see no individuals by default
"""

import pytest
from django.conf import settings

from kmv.access.models import Agency, Role
from participants import services as participant_services
from resourcegroups import services as group_services
from tests.factories import AgencyFactory, MunicipalityFactory, UserFactory


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    settings.KMV_REQUIRE_2FA = False
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AXES_ENABLED = True


@pytest.fixture
def municipality(db):
    return MunicipalityFactory(number="4204", name="Kristiansand")


@pytest.fixture
def agencies(db, municipality):
    made = {
        "nav": AgencyFactory(name="NAV Kristiansand", kind=Agency.Kind.NAV_INTEGRATION),
        "nav_follow_up": AgencyFactory(
            name="NAV Kristiansand oppfølging", kind=Agency.Kind.NAV_FOLLOW_UP
        ),
        "adult_ed": AgencyFactory(name="Voksenopplæringen", kind=Agency.Kind.ADULT_EDUCATION),
        "career": AgencyFactory(name="Karriere Agder", kind=Agency.Kind.CAREER_CENTRE),
        "school": AgencyFactory(name="Tangen vgs", kind=Agency.Kind.UPPER_SECONDARY),
        "interpreters": AgencyFactory(name="Tolketjenesten", kind=Agency.Kind.INTERPRETER_SERVICE),
    }
    for agency in made.values():
        agency.municipalities.add(municipality)
    return made


@pytest.fixture
def personas(agencies):
    return {
        "nav_adviser": UserFactory(
            username="alice", agency=agencies["nav"], role=Role.PROGRAMME_ADVISER
        ),
        "follow_up": UserFactory(
            username="frank", agency=agencies["nav_follow_up"], role=Role.FOLLOW_UP_ADVISER
        ),
        "teacher": UserFactory(username="bob", agency=agencies["adult_ed"], role=Role.TEACHER),
        "counsellor": UserFactory(
            username="charlie", agency=agencies["career"], role=Role.CAREER_COUNSELLOR
        ),
        "school_adviser": UserFactory(
            username="sara", agency=agencies["school"], role=Role.SCHOOL_ADVISER
        ),
        "coordinator": UserFactory(
            username="cora", agency=agencies["career"], role=Role.NETWORK_COORDINATOR
        ),
        "leader": UserFactory(username="leo", agency=agencies["nav"], role=Role.AGENCY_LEADER),
        "sysadmin": UserFactory(
            username="root", agency=None, role=Role.SYSTEM_ADMIN, is_staff=True, is_superuser=True
        ),
        "interpreter": UserFactory(
            username="ina", agency=agencies["interpreters"], role=Role.INTERPRETER
        ),
    }


@pytest.fixture
def participant(personas, municipality):
    """Registered by alice (NAV); bob (adult education) is a member with consent; charlie's
    career centre is in the group but has no consent."""
    from datetime import date

    alice = personas["nav_adviser"]
    p = participant_services.participant_create(
        user=alice,
        first_name="Amina",
        last_name="Haile",
        date_of_birth=date(1991, 3, 14),
        municipality=municipality,
        intro_programme_start=date(2025, 1, 6),
        preferred_language="ti",
        interpreter_needed=True,
        interpreter_language="ti",
    )
    participant_services.consent_record(
        user=alice,
        participant=p,
        agency=personas["teacher"].agency,
        category="education_mapping",
        purpose="Resource group",
    )
    group_services.membership_add(user=alice, participant=p, staff=personas["teacher"])
    return p


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


assert settings.LANGUAGE_CODE == "nb"
