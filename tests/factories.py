"""factory_boy factories. Personas live in conftest.py."""

from contextlib import contextmanager
from datetime import date
from unittest import mock

import factory
from django.utils import timezone

from kmv.access.models import Agency, Municipality, Role, User
from participants.models import Consent, DataCategory, Participant


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: f"{4200 + n:04d}")
    name = factory.Sequence(lambda n: f"Kommune {n}")
    region = "Agder"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = Agency.Kind.NAV_INTEGRATION
    region = "Agder"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Staff"
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    agency = factory.SubFactory(AgencyFactory)
    role = Role.PROGRAMME_ADVISER
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ParticipantFactory(factory.django.DjangoModelFactory):
    """Creates the row directly; use participants.services for the access side effects."""

    class Meta:
        model = Participant

    first_name = factory.Sequence(lambda n: f"Amina{n}")
    last_name = "Testesen"
    date_of_birth = date(1990, 5, 17)
    municipality = factory.SubFactory(MunicipalityFactory)
    owner_agency = factory.SubFactory(AgencyFactory)
    intro_programme_start = date(2025, 1, 6)
    preferred_language = "ar"


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    participant = factory.SubFactory(ParticipantFactory)
    agency = factory.SubFactory(AgencyFactory)
    category = DataCategory.PLAN_MEETINGS
    purpose = "Resource-group cooperation"
    given_on = factory.LazyFunction(timezone.localdate)


def api_token_for(user, name: str = "tests") -> str:
    """A working API token for `user` (the raw key), made as a service would: audited."""
    from kmv.access import api_tokens

    return api_tokens.issue(user=user, created_by=None, name=name)[1]


# The personas of tests/conftest.py's `personas` fixture, one per role, in table order.
PERSONAS = [
    "nav_adviser",
    "follow_up",
    "teacher",
    "counsellor",
    "school_adviser",
    "coordinator",
    "leader",
    "sysadmin",
    "interpreter",
]


@contextmanager
def at(moment):
    """Run the code inside as if it were `moment` (an aware datetime): e.g. a meeting's
    minutes are sent after the meeting was held, not before it starts."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def second_participant(personas, municipality):
    """Bilal Omar, registered by alice (NAV) like the conftest participant, with bob
    (adult education) as a member who has education consent: a second case for the same
    staff (double bookings, rounds)."""
    from participants import services as participant_services
    from resourcegroups import services as group_services

    alice, bob = personas["nav_adviser"], personas["teacher"]
    p = participant_services.participant_create(
        user=alice,
        first_name="Bilal",
        last_name="Omar",
        date_of_birth=date(1988, 1, 1),
        municipality=municipality,
        intro_programme_start=date(2025, 1, 6),
    )
    participant_services.consent_record(
        user=alice,
        participant=p,
        agency=bob.agency,
        category="education_mapping",
        purpose="Resource group",
    )
    group_services.membership_add(user=alice, participant=p, staff=bob)
    return p
