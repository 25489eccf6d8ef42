"""The in-process catalogs of sla.cache are dropped as soon as this process changes them
(other processes re-read them within sla.cache.TTL seconds)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sla import cache
from sla.models import ClosureDay, SLAPolicy


@receiver([post_save, post_delete], sender=ClosureDay, dispatch_uid="sla_closure_days_changed")
def closure_days_changed(**kwargs) -> None:
    cache.forget(cache.CLOSURES)


@receiver([post_save, post_delete], sender=SLAPolicy, dispatch_uid="sla_policies_changed")
def policies_changed(**kwargs) -> None:
    cache.forget(cache.POLICIES)
