"""Milestone planning — the one place that says when a stage is due and whether a meeting
was on time. Pure functions of dates: no database access, so tables test them directly."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


def add_months(d: date, months: int) -> date:
    """Calendar months, end-of-month safe: 31 Jan + 1 month = 28/29 Feb."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = min(d.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


ANCHOR_FIELDS = {
    "intro_start": "intro_programme_start",
    "adult_education_end": "adult_education_end",
    # end of upper-secondary, or — for an apprenticeship path without a VGO end date — its start
    "upper_secondary_end": "upper_secondary_end",
}


class DueState(StrEnum):
    NOT_APPLICABLE = "not_applicable"  # e.g. stage 4 on a pathway without upper-secondary
    NOT_PLANNABLE = "not_plannable"  # the anchor milestone is unknown
    NOT_YET_DUE = "not_yet_due"  # the window has not opened
    DUE = "due"  # inside the window
    OVERDUE = "overdue"  # the window closed with no meeting held


@dataclass(frozen=True)
class Due:
    stage_number: int
    due_date: date | None
    window_start: date | None
    window_end: date | None
    state: DueState


def anchor_date(participant, anchor: str) -> date | None:
    if anchor == "upper_secondary_end":
        return participant.upper_secondary_end or participant.upper_secondary_start
    field = ANCHOR_FIELDS.get(anchor)
    return getattr(participant, field) if field else None


def applies(stage, participant) -> bool:
    if stage.pathways == "all":
        return True
    return stage.pathways == participant.pathway


def window(routine, due_date: date) -> tuple[date, date]:
    return (
        due_date - timedelta(days=routine.window_before_days),
        due_date + timedelta(days=routine.window_after_days),
    )


def stage_due(participant, stage, routine, *, today: date) -> Due:
    """When is this milestone stage due for this participant under this routine version?"""
    if not applies(stage, participant):
        return Due(stage.number, None, None, None, DueState.NOT_APPLICABLE)
    base = anchor_date(participant, stage.anchor)
    if base is None:
        return Due(stage.number, None, None, None, DueState.NOT_PLANNABLE)
    due_date = add_months(base, stage.offset_months)
    start, end = window(routine, due_date)
    if today < start:
        state = DueState.NOT_YET_DUE
    elif today <= end:
        state = DueState.DUE
    else:
        state = DueState.OVERDUE
    return Due(stage.number, due_date, start, end, state)


def half_yearly_due_dates(participant, stage) -> list[date]:
    """Half-yearly meetings during upper-secondary: every `offset_months` from its start,
    stopping where the milestone meeting before its end takes over."""
    start, end = participant.upper_secondary_start, participant.upper_secondary_end
    if not applies(stage, participant) or start is None or end is None:
        return []
    step = stage.offset_months or 6
    last = add_months(end, -6)
    dates, n = [], 1
    while (d := add_months(start, step * n)) < last:
        dates.append(d)
        n += 1
    return dates


class Timing(StrEnum):
    ON_TIME = "on_time"
    EARLY = "early"
    LATE = "late"


def timing(routine, due_date: date, held_on: date) -> Timing:
    """Was a meeting held inside its due window?"""
    start, end = window(routine, due_date)
    if held_on < start:
        return Timing.EARLY
    if held_on > end:
        return Timing.LATE
    return Timing.ON_TIME
