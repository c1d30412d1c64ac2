"""Two beat processes (a deploy that left an old one running, two hosts both starting
beat): every periodic task runs twice per period, yet each effect happens once.

Both beats fire `plan-reminders` and `send-outbox` every 2 s (KMV_CHAOS_BEAT_SECONDS) into
one worker with two pool processes, so runs overlap. Three booked meetings are due for a
reminder: each recipient must get exactly one reminder and one invitation, however many
runs there were. What makes it hold: the reminder's unique outbox key (inserted once) and
the sweep's SELECT … FOR UPDATE SKIP LOCKED (a row is sent by one run only).
"""

import re

import pytest

from tests.chaos.conftest import wait_for

pytestmark = pytest.mark.chaos

PERIOD = 2
PERIODS = 4


def _fired(beat, entry: str) -> int:
    return beat.output(10**7).count(f"Sending due task {entry} ")


def test_two_beats_one_effect_per_period(stack):
    meetings = stack.seed("booked", 3)["meetings"]
    stack.worker(concurrency=2)
    beats = [stack.beat(name, KMV_CHAOS_BEAT_SECONDS=str(PERIOD)) for name in ("beat-a", "beat-b")]

    def both_fired_enough():
        return all(_fired(beat, "plan-reminders") >= PERIODS for beat in beats)

    wait_for(both_fired_enough, PERIOD * PERIODS + 30, "both beats to fire", 0.2, stack.logs)

    def all_runs_done():
        ran = len(re.findall(r"plan_reminders\[[^\]]+\] succeeded", stack.logs_full()))
        return ran >= 2 * PERIODS and stack.all_sent_and_delivered()

    wait_for(all_runs_done, 60, "the runs and the sends", 0.3, stack.logs)
    for beat in beats:
        beat.kill()

    rows = stack.sql('SELECT kind, meeting_id, "to" FROM notify_outboxmessage')
    invitations = sorted((m, to) for kind, m, to in rows if kind == "invitation")
    reminders = sorted((m, to) for kind, m, to in rows if kind == "reminder")
    assert {m for m, _ in invitations} == set(meetings)
    assert reminders == invitations, "one reminder per invited person and meeting"
    delivered = stack.deliveries()
    assert set(delivered) == set(stack.outbox())
    assert set(delivered.values()) == {1}, "each message delivered once"
