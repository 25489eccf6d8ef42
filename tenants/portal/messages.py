"""The conversation in the tenant portal (REAL-CLIENTS.md §2): the resident writes to the
technician and reads the public replies. Internal notes never reach these views: every read
goes through `conversations.selectors.portal_messages` (public messages only).

Routes: POST /api/tenant/tickets/{id}/send-message-to-technical and
GET /api/tenant/tickets/{id}/messages. The ticket detail's `histories` merges the same
public messages with the history rows (tenants.portal.serializers.PortalTicketDetailSerializer).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from conversations import selectors as conversation_selectors
from conversations import services as conversation_services
from conversations.models import MAX_MESSAGE_LENGTH
from conversations.serializers import MessageAttachmentSerializer
from tenants.portal import examples
from tenants.portal import selectors as portal_selectors
from tenants.portal.serializers import UtcDateTimeField
from tenants.portal.views import PAGINATION_PARAMETERS, TAGS, TenantAPIView, validated
from tickethelp import idempotency
from tickethelp.exceptions import Conflict, DomainError, NotFound
from tickethelp.openapi import request_example, response_example, tenant_errors
from tickethelp.pagination import paginate_serialized
from tickethelp.serializers import FastOutputMixin

MESSAGE_SENT = "Message sent successfully"
# The messages service's refusals, in the portal's words (matched by code).
SEND_REFUSALS = {
    "ticket_final": (Conflict, "The ticket is closed and no longer accepts messages."),
    "ticket_not_found": (NotFound, portal_selectors.TICKET_NOT_FOUND),
}


class PortalConversationMessageSerializer(FastOutputMixin, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    message = serializers.CharField(source="body", read_only=True)
    action = serializers.CharField(
        read_only=True, help_text="member_message (the resident) | technician_message | admin_message"
    )
    user_name = serializers.CharField(source="author.get_full_name", read_only=True)
    attachments = MessageAttachmentSerializer(many=True, read_only=True)
    created_at = UtcDateTimeField()


class PortalSendMessageSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=MAX_MESSAGE_LENGTH)


class PortalMessageSentResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    ticket_id = serializers.IntegerField()


class PortalConversationResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    ticket_id = serializers.IntegerField()
    total_messages = serializers.IntegerField()
    messages = PortalConversationMessageSerializer(many=True)


SEND_REQUEST = request_example("Message to the technician", {"message": "¿A qué hora pasa el técnico mañana?"})
SENT_RESPONSE = response_example("Sent", {"success": True, "message": MESSAGE_SENT, "ticket_id": 123})
CONVERSATION_RESPONSE = response_example(
    "Conversation",
    {
        "success": True,
        "ticket_id": 123,
        "total_messages": 2,
        "messages": [
            {
                "id": 30,
                "message": "¿A qué hora pasa el técnico mañana?",
                "action": "member_message",
                "user_name": "Laura Gómez",
                "attachments": [],
                "created_at": "2026-03-02T14:00:00.000000Z",
            },
            {
                "id": 31,
                "message": "Paso mañana a las 9:00 con el repuesto.",
                "action": "technician_message",
                "user_name": "Tomás Técnico",
                "attachments": [],
                "created_at": "2026-03-02T15:04:05.120000Z",
            },
        ],
    },
)
TICKET_NOT_FOUND = tenant_errors(404, examples={404: examples.TICKET_NOT_FOUND})


class TenantSendMessageView(TenantAPIView):
    @extend_schema(
        operation_id="tenant_tickets_send_message",
        summary="Send a message to the ticket's technician",
        description='The message appears in the ticket detail\'s `histories` as `action: "member_message"` and '
        "in GET /api/tenant/tickets/{id}/messages. A ticket in a final state (resolved, closed, cancelled) "
        "no longer accepts messages (409).",
        tags=TAGS,
        request=PortalSendMessageSerializer,
        responses={
            200: PortalMessageSentResponseSerializer,
            **tenant_errors(400, 401, 403, 409, 422),
            **TICKET_NOT_FOUND,
        },
        parameters=[idempotency.PARAMETER],
        examples=[SEND_REQUEST, SENT_RESPONSE],
    )
    @idempotency.idempotent
    def post(self, request, ticket_id: int):
        data = validated(PortalSendMessageSerializer, request.data)
        if not 0 < ticket_id <= portal_selectors.MAX_ID:
            raise NotFound(portal_selectors.TICKET_NOT_FOUND, code="ticket_not_found")
        try:
            conversation_services.message_send(ticket_id=ticket_id, actor=request.user, body=data["message"])
        except DomainError as exc:
            if exc.code in SEND_REFUSALS:
                error, text = SEND_REFUSALS[exc.code]
                raise error(text, code=exc.code) from None
            raise
        return Response({"success": True, "message": MESSAGE_SENT, "ticket_id": ticket_id})


class TenantTicketMessagesView(TenantAPIView):
    @extend_schema(
        operation_id="tenant_tickets_messages",
        summary="The ticket's conversation (public messages, oldest first)",
        description="The resident's messages and the staff's public replies; every message unless paging is asked.",
        tags=TAGS,
        parameters=PAGINATION_PARAMETERS,
        responses={200: PortalConversationResponseSerializer, **tenant_errors(401, 403, 422), **TICKET_NOT_FOUND},
        examples=[CONVERSATION_RESPONSE],
    )
    def get(self, request, ticket_id: int):
        ticket = portal_selectors.tenant_ticket_for_messages(tenant=self.tenant, ticket_id=ticket_id)
        rows, total = paginate_serialized(
            PortalConversationMessageSerializer,
            conversation_selectors.portal_messages(ticket=ticket),
            request,
            context={"request": request},
            complete_unless_paged=True,
        )
        return Response({"success": True, "ticket_id": ticket.pk, "total_messages": total, "messages": rows})
