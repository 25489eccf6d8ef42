"""simplejwt's messages reach the staff API in Spanish (users/locale/es), the portal's stay English.

simplejwt raises its errors with English strings marked for translation; its own catalog is
not loaded (only its token_blacklist app is installed) and is incomplete, so the users app
ships the Spanish for every one of them.
"""

import ast
import pathlib
from datetime import timedelta

import pytest
import rest_framework_simplejwt
from django.utils import translation
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from tests.conftest import client_for
from tests.factories import UserFactory
from tests.users.conftest import bearer
from users.tokens import issue_tokens

pytestmark = pytest.mark.django_db

GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext"}


def simplejwt_messages() -> set[str]:
    """Every literal simplejwt passes to gettext, read from its installed source."""
    root = pathlib.Path(rest_framework_simplejwt.__file__).parent
    messages = set()
    for source in root.rglob("*.py"):
        if "migrations" in source.parts:
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in GETTEXT_NAMES
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                messages.add(node.args[0].value)
    return messages


def test_every_simplejwt_message_has_a_spanish_translation():
    # given every message of the installed simplejwt
    messages = simplejwt_messages()
    assert "Token is invalid" in messages  # the scan does find them

    # when each is translated as the staff API does
    with translation.override("es"):
        untranslated = sorted(message for message in messages if translation.gettext(message) == message)

    # then none is left in English
    assert untranslated == []


def test_a_header_without_the_token_is_refused_in_spanish():
    # when the Authorization header has three parts
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer dos partes")
    response = client.get("/api/users/auth/validate-token/")

    # then 401 with simplejwt's code, in Spanish
    assert response.status_code == 401
    assert response.json() == {
        "detail": "El encabezado Authorization debe tener dos valores separados por un espacio (Bearer <token>).",
        "code": "bad_authorization_header",
    }


def test_a_refresh_token_used_as_access_token_is_refused_in_spanish():
    # when a refresh token is sent as the Bearer token
    response = bearer(str(issue_tokens(UserFactory()))).get("/api/me/")

    # then 401 naming the wrong type, in Spanish
    assert response.status_code == 401
    assert response.json() == {
        "detail": "El token no es válido para ningún tipo de token.",
        "code": "token_not_valid",
        "messages": [
            {"token_class": "AccessToken", "token_type": "access", "message": "El token no es del tipo esperado."}
        ],
    }


def test_no_credentials_are_refused_in_spanish(api_client):
    # when no Authorization header is sent
    response = api_client.get("/api/me/")

    # then DRF's 401, in Spanish
    assert response.status_code == 401
    assert response.json() == {"detail": "Las credenciales de autenticación no se proveyeron."}


@pytest.mark.parametrize(
    ("make_refresh", "reason"),
    [
        (lambda user: "no-es-un-jwt", "El token no es válido."),
        (lambda user: str(issue_tokens(user).access_token), "El token no es del tipo esperado."),
        (lambda user: _expired_refresh(user), "El token ha expirado."),
    ],
)
def test_refresh_with_a_bad_token_is_refused_in_spanish(api_client, make_refresh, reason):
    # when a token that cannot be refreshed is sent
    response = api_client.post("/api/users/auth/refresh/", {"refresh": make_refresh(UserFactory())}, format="json")

    # then 401, in Spanish
    assert response.status_code == 401
    assert response.json() == {"detail": f"Token de refresco inválido: {reason}"}


def _expired_refresh(user) -> str:
    refresh = RefreshToken.for_user(user)
    refresh.set_exp(lifetime=-timedelta(minutes=1))
    return str(refresh)


def test_logout_with_a_blacklisted_refresh_token_is_refused_in_spanish():
    # given a user whose refresh token was already blacklisted
    user = UserFactory()
    old = issue_tokens(user)
    old.blacklist()

    # when they log out with it
    response = client_for(user).post("/api/users/auth/logout/", {"refresh": str(old)}, format="json")

    # then 400 with the same code, in Spanish
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Token de refresco inválido: El token fue revocado.",
        "code": "token_not_valid",
        "refresh": ["Token inválido o ya revocado."],
    }


@pytest.mark.parametrize("authorization", ["Bearer no-es-un-jwt", "Bearer dos partes", "expired"])
def test_the_tenant_portal_answers_its_own_english(authorization):
    # given a bad Authorization header on the portal
    if authorization == "expired":
        token = AccessToken.for_user(UserFactory())
        token.set_exp(lifetime=-timedelta(minutes=1))
        authorization = f"Bearer {token}"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=authorization)

    # when a portal route is called
    response = client.get("/api/tenant/tickets")

    # then the portal's English 401 (unchanged)
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized", "message": "Unauthenticated."}
