"""Views of the conversation (staff API): validate -> selector/service -> envelope."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from conversations import examples, selectors, services
from conversations.serializers import (
    MessageCreatedResponseSerializer,
    MessageCreateSerializer,
    MessageFilterSerializer,
    MessageListResponseSerializer,
    TicketMessageSerializer,
)
from tickethelp.openapi import staff_errors
from tickethelp.pagination import MAX_PAGE_SIZE, paginate_serialized
from tickethelp.uploads import private_download
from tickethelp.validation import validated
from tickets.permissions import IsActiveUser
from tickets.selectors import ticket_get_for_participant

TAGS = ["Tickets · conversación"]
PAGINATION_PARAMETERS = [
    OpenApiParameter(name, OpenApiTypes.INT, required=False, description=description)
    for name, description in (
        ("page", "Página (desde 1)."),
        ("page_size", f"Elementos por página (máx. {MAX_PAGE_SIZE})."),
        ("limit", f"Elementos a devolver (máx. {MAX_PAGE_SIZE})."),
        ("offset", "Elementos a saltar."),
    )
]
SINCE_PARAMETER = OpenApiParameter(
    "since",
    OpenApiTypes.DATETIME,
    required=False,
    description="Solo los mensajes creados después de este instante (ISO 8601; sin zona: hora local).",
)


class TicketMessagesView(APIView):
    """ADMIN, the assigned TECH and the owning CLIENT; anyone else gets the ticket's 404."""

    permission_classes = [IsActiveUser]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="tickets_messages_list",
        summary="Conversación del ticket (más antiguos primero)",
        description="Mensajes del ticket, paginados, del más antiguo al más nuevo. Un ADMIN y el técnico "
        "asignado ven también las notas internas (`internal: true`); el cliente, solo los mensajes públicos.",
        tags=TAGS,
        parameters=[SINCE_PARAMETER, *PAGINATION_PARAMETERS],
        responses={
            200: MessageListResponseSerializer,
            **staff_errors(400, 401, 403, 404, examples={400: examples.INVALID_SINCE, 404: examples.TICKET_NOT_FOUND}),
        },
        examples=[examples.MESSAGES_RESPONSE],
    )
    def get(self, request, ticket_id: int):
        query = MessageFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        ticket = ticket_get_for_participant(ticket_id=ticket_id, user=request.user)
        queryset = selectors.ticket_messages(ticket=ticket, user=request.user, since=query.validated_data.get("since"))
        messages, total = paginate_serialized(TicketMessageSerializer, queryset, request, context={"request": request})
        return Response(
            {"message": "Mensajes del ticket", "ticket_id": ticket.pk, "total_messages": total, "messages": messages}
        )

    @extend_schema(
        operation_id="tickets_messages_create",
        summary="Escribir en la conversación del ticket",
        description="ADMIN o técnico asignado: mensaje público o nota interna. Cliente del ticket: solo "
        "mensajes públicos (`internal: true` es 403). Un ticket en estado final no admite mensajes (409). "
        "Los archivos van en multipart/form-data (`files`, repetido).",
        tags=TAGS,
        request={"application/json": MessageCreateSerializer, "multipart/form-data": MessageCreateSerializer},
        responses={
            201: MessageCreatedResponseSerializer,
            **staff_errors(
                400,
                401,
                403,
                404,
                409,
                503,
                examples={
                    403: examples.INTERNAL_NOT_ALLOWED,
                    404: examples.TICKET_NOT_FOUND,
                    409: examples.TICKET_FINAL,
                },
            ),
        },
        examples=[examples.MESSAGE_REQUEST, examples.NOTE_REQUEST, examples.MESSAGE_CREATED_RESPONSE],
    )
    def post(self, request, ticket_id: int):
        data = validated(MessageCreateSerializer, request)
        message = services.message_send(
            ticket_id=ticket_id, actor=request.user, body=data["body"], internal=data["internal"], files=data["files"]
        )
        body = TicketMessageSerializer(message, context={"request": request}).data
        return Response(
            {"message": "Mensaje enviado correctamente", "ticket_message": body}, status=status.HTTP_201_CREATED
        )


class MessageAttachmentDownloadView(APIView):
    permission_classes = [IsActiveUser]

    @extend_schema(
        operation_id="tickets_message_attachments_download",
        summary="Descargar el archivo de un mensaje",
        description="Para quien puede leer el mensaje: el archivo de una nota interna no existe para el cliente.",
        tags=TAGS,
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="El archivo"),
            **staff_errors(401, 404, examples={404: examples.ATTACHMENT_NOT_FOUND}),
        },
    )
    def get(self, request, ticket_id: int, attachment_id: int):
        attachment = selectors.attachment_get_for_reader(
            ticket_id=ticket_id, attachment_id=attachment_id, user=request.user
        )
        return private_download(attachment.file, filename=attachment.download_name, content_type=attachment.mime_type)
