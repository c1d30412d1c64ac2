"""Database helpers shared by the permission matrices."""

from contextlib import contextmanager

from django.db import transaction


@contextmanager
def rolled_back():
    """Run a block in a savepoint that is undone afterwards. The matrices try every persona on
    one set-up (built once per row instead of once per persona); undoing each persona's
    requests means a POST by one (ending a membership, say) cannot change what the next one
    meets."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
