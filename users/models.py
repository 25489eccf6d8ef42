"""The one user model for staff and tenants: login by e-mail, identified by `document`."""

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

# At least one digit: real document numbers have them, and it keeps documents from ever
# spelling a route word ("create", "change-password") in /api/users/{document}/ URLs.
document_validator = RegexValidator(
    r"^(?=[^0-9]*[0-9])[A-Za-z0-9][A-Za-z0-9.\-]{2,19}$",
    "El documento debe tener entre 3 y 20 caracteres (letras, números, punto o guion) e incluir al menos un número.",
)
phone_validator = RegexValidator(
    r"^\+?[0-9 ()\-]{5,20}$", "El número debe contener solo dígitos, espacios, +, (, ) o -."
)


class Role(models.TextChoices):
    ADMIN = "ADMIN", "Administrador"
    TECH = "TECH", "Técnico"
    CLIENT = "CLIENT", "Cliente"


def full_name(first_name: str, last_name: str) -> str:
    return f"{first_name} {last_name}".strip()


def normalize_email(email: str) -> str:
    """E-mail addresses match case-insensitively: they are stored lower-cased."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email=normalize_email(username))

    def create_user(self, email, password=None, **fields):
        user = self.model(email=normalize_email(email), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields["role"] = Role.ADMIN
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser):
    document = models.CharField("documento", max_length=20, unique=True, validators=[document_validator])
    email = models.EmailField("correo electrónico", max_length=254, unique=True)
    first_name = models.CharField("nombres", max_length=150)
    last_name = models.CharField("apellidos", max_length=150, blank=True)
    number = models.CharField(
        "teléfono", max_length=20, unique=True, null=True, blank=True, validators=[phone_validator]
    )
    role = models.CharField("rol", max_length=10, choices=Role.choices, default=Role.CLIENT)
    is_active = models.BooleanField("activo", default=True)
    must_change_password = models.BooleanField("debe cambiar la contraseña", default=False)
    profile_picture = models.URLField("foto de perfil", max_length=500, blank=True)
    date_joined = models.DateTimeField("fecha de registro", default=timezone.now)
    # Access tokens issued before this instant are refused (password change, deactivation).
    tokens_valid_after = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["document", "first_name"]

    class Meta:
        verbose_name = "usuario"
        verbose_name_plural = "usuarios"
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            # Stored lower-cased so that the unique index is a case-insensitive one.
            models.CheckConstraint(condition=models.Q(email=Lower("email")), name="users_user_email_lowercase"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="users_user_role_valid"),
        ]
        indexes = [
            models.Index(fields=["role", "is_active"], name="users_role_active_idx"),
            models.Index(fields=["last_name", "first_name", "id"], name="users_name_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_full_name()} <{self.email}>"

    # How list pages read computed attributes from plain rows (tickethelp/rows.py).
    ROW_SOURCES = {"get_full_name": (("first_name", "last_name"), full_name)}

    def get_full_name(self) -> str:
        return full_name(self.first_name, self.last_name)

    def get_short_name(self) -> str:
        return self.first_name

    # Django admin access: administrators are staff with every permission; nobody else is.
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.role == Role.ADMIN

    @property
    def is_superuser(self) -> bool:
        return self.is_staff

    def has_perm(self, perm, obj=None) -> bool:
        return self.is_staff

    def has_perms(self, perm_list, obj=None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label) -> bool:
        return self.is_staff


class RevokedAccessToken(models.Model):
    """Deny-list of access-token ids (logout): checked in the same query that loads the user."""

    jti = models.CharField("identificador del token (jti)", max_length=64, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="revoked_tokens", verbose_name="usuario")
    expires_at = models.DateTimeField("vence", db_index=True)
    revoked_at = models.DateTimeField("revocado el", default=timezone.now)

    class Meta:
        verbose_name = "token revocado"
        verbose_name_plural = "tokens revocados"

    def __str__(self) -> str:
        return self.jti


class AuthSession(models.Model):
    """One login and every token descended from it: its refresh tokens, rotated or not, and
    their access tokens all carry its id (the `sid` claim). Ending the row ends them all:
    logout, a rotated refresh token presented again, a password change, a deactivation."""

    sid = models.UUIDField("identificador de la sesión", primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="auth_sessions", verbose_name="usuario")
    # When the password was checked (a login); kept through refreshes as the `auth_time` claim.
    auth_time = models.DateTimeField("contraseña verificada el", null=True, blank=True)
    # The jti of the one refresh token of this session that may be used next.
    refresh_jti = models.CharField("token de refresco vigente (jti)", max_length=64)
    created_at = models.DateTimeField("iniciada el", default=timezone.now)
    # The last instant any of its tokens is valid (for pruning).
    expires_at = models.DateTimeField("vence", db_index=True)
    revoked_at = models.DateTimeField("terminada el", null=True, blank=True)

    class Meta:
        verbose_name = "sesión"
        verbose_name_plural = "sesiones"

    def __str__(self) -> str:
        return str(self.sid)
