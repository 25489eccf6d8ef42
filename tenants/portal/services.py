"""Writes of the tenant portal (/api/tenant/...). The ticket workflow itself is the tickets
app's: a resident's ticket is an ordinary ticket (client = the tenant's user, device set)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from tenants.models import Tenant
from tenants.portal import selectors as portal_selectors
from tickethelp.exceptions import TENANT_VALIDATION_MESSAGE as INVALID_DATA
from tickethelp.exceptions import DomainError
from tickethelp.uploads import CheckedUpload, UploadRejected, check_upload
from tickets import services as ticket_services
from tickets.models import Ticket
from users import services as user_services
from users.models import User
from users.tokens import issue_tokens, revoke_access_token, session_id


def tenant_access_token(*, user: User) -> AccessToken:
    """The portal's Bearer token after a password login: an ordinary access token
    (role/document/email claims, its own session, revocable) that lives TENANT_TOKEN_HOURS,
    since the mobile app has no refresh flow."""
    lifetime = timedelta(hours=settings.TENANT_TOKEN_HOURS)
    access = issue_tokens(user, auth_time=timezone.now(), access_lifetime=lifetime).access_token
    access.set_exp(lifetime=lifetime)
    return access


def tenant_logout(*, token: AccessToken) -> None:
    """That token stops working at once (deny-listed until it would have expired, its
    session ended); the resident's other logins are untouched."""
    revoke_access_token(token)


def tenant_change_password(*, user: User, token: AccessToken, new_password: str) -> str:
    """Store the new password and answer the token the app should go on using. Every other
    login of the resident ends, while the token that made the change keeps working and is
    answered back (the app built on the document never reads a new one). A token minted
    before sessions existed cannot be told apart from the others: it ends too, and a fresh
    one is answered."""
    sid = session_id(token)
    user = user_services.user_set_password(user=user, new_password=new_password, keep_session=sid)
    if sid is None:
        return str(tenant_access_token(user=user))
    raw = token.token
    return raw.decode() if isinstance(raw, bytes) else str(raw)


ATTACHMENT_MESSAGES = {
    "file_too_large": "must not be greater than 20 MB.",
    "file_empty": "is empty.",
    "file_type_not_allowed": "must be an image (jpeg, png, gif, webp) or a video (mp4, mov, avi, wmv).",
    "file_corrupt": "is damaged or incomplete, or carries data that is not part of the image or video.",
    "image_too_large": "has too many pixels.",
}


def _check_attachments(files) -> tuple[list[tuple[object, CheckedUpload]], list[str]]:
    """Every file's real type (from its bytes) and size (counted in chunks, an oversized file
    is refused without reading it whole), and one message per refused file."""
    checked, errors = [], []
    for position, uploaded_file in enumerate(files):
        try:
            checked.append((uploaded_file, check_upload(uploaded_file)))
        except UploadRejected as exc:
            name = (getattr(uploaded_file, "name", "") or "").replace("\x00", "")[:100]
            reason = ATTACHMENT_MESSAGES.get(exc.code, "is not acceptable.")
            errors.append(f"The attachment #{position + 1} ({name}) {reason}")
    return checked, errors


def tenant_ticket_create(
    *,
    tenant: Tenant,
    device_id: int,
    category: str,
    title: str,
    description: str,
    priority: str,
    attachments=(),
) -> Ticket:
    """Open a ticket about one of the tenant's own or shared devices, with its photos/videos,
    in one transaction (tickets.services.ticket_create): auto-assigned to the least busy
    technician, admins and that technician notified, history written. Nothing is stored
    unless the device and every file pass."""
    errors: dict[str, list[str]] = {}
    device = portal_selectors.device_for_ticket(tenant=tenant, device_id=device_id)
    if device is None:
        errors["device_id"] = ["The selected device id is invalid."]
    checked, attachment_errors = _check_attachments(attachments)
    if attachment_errors:
        errors["attachments"] = attachment_errors
    if errors:
        raise DomainError(INVALID_DATA, code="invalid_ticket", field_errors=errors)
    user = tenant.user
    return ticket_services.ticket_create(
        actor=user,
        cliente=user,
        titulo=title,
        descripcion=description,
        equipo=device.name,
        category=category,
        priority=priority,
        device=device,
        source="tenant",
        attachments=checked,
    )
