"""Project-wide tables: the throttle counters (tickethelp.throttle_store) and the answers
kept for idempotent retries (tickethelp.idempotency)."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class ThrottleCounter(models.Model):
    """Attempts counted for one throttle scope and key (a client IP, an e-mail's hash, a
    user) in the window that started with the first of them. A table rather than the
    cache: nothing evicts a row before `expires_at`; `manage.py prune_tokens` deletes the
    expired ones daily."""

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=128)
    count = models.PositiveIntegerField()
    expires_at = models.FloatField(help_text="Unix time at which the window ends.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="throttle_counter_scope_key")]
        indexes = [models.Index(fields=["expires_at"], name="throttle_counter_expires")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}: {self.count}"


class IdempotencyKey(models.Model):
    """The first successful answer to a create sent with an `Idempotency-Key` header
    (tickethelp.idempotency): a retry with the same key and body within IDEMPOTENCY_TTL gets
    it again instead of creating a second object. Keys are per user. Inserted in the same
    transaction as the object it answers for, so the unique index makes a concurrent
    duplicate wait for the first and then replay it; failed requests leave no row. Expired
    rows are deleted when their key is used again and by `manage.py purge_idempotency_keys`
    (run daily by `prune_tokens`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="sha256 of the method, path and canonical body.")
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField(encoder=DjangoJSONEncoder, null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_user_key")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_key_created")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}: {self.status_code}"
