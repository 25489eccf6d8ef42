"""Input validation and output shapes of the users API."""

from django.db import models
from rest_framework import serializers

from tickethelp.serializers import FastOutputMixin
from users.models import Role, User, normalize_email


class UserSerializer(FastOutputMixin, serializers.ModelSerializer):
    """A user as every endpoint of the section shows one."""

    full_name = serializers.CharField(source="get_full_name", read_only=True)
    # Declared so the schema says what the API sends: a URL, or "" when there is no picture.
    profile_picture = serializers.URLField(read_only=True, allow_blank=True, label="Foto de perfil")

    class Meta:
        model = User
        fields = (
            "id",
            "document",
            "email",
            "first_name",
            "last_name",
            "full_name",
            "number",
            "role",
            "is_active",
            "must_change_password",
            "profile_picture",
            "date_joined",
        )
        read_only_fields = fields


# Columns a client reads in the user object and may send back untouched in an edit (the web
# front end sends the whole merged record): sent with the stored value they are no change.
COMPARABLE_FIELDS = frozenset({"document", "email", "role", "is_active", "must_change_password"})


def _as_stored(field: str, value):
    """`value` in the form `field` is stored in (ValidationError when it cannot be)."""
    if isinstance(User._meta.get_field(field), models.BooleanField):
        return serializers.BooleanField().to_internal_value(value)
    if not isinstance(value, str):
        raise serializers.ValidationError("not a string")
    return normalize_email(value) if field == "email" else value.strip()


def is_stored_value(user: User, field: str, value) -> bool:
    """Is `value` what `user` already has in `field`? False for anything not comparable."""
    if field not in COMPARABLE_FIELDS:
        return False
    try:
        return _as_stored(field, value) == getattr(user, field)
    except serializers.ValidationError:
        return False


class UserCreateSerializer(serializers.Serializer):
    document = serializers.CharField(max_length=20)
    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    number = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True, default=None)
    role = serializers.ChoiceField(choices=Role.choices)


class UserAdminUpdateSerializer(serializers.Serializer):
    """Fields an ADMIN may change on any user (all optional: PATCH semantics)."""

    document = serializers.CharField(max_length=20, required=False)
    email = serializers.EmailField(max_length=254, required=False)
    first_name = serializers.CharField(max_length=150, required=False)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    number = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    profile_picture = serializers.URLField(max_length=500, required=False, allow_blank=True)


class SelfUpdateSerializer(serializers.Serializer):
    """Fields a user may change on their own profile."""

    first_name = serializers.CharField(max_length=150, required=False)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    number = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True)
    profile_picture = serializers.URLField(max_length=500, required=False, allow_blank=True)


class ProfilePictureSerializer(serializers.Serializer):
    profile_picture = serializers.URLField(max_length=500)


class NewPasswordSerializer(serializers.Serializer):
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class OwnPasswordChangeSerializer(NewPasswordSerializer):
    """The documented body is `new_password` alone: enough right after a password login
    (RECENT_LOGIN_MINUTES); later `current_password` is required. When sent it must be right."""

    current_password = serializers.CharField(
        max_length=128,
        required=False,
        trim_whitespace=False,
        help_text="Obligatoria salvo en los primeros minutos tras iniciar sesión con contraseña "
        "(RECENT_LOGIN_MINUTES, 10 por defecto).",
    )


class AuthPasswordChangeSerializer(NewPasswordSerializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False)


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=2000)


class TokenPairSerializer(serializers.Serializer):
    """A rotated token pair (documentation of the refresh endpoint's answer)."""

    access = serializers.CharField()
    refresh = serializers.CharField()


class LoginResponseSerializer(serializers.Serializer):
    refresh = serializers.CharField()
    access = serializers.CharField()
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    is_active = serializers.BooleanField()
    document = serializers.CharField()
    must_change_password = serializers.BooleanField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    user = UserSerializer()


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField()


class MessageWithUserSerializer(MessageSerializer):
    user = UserSerializer()


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ClientLookupSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    data = UserSerializer(allow_null=True)


class ClientNotFoundSerializer(ClientLookupSerializer):
    suggestion = serializers.CharField()
    code = serializers.CharField()


class ValidateTokenSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    user = UserSerializer()


class UserDataSerializer(UserSerializer):
    token_claims = serializers.DictField()

    class Meta(UserSerializer.Meta):
        fields = (*UserSerializer.Meta.fields, "token_claims")
        read_only_fields = fields
