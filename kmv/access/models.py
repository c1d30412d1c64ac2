from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken


class Municipality(models.Model):
    number = models.CharField(_("municipality number"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.CharField(_("county/region"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return self.name


class Agency(models.Model):
    class Kind(models.TextChoices):
        NAV_INTEGRATION = "nav_integration", _("NAV integration / refugee service")
        NAV_FOLLOW_UP = "nav_follow_up", _("NAV follow-up / work")
        ADULT_EDUCATION = "adult_education", _("Municipal adult education")
        CAREER_CENTRE = "career_centre", _("County career centre")
        UPPER_SECONDARY = "upper_secondary", _("Upper-secondary school")
        INTERPRETER_SERVICE = "interpreter_service", _("Interpreter service")
        VOLUNTEER = "volunteer", _("Volunteer organisation")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    region = models.CharField(_("region served"), max_length=100, blank=True)
    municipalities = models.ManyToManyField(
        Municipality, blank=True, related_name="agencies", verbose_name=_("municipalities served")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="agency", editable=False, null=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Invariant: every agency has exactly one Django group carrying its object permissions.
        if self.group_id is None:
            self.group, _created = Group.objects.get_or_create(name=f"agency:{self.name}")
        elif self.group.name != f"agency:{self.name}":
            self.group.name = f"agency:{self.name}"
            self.group.save(update_fields=["name"])
        super().save(*args, **kwargs)


class Role(models.TextChoices):
    PROGRAMME_ADVISER = "programme_adviser", _("Programme adviser")
    FOLLOW_UP_ADVISER = "follow_up_adviser", _("Follow-up adviser")
    TEACHER = "teacher", _("Teacher / inspector")
    CAREER_COUNSELLOR = "career_counsellor", _("Career counsellor")
    SCHOOL_ADVISER = "school_adviser", _("School adviser")
    NETWORK_COORDINATOR = "network_coordinator", _("Network coordinator")
    AGENCY_LEADER = "agency_leader", _("Agency leader")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    INTERPRETER = "interpreter", _("Interpreter")


# Roles whose holders work with individual cases: they see what their agency may see.
CASE_ROLES = frozenset(
    {
        Role.PROGRAMME_ADVISER,
        Role.FOLLOW_UP_ADVISER,
        Role.TEACHER,
        Role.CAREER_COUNSELLOR,
        Role.SCHOOL_ADVISER,
    }
)


class User(AbstractUser):
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("agency"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=[("nb", _("Norwegian bokmål")), ("en", _("English"))],
        default="nb",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="")
                | models.Q(agency__isnull=False)
                | models.Q(role="system_admin"),
                name="user_role_needs_agency",
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.sync_groups()

    def sync_groups(self) -> None:
        """Invariant: a user sits in exactly their agency's group and their role's group."""
        wanted = set()
        if self.agency_id:
            wanted.add(Agency.objects.values_list("group_id", flat=True).get(pk=self.agency_id))
        if self.role:
            wanted.add(Group.objects.get_or_create(name=f"role:{self.role}")[0].pk)
        managed = set(
            self.groups.filter(
                models.Q(name__startswith="agency:") | models.Q(name__startswith="role:")
            ).values_list("pk", flat=True)
        )
        if managed - wanted:
            self.groups.remove(*(managed - wanted))
        if wanted - managed:
            self.groups.add(*(wanted - managed))

    @property
    def is_case_worker(self) -> bool:
        return self.role in CASE_ROLES and self.agency_id is not None


class AuditLogIsAppendOnly(Exception):
    """Raised on an attempt to change or delete an audit row outside retention pruning."""


class AuditEventQuerySet(models.QuerySet):
    """Audit rows are written once: no bulk change, and deletion only inside
    `kmv.access.audit.pruning()` (the retention task)."""

    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("audit rows cannot be changed")

    def delete(self):
        from . import audit

        if not audit.is_pruning():
            raise AuditLogIsAppendOnly("audit rows are only deleted by retention pruning")
        return super().delete()


class AuditEvent(models.Model):
    """One read or change of personal data, a login, or a denied access.

    Holds identifiers only: never names, numbers or free text from the record itself.
    Append-only: an existing row cannot be saved again or deleted (see the queryset).
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        LIST = "list", _("Listed")
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        EXPORT = "export", _("Exported")
        DOWNLOAD = "download", _("Downloaded")
        DENIED = "denied", _("Access denied")
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logged out")
        LOCKED_OUT = "locked_out", _("Locked out")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_NEW_IP = "token_new_ip", _("API token used from a new address")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    actor_label = models.CharField(_("username"), max_length=150, blank=True)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    participant_id = models.BigIntegerField(_("participant id"), null=True, blank=True)
    object_ids = models.JSONField(_("object ids"), default=list, blank=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)

    class Channel(models.TextChoices):
        UI = "ui", _("Web pages")
        API = "api", _("API")
        ADMIN = "admin", _("Administration")
        PDF = "pdf", _("PDF")
        EXPORT = "export", _("Export")
        AUTH = "auth", _("Login")
        SYSTEM = "system", _("System")

    channel = models.CharField(_("channel"), max_length=16, blank=True, choices=Channel.choices)
    path = models.CharField(_("path"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["participant_id", "-at"], name="audit_participant_at"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AuditLogIsAppendOnly("audit rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        from . import audit

        if not audit.is_pruning():
            raise AuditLogIsAppendOnly("audit rows are only deleted by retention pruning")
        return super().delete(*args, **kwargs)


class ApiToken(AbstractAuthToken):
    """A personal API token (django-rest-knox): only a hash of the key is stored, it expires,
    and it is made only through `kmv.access.api_tokens.issue`, which audits who made it for
    whom."""

    name = models.CharField(_("name"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("last used from"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.token_key}… ({self.user})"
