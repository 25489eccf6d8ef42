"""Reads of the sla app."""

from django.db.models import QuerySet

from sla.models import SLAPolicy


def policy_list() -> QuerySet[SLAPolicy]:
    return SLAPolicy.objects.order_by("priority", "category", "id")


def policy_find(*, policy_id: int) -> SLAPolicy | None:
    return SLAPolicy.objects.filter(pk=policy_id).first()
