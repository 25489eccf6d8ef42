"""Views of the tenant portal (/api/tenant/..., tenant-portal-api.txt).

Thin: validate -> portal selector/service -> the documented envelope. Every view derives
from `TenantAPIView`: tenant permission, English messages and the portal's error shapes
(`tickethelp.exceptions.tenant_exception_handler`).
"""

from django.contrib.auth import authenticate
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import services as notification_services
from tenants.models import Tenant
from tenants.portal import examples, hot_reads
from tenants.portal import selectors as portal_selectors
from tenants.portal import services as portal_services
from tenants.portal.authentication import PortalTokenAuthentication
from tenants.portal.permissions import IsTenant
from tenants.portal.serializers import (
    MAX_ATTACHMENTS,
    PortalAndroidTicketCreateSerializer,
    PortalApartmentDetailSerializer,
    PortalApartmentResponseSerializer,
    PortalAttachmentDetailSerializer,
    PortalAttachmentsResponseSerializer,
    PortalBuildingDetailSerializer,
    PortalBuildingResponseSerializer,
    PortalCancelSerializer,
    PortalChangePasswordSerializer,
    PortalDeviceSerializer,
    PortalDevicesResponseSerializer,
    PortalDoormanSerializer,
    PortalDoormenResponseSerializer,
    PortalErrorSerializer,
    PortalLoginResponseSerializer,
    PortalLoginSerializer,
    PortalLoginUserSerializer,
    PortalMeResponseSerializer,
    PortalMessageSerializer,
    PortalNotificationReadResponseSerializer,
    PortalNotificationSerializer,
    PortalNotificationsReadResponseSerializer,
    PortalNotificationsResponseSerializer,
    PortalOwnerResponseSerializer,
    PortalPasswordChangedResponseSerializer,
    PortalPersonSerializer,
    PortalSharedDeviceSerializer,
    PortalTenantProfileSerializer,
    PortalTenantSummarySerializer,
    PortalTicketCancelledResponseSerializer,
    PortalTicketCreatedResponseSerializer,
    PortalTicketCreateRequestSerializer,
    PortalTicketCreateSerializer,
    PortalTicketDetailResponseSerializer,
    PortalTicketDetailSerializer,
    PortalTicketFilterSerializer,
    PortalTicketListResponseSerializer,
    PortalTicketSerializer,
)
from tenants.portal.throttles import PasswordResetRequestThrottle
from tickethelp import idempotency
from tickethelp.base64_uploads import MalformedBase64, decode_base64_upload
from tickethelp.etags import IF_NONE_MATCH, NOT_MODIFIED, ConditionalGetMixin
from tickethelp.exceptions import (
    TENANT_STATUS_MESSAGES,
    Conflict,
    DomainError,
    NotFound,
    tenant_error_response,
    tenant_exception_handler,
)
from tickethelp.openapi import TENANT_ERRORS, tenant_errors
from tickethelp.uploads import UploadRejected
from tickets import services as ticket_services
from users import services as user_services
from users.throttles import LoginEmailThrottle, LoginIPThrottle, PasswordCheckThrottle

TAGS = ["Portal de residentes"]
LOGIN_FAILED = "The provided credentials are incorrect."
TICKET_CREATED = "Ticket created successfully"
TICKET_CREATED_WITH_ATTACHMENTS = "Ticket created successfully with attachments"
# The tickets service's refusals, in the portal's words (matched by code).
CANCEL_REFUSALS = {
    "ticket_final": "The ticket is already closed and cannot be cancelled.",
    "ticket_not_cancellable": "Only open tickets or tickets in diagnosis can be cancelled.",
}

PAGINATION_PARAMETERS = [
    OpenApiParameter(name, OpenApiTypes.INT, required=False, description=description)
    for name, description in (
        ("page", "Page number (from 1)."),
        ("page_size", "Items per page (default 50, max 500)."),
        ("limit", "Items to return (max 500)."),
        ("offset", "Items to skip."),
    )
]
AUTH_ERRORS = tenant_errors(401, 403)
TICKET_NOT_FOUND = tenant_errors(404, examples={404: examples.TICKET_NOT_FOUND})
INVALID_PAGE = tenant_errors(422, examples={422: examples.INVALID_PAGE})


def validated(serializer_class, data, **context) -> dict:
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class TenantAPIView(APIView):
    """Base of every /api/tenant view: tenants only, English messages, portal error shapes."""

    # The caller's user and resident profile in one statement (IsTenant reads the profile).
    authentication_classes = [PortalTokenAuthentication]
    permission_classes = [IsTenant]

    def get_exception_handler(self):
        return tenant_exception_handler

    def dispatch(self, request, *args, **kwargs):
        # The portal's contract is written in English (the staff API speaks Spanish).
        with translation.override("en"):
            return super().dispatch(request, *args, **kwargs)

    @property
    def tenant(self) -> Tenant:
        """The caller's resident profile, loaded once by IsTenant."""
        return self.request.tenant


# CSRF-exempt like the API views it stands in for: without it a POST to an unknown path
# (e.g. /api/tenant/tickets/abc/cancel) got Django's HTML CSRF page instead of this 404.
@csrf_exempt
def tenant_not_found(request, rest: str = ""):
    """Unknown /api/tenant/... paths answer in the portal's shape, too."""
    return tenant_error_response(status.HTTP_404_NOT_FOUND, TENANT_STATUS_MESSAGES[status.HTTP_404_NOT_FOUND])


# --- Authentication --------------------------------------------------------------------------------


class TenantLoginView(TenantAPIView):
    """Only residents log in here (staff and plain clients use /api/users/auth/login/)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginIPThrottle, LoginEmailThrottle]

    @extend_schema(
        operation_id="tenant_login",
        tags=TAGS,
        request=PortalLoginSerializer,
        responses={
            200: PortalLoginResponseSerializer,
            **tenant_errors(400, 422, 429, examples={422: examples.LOGIN_FAILED}),
        },
        examples=[examples.LOGIN_REQUEST, examples.LOGIN_RESPONSE],
        auth=[],
    )
    def post(self, request):
        data = validated(PortalLoginSerializer, request.data)
        user = authenticate(request, email=data["email"], password=data["password"])
        tenant = portal_selectors.tenant_for_user(user=user) if user is not None else None
        if tenant is None:
            raise DomainError(LOGIN_FAILED, code="invalid_credentials", field_errors={"email": [LOGIN_FAILED]})
        token = portal_services.tenant_access_token(user=tenant.user)
        return Response(
            {
                "user": PortalLoginUserSerializer(tenant).data,
                "tenant": PortalTenantSummarySerializer(tenant).data,
                "token": str(token),
            }
        )


class TenantLogoutView(TenantAPIView):
    @extend_schema(
        operation_id="tenant_logout",
        tags=TAGS,
        request=None,
        responses={200: PortalMessageSerializer, **AUTH_ERRORS},
        examples=[examples.LOGOUT_RESPONSE],
    )
    def post(self, request):
        portal_services.tenant_logout(token=request.auth)
        return Response({"message": "Successfully logged out"})


# --- Profile and property --------------------------------------------------------------------------


class TenantMeView(TenantAPIView):
    @extend_schema(
        operation_id="tenant_me",
        tags=TAGS,
        responses={200: PortalMeResponseSerializer, **AUTH_ERRORS},
        examples=[examples.ME_RESPONSE],
    )
    def get(self, request):
        return Response({"tenant": PortalTenantProfileSerializer(self.tenant).data})


class TenantApartmentView(TenantAPIView):
    @extend_schema(
        operation_id="tenant_apartment",
        tags=TAGS,
        responses={200: PortalApartmentResponseSerializer, **AUTH_ERRORS},
        examples=[examples.APARTMENT_RESPONSE],
    )
    def get(self, request):
        others = portal_selectors.apartment_other_tenants(tenant=self.tenant)
        apartment = PortalApartmentDetailSerializer(self.tenant.apartment, context={"other_tenants": others})
        return Response({"apartment": apartment.data})


class TenantBuildingView(TenantAPIView):
    @extend_schema(
        operation_id="tenant_building",
        tags=TAGS,
        responses={200: PortalBuildingResponseSerializer, **AUTH_ERRORS},
        examples=[examples.BUILDING_RESPONSE],
    )
    def get(self, request):
        return Response({"building": PortalBuildingDetailSerializer(self.tenant.apartment.building).data})


class TenantDoormenView(TenantAPIView):
    @extend_schema(
        operation_id="tenant_doormen",
        tags=TAGS,
        responses={200: PortalDoormenResponseSerializer, **AUTH_ERRORS},
        examples=[examples.DOORMEN_RESPONSE],
    )
    def get(self, request):
        doormen = portal_selectors.building_active_doormen(tenant=self.tenant)
        return Response({"doormen": PortalDoormanSerializer(doormen, many=True).data})


class TenantOwnerView(TenantAPIView):
    @extend_schema(
        operation_id="tenant_owner",
        tags=TAGS,
        responses={
            200: PortalOwnerResponseSerializer,
            **AUTH_ERRORS,
            **tenant_errors(404, examples={404: examples.OWNER_NOT_FOUND}),
        },
        examples=[examples.OWNER_RESPONSE],
    )
    def get(self, request):
        owner = portal_selectors.building_owner(tenant=self.tenant)
        return Response({"owner": PortalPersonSerializer(owner).data})


class TenantDevicesView(TenantAPIView):
    @extend_schema(
        operation_id="tenant_devices",
        tags=TAGS,
        responses={200: PortalDevicesResponseSerializer, **AUTH_ERRORS},
        examples=[examples.DEVICES_RESPONSE],
    )
    def get(self, request):
        own, shared = hot_reads.tenant_devices(tenant=self.tenant)
        return Response(
            {
                "own_devices": PortalDeviceSerializer(own, many=True).data,
                "shared_devices": PortalSharedDeviceSerializer(shared, many=True).data,
            }
        )


# --- Tickets ---------------------------------------------------------------------------------------


def _ticket_input(request) -> dict:
    """The create body from multipart (files under `attachments[]` or `attachments`) or JSON."""
    data = request.data
    if not hasattr(data, "get"):
        raise ValidationError({"non_field_errors": ["The body must be multipart/form-data (or a JSON object)."]})
    fields = ("device_id", "category", "title", "description", "priority")
    body = {name: data.get(name) for name in fields if name in data}
    if hasattr(data, "getlist"):
        files = data.getlist("attachments[]") + data.getlist("attachments")
        if files:
            body["attachments"] = files
    else:
        raw = data.get("attachments", data.get("attachments[]"))
        if raw is not None:
            body["attachments"] = raw
    return body


class TenantTicketsView(ConditionalGetMixin, TenantAPIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="tenant_tickets_list",
        tags=TAGS,
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                required=False,
                enum=["all", "open", "in_progress", "resolved", "closed", "cancelled"],
                description="Filter by the ticket's portal status (default: all).",
            ),
            *PAGINATION_PARAMETERS,
            IF_NONE_MATCH,
        ],
        responses={
            200: PortalTicketListResponseSerializer,
            **NOT_MODIFIED,
            **AUTH_ERRORS,
            **tenant_errors(422, examples={422: examples.INVALID_STATUS}),
        },
        examples=[examples.TICKETS_RESPONSE],
        description="Without a paging parameter (`page`, `page_size`, `limit`, `offset`) every ticket of the "
        "resident is returned, up to the server's MAX_UNPAGED_RESULTS (default 5000); beyond that, the first "
        "page of 50. `total_tickets` is always the full count.",
    )
    def get(self, request):
        query = validated(PortalTicketFilterSerializer, request.query_params)
        portal_status = None if query["status"] == "all" else query["status"]
        # The app shows every ticket: no paging parameter = the whole list (bounded by
        # MAX_UNPAGED_RESULTS, past which the first page).
        rows, total = hot_reads.tenant_tickets_page(tenant=self.tenant, portal_status=portal_status, request=request)
        return Response({"tickets": rows, "total_tickets": total})

    @extend_schema(
        operation_id="tenant_tickets_create",
        tags=TAGS,
        request={"multipart/form-data": PortalTicketCreateRequestSerializer},
        responses={
            201: PortalTicketCreatedResponseSerializer,
            **AUTH_ERRORS,
            **tenant_errors(400, 413, 422, 503, examples={422: examples.TICKET_INVALID}),
        },
        parameters=[idempotency.PARAMETER],
        examples=[examples.TICKET_CREATE_REQUEST, examples.TICKET_CREATED_RESPONSE],
        description='`message` is "Ticket created successfully with attachments" when files were attached, '
        'else "Ticket created successfully".',
    )
    @idempotency.idempotent
    def post(self, request):
        return self.create_ticket(request, validated(PortalTicketCreateSerializer, _ticket_input(request)))

    def create_ticket(self, request, data: dict) -> Response:
        """The create shared by the multipart and the Android (base64) routes."""
        ticket = portal_services.tenant_ticket_create(
            tenant=self.tenant,
            device_id=data["device_id"],
            category=data["category"],
            title=data["title"],
            description=data["description"],
            priority=data["priority"],
            attachments=data["attachments"],
        )
        # The service's instance carries its state, device, technician and the attachments it
        # stored (their expiring URLs are built from the rows): nothing is read back.
        message = TICKET_CREATED_WITH_ATTACHMENTS if data["attachments"] else TICKET_CREATED
        body = PortalTicketSerializer(ticket, context={"request": request}).data
        return Response({"ticket": body, "message": message}, status=status.HTTP_201_CREATED)


ANDROID_FIELD = "attachments_base64"


def _android_attachment(item, position: int):
    """An uploaded file from one `attachments_base64` item (`{name, type, data, size}` or a
    bare string); its `type` and `size` are the client's claims and are not trusted."""
    number = f"#{position + 1}"
    if isinstance(item, dict):
        data, name = item.get("data"), item.get("name")
        name = name if isinstance(name, str) and name else f"attachment-{position + 1}"
    else:
        data, name = item, f"attachment-{position + 1}"
    label = f"The attachment {number} ({name.replace(chr(0), '')[:100]})"
    if not isinstance(data, str):
        raise ValidationError({f"{ANDROID_FIELD}.{position}": [f"{label} must carry its base64 data as a string."]})
    try:
        return decode_base64_upload(data, name=name)
    except MalformedBase64 as exc:
        message = f"{label} is not valid base64: {exc}."
    except UploadRejected as exc:
        message = f"{label} {portal_services.ATTACHMENT_MESSAGES.get(exc.code, 'is not acceptable.')}"
    raise ValidationError({f"{ANDROID_FIELD}.{position}": [message]})


def _android_ticket_input(request) -> tuple[dict, list]:
    """The multipart create's fields from the JSON body, with `attachments_base64` decoded
    into uploaded files (every item checked; nothing decoded when the list is too long)."""
    data = request.data
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": ["The body must be a JSON object."]})
    fields = ("device_id", "category", "title", "description", "priority")
    body = {name: data[name] for name in fields if name in data}
    items = data.get(ANDROID_FIELD)
    if items is None:
        items = []
    if not isinstance(items, list):
        raise ValidationError({ANDROID_FIELD: ["Expected a list of attachments."]})
    if len(items) > MAX_ATTACHMENTS:
        raise ValidationError({ANDROID_FIELD: [f"The attachments may not have more than {MAX_ATTACHMENTS} files."]})
    files, errors = [], {}
    try:
        for position, item in enumerate(items):
            try:
                files.append(_android_attachment(item, position))
            except ValidationError as exc:
                errors.update(exc.detail)
    except BaseException:
        _close_all(files)
        raise
    if errors:
        _close_all(files)
        raise ValidationError(errors)
    body["attachments"] = files
    return body, files


def _close_all(files) -> None:
    for uploaded_file in files:
        uploaded_file.close()


class TenantAndroidTicketsView(TenantTicketsView):
    """The Android app's create: the multipart create's fields as JSON, the files as base64.

    The same serializer, service, checks, limits and answers; the body may be 4/3 of the
    multipart cap (base64), see tickethelp.security."""

    parser_classes = [JSONParser]
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="tenant_tickets_create_android",
        tags=TAGS,
        request=PortalAndroidTicketCreateSerializer,
        responses={
            201: PortalTicketCreatedResponseSerializer,
            **AUTH_ERRORS,
            **tenant_errors(400, 413, 422, 503, examples={422: examples.ANDROID_BASE64_INVALID}),
        },
        examples=[examples.ANDROID_TICKET_CREATE_REQUEST, examples.TICKET_CREATED_RESPONSE],
        description="`attachments_base64` items are `{name, type, data, size}` with `data` plain base64 or a "
        "`data:<type>;base64,` URL (a bare string works too); `type` and `size` are ignored (the type comes from "
        "the bytes, the 20 MB limit applies to the decoded bytes). Malformed base64 is a 422 naming the item "
        "(`attachments_base64.<index>`).",
        parameters=[idempotency.PARAMETER],
    )
    @idempotency.idempotent
    def post(self, request):
        body, files = _android_ticket_input(request)
        try:
            data = validated(PortalTicketCreateSerializer, body)
            try:
                return self.create_ticket(request, data)
            except DomainError as exc:
                # The checks of the decoded files name the field the client sent.
                if "attachments" in exc.field_errors:
                    exc.field_errors[ANDROID_FIELD] = exc.field_errors.pop("attachments")
                raise
        finally:
            _close_all(files)


class TenantTicketDetailView(ConditionalGetMixin, TenantAPIView):
    @extend_schema(
        operation_id="tenant_tickets_detail",
        tags=TAGS,
        parameters=[IF_NONE_MATCH],
        responses={200: PortalTicketDetailResponseSerializer, **NOT_MODIFIED, **AUTH_ERRORS, **TICKET_NOT_FOUND},
        examples=[examples.TICKET_DETAIL_RESPONSE],
    )
    def get(self, request, ticket_id: int):
        ticket = hot_reads.tenant_ticket_detail(tenant=self.tenant, ticket_id=ticket_id)
        return Response({"ticket": PortalTicketDetailSerializer(ticket, context={"request": request}).data})


class TenantTicketAttachmentsView(TenantAPIView):
    @extend_schema(
        operation_id="tenant_tickets_attachments",
        tags=TAGS,
        responses={200: PortalAttachmentsResponseSerializer, **AUTH_ERRORS, **TICKET_NOT_FOUND},
        examples=[examples.ATTACHMENTS_RESPONSE],
    )
    def get(self, request, ticket_id: int):
        ticket = portal_selectors.tenant_ticket_get(tenant=self.tenant, ticket_id=ticket_id)
        attachments = PortalAttachmentDetailSerializer(
            ticket.attachments.all(), many=True, context={"request": request}
        ).data
        body = {"success": True, "ticket_id": ticket.pk, "attachments": attachments, "count": len(attachments)}
        return Response(body)


class TenantTicketCancelView(TenantAPIView):
    @extend_schema(
        operation_id="tenant_tickets_cancel",
        tags=TAGS,
        request=PortalCancelSerializer,
        responses={
            200: PortalTicketCancelledResponseSerializer,
            **AUTH_ERRORS,
            **tenant_errors(
                400, 404, 409, 422, examples={404: examples.TICKET_NOT_FOUND, 409: examples.NOT_CANCELLABLE}
            ),
        },
        examples=[examples.CANCEL_REQUEST, examples.CANCELLED_RESPONSE],
    )
    def post(self, request, ticket_id: int):
        data = validated(PortalCancelSerializer, request.data)
        ticket = portal_selectors.tenant_ticket_get(tenant=self.tenant, ticket_id=ticket_id)
        try:
            ticket_services.ticket_cancel(ticket_id=ticket.pk, actor=request.user, reason=data["reason"])
        except DomainError as exc:
            if exc.code in CANCEL_REFUSALS:
                raise Conflict(CANCEL_REFUSALS[exc.code], code=exc.code) from None
            raise
        ticket = portal_selectors.tenant_ticket_get(tenant=self.tenant, ticket_id=ticket.pk)
        body = PortalTicketDetailSerializer(ticket, context={"request": request}).data
        return Response({"message": "Ticket cancelled successfully", "ticket": body})


# --- Passwords -------------------------------------------------------------------------------------


class TenantChangePasswordView(TenantAPIView):
    throttle_classes = [PasswordCheckThrottle]

    @extend_schema(
        operation_id="tenant_change_password",
        tags=TAGS,
        request=PortalChangePasswordSerializer,
        responses={
            200: PortalPasswordChangedResponseSerializer,
            # The documented `{"error"}` for a wrong current password; a body that cannot be
            # parsed gets the portal's usual `{"error", "message"}`.
            400: OpenApiResponse(
                PortalErrorSerializer,
                description="Current password is incorrect, or the body is malformed",
                examples=[
                    OpenApiExample("Wrong current password", value=examples.WRONG_CURRENT_PASSWORD),
                    OpenApiExample("Malformed body", value=TENANT_ERRORS[400][2]),
                ],
            ),
            **AUTH_ERRORS,
            **tenant_errors(422, 429, examples={422: examples.PASSWORD_MISMATCH}),
        },
        examples=[examples.CHANGE_PASSWORD_REQUEST, examples.PASSWORD_CHANGED_RESPONSE],
    )
    def post(self, request):
        data = validated(PortalChangePasswordSerializer, request.data, user=request.user)
        if not request.user.check_password(data["current_password"]):
            return Response(
                {"error": "Current password is incorrect", "message": "The current password does not match."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token = portal_services.tenant_change_password(
            user=request.user, token=request.auth, new_password=data["new_password"]
        )
        return Response({"message": "Password changed successfully", "token": token})


class TenantResetPasswordRequestView(TenantAPIView):
    throttle_classes = [PasswordResetRequestThrottle]

    @extend_schema(
        operation_id="tenant_reset_password_request",
        tags=TAGS,
        request=None,
        responses={
            200: PortalMessageSerializer,
            **AUTH_ERRORS,
            **tenant_errors(429, examples={429: examples.RESET_THROTTLED}),
        },
        examples=[examples.RESET_REQUESTED_RESPONSE],
        description="E-mails a random temporary password (never the e-mail address); the user must change it.",
    )
    def post(self, request):
        user_services.user_request_password_reset(user=request.user)
        return Response({"message": "Password has been reset. Check your email for the temporary password."})


# --- Notifications ---------------------------------------------------------------------------------


class TenantNotificationsView(ConditionalGetMixin, TenantAPIView):
    @extend_schema(
        operation_id="tenant_notifications",
        tags=TAGS,
        parameters=[*PAGINATION_PARAMETERS, IF_NONE_MATCH],
        responses={200: PortalNotificationsResponseSerializer, **NOT_MODIFIED, **AUTH_ERRORS, **INVALID_PAGE},
        examples=[examples.NOTIFICATIONS_RESPONSE],
    )
    def get(self, request):
        # The page and the counters from one statement.
        notifications, total, unread, offset, limit = hot_reads.tenant_notifications_page(
            user=request.user, request=request
        )
        return Response(
            {
                "success": True,
                "notifications": notifications,
                "total_notifications": total,
                "total_count": total,
                "unread_count": unread,
                "limit": limit,
                "offset": offset,
            }
        )


class TenantNotificationReadView(TenantAPIView):
    @extend_schema(
        operation_id="tenant_notifications_read",
        tags=TAGS,
        request=None,
        responses={
            200: PortalNotificationReadResponseSerializer,
            **AUTH_ERRORS,
            **tenant_errors(404, examples={404: examples.NOTIFICATION_NOT_FOUND}),
        },
        examples=[examples.NOTIFICATION_READ_RESPONSE],
    )
    def post(self, request, notification_id: int):
        if notification_id > portal_selectors.MAX_ID:
            raise NotFound("Notification not found.", code="notification_not_found")
        try:
            notification_services.notification_mark_read(user=request.user, notification_id=notification_id)
        except NotFound:
            raise NotFound("Notification not found.", code="notification_not_found") from None
        # Read back with its ticket, state, device and technician (one query).
        notification = portal_selectors.tenant_notification(user=request.user, notification_id=notification_id)
        return Response(
            {
                "success": True,
                "message": "Notification marked as read",
                "notification": PortalNotificationSerializer(notification).data,
            }
        )


class TenantNotificationsReadAllView(TenantAPIView):
    @extend_schema(
        operation_id="tenant_notifications_mark_all_read",
        tags=TAGS,
        request=None,
        responses={200: PortalNotificationsReadResponseSerializer, **AUTH_ERRORS},
        examples=[examples.ALL_READ_RESPONSE],
    )
    def post(self, request):
        updated = notification_services.notifications_mark_all_read(user=request.user)
        return Response({"success": True, "message": "All notifications marked as read", "updated": updated})
