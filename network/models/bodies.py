"""Networks, their bodies (steering group, working group) and members with terms."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kmv.access.models import Agency
from kmv.dates import PlausibleDates


class Network(models.Model):
    """One qualification network per region; its partner agencies host meetings in turn."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    region = models.CharField(_("region"), max_length=100, unique=True)
    agencies = models.ManyToManyField(
        Agency, related_name="networks", verbose_name=_("partner agencies")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("qualification network")
        verbose_name_plural = _("qualification networks")

    def __str__(self):
        return self.name


class Body(models.Model):
    class Kind(models.TextChoices):
        STEERING = "steering", _("Steering group")
        WORKING = "working", _("Working group")

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="bodies", verbose_name=_("network")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)

    class Meta:
        ordering = ["network", "kind"]
        # "body" alone is ambiguous (an e-mail body elsewhere): here it is an organ
        verbose_name = pgettext_lazy("network organ", "body")
        verbose_name_plural = pgettext_lazy("network organ", "bodies")
        constraints = [
            models.UniqueConstraint(fields=["network", "kind"], name="network_body_unique_kind")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.network}"


class BodyMembership(PlausibleDates, models.Model):
    """One term of one person in one body. A change of person ends the term (history kept)."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        DEPUTY_CHAIR = "deputy_chair", _("Deputy chair")
        SECRETARY = "secretary", _("Secretary")
        MEMBER = "member", _("Member")

    body = models.ForeignKey(
        Body,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=pgettext_lazy("network organ", "body"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="network_memberships",
        verbose_name=_("person"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"), null=True, blank=True)

    class Meta:
        ordering = ["body", "-ends_on", "role", "user__last_name"]
        verbose_name = _("body membership")
        verbose_name_plural = _("body memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="network_membership_term_order",
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"

    def active_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)
