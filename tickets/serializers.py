"""Input validation and output shapes of the tickets API."""

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tickethelp.serializers import FastOutputMixin, aware_iso
from tickethelp.validation import StorableDateTimeField
from tickets.models import Estado, Priority, RequestStatus, StateChangeRequest, Ticket, TicketAttachment, TicketHistory
from tickets.selectors import occupation_percentage
from users.models import User

MAX_ID = 2**63 - 1


# --- Output shapes -------------------------------------------------------------------------


class UserBriefSerializer(FastOutputMixin, serializers.ModelSerializer):
    """A user inside a ticket (users are referenced by document in this API)."""

    full_name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ("document", "email", "first_name", "last_name", "full_name")
        read_only_fields = fields


class EstadoSerializer(FastOutputMixin, serializers.ModelSerializer):
    """The catalog entry (list and create of `/api/estados/`)."""

    class Meta:
        model = Estado
        fields = ("id", "codigo", "nombre", "es_activo", "es_final", "portal_status")
        read_only_fields = ("id",)


class EstadoBriefSerializer(FastOutputMixin, serializers.ModelSerializer):
    class Meta:
        model = Estado
        fields = ("id", "codigo", "nombre", "es_final", "portal_status")
        read_only_fields = fields


def user_document(relation: str, *, nullable: bool = True) -> serializers.CharField:
    """A ticket's user as the document says it: the user's document (null when unset)."""
    if nullable:
        return serializers.CharField(source=f"{relation}.document", read_only=True, allow_null=True, default=None)
    return serializers.CharField(source=f"{relation}.document", read_only=True)


class SLAStatusSerializer(serializers.Serializer):
    """The schema of a ticket's `sla` key (written by `SLAField`)."""

    first_response_due = serializers.DateTimeField(allow_null=True, help_text="Vence la primera respuesta.")
    resolution_due = serializers.DateTimeField(allow_null=True, help_text="Vence la resolución (hora hábil).")
    approval_due = serializers.DateTimeField(
        allow_null=True, help_text="Vence la aprobación de la solicitud pendiente (null sin solicitud)."
    )
    breached = serializers.ListField(
        child=serializers.ChoiceField(choices=["first_response", "resolution", "approval"]),
        help_text="Relojes cuyo objetivo se incumplió o se está incumpliendo.",
    )
    paused = serializers.BooleanField(help_text="El reloj de resolución está en pausa.")


@extend_schema_field(SLAStatusSerializer)
class SLAField(serializers.Field):
    """The ticket's service-level state (`Ticket.sla`, computed from its clock columns), with
    the dates as every other date of this API. `pure_output`: a function of the value alone,
    so list pages built from rows (tickethelp.rows) call it too."""

    pure_output = True

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)
        self._date = serializers.DateTimeField()

    def to_representation(self, value: dict) -> dict:
        dates = ("first_response_due", "resolution_due", "approval_due")
        # DRF's DateTimeField output; an aware date-time (every one read from the database)
        # written directly, with the current time zone looked up once for the three.
        tz = timezone.get_current_timezone() if settings.USE_TZ else None

        def written(moment):
            if tz is not None and isinstance(moment, datetime) and timezone.is_aware(moment):
                return aware_iso(moment, tz)
            return self._date.to_representation(moment)

        return {
            **{key: None if value[key] is None else written(value[key]) for key in dates},
            "breached": list(value["breached"]),
            "paused": value["paused"],
        }


class TicketSerializer(FastOutputMixin, serializers.ModelSerializer):
    """The document's Ticket, with its keys and types (REAL-CLIENTS.md §1): users by
    document, `estado` by id; the richer state and users are under the `*_detalle` keys."""

    estado = serializers.PrimaryKeyRelatedField(read_only=True)
    administrador = user_document("administrador")
    tecnico = user_document("tecnico")
    cliente = user_document("cliente", nullable=False)
    creado_en = serializers.DateTimeField(source="created_at", read_only=True)
    actualizado_en = serializers.DateTimeField(source="updated_at", read_only=True)
    estado_detalle = EstadoBriefSerializer(source="estado")
    administrador_detalle = UserBriefSerializer(source="administrador", allow_null=True)
    tecnico_detalle = UserBriefSerializer(source="tecnico", allow_null=True)
    cliente_detalle = UserBriefSerializer(source="cliente")
    sla = SLAField()

    class Meta:
        model = Ticket
        fields = (
            "id",
            "code",
            "titulo",
            "descripcion",
            "equipo",
            "fecha",
            "category",
            "priority",
            "estado",
            "administrador",
            "tecnico",
            "cliente",
            "creado_en",
            "actualizado_en",
            "created_at",
            "updated_at",
            "estado_detalle",
            "administrador_detalle",
            "tecnico_detalle",
            "cliente_detalle",
            "sla",
        )
        read_only_fields = fields


class StateChangeRequestSerializer(FastOutputMixin, serializers.ModelSerializer):
    ticket_id = serializers.IntegerField(read_only=True)
    ticket = TicketSerializer()
    from_state = EstadoBriefSerializer()
    to_state = EstadoBriefSerializer()
    requested_by = UserBriefSerializer()
    decided_by = UserBriefSerializer(allow_null=True)

    class Meta:
        model = StateChangeRequest
        fields = (
            "id",
            "ticket_id",
            "ticket",
            "from_state",
            "to_state",
            "reason",
            "status",
            "requested_by",
            "created_at",
            "decided_by",
            "decided_at",
            "rejection_reason",
        )
        read_only_fields = fields


class TicketHistorySerializer(FastOutputMixin, serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display", read_only=True)
    actor = UserBriefSerializer(allow_null=True)
    from_state = EstadoBriefSerializer(allow_null=True)
    to_state = EstadoBriefSerializer(allow_null=True)

    class Meta:
        model = TicketHistory
        fields = ("id", "action", "action_display", "description", "actor", "from_state", "to_state", "created_at")
        read_only_fields = fields


class TicketAttachmentSerializer(FastOutputMixin, serializers.ModelSerializer):
    filename = serializers.CharField(source="original_name", read_only=True)
    url = serializers.SerializerMethodField()
    uploaded_by = UserBriefSerializer()

    class Meta:
        model = TicketAttachment
        fields = ("id", "filename", "mime_type", "size", "url", "uploaded_by", "created_at")
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_url(self, attachment: TicketAttachment) -> str:
        """The authorised download endpoint (never the storage's public URL)."""
        path = reverse(
            "ticket-attachment-download", kwargs={"ticket_id": attachment.ticket_id, "attachment_id": attachment.pk}
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class TechnicianLoadSerializer(FastOutputMixin, serializers.ModelSerializer):
    """An active technician with the load figures of least-busy / active-technicians.

    `id` is the document: the original's users were keyed by it, and the front end posts
    least-busy's `id` back as a ticket's `tecnico`."""

    id = serializers.CharField(source="document", read_only=True)
    tickets_abiertos = serializers.IntegerField(source="open_tickets", read_only=True)
    total_tickets = serializers.IntegerField(read_only=True)
    porcentaje_ocupacion = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = (
            "id",
            "document",
            "email",
            "first_name",
            "last_name",
            "number",
            "tickets_abiertos",
            "total_tickets",
            "porcentaje_ocupacion",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField())
    def get_porcentaje_ocupacion(self, user: User) -> float:
        return occupation_percentage(user.open_tickets)


# --- Input ---------------------------------------------------------------------------------


class TicketCreateSerializer(serializers.Serializer):
    """POST /api/tickets/: users by document; `estado` by id (default: open)."""

    administrador = serializers.CharField(max_length=20, required=False, allow_null=True, allow_blank=True)
    tecnico = serializers.CharField(max_length=20, required=False, allow_null=True, allow_blank=True)
    cliente = serializers.CharField(max_length=20)
    estado = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    titulo = serializers.CharField(max_length=255)
    descripcion = serializers.CharField(max_length=5000)
    equipo = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    fecha = StorableDateTimeField(required=False, allow_null=True)
    category = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, default=Priority.MEDIUM)


class ChangeTechnicianSerializer(serializers.Serializer):
    documento_tecnico = serializers.CharField(max_length=20)


class ChangeStateSerializer(serializers.Serializer):
    to_state = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, allow_null=True, default="")


class ApproveStateSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=(("approve", "Aprobar"), ("reject", "Rechazar")))
    rejection_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, allow_null=True)

    def validate(self, attrs):
        if attrs["action"] == "reject" and not (attrs.get("rejection_reason") or "").strip():
            raise serializers.ValidationError(
                {"rejection_reason": ["Este campo es obligatorio al rechazar una solicitud."]}
            )
        return attrs


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, allow_null=True, default="")


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(max_length=255, allow_empty_file=False)


# --- Documented envelopes (schema only; the views build them) ------------------------------


class TicketListResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    total_tickets = serializers.IntegerField()
    tickets = TicketSerializer(many=True)


class ConsultaResponseSerializer(TicketListResponseSerializer):
    """`tickets/consulta/`: the list, or only `{"message": "No tienes tickets registrados."}`
    when there is none (the documented empty shape), so the list's own keys are optional."""

    total_tickets = serializers.IntegerField(required=False)
    tickets = TicketSerializer(many=True, required=False)


class TicketCreatedResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    ticket = TicketSerializer()


class NewTechnicianSerializer(serializers.Serializer):
    documento = serializers.CharField()
    email = serializers.EmailField()
    nombre = serializers.CharField()


class ChangeTechnicianResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    ticket_id = serializers.IntegerField()
    nuevo_tecnico = NewTechnicianSerializer()


class ActiveTechniciansResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    total_tecnicos = serializers.IntegerField()
    tecnicos = TechnicianLoadSerializer(many=True)


class StateChangedResponseSerializer(serializers.Serializer):
    """Either shape of change-state: applied at once, or a pending request."""

    message = serializers.CharField()
    ticket_id = serializers.IntegerField(required=False)
    new_state = serializers.CharField(required=False)
    request_id = serializers.IntegerField(required=False)
    status = serializers.ChoiceField(choices=[RequestStatus.PENDING + "_approval"], required=False)
    to_state = serializers.CharField(required=False)


class DecisionResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    ticket_id = serializers.IntegerField()
    new_state = serializers.CharField(required=False)
    rejection_reason = serializers.CharField(required=False)


class PendingApprovalsResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    total_pending = serializers.IntegerField()
    requests = StateChangeRequestSerializer(many=True)


class CancelResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    ticket_id = serializers.IntegerField()
    new_state = serializers.CharField()


class HistoryResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    ticket_id = serializers.IntegerField()
    total_history = serializers.IntegerField()
    history = TicketHistorySerializer(many=True)


class AttachmentListResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    ticket_id = serializers.IntegerField()
    total_attachments = serializers.IntegerField()
    attachments = TicketAttachmentSerializer(many=True)


class AttachmentCreatedResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    attachment = TicketAttachmentSerializer()
