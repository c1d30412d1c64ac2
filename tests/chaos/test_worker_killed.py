"""Worker SIGKILLed in the middle of sending, 20 times: every message is sent exactly once.

The mail backend is slow (0.5 s per message, like a slow SMTP server), so each kill lands
while a message is being handed over — the test checks that it did. Most kills hit the
pool child running the task (Celery's parent sees the lost worker and, with
reject_on_worker_lost, puts the task back); every fifth kills the whole worker, whose task
message then sits unacknowledged in Redis, and the beat sweep is what carries on. The
outbox row, not the task message, decides what is sent: the killed transaction rolls back,
the row is still pending, the next sweep sends it once.

The one gap no sender can close: a kill after the mail server accepted a message and
before the row's commit (well under a millisecond in practice). The second test holds a
worker in that gap and kills it there: the message is sent again — never lost — with the
same Message-ID, so the receiving side drops the duplicate (see kmv/notify/sweep.py).
"""

import os
import random
import signal
import time

import pytest

from tests.chaos import mailbox
from tests.chaos.conftest import wait_for

pytestmark = pytest.mark.chaos

KILLS = 20
MESSAGES = 60
SEND_DELAY = 0.8  # the kill comes 0-0.2 s into a hand-over: 0.6 s of slack for a busy CI
MAX_ATTEMPTS = 2 * KILLS  # a kill that a stalled machine delivers too late is not counted


def test_every_message_is_sent_exactly_once_through_20_kills(stack):
    queued = stack.seed("messages", MESSAGES)["message_ids"]
    stack.beat(KMV_CHAOS_BEAT_SECONDS="2")
    worker = stack.worker(concurrency=2, KMV_CHAOS_SEND_DELAY=str(SEND_DELAY))
    rng = random.Random(7)
    mid_send = 0
    child_kills = 0
    attempt = 0
    while mid_send < KILLS and attempt < MAX_ATTEMPTS:
        seen = len(mailbox.read(stack.mailbox))
        wanted = rng.randint(1, 2)

        def begun(seen=seen, wanted=wanted):
            new = [row for row in mailbox.read(stack.mailbox)[seen:] if row[0] == "begin"]
            return new[wanted - 1] if len(new) >= wanted else None

        _, message_id, pid = wait_for(begun, 30, f"the worker to send (kill {attempt + 1})", 0.01)
        time.sleep(rng.uniform(0, 0.2))
        whole_worker = attempt % 5 == 4
        if whole_worker:
            worker.kill()  # main process and pool child
        else:
            os.kill(pid, signal.SIGKILL)  # the pool child running the task
            child_kills += 1
        time.sleep(0.05)
        # the kill interrupted that hand-over: no delivery of it from the killed process
        if ("deliver", message_id, pid) not in mailbox.read(stack.mailbox):
            mid_send += 1
        if whole_worker:
            worker = stack.worker(
                name=f"worker-{attempt}", concurrency=2, KMV_CHAOS_SEND_DELAY=str(SEND_DELAY)
            )
        attempt += 1

    wait_for(stack.all_sent_and_delivered, 60, "every message to be sent after the kills")

    delivered = stack.deliveries()
    assert mid_send == KILLS, f"20 kills landed in the middle of a send ({attempt} tried)"
    assert set(delivered) == set(queued), "no message lost, nothing extra"
    duplicates = {mid: n for mid, n in delivered.items() if n != 1}
    assert duplicates == {}, "no message delivered twice"
    assert set(stack.outbox().values()) == {"sent"}
    # the lost pool children were noticed and their task put back (acks_late +
    # reject_on_worker_lost), not silently acknowledged
    lost = stack.logs_full().count("signal 9 (SIGKILL)")
    assert lost >= child_kills, stack.logs()


def test_a_kill_between_acceptance_and_commit_resends_with_the_same_message_id(stack):
    (message_id,) = stack.seed("messages", 1)["message_ids"]
    stall = stack.tmp / "stall-once"
    stall.touch()
    stack.worker(KMV_CHAOS_STALL_ONCE=str(stall))

    def accepted():
        rows = [r for r in mailbox.read(stack.mailbox) if r[0] == "deliver"]
        return rows[0] if rows else None

    _, _, pid = wait_for(accepted, 30, "the first acceptance", 0.05, stack.logs)
    assert stack.outbox() == {message_id: "pending"}, "accepted, not yet committed"
    os.kill(pid, signal.SIGKILL)  # Celery puts the task back; a new pool child sends

    wait_for(stack.all_sent_and_delivered, 30, "the resend", 0.2, stack.logs)
    assert stack.deliveries() == {message_id: 2}, "resent once, with the same Message-ID"
    assert stack.sql("SELECT status, attempts FROM notify_outboxmessage") == [("sent", 1)]
