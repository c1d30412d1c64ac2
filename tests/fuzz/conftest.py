"""API and hostile-input fuzzing.

Hypothesis profiles (applied to the fuzz tests only, not the rest of the suite):
- fast (default, `make test`): a few cases per operation and role, derandomised (the same
  cases on every run and machine, so a red `make test` can be reproduced as it is);
- nightly (`KMV_FUZZ_PROFILE=nightly`, `make fuzz`): >= 100 generated cases per operation
  from a random seed each run (Hypothesis prints the seed and the failing case to replay).
"""

import os

import pytest
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

PROFILE = os.environ.get("KMV_FUZZ_PROFILE", "fast")
if PROFILE not in ("fast", "nightly"):
    raise RuntimeError(f"KMV_FUZZ_PROFILE must be 'fast' or 'nightly', not {PROFILE!r}")

_common = {
    "deadline": None,
    "database": None,  # no .hypothesis/ folder in the repository
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
}
settings.register_profile("kmv-fuzz-fast", max_examples=10, derandomize=True, **_common)
settings.register_profile("kmv-fuzz-nightly", max_examples=150, **_common)
FUZZ_SETTINGS = settings.get_profile(f"kmv-fuzz-{PROFILE}")


@pytest.fixture
def wsgi_in_test_transaction():
    """Calling Django's WSGI handler directly (as schemathesis does) fires request_started and
    request_finished, which would close the test's database connection mid-transaction. The
    test client avoids that the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
