"""The residents' app's appointment routes (REAL-CLIENTS.md §2): a ticket's technician visits
and the resident's rating of a finished visit. Shapes are the app's; timestamps are UTC
`YYYY-MM-DDTHH:MM:SS.ffffffZ` like the rest of the portal."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from tenants.portal.serializers import BlankAsNullField, PortalTechnicianSerializer, UtcDateTimeField
from tenants.portal.views import AUTH_ERRORS, TAGS, TICKET_NOT_FOUND, TenantAPIView, validated
from tickethelp import idempotency
from tickethelp.exceptions import NotFound
from tickethelp.openapi import request_example, response_example, tenant_errors
from visits import selectors as visit_selectors
from visits import services as visit_services

FEEDBACK_SUBMITTED = "Feedback submitted successfully"


class PortalAppointmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    description = BlankAsNullField()
    scheduled_for = UtcDateTimeField()
    duration = serializers.IntegerField(source="duration_minutes", read_only=True, help_text="Minutes.")
    status = serializers.CharField(
        read_only=True, help_text="scheduled | in_progress | awaiting_feedback | completed | cancelled | no_show"
    )
    started_at = UtcDateTimeField(allow_null=True)
    completed_at = UtcDateTimeField(allow_null=True)
    completion_notes = BlankAsNullField()
    service_rating = serializers.IntegerField(read_only=True, allow_null=True)
    member_feedback = BlankAsNullField()
    reschedule_count = serializers.IntegerField(read_only=True)
    technical = PortalTechnicianSerializer(source="technician", read_only=True)


class PortalAppointmentsResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    ticket_id = serializers.IntegerField()
    ticket_status = serializers.CharField()
    appointments = PortalAppointmentSerializer(many=True)
    active_appointment = PortalAppointmentSerializer(allow_null=True)
    appointment_awaiting_feedback = PortalAppointmentSerializer(allow_null=True)
    feedback_available = serializers.BooleanField()
    feedback_reason = serializers.CharField(allow_null=True)


class PortalFeedbackSerializer(serializers.Serializer):
    service_rating = serializers.IntegerField(min_value=1, max_value=5)
    member_feedback = serializers.CharField(max_length=2000, required=False, allow_blank=True, allow_null=True)


class PortalFeedbackResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    appointment_id = serializers.IntegerField()
    rating = serializers.IntegerField()


_EXAMPLE_APPOINTMENT = {
    "id": 7,
    "title": "TV inspection",
    "description": None,
    "scheduled_for": "2024-01-15T14:00:00.000000Z",
    "duration": 60,
    "status": "awaiting_feedback",
    "started_at": "2024-01-15T14:05:00.000000Z",
    "completed_at": "2024-01-15T14:50:00.000000Z",
    "completion_notes": "Power supply replaced.",
    "service_rating": None,
    "member_feedback": None,
    "reschedule_count": 0,
    "technical": {"id": 3, "name": "Tomás Técnico", "email": "tecnico@tickethelp.local", "phone": "+57 300 0000000"},
}
APPOINTMENTS_RESPONSE = response_example(
    "Appointments",
    {
        "success": True,
        "ticket_id": 12,
        "ticket_status": "in_progress",
        "appointments": [_EXAMPLE_APPOINTMENT],
        "active_appointment": None,
        "appointment_awaiting_feedback": _EXAMPLE_APPOINTMENT,
        "feedback_available": True,
        "feedback_reason": None,
    },
)
FEEDBACK_REQUEST = request_example("Feedback", {"service_rating": 5, "member_feedback": "Quick and kind."})
FEEDBACK_RESPONSE = response_example(
    "Feedback submitted", {"success": True, "message": FEEDBACK_SUBMITTED, "appointment_id": 7, "rating": 5}
)
APPOINTMENT_NOT_FOUND = "Appointment not found."


class TenantTicketAppointmentsView(TenantAPIView):
    @extend_schema(
        operation_id="tenant_tickets_appointments",
        tags=TAGS,
        responses={200: PortalAppointmentsResponseSerializer, **AUTH_ERRORS, **TICKET_NOT_FOUND},
        examples=[APPOINTMENTS_RESPONSE],
    )
    def get(self, request, ticket_id: int):
        ticket = visit_selectors.resident_ticket(user=request.user, ticket_id=ticket_id)
        if ticket is None:
            raise NotFound("Ticket not found.", code="ticket_not_found")
        appointments = visit_selectors.resident_ticket_appointments(ticket=ticket)
        state = visit_selectors.feedback_state(appointments)

        def one(appointment):
            return None if appointment is None else PortalAppointmentSerializer(appointment).data

        return Response(
            {
                "success": True,
                "ticket_id": ticket.pk,
                "ticket_status": ticket.estado.portal_status,
                "appointments": PortalAppointmentSerializer(appointments, many=True).data,
                "active_appointment": one(state["active_appointment"]),
                "appointment_awaiting_feedback": one(state["appointment_awaiting_feedback"]),
                "feedback_available": state["feedback_available"],
                "feedback_reason": state["feedback_reason"],
            }
        )


class TenantAppointmentFeedbackView(TenantAPIView):
    @extend_schema(
        operation_id="tenant_appointments_member_feedback",
        tags=TAGS,
        request=PortalFeedbackSerializer,
        responses={
            200: PortalFeedbackResponseSerializer,
            **AUTH_ERRORS,
            **tenant_errors(
                400,
                404,
                409,
                422,
                examples={
                    404: {"error": "Not Found", "message": APPOINTMENT_NOT_FOUND},
                    409: {"error": "Conflict", "message": "Feedback is not available for this appointment."},
                    422: {
                        "message": "The given data was invalid.",
                        "errors": {"service_rating": ["This field is required."]},
                    },
                },
            ),
        },
        parameters=[idempotency.PARAMETER],
        examples=[FEEDBACK_REQUEST, FEEDBACK_RESPONSE],
    )
    @idempotency.idempotent
    def post(self, request, appointment_id: int):
        data = validated(PortalFeedbackSerializer, request.data)
        if not 0 < appointment_id <= visit_selectors.MAX_ID:
            raise NotFound(APPOINTMENT_NOT_FOUND, code="appointment_not_found")
        appointment = visit_services.appointment_rate(
            appointment_id=appointment_id,
            resident=request.user,
            rating=data["service_rating"],
            feedback=data.get("member_feedback") or "",
        )
        return Response(
            {
                "success": True,
                "message": FEEDBACK_SUBMITTED,
                "appointment_id": appointment.pk,
                "rating": appointment.service_rating,
            }
        )
