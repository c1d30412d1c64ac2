"""`manage.py seed_demo`: an Agder-like demo region. Safe to run again: nothing is duplicated."""

import time

from django.core.management.base import BaseCommand

from network.demo import seed_network_demo
from participants.demo import DEMO_PASSWORD, build_demo
from resourcegroups.demo_rounds import seed_rounds_demo


class Command(BaseCommand):
    help = (
        "Create demo municipalities, agencies, staff for every role and ~40 participants with "
        "consents and resource groups, and the history the dashboards show: settled figures, "
        "education and work statuses, held meetings with attendance and minutes. Idempotent."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        result = build_demo()
        # the network and rounds need the staff, participants and held meetings above
        for seed, name in ((seed_network_demo, "network"), (seed_rounds_demo, "demo rounds")):
            made = seed()
            for what, n in made.items():
                result.created[what] = result.created.get(what, 0) + n
            if not made:
                result.count(name, False)
        elapsed = time.monotonic() - started

        def counts(bucket):
            return ", ".join(f"{n} {what}" for what, n in bucket.items()) or "nothing"

        self.stdout.write(self.style.SUCCESS(f"Created: {counts(result.created)}"))
        if result.existing:
            self.stdout.write(f"Already there (left unchanged): {counts(result.existing)}")
        self.stdout.write(f"({elapsed:.1f} s)\n")

        rows = [("Brukernavn", "Passord", "Rolle", "Virksomhet")]
        for username, _name, role, agency, created in result.logins:
            password = DEMO_PASSWORD if created else "(uendret)"
            rows.append((username, password, role, agency))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for i, row in enumerate(rows):
            line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            self.stdout.write(line.rstrip())
            if i == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        if any(not created for *_rest, created in result.logins):
            self.stdout.write(
                f"(uendret: the user existed before; its password was not reset to {DEMO_PASSWORD})"
            )
        self.stdout.write("\nOpen http://127.0.0.1:8000/")
