from kmv.notify.models import OutboxMessage
from kmv.notify import reminders
import pytest
pytestmark = pytest.mark.django_db
def test_show(meeting, book, personas, agencies):
    agencies["interpreters"].email = "tolk@example.org"; agencies["interpreters"].save()
    book(meeting)
    reminders.plan()
    for r in OutboxMessage.objects.filter(to__in=["bob@example.org","tolk@example.org","amina@example.org", "alice@example.org"]).order_by("pk"):
        print("=====", r.key, "|", r.subject); print(r.body)
