"""Input validation and output shapes of the tenant portal (tenant-portal-api.txt).

Optional texts and pictures are served as `string|null`: an empty value is null.
"""

from pathlib import PurePosixPath

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from conversations.selectors import timeline_entry
from tenants.portal.selectors import MAX_ID
from tickethelp.serializers import FastOutputMixin, utc_z_iso
from tickets.attachment_urls import attachment_url
from tickets.models import PortalStatus, Priority, Ticket, TicketAttachment

MAX_ATTACHMENTS = 5
STATUS_FILTERS = ("all", *PortalStatus.values)


class BlankAsNullField(serializers.CharField):
    """A read-only text that is null when empty."""

    pure_output = True  # to_representation depends on the value only (tickethelp/serializers.py)

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return str(value) if value else None


class UtcDateTimeField(serializers.DateTimeField):
    """A read-only date-time as the portal's document writes it: `2024-01-15T10:30:00.000000Z`
    (UTC whatever TIME_ZONE says, microseconds always present)."""

    pure_output = True  # the row plans and FastOutputMixin call to_representation as is

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        if not value:
            return None
        if isinstance(value, str):
            return value
        return utc_z_iso(value)


# --- Common errors ---------------------------------------------------------------------------------


class PortalMessageSerializer(serializers.Serializer):
    message = serializers.CharField()


class PortalErrorSerializer(serializers.Serializer):
    """An answer documented as `{"error"}` alone (a wrong current password); the portal's
    other failures add `message` ("Error General")."""

    error = serializers.CharField()
    message = serializers.CharField(required=False)


# --- People and property ---------------------------------------------------------------------------


class PortalPersonSerializer(FastOutputMixin, serializers.Serializer):
    """Owner, doorman or another resident as the portal shows them."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True)
    phone = BlankAsNullField()
    photo = BlankAsNullField()


class PortalDoormanSerializer(PortalPersonSerializer):
    shift = serializers.CharField(read_only=True)


class PortalBuildingSerializer(FastOutputMixin, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    address = BlankAsNullField()
    description = BlankAsNullField()
    location_link = BlankAsNullField()
    image = BlankAsNullField()


class PortalBuildingDetailSerializer(PortalBuildingSerializer):
    managing_company = BlankAsNullField()
    status = serializers.BooleanField(read_only=True)
    owner = PortalPersonSerializer(read_only=True, allow_null=True)


class PortalApartmentSerializer(FastOutputMixin, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    ubicacion = BlankAsNullField()
    building = PortalBuildingSerializer(read_only=True)


class PortalApartmentDetailSerializer(PortalApartmentSerializer):
    """The apartment with the *other* residents, given as `other_tenants` in the context."""

    status = serializers.BooleanField(read_only=True)
    other_tenants = serializers.SerializerMethodField()

    @extend_schema_field(PortalPersonSerializer(many=True))
    def get_other_tenants(self, apartment) -> list[dict]:
        return PortalPersonSerializer(self.context["other_tenants"], many=True).data


class PortalTenantSerializer(PortalPersonSerializer):
    """A resident: the same public fields as any person of the building."""


class PortalTenantSummarySerializer(PortalTenantSerializer):
    apartment_id = serializers.IntegerField(read_only=True)


class PortalTenantProfileSerializer(PortalTenantSerializer):
    apartment = PortalApartmentSerializer(read_only=True)


class PortalLoginUserSerializer(serializers.Serializer):
    """The `user` of the login answer, read from the tenant profile."""

    id = serializers.IntegerField(source="user.id", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    email = serializers.CharField(source="user.email", read_only=True)
    tenant_id = serializers.IntegerField(source="id", read_only=True)
    must_change_password = serializers.BooleanField(source="user.must_change_password", read_only=True)


# --- Devices ---------------------------------------------------------------------------------------


class PortalNameDeviceSerializer(FastOutputMixin, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    status = serializers.BooleanField(read_only=True)


class PortalDeviceSerializer(FastOutputMixin, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    status = serializers.BooleanField(read_only=True)
    ubicacion = BlankAsNullField()
    brand = BlankAsNullField()
    model = BlankAsNullField()
    system = BlankAsNullField()
    device_type = BlankAsNullField()
    icon_id = BlankAsNullField()
    name_device = PortalNameDeviceSerializer(read_only=True, allow_null=True)


class PortalDeviceOwnerSerializer(FastOutputMixin, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True)


class PortalSharedDeviceSerializer(PortalDeviceSerializer):
    """A device shared with the tenant; `owner` is its first owner (by id), null if none."""

    owner = serializers.SerializerMethodField()

    @extend_schema_field(PortalDeviceOwnerSerializer(allow_null=True))
    def get_owner(self, device) -> dict | None:
        owners = device.owners_by_id
        return PortalDeviceOwnerSerializer(owners[0]).data if owners else None


# --- Tickets ---------------------------------------------------------------------------------------


class PortalAttachmentSerializer(FastOutputMixin, serializers.ModelSerializer):
    """`path` is the storage name; `url` an expiring link (signed, or presigned by the storage)."""

    filename = serializers.CharField(source="original_name", read_only=True)
    path = serializers.CharField(source="file.name", read_only=True)
    url = serializers.SerializerMethodField()
    created_at = UtcDateTimeField()

    class Meta:
        model = TicketAttachment
        fields = ("id", "filename", "path", "url", "mime_type", "size", "created_at")
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, attachment: TicketAttachment) -> str:
        return attachment_url(attachment, request=self.context.get("request"))


class PortalAttachmentDetailSerializer(PortalAttachmentSerializer):
    """An attachment as the app's attachments screen reads it (REAL-CLIENTS.md §2): today's
    keys plus the original system's names for them."""

    original_name = serializers.CharField(read_only=True)
    file_name = serializers.SerializerMethodField(help_text="The stored file's name.")
    file_path = serializers.CharField(source="file.name", read_only=True, help_text="The storage path.")
    full_url = serializers.SerializerMethodField(help_text="Absolute, expiring link to the file (as `url`).")
    file_size = serializers.IntegerField(source="size", read_only=True, help_text="Bytes.")
    uploaded_at = UtcDateTimeField(source="created_at")
    is_image = serializers.SerializerMethodField()
    is_video = serializers.SerializerMethodField()

    class Meta(PortalAttachmentSerializer.Meta):
        fields = (
            *PortalAttachmentSerializer.Meta.fields,
            "original_name",
            "file_name",
            "file_path",
            "full_url",
            "file_size",
            "uploaded_at",
            "is_image",
            "is_video",
        )
        read_only_fields = fields

    def get_file_name(self, attachment: TicketAttachment) -> str:
        return PurePosixPath(attachment.file.name).name

    @extend_schema_field(OpenApiTypes.URI)
    def get_full_url(self, attachment: TicketAttachment) -> str:
        return attachment_url(attachment, request=self.context.get("request"))

    def get_is_image(self, attachment: TicketAttachment) -> bool:
        return attachment.mime_type.startswith("image/")

    def get_is_video(self, attachment: TicketAttachment) -> bool:
        return attachment.mime_type.startswith("video/")


class PortalTicketDeviceSerializer(FastOutputMixin, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    brand = BlankAsNullField()
    model = BlankAsNullField()
    system = BlankAsNullField()
    device_type = BlankAsNullField()


class PortalTicketDeviceDetailSerializer(PortalTicketDeviceSerializer):
    ubicacion = BlankAsNullField()


class PortalTechnicianSerializer(FastOutputMixin, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True)
    email = serializers.CharField(read_only=True)
    phone = BlankAsNullField(source="number")


class PortalHistorySerializer(FastOutputMixin, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    action = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    user_name = serializers.SerializerMethodField()
    created_at = UtcDateTimeField()

    def get_user_name(self, history) -> str:
        return history.actor.get_full_name() if history.actor_id else "System"


class PortalTicketSerializer(FastOutputMixin, serializers.Serializer):
    """A ticket as the tenant sees it; `status` is the state's portal name."""

    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    title = serializers.CharField(source="titulo", read_only=True)
    description = serializers.CharField(source="descripcion", read_only=True)
    category = serializers.CharField(read_only=True)
    # A plain string in the schema: the "status" enum name is taken by other choice sets.
    status = serializers.CharField(
        source="estado.portal_status", read_only=True, help_text="open | in_progress | resolved | closed | cancelled"
    )
    priority = serializers.ChoiceField(choices=Priority.choices, read_only=True)
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()
    device = PortalTicketDeviceSerializer(read_only=True, allow_null=True)
    technical = PortalTechnicianSerializer(source="tecnico", read_only=True, allow_null=True)
    attachments = PortalAttachmentSerializer(many=True, read_only=True)


class PortalTicketListItemSerializer(PortalTicketSerializer):
    histories_count = serializers.IntegerField(read_only=True)


class PortalTicketDetailSerializer(PortalTicketSerializer):
    device = PortalTicketDeviceDetailSerializer(read_only=True, allow_null=True)
    expected_resolution_at = UtcDateTimeField(
        allow_null=True,
        help_text="Fecha esperada de resolución según el nivel de servicio (null si está cerrado o no tiene).",
    )
    histories = serializers.SerializerMethodField()

    @extend_schema_field(PortalHistorySerializer(many=True))
    def get_histories(self, ticket: Ticket) -> list[dict]:
        """History rows and public messages (prefetched as `public_messages` by the portal's
        selector: internal notes never), one timeline, oldest first."""
        entries = [(row.created_at, 0, row.pk, row) for row in ticket.history.all()]
        entries += [
            (message.created_at, 1, message.pk, timeline_entry(message))
            for message in getattr(ticket, "public_messages", ())
        ]
        entries.sort(key=lambda entry: entry[:3])
        return [PortalHistorySerializer.represent(entry[3], self.context) for entry in entries]


# --- Notifications ---------------------------------------------------------------------------------


class PortalNotificationSerializer(FastOutputMixin, serializers.Serializer):
    """A notification; `is_read`, `notification_type` and the `ticket_*` keys are the app's
    names (REAL-CLIENTS.md §2), `read` and `type` the earlier ones. The ticket's keys, its
    device and technician are null when the notification is about no ticket."""

    id = serializers.IntegerField(read_only=True)
    type = serializers.CharField(source="tipo.codigo", read_only=True)
    notification_type = serializers.CharField(source="tipo.codigo", read_only=True)
    title = serializers.CharField(source="titulo", read_only=True)
    message = serializers.CharField(source="mensaje", read_only=True)
    ticket_id = serializers.IntegerField(read_only=True, allow_null=True)
    ticket_code = serializers.CharField(source="ticket.code", read_only=True, allow_null=True, default=None)
    ticket_title = serializers.CharField(source="ticket.titulo", read_only=True, allow_null=True, default=None)
    ticket_status = serializers.CharField(
        source="ticket.estado.portal_status",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The ticket's portal status: open | in_progress | resolved | closed | cancelled",
    )
    device = PortalTicketDeviceSerializer(source="ticket.device", read_only=True, allow_null=True, default=None)
    technical = PortalTechnicianSerializer(source="ticket.tecnico", read_only=True, allow_null=True, default=None)
    read = serializers.BooleanField(source="leida", read_only=True)
    is_read = serializers.BooleanField(source="leida", read_only=True)
    read_at = UtcDateTimeField(source="fecha_lectura", allow_null=True)
    created_at = UtcDateTimeField(source="fecha_creacion")
    data = serializers.JSONField(source="datos_adicionales", read_only=True)


# --- Inputs ----------------------------------------------------------------------------------------


class PortalLoginSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class PortalTicketFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=STATUS_FILTERS, required=False, default="all")


class PortalTicketCreateSerializer(serializers.Serializer):
    device_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    category = serializers.CharField(max_length=Ticket._meta.get_field("category").max_length)
    # The documented limit (255) is the column's.
    title = serializers.CharField(max_length=Ticket._meta.get_field("titulo").max_length)
    description = serializers.CharField(max_length=Ticket._meta.get_field("descripcion").max_length)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, default=Priority.MEDIUM)
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=MAX_ATTACHMENTS,
        error_messages={"max_length": f"The attachments may not have more than {MAX_ATTACHMENTS} files."},
    )


class PortalTicketCreateRequestSerializer(PortalTicketCreateSerializer):
    """The multipart body as documented: files under `attachments[]` (plain `attachments` works too)."""

    def get_fields(self):
        fields = super().get_fields()
        fields["attachments[]"] = fields.pop("attachments")
        return fields


class PortalAndroidAttachmentSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, help_text="Display name of the file.")
    type = serializers.CharField(required=False, help_text="Declared MIME type (ignored: sniffed from the bytes).")
    data = serializers.CharField(help_text="Plain base64, or a `data:<type>;base64,` URL.")
    size = serializers.IntegerField(required=False, help_text="Declared size (ignored: the decoded size counts).")


class PortalAndroidTicketCreateSerializer(serializers.Serializer):
    """The Android app's JSON create (documentation only: the view decodes the files and
    validates the rest with PortalTicketCreateSerializer)."""

    device_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    category = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    attachments_base64 = PortalAndroidAttachmentSerializer(many=True, required=False, max_length=MAX_ATTACHMENTS)


class PortalCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class PortalChangePasswordSerializer(serializers.Serializer):
    """Pass the user as `context["user"]`: Django's password validators compare against it."""

    current_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(
        min_length=8,
        max_length=128,
        trim_whitespace=False,
        error_messages={"min_length": "The new password must be at least 8 characters."},
    )
    new_password_confirmation = serializers.CharField(max_length=128, trim_whitespace=False)

    def validate_new_password_confirmation(self, value: str) -> str:
        # Checked per field, so that a short password and a mismatch are reported together.
        if value != self.initial_data.get("new_password"):
            raise serializers.ValidationError("The new password confirmation does not match.")
        return value

    def validate(self, attrs):
        try:
            password_validation.validate_password(attrs["new_password"], user=self.context["user"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"new_password": list(exc.messages)}) from None
        return attrs


# --- Response envelopes (for the OpenAPI document) -------------------------------------------------


class PortalLoginResponseSerializer(serializers.Serializer):
    user = PortalLoginUserSerializer()
    tenant = PortalTenantSummarySerializer()
    token = serializers.CharField()


class PortalMeResponseSerializer(serializers.Serializer):
    tenant = PortalTenantProfileSerializer()


class PortalDevicesResponseSerializer(serializers.Serializer):
    own_devices = PortalDeviceSerializer(many=True)
    shared_devices = PortalSharedDeviceSerializer(many=True)


class PortalTicketListResponseSerializer(serializers.Serializer):
    tickets = PortalTicketListItemSerializer(many=True)
    total_tickets = serializers.IntegerField()


class PortalTicketCreatedResponseSerializer(serializers.Serializer):
    ticket = PortalTicketSerializer()
    message = serializers.CharField()


class PortalTicketDetailResponseSerializer(serializers.Serializer):
    ticket = PortalTicketDetailSerializer()


class PortalAttachmentsResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    ticket_id = serializers.IntegerField()
    attachments = PortalAttachmentDetailSerializer(many=True)
    count = serializers.IntegerField()


class PortalTicketCancelledResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    ticket = PortalTicketDetailSerializer()


class PortalApartmentResponseSerializer(serializers.Serializer):
    apartment = PortalApartmentDetailSerializer()


class PortalBuildingResponseSerializer(serializers.Serializer):
    building = PortalBuildingDetailSerializer()


class PortalDoormenResponseSerializer(serializers.Serializer):
    doormen = PortalDoormanSerializer(many=True)


class PortalOwnerResponseSerializer(serializers.Serializer):
    owner = PortalPersonSerializer()


class PortalPasswordChangedResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    token = serializers.CharField(
        help_text="The token to go on using: the one that made the change, which keeps working while "
        "the resident's other logins end."
    )


class PortalNotificationsResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    notifications = PortalNotificationSerializer(many=True)
    total_notifications = serializers.IntegerField()
    total_count = serializers.IntegerField(help_text="All of the resident's notifications (as total_notifications).")
    unread_count = serializers.IntegerField(help_text="Those not read yet.")
    limit = serializers.IntegerField(help_text="The page size used.")
    offset = serializers.IntegerField(help_text="The rows skipped.")


class PortalNotificationReadResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    notification = PortalNotificationSerializer()


class PortalNotificationsReadResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    updated = serializers.IntegerField()
