"""Views of the "Usuarios" section: validate -> selector/service -> documented body."""

from django.contrib.auth import authenticate
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from tickethelp.exceptions import DomainError
from tickethelp.openapi import staff_errors
from tickethelp.pagination import CompleteArrayPagination
from tickethelp.permissions import IsAdmin
from tickethelp.validation import validated
from users import examples, selectors, services
from users.filters import UserFilter
from users.models import Role, User
from users.serializers import (
    AuthPasswordChangeSerializer,
    ClientLookupSerializer,
    ClientNotFoundSerializer,
    DetailSerializer,
    LoginResponseSerializer,
    LoginSerializer,
    MessageSerializer,
    MessageWithUserSerializer,
    NewPasswordSerializer,
    OwnPasswordChangeSerializer,
    ProfilePictureSerializer,
    RefreshSerializer,
    SelfUpdateSerializer,
    TokenPairSerializer,
    UserAdminUpdateSerializer,
    UserCreateSerializer,
    UserDataSerializer,
    UserSerializer,
    ValidateTokenSerializer,
    is_stored_value,
)
from users.throttles import LoginEmailThrottle, LoginIPThrottle, PasswordCheckThrottle
from users.tokens import (
    SessionEnded,
    SessionRefreshToken,
    end_session,
    issue_tokens,
    revoke_access_token,
    rotate_refresh,
)

AUTH_TAG = ["Usuarios · autenticación"]
USERS_TAG = ["Usuarios"]
ME_TAG = ["Usuarios · perfil propio"]

DOCUMENT_QUERY = OpenApiParameter(
    "user_document",
    str,
    description="Solo ADMIN, solo lectura: consultar los datos de otro usuario.",
    required=False,
)


# Fields that decide who a user is or what they may do: sending one to an endpoint that
# cannot change it is refused (400) rather than silently ignored.
PROTECTED_FIELDS = frozenset(
    {"role", "is_active", "document", "email", "password", "must_change_password", "is_staff", "is_superuser"}
)


def refuse_protected_fields(request, user: User, allowed: tuple[str, ...]) -> None:
    """A protected field this endpoint cannot change is refused only when its value differs
    from `user`'s: the web front end sends back the whole record it read."""
    refused = sorted(
        field
        for field in set(request.data) & (PROTECTED_FIELDS - set(allowed))
        if not is_stored_value(user, field, request.data[field])
    )
    if refused:
        raise DomainError(
            "No puedes modificar estos campos.",
            code="field_not_editable",
            field_errors={field: ["Este campo no se puede modificar."] for field in refused},
        )


# The web front end's settings and user-edit pages send PUT where the document says PATCH:
# the same operation under both methods (the body is the merged record, so partial is fine).
PUT_ALIAS = (
    "Alias de PATCH para los clientes que usan PUT: mismo cuerpo, mismas validaciones y misma "
    "respuesta. Los campos omitidos no cambian, y un campo enviado con el valor que ya tiene no "
    "es un cambio (se puede reenviar el registro completo)."
)


def with_put_alias(**schema):
    """`extend_schema` for a PATCH handler and for its PUT alias (same schema, its own
    description; an explicit `..._partial_update` operation id becomes `..._update`)."""
    put_schema = {**schema, "description": PUT_ALIAS}
    if "operation_id" in schema:
        put_schema["operation_id"] = schema["operation_id"].removesuffix("_partial_update") + "_update"
    return extend_schema(**schema), extend_schema(**put_schema)


def user_body(user: User) -> dict:
    return UserSerializer(user).data


# --- Authentication -----------------------------------------------------------------------


# Errors of the endpoints a user may call on themself and an ADMIN on anyone (PATCH).
SELF_OR_ADMIN_UPDATE_ERRORS = staff_errors(
    400,
    401,
    403,
    404,
    examples={
        400: examples.FIELD_NOT_EDITABLE,
        403: examples.OTHER_USER_FORBIDDEN,
        404: examples.USER_NOT_FOUND,
    },
)


class PublicTokenView(APIView):
    """No authentication runs on these endpoints, yet failures are still 401 (Bearer)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'


class LoginView(PublicTokenView):
    throttle_classes = [LoginIPThrottle, LoginEmailThrottle]

    def throttled(self, request, wait):
        raise Throttled(
            wait=wait,
            detail=f"Demasiados intentos de inicio de sesión. Intenta de nuevo en {int(wait or 0) + 1} segundos.",
        )

    @extend_schema(
        tags=AUTH_TAG,
        request=LoginSerializer,
        responses={
            200: LoginResponseSerializer,
            **staff_errors(400, 401, 429, examples={401: examples.LOGIN_FAILED, 429: examples.LOGIN_THROTTLED}),
        },
        examples=[examples.LOGIN_REQUEST, examples.LOGIN_RESPONSE],
    )
    def post(self, request):
        data = validated(LoginSerializer, request)
        user = authenticate(request, email=data["email"], password=data["password"])
        if user is None:
            raise AuthenticationFailed("Correo o contraseña incorrectos.", code="invalid_credentials")
        refresh = issue_tokens(user, auth_time=timezone.now())
        return Response(
            {
                "refresh": str(refresh),
                "access": str(refresh.access_token),
                "email": user.email,
                "role": user.role,
                "is_active": user.is_active,
                "document": user.document,
                "must_change_password": user.must_change_password,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "user": user_body(user),
            }
        )


class RefreshView(PublicTokenView):
    """Rotate a refresh token within its session: the old one is blacklisted, a new pair is
    returned; a rotated token presented again ends the session (users.tokens.rotate_refresh).

    Both steps follow SIMPLE_JWT (JWT_ROTATE_REFRESH_TOKENS, JWT_BLACKLIST_AFTER_ROTATION);
    without rotation the same refresh token is answered back with a new access token."""

    @extend_schema(
        tags=AUTH_TAG,
        request=RefreshSerializer,
        responses={200: TokenPairSerializer, **staff_errors(400, 401, examples={401: examples.REFRESH_FAILED})},
        examples=[examples.REFRESH_REQUEST, examples.REFRESH_RESPONSE],
    )
    def post(self, request):
        data = validated(RefreshSerializer, request)
        try:
            refresh = SessionRefreshToken(data["refresh"])
            new_refresh = rotate_refresh(refresh)
        except TokenError as exc:
            raise AuthenticationFailed(f"Token de refresco inválido: {exc}", code="token_not_valid") from None
        except SessionEnded:
            raise AuthenticationFailed(
                "La sesión ya no es válida, inicia sesión de nuevo.", code="token_not_valid"
            ) from None
        if new_refresh is refresh:  # rotation turned off: the same refresh token is answered
            return Response({"access": str(refresh.access_token), "refresh": data["refresh"]})
        return Response({"access": str(new_refresh.access_token), "refresh": str(new_refresh)})


class LogoutView(APIView):
    """End the given refresh token's session (every refresh and access token descended from
    that login) and the session of the access token of this request."""

    @extend_schema(
        tags=AUTH_TAG,
        request=RefreshSerializer,
        responses={200: DetailSerializer, **staff_errors(400, 401, examples={400: examples.LOGOUT_INVALID})},
        examples=[examples.REFRESH_REQUEST, examples.LOGOUT_RESPONSE],
    )
    def post(self, request):
        data = validated(RefreshSerializer, request)
        try:
            refresh = SessionRefreshToken(data["refresh"])
            # A rotated-away or revoked token cannot log out anything (the refresh endpoint is
            # where a replay ends its family).
            RefreshToken.check_blacklist(refresh)
        except TokenError as exc:
            raise DomainError(
                f"Token de refresco inválido: {exc}",
                code="token_not_valid",
                field_errors={"refresh": ["Token inválido o ya revocado."]},
            ) from None
        if str(refresh.get("user_id")) != str(request.user.pk):
            raise DomainError(
                "El token de refresco no pertenece a este usuario.",
                code="token_not_owned",
                field_errors={"refresh": ["El token no pertenece a este usuario."]},
            )
        try:
            end_session(refresh)
        except SessionEnded:
            raise DomainError(
                "Token de refresco inválido: la sesión ya terminó.",
                code="token_not_valid",
                field_errors={"refresh": ["Token inválido o ya revocado."]},
            ) from None
        revoke_access_token(request.auth)
        return Response({"detail": "Sesión cerrada correctamente."})


class AuthChangePasswordView(APIView):
    throttle_classes = [PasswordCheckThrottle]

    @extend_schema(
        tags=AUTH_TAG,
        request=AuthPasswordChangeSerializer,
        responses={200: DetailSerializer, **staff_errors(400, 401, 429, examples={400: examples.WRONG_OLD_PASSWORD})},
        examples=[examples.AUTH_CHANGE_PASSWORD_REQUEST, examples.AUTH_CHANGE_PASSWORD_RESPONSE],
    )
    def post(self, request):
        data = validated(AuthPasswordChangeSerializer, request)
        services.check_current_password(
            user=request.user, token=request.auth, given=data["old_password"], field="old_password"
        )
        services.user_set_password(user=request.user, new_password=data["new_password"])
        return Response({"detail": "Contraseña actualizada con éxito"})


class ValidateTokenView(APIView):
    @extend_schema(
        tags=AUTH_TAG,
        responses={200: ValidateTokenSerializer, **staff_errors(401)},
        examples=[examples.VALIDATE_TOKEN_RESPONSE],
    )
    def get(self, request):
        return Response({"valid": True, "user": user_body(request.user)})


class UserDataView(APIView):
    @extend_schema(
        tags=AUTH_TAG,
        responses={200: UserDataSerializer, **staff_errors(401)},
        examples=[examples.USER_DATA_RESPONSE],
    )
    def get(self, request):
        return Response({**user_body(request.user), "token_claims": dict(request.auth.payload)})


# --- Users administration (ADMIN) ----------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        tags=USERS_TAG,
        responses={200: UserSerializer(many=True), **staff_errors(400, 401, 403)},
        examples=[examples.USER_LIST_RESPONSE],
    )
)
class UserListView(ListAPIView):
    """Every user (the web front end resolves names and avatars from the whole array); paging
    only when asked for, and past MAX_UNPAGED_RESULTS (tickethelp.pagination)."""

    permission_classes = [IsAdmin]
    serializer_class = UserSerializer
    filterset_class = UserFilter
    pagination_class = CompleteArrayPagination
    role: str | None = None

    def get_queryset(self):
        return selectors.user_list(role=self.role)

    def list(self, request, *args, **kwargs):
        # The page is read as plain rows (one statement) beside the COUNT, never as instances.
        queryset = self.filter_queryset(self.get_queryset())
        data = self.paginator.paginate_serialized(self.get_serializer_class(), queryset, request)
        return self.paginator.get_paginated_response(data)


class UserCreateView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        tags=USERS_TAG,
        request=UserCreateSerializer,
        responses={
            201: MessageWithUserSerializer,
            **staff_errors(400, 401, 403, 409, examples={400: examples.USER_CREATE_INVALID, 409: examples.USER_EXISTS}),
        },
        examples=[examples.USER_CREATE_REQUEST, examples.USER_CREATE_RESPONSE],
    )
    def post(self, request):
        data = validated(UserCreateSerializer, request)
        user = services.user_create(**data)
        return Response(
            {"message": "Usuario creado exitosamente", "user": user_body(user)}, status=status.HTTP_201_CREATED
        )


class UserDetailView(APIView):
    permission_classes = [IsAdmin]
    role: str | None = None

    @extend_schema(
        tags=USERS_TAG,
        responses={200: UserSerializer, **staff_errors(401, 403, 404, examples={404: examples.USER_NOT_FOUND})},
        examples=[examples.USER_RESPONSE],
    )
    def get(self, request, document: str):
        return Response(user_body(selectors.user_get_by_document(document=document, role=self.role)))


class UserDeleteView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        tags=USERS_TAG,
        responses={
            204: None,
            **staff_errors(
                400,
                401,
                403,
                404,
                409,
                examples={
                    400: examples.CANNOT_DELETE_SELF,
                    404: examples.USER_NOT_FOUND,
                    409: examples.USER_DELETE_CONFLICT,
                },
            ),
        },
    )
    def delete(self, request, document: str):
        user = selectors.user_get_by_document(document=document)
        services.user_delete(actor=request.user, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserSetActiveView(APIView):
    permission_classes = [IsAdmin]
    active = True

    @extend_schema(
        tags=USERS_TAG,
        request=None,
        responses={
            200: DetailSerializer,
            **staff_errors(
                400, 401, 403, 404, examples={400: examples.CANNOT_DEACTIVATE_SELF, 404: examples.USER_NOT_FOUND}
            ),
        },
        examples=[examples.USER_ACTIVATED_RESPONSE, examples.USER_DEACTIVATED_RESPONSE],
    )
    def post(self, request, document: str):
        user = selectors.user_get_by_document(document=document)
        services.user_set_active(actor=request.user, user=user, active=self.active)
        return Response({"detail": "Usuario activado." if self.active else "Usuario desactivado."})


PICTURE_PATCH, PICTURE_PUT = with_put_alias(
    tags=USERS_TAG,
    request=ProfilePictureSerializer,
    responses={200: MessageWithUserSerializer, **SELF_OR_ADMIN_UPDATE_ERRORS},
    examples=[examples.PROFILE_PICTURE_REQUEST, examples.PROFILE_PICTURE_RESPONSE],
)


class ProfilePictureView(APIView):
    @PICTURE_PATCH
    def patch(self, request, document: str):
        user = selectors.user_for_self_or_admin(actor=request.user, document=document)
        data = validated(ProfilePictureSerializer, request)
        refuse_protected_fields(request, user, ("profile_picture",))
        user = services.user_update(user=user, data=data, allowed_fields=("profile_picture",))
        return Response({"message": "Foto de perfil actualizada correctamente.", "user": user_body(user)})

    @PICTURE_PUT
    def put(self, request, document: str):
        return self.patch(request, document)


USER_UPDATE_PATCH, USER_UPDATE_PUT = with_put_alias(
    tags=USERS_TAG,
    request=UserAdminUpdateSerializer,
    responses={
        200: MessageWithUserSerializer,
        **staff_errors(
            400,
            401,
            403,
            404,
            409,
            examples={
                400: examples.ACTIVE_NOT_EDITABLE,
                404: examples.USER_NOT_FOUND,
                409: examples.USER_EXISTS,
            },
        ),
    },
    examples=[examples.USER_UPDATE_REQUEST, examples.USER_UPDATE_MERGED_REQUEST, examples.USER_UPDATE_RESPONSE],
)


class UserUpdateView(APIView):
    permission_classes = [IsAdmin]

    @USER_UPDATE_PATCH
    def patch(self, request, document: str):
        user = selectors.user_get_by_document(document=document)
        data = validated(UserAdminUpdateSerializer, request, partial=True)
        refuse_protected_fields(request, user, services.ADMIN_EDITABLE_FIELDS)
        user = services.user_update(user=user, data=data, allowed_fields=services.ADMIN_EDITABLE_FIELDS)
        return Response({"message": "Datos actualizados correctamente.", "user": user_body(user)})

    @USER_UPDATE_PUT
    def put(self, request, document: str):
        return self.patch(request, document)


class ClientLookupView(APIView):
    """Documented 200/404 bodies (`success`, `message`, `data`, ...)."""

    permission_classes = [IsAdmin]

    @extend_schema(
        tags=USERS_TAG,
        responses={
            200: ClientLookupSerializer,
            404: OpenApiResponse(
                ClientNotFoundSerializer,
                description="No hay un cliente con ese documento",
                examples=[OpenApiExample("Cliente inexistente", value=examples.CLIENT_NOT_FOUND)],
            ),
            **staff_errors(401, 403),
        },
        examples=[examples.CLIENT_FOUND_RESPONSE],
    )
    def get(self, request, document: str):
        client = selectors.user_find_by_document(document=document, role=Role.CLIENT)
        if client is None:
            return Response(
                {
                    "success": False,
                    "message": f"El cliente con documento {document} no existe en el sistema",
                    "suggestion": "Debe crear el cliente antes de continuar",
                    "code": "CLIENT_NOT_FOUND",
                    "data": None,
                },
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response({"success": True, "message": "Cliente encontrado exitosamente", "data": user_body(client)})


# --- Own profile (/api/me/...) ------------------------------------------------------------


def update_profile(*, actor: User, user: User, request) -> Response:
    """ADMINs edit every administrative field; everyone else only their own profile fields."""
    if actor.role == Role.ADMIN:
        data = validated(UserAdminUpdateSerializer, request, partial=True)
        allowed = services.ADMIN_EDITABLE_FIELDS
    else:
        data = validated(SelfUpdateSerializer, request, partial=True)
        allowed = services.SELF_EDITABLE_FIELDS
    refuse_protected_fields(request, user, allowed)
    user = services.user_update(user=user, data=data, allowed_fields=allowed)
    return Response({"message": "Datos actualizados correctamente.", "user": user_body(user)})


ME_PATCH, ME_PUT = with_put_alias(
    operation_id="me_partial_update",
    tags=ME_TAG,
    parameters=[DOCUMENT_QUERY],
    request=SelfUpdateSerializer,
    responses={
        200: MessageWithUserSerializer,
        **staff_errors(400, 401, 403, examples={400: examples.FIELD_NOT_EDITABLE, 403: examples.IMPERSONATION_DENIED}),
    },
    examples=[examples.ME_UPDATE_REQUEST, examples.ME_UPDATE_MERGED_REQUEST, examples.ME_UPDATE_RESPONSE],
)
ME_BY_DOCUMENT_PATCH, ME_BY_DOCUMENT_PUT = with_put_alias(
    operation_id="me_by_document_partial_update",
    tags=ME_TAG,
    request=SelfUpdateSerializer,
    responses={200: MessageWithUserSerializer, **SELF_OR_ADMIN_UPDATE_ERRORS},
    examples=[examples.ME_UPDATE_REQUEST, examples.ME_UPDATE_MERGED_REQUEST, examples.ME_UPDATE_RESPONSE],
)


class MeView(APIView):
    @extend_schema(
        operation_id="me_retrieve",
        tags=ME_TAG,
        parameters=[DOCUMENT_QUERY],
        responses={
            200: UserSerializer,
            **staff_errors(401, 403, 404, examples={403: examples.IMPERSONATION_DENIED, 404: examples.USER_NOT_FOUND}),
        },
        examples=[examples.USER_RESPONSE],
    )
    def get(self, request):
        return Response(user_body(selectors.subject_user(request=request)))

    @ME_PATCH
    def patch(self, request):
        user = selectors.subject_user(request=request)
        return update_profile(actor=request.user, user=user, request=request)

    @ME_PUT
    def put(self, request):
        return self.patch(request)


class MeDetailView(APIView):
    @extend_schema(
        operation_id="me_by_document_retrieve",
        tags=ME_TAG,
        responses={
            200: UserSerializer,
            **staff_errors(401, 403, 404, examples={403: examples.OTHER_USER_FORBIDDEN, 404: examples.USER_NOT_FOUND}),
        },
        examples=[examples.USER_RESPONSE],
    )
    def get(self, request, document: str):
        return Response(user_body(selectors.user_for_self_or_admin(actor=request.user, document=document)))

    @ME_BY_DOCUMENT_PATCH
    def patch(self, request, document: str):
        user = selectors.user_for_self_or_admin(actor=request.user, document=document)
        return update_profile(actor=request.user, user=user, request=request)

    @ME_BY_DOCUMENT_PUT
    def put(self, request, document: str):
        return self.patch(request, document)


class MeChangePasswordView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [PasswordCheckThrottle]

    @extend_schema(
        tags=ME_TAG,
        request=OwnPasswordChangeSerializer,
        responses={
            200: MessageSerializer,
            **staff_errors(
                400, 401, 403, 429, examples={400: examples.WRONG_CURRENT_PASSWORD, 403: examples.IMPERSONATION_DENIED}
            ),
        },
        examples=[examples.OWN_PASSWORD_REQUEST, examples.OWN_PASSWORD_RESPONSE],
    )
    def post(self, request):
        # A `?user_document=` naming someone else is refused, never silently ignored.
        selectors.subject_user(request=request)
        data = validated(OwnPasswordChangeSerializer, request)
        services.check_current_password(
            user=request.user, token=request.auth, given=data.get("current_password"), field="current_password"
        )
        # As documented ("vuelve a iniciar sesión"), every session ends, this one included.
        services.user_set_password(user=request.user, new_password=data["new_password"])
        return Response({"message": "Contraseña actualizada correctamente, vuelve a iniciar sesión."})


class AdminChangePasswordView(APIView):
    """An ADMIN sets anyone's password. Their own is an own-password change: the same proof
    as /api/me/change-password/ (current password or a recent login), counted by the same
    per-user throttle."""

    permission_classes = [IsAdmin]

    def get_throttles(self):
        if self.kwargs.get("document") == getattr(self.request.user, "document", None):
            return [PasswordCheckThrottle()]
        return []

    @extend_schema(
        operation_id="me_change_password_by_document",
        tags=ME_TAG,
        request=OwnPasswordChangeSerializer,
        responses={
            200: MessageSerializer,
            **staff_errors(400, 401, 403, 404, 429, examples={404: examples.USER_NOT_FOUND}),
        },
        examples=[examples.ADMIN_PASSWORD_REQUEST, examples.ADMIN_PASSWORD_RESPONSE],
    )
    def post(self, request, document: str):
        user = selectors.user_get_by_document(document=document)
        own = user.pk == request.user.pk
        data = validated(OwnPasswordChangeSerializer if own else NewPasswordSerializer, request)
        if own:
            services.check_current_password(
                user=request.user, token=request.auth, given=data.get("current_password"), field="current_password"
            )
        # A password an admin typed is known to the admin: the owner must replace it.
        services.user_set_password(user=user, new_password=data["new_password"], must_change=not own)
        return Response({"message": "Contraseña actualizada. Vuelve a iniciar sesión."})
