"""Closure days are cached per process (sla.calendar): a change made here drops the cache at
once; other processes see it within `sla.calendar.CLOSURES_TTL` seconds."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sla.models import ClosureDay


@receiver([post_save, post_delete], sender=ClosureDay, dispatch_uid="sla_closure_days_changed")
def closure_days_changed(**kwargs) -> None:
    from sla.calendar import forget_closures

    forget_closures()
