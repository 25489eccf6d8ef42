"""Reads on users."""

from django.db.models import QuerySet

from tickethelp.exceptions import Forbidden, NotFound
from users.models import Role, User, document_validator

DOCUMENT_PATTERN = document_validator.regex


def user_list(*, role: str | None = None) -> QuerySet[User]:
    queryset = User.objects.all().order_by("last_name", "first_name", "id")
    if role:
        queryset = queryset.filter(role=role)
    return queryset


def is_document(value) -> bool:
    """Can `value` be a document at all? (Checked before any query: PostgreSQL rejects some bytes.)"""
    return isinstance(value, str) and DOCUMENT_PATTERN.fullmatch(value) is not None


def user_find_by_document(*, document: str, role: str | None = None) -> User | None:
    """The user with that document (and role, when given), or None.

    A string that cannot be a document (too long, NUL bytes, ...) is answered without a
    query: it cannot match, and PostgreSQL would reject some of those bytes outright."""
    if not is_document(document):
        return None
    queryset = User.objects.all()
    if role:
        queryset = queryset.filter(role=role)
    return queryset.filter(document=document).first()


def user_get_by_document(*, document: str, role: str | None = None) -> User:
    """The user with that document (and role, when given), or NotFound."""
    user = user_find_by_document(document=document, role=role)
    if user is None:
        raise NotFound("Usuario no encontrado.", code="user_not_found")
    return user


def user_for_self_or_admin(*, actor: User, document: str) -> User:
    """`document`'s user when the actor is that user or an ADMIN; anyone else is refused."""
    if document == actor.document:
        return actor
    if actor.role != Role.ADMIN:
        raise Forbidden("Solo puedes consultar o modificar tu propio usuario.")
    return user_get_by_document(document=document)


def subject_user(*, request) -> User:
    """Whose data a request is about. Identity comes from the token; `?user_document=`
    only lets an ADMIN *read* another user's data and never changes who acts."""
    actor = request.user
    document = request.query_params.get("user_document")
    if not document or document == actor.document:
        return actor
    if actor.role != Role.ADMIN or request.method not in ("GET", "HEAD", "OPTIONS"):
        raise Forbidden("No puedes actuar ni consultar datos de otro usuario.", code="impersonation_denied")
    return user_get_by_document(document=document)
