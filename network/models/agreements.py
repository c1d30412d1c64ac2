"""Collaboration agreements, their parties and signatories, and routine-change approvals.

Routine versions live in `resourcegroups`; the network keeps only their id and label (the
network depends on nothing but `kmv`). `resourcegroups.services.routines.activation_allowed`
asks `network.services.routine_activation_status` before a version goes into force.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kmv.access.models import Agency
from kmv.dates import PlausibleDates

from .bodies import Network


class Agreement(PlausibleDates, models.Model):
    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("network")
    )
    title = models.CharField(_("title"), max_length=200)
    effective_from = models.DateField(_("effective from"))
    parties = models.ManyToManyField(Agency, related_name="+", verbose_name=_("parties"))
    routine_id = models.PositiveIntegerField(_("routine version id"))
    routine_label = models.CharField(_("routine version"), max_length=200)
    document = models.FileField(_("document (PDF)"), upload_to="network/agreements/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("collaboration agreement")
        verbose_name_plural = _("collaboration agreements")

    def __str__(self):
        return self.title


class Signatory(PlausibleDates, models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatories")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_on = models.DateField(_("signed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "agency"], name="network_signatory_once")
        ]

    def __str__(self):
        return f"{self.user} ({self.agency})"


class RoutineChange(PlausibleDates, models.Model):
    """A proposed new routine version under an agreement; active only once every party has
    approved it."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="changes")
    routine_id = models.PositiveIntegerField(_("routine version id"))
    routine_label = models.CharField(_("routine version"), max_length=200)
    summary = models.TextField(_("what changes"))
    effective_from = models.DateField(_("proposed to apply from"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(_("approved by all parties"), null=True, blank=True)

    class Meta:
        ordering = ["agreement", "-proposed_at"]
        verbose_name = _("routine change")
        verbose_name_plural = _("routine changes")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "routine_id"], name="network_routine_change_once"
            )
        ]

    def __str__(self):
        return self.routine_label


class RoutineApproval(models.Model):
    change = models.ForeignKey(RoutineChange, on_delete=models.CASCADE, related_name="approvals")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["approved_at"]
        verbose_name = _("routine approval")
        verbose_name_plural = _("routine approvals")
        constraints = [
            models.UniqueConstraint(fields=["change", "agency"], name="network_approval_once")
        ]

    def __str__(self):
        return f"{self.agency}: {self.approved_by}"
