"""The retention dry run: who will be anonymised within the notice period, per owner agency.

Prints ids and dates only (no names: command output ends up in logs). The owner agency's
staff see the same list with names on the retention page (/deltakere/oppbevaring/).
"""

from django.core.management.base import BaseCommand

from participants import retention


class Command(BaseCommand):
    help = "List participants due for anonymisation (dry run; --apply anonymises those due)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="look this many days ahead (default KMV_RETENTION_NOTICE_DAYS)",
        )
        parser.add_argument(
            "--apply", action="store_true", help="anonymise those due today, as the beat task does"
        )

    def handle(self, *args, days=None, apply=False, **options):
        within = retention.notice_days() if days is None else days
        due = retention.due_for_anonymisation(within_days=within)
        agency = None
        for row in sorted(due, key=lambda d: (d.participant.owner_agency.name, d.anonymise_on)):
            if row.participant.owner_agency != agency:
                agency = row.participant.owner_agency
                self.stdout.write(f"{agency.name}:")
            self.stdout.write(
                f"  participant {row.participant.pk}: path ended {row.ended_on:%Y-%m-%d}, "
                f"anonymised on {row.anonymise_on:%Y-%m-%d}"
            )
        self.stdout.write(f"{len(due)} due within {within} days.")
        if apply:
            self.stdout.write(f"{retention.anonymise_due()} anonymised.")
