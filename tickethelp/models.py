"""Project-wide tables: the throttle counters (tickethelp.throttle_store)."""

from django.db import models


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
