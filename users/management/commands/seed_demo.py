"""Load a demo data set so a newcomer can explore the API at once.

Idempotent: running it twice leaves one copy. Known demo passwords are printed; they are
for local exploration only (the command refuses to run with DEBUG off unless --force).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tickets import services as ticket_services
from tickets.models import Estado, EstadoCodigo, Ticket
from users.models import Role, User

DEMO_PASSWORD = "TicketHelp-demo-2026"  # noqa: S105 - published demo credential

# (title, client document, technician document, priority, category, path through the workflow)
# Paths: "open", "diagnosis", "in_repair", "pending" (in repair + pending final request),
# "finalized" (approved), "rejected" (request rejected, back to work), "canceled".
DEMO_TICKETS = [
    ("Portátil no enciende", "3000000001", "2000000001", "high", "hardware", "open"),
    ("Impresora atasca el papel", "3000000001", "2000000002", "medium", "hardware", "diagnosis"),
    ("Wi-Fi intermitente en la oficina", "3000000002", "2000000003", "urgent", "redes", "in_repair"),
    ("Pantalla con líneas verticales", "3000000002", "2000000001", "medium", "hardware", "pending"),
    ("Cambio de disco por SSD", "3000000003", "2000000002", "low", "hardware", "pending"),
    ("Instalación de antivirus", "3000000003", "2000000003", "low", "software", "finalized"),
    ("Teclado derramado", "3000000001", "2000000002", "high", "hardware", "rejected"),
    ("Solicitud duplicada", "3000000002", "2000000001", "low", "software", "canceled"),
]

DEMO_USERS = [
    ("1000000001", "admin@tickethelp.local", "Ana", "Administradora", Role.ADMIN, "+57 300 000 0001"),
    ("1000000002", "admin2@tickethelp.local", "Andrés", "Gestor", Role.ADMIN, "+57 300 000 0002"),
    ("2000000001", "tech@tickethelp.local", "Tomás", "Técnico", Role.TECH, "+57 300 000 0101"),
    ("2000000002", "tech2@tickethelp.local", "Teresa", "Reparaciones", Role.TECH, "+57 300 000 0102"),
    ("2000000003", "tech3@tickethelp.local", "Tulio", "Soporte", Role.TECH, "+57 300 000 0103"),
    ("3000000001", "client@tickethelp.local", "Carla", "Cliente", Role.CLIENT, "+57 300 000 0201"),
    ("3000000002", "client2@tickethelp.local", "Carlos", "Comprador", Role.CLIENT, "+57 300 000 0202"),
    ("3000000003", "client3@tickethelp.local", "Camila", "Usuaria", Role.CLIENT, "+57 300 000 0203"),
]


class Command(BaseCommand):
    help = "Create demo users (and, as later apps land, tickets and tenant data)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo writes known passwords; use --force to run it with DEBUG off.")
        with transaction.atomic():
            users = [self._user(*row) for row in DEMO_USERS]
            created = self._tickets({user.document: user for user in users})
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(users)} users, {Ticket.objects.count()} tickets ({created} new)."
            )
        )
        self.stdout.write(f"Every demo account uses the password: {DEMO_PASSWORD}")
        for user in users:
            self.stdout.write(f"  {user.role:<6} {user.email:<28} document {user.document}")

    def _user(self, document, email, first_name, last_name, role, number) -> User:
        user, _ = User.objects.update_or_create(
            document=document,
            defaults={
                "email": email,
                "first_name": first_name,
                "last_name": last_name,
                "role": role,
                "number": number,
                "is_active": True,
                "must_change_password": False,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        return user

    def _tickets(self, users: dict[str, User]) -> int:
        """Demo tickets in every state, built through the services (so history is real).

        A ticket is identified by its title and client: running the command again creates
        nothing new."""
        admin = users["1000000001"]
        created = 0
        for title, client_document, tech_document, priority, category, path in DEMO_TICKETS:
            client, tech = users[client_document], users[tech_document]
            if Ticket.objects.filter(titulo=title, cliente=client).exists():
                continue
            ticket = ticket_services.ticket_create(
                actor=admin,
                cliente=client,
                tecnico=tech,
                titulo=title,
                descripcion=f"{title}. Ticket de demostración.",
                equipo="Equipo de oficina",
                category=category,
                priority=priority,
            )
            self._walk(ticket, admin=admin, tech=tech, client=client, path=path)
            created += 1
        return created

    def _walk(self, ticket: Ticket, *, admin: User, tech: User, client: User, path: str) -> None:
        def move(codigo: str, reason: str = ""):
            to_state = Estado.objects.get(codigo=codigo)
            return ticket_services.ticket_change_state(
                ticket_id=ticket.pk, actor=tech, to_state_id=to_state.pk, reason=reason
            )

        if path == "open":
            return
        if path == "canceled":
            ticket_services.ticket_cancel(ticket_id=ticket.pk, actor=client, reason="Ya no es necesario.")
            return
        move(EstadoCodigo.DIAGNOSIS, "Revisión inicial")
        if path == "diagnosis":
            return
        move(EstadoCodigo.IN_REPAIR, "Repuesto disponible")
        if path == "in_repair":
            return
        outcome = move(EstadoCodigo.FINALIZED, "Reparación terminada")
        if path == "finalized":
            ticket_services.state_request_decide(request_id=outcome.request.pk, actor=admin, approve=True)
        elif path == "rejected":
            ticket_services.state_request_decide(
                request_id=outcome.request.pk,
                actor=admin,
                approve=False,
                rejection_reason="Falta la prueba de funcionamiento.",
            )
