"""Make an API token for a user from the server's shell: audited with who asked, for whom."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kmv.access import api_tokens
from kmv.access.models import User


class Command(BaseCommand):
    help = "Make an API token for USERNAME; the key is printed once. --by names the operator."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--by", required=True, help="the operator's own username (recorded in the audit log)"
        )
        parser.add_argument("--name", default="", help="what the token is for")
        parser.add_argument(
            "--days", type=int, default=settings.KMV_API_TOKEN_DAYS, help="days until it expires"
        )

    def handle(self, *args, username, by, name, days, **options):
        try:
            user = User.objects.get(username=username, is_active=True)
            operator = User.objects.get(username=by, is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError("no active user by that name") from exc
        if days < 1:
            raise CommandError("--days must be at least 1")
        _row, raw = api_tokens.issue(user=user, created_by=operator, name=name, days=days)
        self.stdout.write(raw)
