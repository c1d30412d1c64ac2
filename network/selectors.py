"""Reads for the network pages, API and PDFs."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q

from .models import Body, BodyMembership, Challenge, NetworkMeeting, ProfessionalDay, SolutionGroup


def year_summary(*, network, year: int) -> dict:
    """Meetings per body, professional days held, solution groups and their outcomes, and
    the yearly turnover of members per body (terms begun and ended in the year)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    # 1 query: held meetings per body
    bodies = list(
        network.bodies.annotate(
            held=Count(
                "meetings",
                filter=Q(meetings__start__year=year)
                & Q(meetings__status=NetworkMeeting.Status.HELD),
            )
        ).order_by("kind")
    )
    terms = BodyMembership.objects.filter(body__network=network)
    turnover = []
    for body in bodies:
        body_terms = terms.filter(body=body)
        turnover.append(
            {
                "body": body,
                "held": body.held,
                "joined": body_terms.filter(starts_on__range=(start, end)).count(),
                "left": body_terms.filter(ends_on__range=(start, end)).count(),
                "members_at_end": body_terms.filter(starts_on__lte=end)
                .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=end))
                .count(),
            }
        )
    days = list(
        network.days.filter(date__year=year, status=ProfessionalDay.Status.HELD)
        .annotate(answers_count=Count("answers"))
        .order_by("date")
    )
    groups = list(
        SolutionGroup.objects.filter(challenge__network=network)
        .filter(
            Q(challenge__triaged_at__year=year)
            | Q(solved_on__year=year)
            | Q(status__in=[SolutionGroup.Status.ACTIVE, SolutionGroup.Status.IMPLEMENTING])
        )
        .select_related("challenge")
        .order_by("topic")
    )
    challenges = network.challenges.filter(raised_at__year=year)
    return {
        "network": network,
        "year": year,
        "bodies": turnover,
        "days": days,
        "groups": groups,
        "challenges_raised": challenges.count(),
        "challenges_by_status": [
            (label, challenges.filter(status=value).count())
            for value, label in Challenge.Status.choices
        ],
    }


def solved_history(*, network, query: str = ""):
    """Solved topics, searchable by words in the topic, the challenge or the outcome."""
    qs = SolutionGroup.objects.filter(
        challenge__network=network, status=SolutionGroup.Status.SOLVED
    ).select_related("challenge")
    for word in query.split()[:6]:
        qs = qs.filter(
            Q(topic__icontains=word)
            | Q(outcome__icontains=word)
            | Q(challenge__description__icontains=word)
            | Q(challenge__title__icontains=word)
        )
    return qs.order_by("-solved_on")


def working_body(network) -> Body | None:
    return network.bodies.filter(kind=Body.Kind.WORKING).first()


def body_terms(body):
    """Every term in the body, current and ended: the history of who held which role."""
    return body.memberships.select_related("user", "agency").order_by(
        "-starts_on", "role", "user__last_name"
    )


def body_turnover(body, *, until: int) -> list[dict]:
    """Per year from the body's first term to `until`: terms begun, terms ended and members
    at year end. One query; counted in Python."""
    terms = list(body.memberships.values("starts_on", "ends_on"))
    if not terms:
        return []
    rows = []
    for year in range(min(t["starts_on"].year for t in terms), until + 1):
        end = date(year, 12, 31)
        rows.append(
            {
                "year": year,
                "joined": sum(1 for t in terms if t["starts_on"].year == year),
                "left": sum(1 for t in terms if t["ends_on"] and t["ends_on"].year == year),
                "members_at_end": sum(
                    1
                    for t in terms
                    if t["starts_on"] <= end and (t["ends_on"] is None or t["ends_on"] > end)
                ),
            }
        )
    return rows
