"""Who may see and do what in the network area — the one place that decides it.

- Staff of a network's partner agencies see the network: its bodies, professional days,
  challenges, agreements, published minutes and summaries.
- Members of a body (an active term) also see that body's meetings before the minutes are
  published, and may edit the agenda; chairs, deputy chairs and secretaries run meetings.
- Network coordinators of a partner agency manage everything in the network.
- Agency leaders of a party approve routine changes under an agreement.
Objects the user may not see answer 404 (the same as missing).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kmv.access.models import Role

from .models import Body, BodyMembership, Network, NetworkMeeting

RUNNING_ROLES = (
    BodyMembership.Role.CHAIR,
    BodyMembership.Role.DEPUTY_CHAIR,
    BodyMembership.Role.SECRETARY,
)


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def networks_for(user) -> QuerySet[Network]:
    if not _authenticated(user):
        return Network.objects.none()
    if user.role == Role.SYSTEM_ADMIN:
        return Network.objects.all()
    if not user.agency_id:
        return Network.objects.none()
    return Network.objects.filter(agencies__id=user.agency_id)


def get_network_for(user, pk) -> Network:
    try:
        return networks_for(user).get(pk=int(pk))
    except (Network.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def is_coordinator(user, network: Network) -> bool:
    return (
        _authenticated(user)
        and user.role == Role.NETWORK_COORDINATOR
        and network.agencies.filter(pk=user.agency_id).exists()
    )


def active_memberships(body: Body, on=None):
    on = on or timezone.localdate()
    return body.memberships.filter(starts_on__lte=on).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on)
    )


def is_member(user, body: Body) -> bool:
    return _authenticated(user) and active_memberships(body).filter(user_id=user.pk).exists()


def may_run_body(user, body: Body) -> bool:
    """Create meetings, write minutes, send invitations."""
    if is_coordinator(user, body.network):
        return True
    return (
        _authenticated(user)
        and active_memberships(body).filter(user_id=user.pk, role__in=RUNNING_ROLES).exists()
    )


def meetings_for(user, network: Network) -> QuerySet[NetworkMeeting]:
    """Meetings of bodies the user sits in (or all, for coordinators), and published minutes
    of every body in the network."""
    qs = NetworkMeeting.objects.filter(body__network=network)
    if is_coordinator(user, network):
        return qs
    today = timezone.localdate()
    member_bodies = BodyMembership.objects.filter(
        user_id=user.pk, body__network=network, starts_on__lte=today
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    return qs.filter(
        Q(body_id__in=member_bodies.values("body_id")) | Q(minutes_published_at__isnull=False)
    )


def get_meeting_for(user, pk) -> NetworkMeeting:
    try:
        meeting = NetworkMeeting.objects.select_related("body__network", "host").get(pk=int(pk))
    except (NetworkMeeting.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    network = meeting.body.network
    if not networks_for(user).filter(pk=network.pk).exists():
        raise Http404
    if not meetings_for(user, network).filter(pk=meeting.pk).exists():
        raise Http404
    return meeting


def may_see_internal(user, meeting: NetworkMeeting) -> bool:
    return is_coordinator(user, meeting.body.network) or is_member(user, meeting.body)


def is_party_leader(user, agency_ids) -> bool:
    return (
        _authenticated(user)
        and user.role == Role.AGENCY_LEADER
        and user.agency_id is not None
        and user.agency_id in set(agency_ids)
    )


def visible_meetings(user) -> QuerySet[NetworkMeeting]:
    """Every network meeting the user may see, across their networks (for API lists)."""
    networks = networks_for(user)
    if not _authenticated(user):
        return NetworkMeeting.objects.none()
    today = timezone.localdate()
    coordinated = (
        networks.filter(agencies__id=user.agency_id)
        if (user.role == Role.NETWORK_COORDINATOR)
        else Network.objects.none()
    )
    member_bodies = BodyMembership.objects.filter(user_id=user.pk, starts_on__lte=today).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    return NetworkMeeting.objects.filter(body__network__in=networks).filter(
        Q(body__network__in=coordinated)
        | Q(body_id__in=member_bodies.values("body_id"))
        | Q(minutes_published_at__isnull=False)
    )
