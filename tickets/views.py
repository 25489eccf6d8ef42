"""Views of the "Tickets" section: validate -> selector/service -> documented envelope."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from tickethelp import idempotency
from tickethelp.exceptions import NotFound
from tickethelp.openapi import staff_errors
from tickethelp.pagination import MAX_PAGE_SIZE, paginate_serialized
from tickethelp.permissions import IsAdmin, IsAdminOrTechnician, IsTechnician
from tickethelp.uploads import private_download
from tickethelp.validation import validated
from tickets import examples, selectors, services
from tickets.filters import TicketFilter
from tickets.permissions import IsActiveUser, IsAdminListingTickets, IsAdminOrClient
from tickets.serializers import (
    ActiveTechniciansResponseSerializer,
    ApproveStateSerializer,
    AttachmentCreatedResponseSerializer,
    AttachmentListResponseSerializer,
    AttachmentUploadSerializer,
    CancelResponseSerializer,
    CancelSerializer,
    ChangeStateSerializer,
    ChangeTechnicianResponseSerializer,
    ChangeTechnicianSerializer,
    ConsultaResponseSerializer,
    DecisionResponseSerializer,
    EstadoSerializer,
    HistoryResponseSerializer,
    PendingApprovalsResponseSerializer,
    StateChangedResponseSerializer,
    StateChangeRequestSerializer,
    TechnicianLoadSerializer,
    TicketAttachmentSerializer,
    TicketCreatedResponseSerializer,
    TicketCreateSerializer,
    TicketHistorySerializer,
    TicketListResponseSerializer,
    TicketSerializer,
)
from users.models import Role
from users.selectors import subject_user

TICKETS_TAG = ["Tickets"]
WORKFLOW_TAG = ["Tickets · flujo de estados"]
ESTADOS_TAG = ["Tickets · estados"]
FILES_TAG = ["Tickets · adjuntos"]

NO_TICKETS_MESSAGE = "No tienes tickets registrados."


def _int_param(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.INT, description=description, required=False)


PAGINATION_PARAMETERS = [
    _int_param("page", "Página (desde 1)."),
    _int_param("page_size", f"Elementos por página (máx. {MAX_PAGE_SIZE})."),
    _int_param("limit", f"Elementos a devolver (máx. {MAX_PAGE_SIZE})."),
    _int_param("offset", "Elementos a saltar."),
]
FILTER_TYPES = {"estado": OpenApiTypes.INT, "es_final": OpenApiTypes.BOOL, "sin_tecnico": OpenApiTypes.BOOL}
FILTER_PARAMETERS = [
    OpenApiParameter(name, FILTER_TYPES.get(name, OpenApiTypes.STR), description=str(f.label or name), required=False)
    for name, f in TicketFilter.base_filters.items()
]
USER_DOCUMENT_PARAMETER = OpenApiParameter(
    "user_document",
    OpenApiTypes.STR,
    required=False,
    description="Solo ADMIN y solo en lecturas: consultar los tickets de otro usuario. "
    "Cualquier otro uso con un documento ajeno es 403.",
)
ERRORS = staff_errors(400, 401, 403)
NOT_FOUND = staff_errors(404, examples={404: examples.TICKET_NOT_FOUND})


def tickets_envelope(scope: selectors.TicketScope, request) -> dict:
    """The scope's tickets filtered by the query string (invalid values are a 400 per
    parameter), one page of them, and their total (from the counters when it can)."""
    queryset, active = TicketFilter.filtered(request.query_params, scope.tickets(), request)
    total = TicketFilter.counted_total(scope.counts(), active)
    tickets, total = paginate_serialized(TicketSerializer, queryset, request, total=total)
    return {"message": "Lista de tickets", "total_tickets": total, "tickets": tickets}


# --- Estados -------------------------------------------------------------------------------


class EstadoListCreateView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="estados_list",
        tags=ESTADOS_TAG,
        responses={200: EstadoSerializer(many=True), **ERRORS},
        examples=[examples.ESTADOS_RESPONSE],
    )
    def get(self, request):
        return Response(EstadoSerializer(selectors.estado_list(), many=True).data)

    @extend_schema(
        operation_id="estados_create",
        tags=ESTADOS_TAG,
        request=EstadoSerializer,
        responses={201: EstadoSerializer, **staff_errors(400, 401, 403, 409, examples={409: examples.ESTADO_EXISTS})},
        examples=[examples.ESTADO_CREATE_REQUEST, examples.ESTADO_CREATE_RESPONSE],
    )
    def post(self, request):
        data = validated(EstadoSerializer, request)
        estado = services.estado_create(**data)
        return Response(EstadoSerializer(estado).data, status=status.HTTP_201_CREATED)


# --- Tickets -------------------------------------------------------------------------------


class TicketListCreateView(APIView):
    permission_classes = [IsAdminListingTickets]

    @extend_schema(
        operation_id="tickets_list",
        tags=TICKETS_TAG,
        parameters=[*FILTER_PARAMETERS, *PAGINATION_PARAMETERS],
        responses={
            200: TicketListResponseSerializer,
            **staff_errors(400, 401, 403, examples={403: examples.LIST_DENIED}),
        },
        examples=[examples.TICKET_LIST_RESPONSE],
    )
    def get(self, request):
        return Response(tickets_envelope(selectors.TicketScope(), request))

    @extend_schema(
        operation_id="tickets_create",
        tags=TICKETS_TAG,
        request=TicketCreateSerializer,
        responses={
            201: TicketCreatedResponseSerializer,
            **staff_errors(400, 401, 403, examples={400: examples.WRONG_ROLE}),
        },
        parameters=[idempotency.PARAMETER],
        examples=[examples.TICKET_CREATE_REQUEST, examples.TICKET_CREATE_RESPONSE],
    )
    @idempotency.idempotent
    def post(self, request):
        data = validated(TicketCreateSerializer, request)
        roles = {"administrador": Role.ADMIN, "tecnico": Role.TECH, "cliente": Role.CLIENT}
        users = selectors.users_for_fields(
            wanted={field: (data[field], role) for field, role in roles.items() if data.get(field)}
        )
        estado = None
        if data.get("estado") is not None:
            estado = selectors.estado_find(estado_id=data["estado"])
            if estado is None:
                raise ValidationError({"estado": [f"El estado {data['estado']} no existe."]})
        ticket = services.ticket_create(
            actor=request.user,
            administrador=users.get("administrador"),
            tecnico=users.get("tecnico"),
            cliente=users["cliente"],
            estado=estado,
            titulo=data["titulo"],
            descripcion=data["descripcion"],
            equipo=data.get("equipo", ""),
            fecha=data.get("fecha"),
            category=data.get("category", ""),
            priority=data["priority"],
        )
        # The service's instance already carries its users and state: no second read.
        return Response(
            {"message": "Ticket creado correctamente", "ticket": TicketSerializer(ticket).data},
            status=status.HTTP_201_CREATED,
        )


class ConsultaView(APIView):
    """CLIENT -> own tickets, TECH -> assigned, ADMIN -> all (or those of `?user_document=`)."""

    permission_classes = [IsActiveUser]

    @extend_schema(
        operation_id="tickets_consulta",
        tags=TICKETS_TAG,
        parameters=[USER_DOCUMENT_PARAMETER, *FILTER_PARAMETERS, *PAGINATION_PARAMETERS],
        responses={
            200: OpenApiResponse(
                ConsultaResponseSerializer,
                description='Lista de tickets, o `{"message": "No tienes tickets registrados."}` si no hay ninguno',
            ),
            **staff_errors(
                400, 401, 403, 404, examples={403: examples.IMPERSONATION_DENIED, 404: examples.USER_NOT_FOUND}
            ),
        },
        examples=[examples.TICKET_LIST_RESPONSE, examples.CONSULTA_EMPTY_RESPONSE],
    )
    def get(self, request):
        subject = subject_user(request=request)
        body = tickets_envelope(selectors.ticket_consulta_scope(actor=request.user, subject=subject), request)
        if body["total_tickets"] == 0:
            return Response({"message": NO_TICKETS_MESSAGE})
        return Response(body)


# --- Technicians ---------------------------------------------------------------------------


class LeastBusyTechnicianView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="tickets_least_busy_technician",
        tags=WORKFLOW_TAG,
        responses={
            200: TechnicianLoadSerializer,
            **staff_errors(401, 403, 404, examples={404: examples.NO_TECHNICIANS}),
        },
        examples=[examples.LEAST_BUSY_RESPONSE],
    )
    def get(self, request):
        technician = selectors.least_busy_technician()
        if technician is None:
            raise NotFound("No hay técnicos activos disponibles.", code="no_active_technicians")
        return Response(TechnicianLoadSerializer(technician).data)


class ActiveTechniciansView(APIView):
    permission_classes = [IsAdminOrTechnician]

    @extend_schema(
        operation_id="tickets_active_technicians",
        tags=WORKFLOW_TAG,
        responses={200: ActiveTechniciansResponseSerializer, **staff_errors(401, 403)},
        examples=[examples.ACTIVE_TECHNICIANS_RESPONSE],
    )
    def get(self, request):
        technicians = list(selectors.technicians_with_load())
        return Response(
            {
                "message": "Lista de técnicos activos disponibles",
                "total_tecnicos": len(technicians),
                "tecnicos": TechnicianLoadSerializer(technicians, many=True).data,
            }
        )


CHANGE_TECHNICIAN_ERRORS = staff_errors(
    400,
    401,
    403,
    404,
    409,
    examples={400: examples.SAME_TECHNICIAN, 404: examples.TICKET_NOT_FOUND, 409: examples.TICKET_FINAL},
)


class ChangeTechnicianView(APIView):
    permission_classes = [IsAdmin]

    def _change(self, request, ticket_id: int) -> Response:
        data = validated(ChangeTechnicianSerializer, request)
        selectors.ticket_get(ticket_id=ticket_id)  # unknown ticket: 404 before judging the body
        tecnico = selectors.user_for_field(
            document=data["documento_tecnico"], role=Role.TECH, field="documento_tecnico"
        )
        ticket = services.ticket_change_technician(ticket_id=ticket_id, actor=request.user, tecnico=tecnico)
        return Response(
            {
                "message": "Técnico actualizado correctamente",
                "ticket_id": ticket.pk,
                "nuevo_tecnico": {
                    "documento": tecnico.document,
                    "email": tecnico.email,
                    "nombre": tecnico.get_full_name(),
                },
            }
        )

    @extend_schema(
        operation_id="tickets_change_technician_update",
        tags=WORKFLOW_TAG,
        request=ChangeTechnicianSerializer,
        responses={200: ChangeTechnicianResponseSerializer, **CHANGE_TECHNICIAN_ERRORS},
        examples=[examples.CHANGE_TECHNICIAN_REQUEST, examples.CHANGE_TECHNICIAN_RESPONSE],
    )
    def put(self, request, ticket_id: int):
        return self._change(request, ticket_id)

    @extend_schema(
        operation_id="tickets_change_technician_partial_update",
        tags=WORKFLOW_TAG,
        request=ChangeTechnicianSerializer,
        responses={200: ChangeTechnicianResponseSerializer, **CHANGE_TECHNICIAN_ERRORS},
        examples=[examples.CHANGE_TECHNICIAN_REQUEST, examples.CHANGE_TECHNICIAN_RESPONSE],
    )
    def patch(self, request, ticket_id: int):
        return self._change(request, ticket_id)


# --- State workflow ------------------------------------------------------------------------


class ChangeStateView(APIView):
    permission_classes = [IsTechnician]

    @extend_schema(
        operation_id="tickets_change_state",
        tags=WORKFLOW_TAG,
        parameters=[USER_DOCUMENT_PARAMETER],
        request=ChangeStateSerializer,
        responses={
            200: StateChangedResponseSerializer,
            **staff_errors(
                400,
                401,
                403,
                404,
                409,
                examples={
                    400: examples.SAME_STATE,
                    403: examples.NOT_ASSIGNED,
                    404: examples.TICKET_NOT_FOUND,
                    409: examples.ALREADY_PENDING,
                },
            ),
        },
        examples=[
            examples.CHANGE_STATE_REQUEST,
            examples.CHANGE_STATE_FINAL_REQUEST,
            examples.STATE_CHANGED_RESPONSE,
            examples.STATE_REQUESTED_RESPONSE,
        ],
    )
    def put(self, request, ticket_id: int):
        actor = subject_user(request=request)  # `?user_document=` never changes who acts
        data = validated(ChangeStateSerializer, request)
        outcome = services.ticket_change_state(
            ticket_id=ticket_id, actor=actor, to_state_id=data["to_state"], reason=data.get("reason") or ""
        )
        if outcome.request is not None:
            return Response(
                {
                    "message": "El estado final requiere validación del administrador, solicitud enviada correctamente",
                    "request_id": outcome.request.pk,
                    "status": "pending_approval",
                    "to_state": outcome.request.to_state.nombre,
                }
            )
        return Response(
            {
                "message": "Estado actualizado correctamente",
                "ticket_id": outcome.ticket.pk,
                "new_state": outcome.ticket.estado.nombre,
            }
        )


class ApproveStateView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="tickets_approve_state",
        tags=WORKFLOW_TAG,
        parameters=[USER_DOCUMENT_PARAMETER],
        request=ApproveStateSerializer,
        responses={
            200: DecisionResponseSerializer,
            **staff_errors(
                400, 401, 403, 404, 409, examples={404: examples.REQUEST_NOT_FOUND, 409: examples.REQUEST_DECIDED}
            ),
        },
        examples=[
            examples.APPROVE_REQUEST,
            examples.REJECT_REQUEST,
            examples.APPROVED_RESPONSE,
            examples.REJECTED_RESPONSE,
        ],
    )
    def put(self, request, request_id: int):
        actor = subject_user(request=request)
        data = validated(ApproveStateSerializer, request)
        approve = data["action"] == "approve"
        state_request = services.state_request_decide(
            request_id=request_id,
            actor=actor,
            approve=approve,
            rejection_reason=data.get("rejection_reason") or "",
        )
        if approve:
            return Response(
                {
                    "message": "Cambio de estado aprobado y aplicado",
                    "ticket_id": state_request.ticket_id,
                    "new_state": state_request.to_state.nombre,
                }
            )
        return Response(
            {
                "message": "Solicitud de cambio de estado rechazada",
                "ticket_id": state_request.ticket_id,
                "rejection_reason": state_request.rejection_reason,
            }
        )


class PendingApprovalsView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="tickets_pending_approvals",
        tags=WORKFLOW_TAG,
        parameters=PAGINATION_PARAMETERS,
        responses={200: PendingApprovalsResponseSerializer, **ERRORS},
        examples=[examples.PENDING_APPROVALS_RESPONSE],
    )
    def get(self, request):
        requests, total = paginate_serialized(StateChangeRequestSerializer, selectors.pending_requests(), request)
        return Response(
            {"message": "Solicitudes de cambio de estado pendientes", "total_pending": total, "requests": requests}
        )


class CancelView(APIView):
    permission_classes = [IsAdminOrClient]

    @extend_schema(
        operation_id="tickets_cancel",
        tags=WORKFLOW_TAG,
        request=CancelSerializer,
        responses={
            200: CancelResponseSerializer,
            **staff_errors(
                400, 401, 403, 404, 409, examples={404: examples.TICKET_NOT_FOUND, 409: examples.NOT_CANCELLABLE}
            ),
        },
        examples=[examples.CANCEL_REQUEST, examples.CANCEL_RESPONSE],
    )
    def put(self, request, ticket_id: int):
        data = validated(CancelSerializer, request)
        ticket = services.ticket_cancel(ticket_id=ticket_id, actor=request.user, reason=data.get("reason") or "")
        return Response(
            {"message": "Ticket cancelado correctamente", "ticket_id": ticket.pk, "new_state": ticket.estado.nombre}
        )


# --- History and attachments (participants only; anyone else gets a 404) -------------------


class HistoryView(APIView):
    permission_classes = [IsActiveUser]

    @extend_schema(
        operation_id="tickets_history",
        tags=TICKETS_TAG,
        responses={200: HistoryResponseSerializer, **ERRORS, **NOT_FOUND},
        examples=[examples.HISTORY_RESPONSE],
    )
    def get(self, request, ticket_id: int):
        ticket = selectors.ticket_get_for_participant(ticket_id=ticket_id, user=request.user)
        rows = list(selectors.ticket_history(ticket=ticket))
        return Response(
            {
                "message": "Historial del ticket",
                "ticket_id": ticket.pk,
                "total_history": len(rows),
                "history": TicketHistorySerializer(rows, many=True).data,
            }
        )


class AttachmentsView(APIView):
    permission_classes = [IsActiveUser]

    @extend_schema(
        operation_id="tickets_attachments_list",
        tags=FILES_TAG,
        responses={200: AttachmentListResponseSerializer, **ERRORS, **NOT_FOUND},
        examples=[examples.ATTACHMENTS_RESPONSE],
    )
    def get(self, request, ticket_id: int):
        ticket = selectors.ticket_get_for_participant(ticket_id=ticket_id, user=request.user)
        rows = list(selectors.ticket_attachments(ticket=ticket))
        return Response(
            {
                "message": "Adjuntos del ticket",
                "ticket_id": ticket.pk,
                "total_attachments": len(rows),
                "attachments": TicketAttachmentSerializer(rows, many=True, context={"request": request}).data,
            }
        )

    @extend_schema(
        operation_id="tickets_attachments_create",
        tags=FILES_TAG,
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={
            201: AttachmentCreatedResponseSerializer,
            **staff_errors(
                400,
                401,
                403,
                404,
                409,
                503,
                examples={400: examples.ATTACHMENT_REFUSED, 404: examples.TICKET_NOT_FOUND},
            ),
        },
        examples=[examples.ATTACHMENT_UPLOAD_REQUEST, examples.ATTACHMENT_CREATED_RESPONSE],
    )
    def post(self, request, ticket_id: int):
        data = validated(AttachmentUploadSerializer, request)
        attachment = services.ticket_add_attachment(ticket_id=ticket_id, actor=request.user, uploaded_file=data["file"])
        return Response(
            {
                "message": "Archivo adjuntado correctamente",
                "attachment": TicketAttachmentSerializer(attachment, context={"request": request}).data,
            },
            status=status.HTTP_201_CREATED,
        )


class AttachmentDownloadView(APIView):
    permission_classes = [IsActiveUser]

    @extend_schema(
        operation_id="tickets_attachments_download",
        tags=FILES_TAG,
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="El archivo"),
            **staff_errors(401, 404, examples={404: examples.ATTACHMENT_NOT_FOUND}),
        },
    )
    def get(self, request, ticket_id: int, attachment_id: int):
        attachment = selectors.attachment_get_for_participant(
            ticket_id=ticket_id, attachment_id=attachment_id, user=request.user
        )
        return private_download(attachment.file, filename=attachment.download_name, content_type=attachment.mime_type)
