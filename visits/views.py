"""Appointments staff API: validate -> selector/service -> documented envelope."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from tickethelp.exceptions import Forbidden
from tickethelp.openapi import staff_errors
from tickethelp.pagination import ArrayPagination
from tickethelp.permissions import IsAdminOrTechnician
from tickethelp.validation import validated
from tickets import selectors as ticket_selectors
from tickets.permissions import IsActiveUser
from users.models import Role
from visits import examples, selectors, services
from visits.models import AppointmentStatus
from visits.serializers import (
    AgendaParamsSerializer,
    AppointmentCompleteSerializer,
    AppointmentCreateSerializer,
    AppointmentReasonSerializer,
    AppointmentRescheduleSerializer,
    AppointmentResponseSerializer,
    AppointmentSerializer,
    TicketAppointmentsResponseSerializer,
)

TAGS = ["Visitas técnicas"]
ERRORS = staff_errors(400, 401, 403)
NOT_FOUND = staff_errors(404, examples={404: examples.APPOINTMENT_NOT_FOUND})
TICKET_NOT_FOUND = staff_errors(404, examples={404: {"detail": "Ticket no encontrado.", "code": "ticket_not_found"}})
CONFLICT = staff_errors(409, examples={409: examples.INVALID_TRANSITION})


PAGING_PARAMETERS = [
    OpenApiParameter(name, OpenApiTypes.INT, description=description)
    for name, description in (
        ("page", "Página (desde 1)."),
        ("page_size", "Elementos por página (máx. 500)."),
        ("limit", "Elementos a devolver (máx. 500)."),
        ("offset", "Elementos a saltar."),
    )
]


def _answer(message: str, appointment, *, code: int = status.HTTP_200_OK) -> Response:
    return Response({"message": message, "appointment": AppointmentSerializer(appointment).data}, status=code)


class TicketAppointmentsView(APIView):
    permission_classes = [IsActiveUser]

    @extend_schema(
        operation_id="tickets_appointments_list",
        tags=TAGS,
        responses={200: TicketAppointmentsResponseSerializer, **ERRORS, **TICKET_NOT_FOUND},
        examples=[examples.TICKET_APPOINTMENTS_RESPONSE],
    )
    def get(self, request, ticket_id: int):
        ticket = ticket_selectors.ticket_get_for_participant(ticket_id=ticket_id, user=request.user)
        rows = list(selectors.ticket_appointments(ticket=ticket))
        return Response(
            {
                "message": "Visitas del ticket",
                "ticket_id": ticket.pk,
                "total_appointments": len(rows),
                "appointments": AppointmentSerializer(rows, many=True).data,
            }
        )

    @extend_schema(
        operation_id="tickets_appointments_create",
        tags=TAGS,
        request=AppointmentCreateSerializer,
        responses={
            201: AppointmentResponseSerializer,
            **ERRORS,
            **TICKET_NOT_FOUND,
            **staff_errors(409, examples={409: examples.OVERLAP}),
        },
        examples=[examples.BOOK_REQUEST, examples.BOOKED_RESPONSE],
    )
    def post(self, request, ticket_id: int):
        data = validated(AppointmentCreateSerializer, request)
        appointment = services.appointment_book(
            ticket_id=ticket_id,
            actor=request.user,
            title=data["title"],
            description=data["description"],
            scheduled_for=data["scheduled_for"],
            duration_minutes=data["duration"],
        )
        return _answer("Visita agendada", appointment, code=status.HTTP_201_CREATED)


class AgendaView(APIView):
    permission_classes = [IsAdminOrTechnician]

    @extend_schema(
        operation_id="appointments_list",
        tags=TAGS,
        parameters=[
            OpenApiParameter("tecnico", OpenApiTypes.STR, description="Documento del técnico (ADMIN)."),
            OpenApiParameter("desde", OpenApiTypes.DATETIME, description="Visitas que terminan después de esto."),
            OpenApiParameter("hasta", OpenApiTypes.DATETIME, description="Visitas que empiezan antes de esto."),
            OpenApiParameter(
                "estado",
                OpenApiTypes.STR,
                enum=AppointmentStatus.values,
            ),
            *PAGING_PARAMETERS,
        ],
        responses={200: AppointmentSerializer(many=True), **ERRORS},
        examples=[examples.AGENDA_RESPONSE],
    )
    def get(self, request):
        params = AgendaParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data
        technician = query.get("tecnico")
        if request.user.role == Role.TECH and technician is not None and technician.pk != request.user.pk:
            raise Forbidden("Solo puedes consultar tu propia agenda.", code="not_own_agenda")
        appointments = selectors.agenda(
            user=request.user,
            technician=technician,
            since=query.get("desde"),
            until=query.get("hasta"),
            status=query.get("estado"),
        )
        paginator = ArrayPagination()
        page = paginator.paginate_serialized(AppointmentSerializer, appointments, request)
        return paginator.get_paginated_response(page)


class AppointmentActionView(APIView):
    """One lifecycle action of a visit (ADMIN or the visit's technician)."""

    permission_classes = [IsAdminOrTechnician]
    input_class = None
    message = ""

    def act(self, request, appointment_id: int, data: dict):
        raise NotImplementedError

    def post(self, request, appointment_id: int):
        data = validated(self.input_class, request) if self.input_class else {}
        return _answer(self.message, self.act(request, appointment_id, data))


def action_schema(operation_id: str, response_example, request=None, request_example=None):
    return extend_schema(
        operation_id=operation_id,
        tags=TAGS,
        request=request,
        responses={200: AppointmentResponseSerializer, **ERRORS, **NOT_FOUND, **CONFLICT},
        examples=[example for example in (request_example, response_example) if example],
    )


class AppointmentStartView(AppointmentActionView):
    message = "Visita iniciada"

    @action_schema("appointments_start", examples.STARTED_RESPONSE)
    def post(self, request, appointment_id: int):
        return super().post(request, appointment_id)

    def act(self, request, appointment_id, data):
        return services.appointment_start(appointment_id=appointment_id, actor=request.user)


class AppointmentCompleteView(AppointmentActionView):
    input_class = AppointmentCompleteSerializer
    message = "Visita completada: queda esperando la calificación del residente"

    @action_schema(
        "appointments_complete", examples.COMPLETED_RESPONSE, AppointmentCompleteSerializer, examples.COMPLETE_REQUEST
    )
    def post(self, request, appointment_id: int):
        return super().post(request, appointment_id)

    def act(self, request, appointment_id, data):
        return services.appointment_complete(
            appointment_id=appointment_id, actor=request.user, completion_notes=data["completion_notes"]
        )


class AppointmentCancelView(AppointmentActionView):
    input_class = AppointmentReasonSerializer
    message = "Visita cancelada"

    @action_schema(
        "appointments_cancel", examples.CANCELLED_RESPONSE, AppointmentReasonSerializer, examples.REASON_REQUEST
    )
    def post(self, request, appointment_id: int):
        return super().post(request, appointment_id)

    def act(self, request, appointment_id, data):
        return services.appointment_cancel(appointment_id=appointment_id, actor=request.user, reason=data["reason"])


class AppointmentNoShowView(AppointmentActionView):
    input_class = AppointmentReasonSerializer
    message = "Visita marcada como no atendida"

    @action_schema(
        "appointments_no_show", examples.NO_SHOW_RESPONSE, AppointmentReasonSerializer, examples.REASON_REQUEST
    )
    def post(self, request, appointment_id: int):
        return super().post(request, appointment_id)

    def act(self, request, appointment_id, data):
        return services.appointment_no_show(appointment_id=appointment_id, actor=request.user, reason=data["reason"])


class AppointmentRescheduleView(AppointmentActionView):
    input_class = AppointmentRescheduleSerializer
    message = "Visita reprogramada"

    @action_schema(
        "appointments_reschedule",
        examples.RESCHEDULED_RESPONSE,
        AppointmentRescheduleSerializer,
        examples.RESCHEDULE_REQUEST,
    )
    def post(self, request, appointment_id: int):
        return super().post(request, appointment_id)

    def act(self, request, appointment_id, data):
        return services.appointment_reschedule(
            appointment_id=appointment_id,
            actor=request.user,
            scheduled_for=data["scheduled_for"],
            duration_minutes=data["duration"],
            reason=data["reason"],
        )
