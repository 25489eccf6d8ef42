"""E-mail backend for a production process started without EMAIL_HOST.

Django's console backend would print every message to stdout, which is the platform's log:
welcome and reset e-mails carry passwords. This backend writes one warning per message
(subject and number of recipients: no body, no addresses) and fails the send, so that the
notification is not taken for delivered (nor a reset password applied): it is retried, then
left FALLIDA for `manage.py resend_notifications` once EMAIL_HOST is set.
"""

import logging

from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger("tickethelp.mail")


class EmailNotConfigured(RuntimeError):
    """No mail server is configured (EMAIL_HOST)."""


class UnconfiguredEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for message in email_messages:
            logger.warning(
                "E-mail not sent, EMAIL_HOST is not set: %r to %d recipient(s)",
                message.subject,
                len(message.recipients()),
            )
        if email_messages and not self.fail_silently:
            raise EmailNotConfigured("EMAIL_HOST is not set")
        return 0
