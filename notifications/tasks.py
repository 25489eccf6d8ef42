"""Background delivery of notification e-mails, with retries and back-off."""

from django_tasks import task

from notifications.services import notification_deliver, queue_delivery


@task()
def deliver_notification(*, notification_id: int) -> None:
    retry_in = notification_deliver(notification_id=notification_id)
    if retry_in is not None:
        queue_delivery([notification_id], delay_seconds=retry_in)
