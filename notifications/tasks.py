"""Background delivery of notification e-mails, with retries and back-off."""

import logging

from django_tasks import task

from notifications.services import notification_deliver, queue_delivery

logger = logging.getLogger(__name__)


@task()
def deliver_notifications(*, notification_ids: list[int]) -> None:
    """One event's e-mails: one queued task per write instead of one per recipient (each
    enqueue is an INSERT and a commit of its own after the write's). Each notification is
    delivered (and retried) on its own; one that fails does not keep the others from going
    out, and the task still ends failed so that the failure is seen."""
    failure = None
    for notification_id in notification_ids:
        try:
            retry_in = notification_deliver(notification_id=notification_id)
        except Exception as exc:  # the rest of the batch still goes out
            logger.exception("Notification %s: delivery crashed", notification_id)
            failure = failure or exc
            continue
        if retry_in is not None:
            queue_delivery([notification_id], delay_seconds=retry_in)
    if failure is not None:
        raise failure


@task()
def deliver_notification(*, notification_id: int) -> None:
    """One notification's e-mail: tasks queued before deliver_notifications existed."""
    deliver_notifications.call(notification_ids=[notification_id])
