"""Background work of the users app: account e-mails that carry a fresh password.

The task itself generates the password, so a plain-text password never sits in the task
queue's table. The mail is sent while the row is locked and before the new hash is
committed: if the mail server fails, the old password still works and nothing is lost.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django_tasks import task

from users.models import User
from users.passwords import generate_password

logger = logging.getLogger(__name__)

ACCOUNT_EMAILS = {
    "welcome": ("Bienvenido a TicketHelp", "users/email/welcome.txt"),
    "password_reset": ("Tu contraseña temporal de TicketHelp", "users/email/password_reset.txt"),
}


@task()
def send_account_password_email(*, user_id: int, kind: str) -> None:
    subject, template = ACCOUNT_EMAILS[kind]
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
        if user is None:
            logger.info("Account e-mail %s skipped: user %s gone or inactive", kind, user_id)
            return
        password = generate_password()
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        body = render_to_string(template, {"user": user, "password": password})
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    logger.info("Account e-mail %s sent to user %s", kind, user_id)
