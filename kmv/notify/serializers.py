"""Shapes of the notify API. No addresses: recipients are named by their part."""

from rest_framework import serializers


class InvitationRecipientSerializer(serializers.Serializer):
    recipient = serializers.CharField(help_text="Staff name, participant (as allowed) or service")
    role = serializers.ChoiceField(choices=["staff", "participant", "interpreter", "other"])
    kind = serializers.CharField(help_text="invitation, interpreter or cancellation")
    kind_label = serializers.CharField()
    status = serializers.ChoiceField(choices=["pending", "sent", "failed"])
    status_label = serializers.CharField()
    attempts = serializers.IntegerField()
    sent_at = serializers.DateTimeField(allow_null=True)
    sequence = serializers.IntegerField(allow_null=True, help_text="iCalendar SEQUENCE")


class MeetingInvitationsSerializer(serializers.Serializer):
    meeting = serializers.IntegerField()
    recipients = InvitationRecipientSerializer(many=True)
