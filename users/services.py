"""Writes on users. Each function is one transaction; side effects run after commit."""

from collections.abc import Callable

from django.contrib.auth import password_validation
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from tickethelp.exceptions import Conflict, DomainError
from users.models import Role, User, normalize_email
from users.tokens import is_recent_login, revoke_all_tokens

# Other apps register "why this user cannot be deleted" checks here (AppConfig.ready);
# each returns a message when deletion must be refused, or None.
DeletionGuard = Callable[[User], str | None]
_deletion_guards: list[DeletionGuard] = []

ADMIN_EDITABLE_FIELDS = ("document", "email", "first_name", "last_name", "number", "role", "profile_picture")
SELF_EDITABLE_FIELDS = ("first_name", "last_name", "number", "profile_picture")


def register_deletion_guard(guard: DeletionGuard) -> None:
    if guard not in _deletion_guards:
        _deletion_guards.append(guard)


ACCOUNT_EMAILS = {
    "bienvenida": ("Bienvenido a TicketHelp", "Tu cuenta fue creada; te enviamos una contraseña temporal por correo."),
    "password_reset": ("Contraseña temporal", "Te enviamos una contraseña temporal por correo."),
}


# Account e-mails are written and sent by the notifications app, which registers its sender
# here (AppConfig.ready): users stays at the bottom of the imports. Called as
# notifier(user=..., kind=..., titulo=..., mensaje=...) inside the caller's transaction.
AccountNotifier = Callable[..., object]
_account_notifiers: list[AccountNotifier] = []


def register_account_notifier(notifier: AccountNotifier) -> None:
    _account_notifiers[:] = [notifier]


def _queue_password_email(user: User, kind: str) -> None:
    """An account notification whose e-mail carries a fresh random password. The delivery
    task generates it and applies it only once the e-mail went out (notifications.delivery)."""
    if not _account_notifiers:
        raise ImproperlyConfigured("No account notifier registered: is the notifications app installed?")
    titulo, mensaje = ACCOUNT_EMAILS[kind]
    _account_notifiers[0](user=user, kind=kind, titulo=titulo, mensaje=mensaje)


# The model's check constraints and the field each is about. They hold by construction here
# (normalize_email, roles from Role.choices), so full_clean does not ask the database about
# them (a SELECT and a savepoint each); the database still enforces them, and a violation is
# answered as that field's 400.
CHECKED_BY_THE_DATABASE = {"users_user_email_lowercase": "email", "users_user_role_valid": "role"}


def _clean(user: User) -> None:
    user.full_clean(exclude=["password"], validate_constraints=False)


def _save_checked(user: User, *, update_fields: list[str] | None = None, cleaned: bool = False) -> None:
    """full_clean (unless `cleaned`) + save; a uniqueness race lost at the database is a
    409, not a 500. No savepoint of its own: an error rolls back the caller's transaction."""
    if not cleaned:
        _clean(user)
    try:
        with transaction.atomic(savepoint=False):
            user.save(update_fields=update_fields)
    except IntegrityError as exc:
        for constraint, field in CHECKED_BY_THE_DATABASE.items():
            if constraint in str(exc):
                raise DomainError(
                    "Valor no válido.", code="invalid", field_errors={field: ["Valor no válido."]}
                ) from None
        raise Conflict("Ya existe un usuario con ese documento, correo o número.", code="user_exists") from None


def user_create(
    *,
    document: str,
    email: str,
    first_name: str,
    last_name: str = "",
    number: str | None = None,
    role: str = Role.CLIENT,
) -> User:
    """Create an account with no usable password; the welcome e-mail task sets a random one.
    Inside a caller's transaction (a resident's creation) it adds no savepoint."""
    user = User(
        document=document.strip(),
        email=normalize_email(email),
        first_name=first_name.strip(),
        last_name=(last_name or "").strip(),
        number=(number or "").strip() or None,
        role=role,
        must_change_password=True,
    )
    user.set_unusable_password()
    # Bad input is refused before the block, which then may be part of the caller's
    # transaction without a savepoint (an error inside it rolls the whole of it back).
    _clean(user)
    with transaction.atomic(savepoint=False):
        _save_checked(user, cleaned=True)
        _queue_password_email(user, "bienvenida")
    return user


def user_update(*, user: User, data: dict, allowed_fields: tuple[str, ...]) -> User:
    """Apply the allowed subset of `data` to `user` (validated, unique fields checked); only
    the fields whose value differs from the stored one are written."""
    unknown = set(data) - set(allowed_fields)
    if unknown:
        raise DomainError(
            "Campos no editables.",
            code="field_not_editable",
            field_errors={field: ["Este campo no se puede modificar."] for field in sorted(unknown)},
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        # A value equal to the stored one is no change (clients send the whole record back).
        changed = []
        for field, value in data.items():
            if field == "email":
                value = normalize_email(value)
            elif field == "number":
                value = (value or "").strip() or None
            elif isinstance(value, str):
                value = value.strip()
            if getattr(user, field) != value:
                setattr(user, field, value)
                changed.append(field)
        if changed:
            _save_checked(user, update_fields=changed)
    return user


def user_set_active(*, actor: User, user: User, active: bool) -> User:
    if not active and actor.pk == user.pk:
        raise DomainError("No puedes desactivar tu propio usuario.", code="cannot_deactivate_self")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active != active:
            user.is_active = active
            user.save(update_fields=["is_active"])
        if not active:
            revoke_all_tokens(user)
    return user


def user_delete(*, actor: User, user: User) -> None:
    if actor.pk == user.pk:
        raise DomainError("No puedes eliminar tu propio usuario.", code="cannot_delete_self")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        for guard in _deletion_guards:
            reason = guard(user)
            if reason:
                raise Conflict(reason, code="user_has_active_tickets")
        try:
            with transaction.atomic():
                user.delete()
        except ProtectedError:
            raise Conflict(
                "El usuario tiene registros asociados y no puede eliminarse; desactívalo en su lugar.",
                code="user_has_records",
            ) from None


def check_current_password(*, user: User, token, given: str | None, field: str) -> None:
    """An own-password change proves the password: the current one when sent (it must be
    right), otherwise the caller's session must come from a password login less than
    RECENT_LOGIN_MINUTES ago. A stolen token alone cannot take the account over."""
    if given is None:
        if is_recent_login(token):
            return
        raise DomainError(
            "Indica tu contraseña actual: el inicio de sesión no es reciente.",
            code="current_password_required",
            field_errors={field: ["Este campo es obligatorio si no acabas de iniciar sesión."]},
        )
    if not user.check_password(given):
        raise DomainError(
            "La contraseña actual es incorrecta.",
            code="wrong_password",
            field_errors={field: ["La contraseña actual es incorrecta."]},
        )


def user_set_password(*, user: User, new_password: str, must_change: bool = False, keep_session=None) -> User:
    """Validate and store a new password; every token issued before now stops working,
    except those of `keep_session` (a session id) when given."""
    try:
        password_validation.validate_password(new_password, user=user)
    except DjangoValidationError as exc:
        raise DomainError(
            "La contraseña no es válida.", code="invalid_password", field_errors={"new_password": list(exc.messages)}
        ) from None
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.set_password(new_password)
        user.must_change_password = must_change
        user.save(update_fields=["password", "must_change_password"])
        revoke_all_tokens(user, keep_session=keep_session)
    return user


def user_request_password_reset(*, user: User) -> None:
    """E-mail a random temporary password (set by the task); the user must change it."""
    _queue_password_email(user, "password_reset")
