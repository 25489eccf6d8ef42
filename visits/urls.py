"""Routes of the appointments staff API; each also works with/without "/"."""

from tickethelp.routing import slash_optional as route
from visits import views

urlpatterns = [
    *route("tickets/<int:ticket_id>/appointments/", views.TicketAppointmentsView.as_view(), "ticket-appointments"),
    *route("appointments/", views.AgendaView.as_view(), "appointment-agenda"),
    *route("appointments/<int:appointment_id>/start/", views.AppointmentStartView.as_view(), "appointment-start"),
    *route(
        "appointments/<int:appointment_id>/complete/", views.AppointmentCompleteView.as_view(), "appointment-complete"
    ),
    *route("appointments/<int:appointment_id>/cancel/", views.AppointmentCancelView.as_view(), "appointment-cancel"),
    *route(
        "appointments/<int:appointment_id>/reschedule/",
        views.AppointmentRescheduleView.as_view(),
        "appointment-reschedule",
    ),
    *route("appointments/<int:appointment_id>/no-show/", views.AppointmentNoShowView.as_view(), "appointment-no-show"),
]
