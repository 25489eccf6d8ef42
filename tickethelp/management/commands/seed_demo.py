"""Load a demo data set so a newcomer can explore the API at once.

Idempotent: running it twice leaves one copy. Known demo passwords are printed; they are
for local exploration only (the command refuses to run with DEBUG off unless --force).

The demo tickets notify their users as real ones do; those e-mails are kept in memory
instead of being printed (in debug the console backend would print each one, burying the
credentials): the command says how many there were, and the Notification rows keep their
text for the admin. The credentials are the last thing it prints.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone

from conversations import services as conversation_services
from notifications.models import Notification
from tenants import services as tenant_services
from tenants.models import Apartment, Building, Device, Doorman, NameDevice, Owner, Shift, Tenant
from tickets import services as ticket_services
from tickets.models import Estado, EstadoCodigo, Ticket
from users.models import Role, User
from visits import services as visit_services
from visits.models import Appointment, AppointmentStatus

DEMO_PASSWORD = "TicketHelp-demo-2026"  # noqa: S105 - published demo credential
# Where the demo's e-mails go while it runs: memory, neither the console nor a mail server.
QUIET_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

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


# --- Tenant portal: buildings, residents, devices ----------------------------------------------

# (name, e-mail, phone)
DEMO_OWNERS = [
    ("Inversiones Altamira S.A.S.", "contacto@altamira.example.com", "+57 601 555 0101"),
    ("María Fernanda Ríos", "mfrios@example.com", "+57 315 555 0102"),
]
# (name, owner e-mail, managing company, address, description)
DEMO_BUILDINGS = [
    (
        "Torres del Parque",
        "contacto@altamira.example.com",
        "Administraciones Andinas",
        "Carrera 5 # 26-40, Bogotá",
        "Conjunto residencial de tres torres junto al parque.",
    ),
    (
        "Edificio Mirador del Río",
        "mfrios@example.com",
        "Propiedad Horizontal Ríos",
        "Calle 10 # 43-12, Medellín",
        "Edificio de doce pisos con vista al río.",
    ),
]
# (building, name, shift, phone)
DEMO_DOORMEN = [
    ("Torres del Parque", "Jorge Portilla", Shift.MORNING, "+57 320 555 0201"),
    ("Torres del Parque", "Luz Marina Ortiz", Shift.AFTERNOON, "+57 320 555 0202"),
    ("Torres del Parque", "Hernán Velasco", Shift.NIGHT, "+57 320 555 0203"),
    ("Edificio Mirador del Río", "Sandra Quintero", Shift.MORNING, "+57 320 555 0211"),
    ("Edificio Mirador del Río", "Óscar Mejía", Shift.AFTERNOON, "+57 320 555 0212"),
    ("Edificio Mirador del Río", "Wilson Arango", Shift.NIGHT, "+57 320 555 0213"),
]
# (building, apartment, ubicación)
DEMO_APARTMENTS = [
    ("Torres del Parque", "101", "Torre 1, piso 1"),
    ("Torres del Parque", "102", "Torre 1, piso 1"),
    ("Torres del Parque", "201", "Torre 1, piso 2"),
    ("Edificio Mirador del Río", "502", "Piso 5"),
    ("Edificio Mirador del Río", "801", "Piso 8"),
]
# CLIENT users with a tenant profile: (document, e-mail, first, last, number, building, apartment)
DEMO_RESIDENTS = [
    ("4000000001", "resident@tickethelp.local", "Rosa", "Residente", "+57 300 000 0301", "Torres del Parque", "101"),
    ("4000000002", "resident2@tickethelp.local", "Raúl", "Residente", "+57 300 000 0302", "Torres del Parque", "101"),
    ("4000000003", "resident3@tickethelp.local", "Lucía", "Inquilina", "+57 300 000 0303", "Torres del Parque", "201"),
    (
        "4000000004",
        "resident4@tickethelp.local",
        "Mateo",
        "Vecino",
        "+57 300 000 0304",
        "Edificio Mirador del Río",
        "502",
    ),
]
DEMO_DEVICE_TYPES = ["Televisor", "Aire acondicionado", "Nevera", "Lavadora", "Router"]
# (name, type, brand, model, ubicación, icon, owner documents, shared-with documents)
DEMO_DEVICES = [
    ("Televisor de la sala", "Televisor", "Samsung", "QN55Q60", "Sala", "tv", ["4000000001"], ["4000000002"]),
    (
        "Aire acondicionado alcoba",
        "Aire acondicionado",
        "LG",
        "Dual Inverter",
        "Alcoba principal",
        "ac",
        ["4000000001"],
        [],
    ),
    ("Nevera de la cocina", "Nevera", "Mabe", "RMB300", "Cocina", "fridge", ["4000000002"], ["4000000001"]),
    ("Lavadora", "Lavadora", "Whirlpool", "WW19", "Zona de ropas", "washer", ["4000000003"], []),
    ("Router Wi-Fi", "Router", "TP-Link", "Archer C6", "Estudio", "router", ["4000000004"], []),
]
# Tickets residents opened from the portal: (title, resident document, device, category, priority, path)
DEMO_TENANT_TICKETS = [
    ("El televisor no da imagen", "4000000001", "Televisor de la sala", "electrodomesticos", "high", "open"),
    ("La nevera no enfría", "4000000002", "Nevera de la cocina", "electrodomesticos", "urgent", "diagnosis"),
    ("Router se reinicia solo", "4000000004", "Router Wi-Fi", "redes", "medium", "in_repair"),
]


class Command(BaseCommand):
    help = "Create demo users, tickets in every state and tenant-portal data (buildings, residents, devices)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo writes known passwords; use --force to run it with DEBUG off.")
        notifications_before = Notification.objects.count()
        with _quiet_delivery(), transaction.atomic():
            users = [self._user(*row) for row in DEMO_USERS]
            created = self._tickets({user.document: user for user in users})
            residents = self._residential()
            created += self._tenant_tickets(residents, admin=users[0])
            visits = self._appointments(admin=users[0])
        notified = Notification.objects.count() - notifications_before
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(users) + len(residents)} users, {Building.objects.count()} buildings, "
                f"{Device.objects.count()} devices, {Ticket.objects.count()} tickets ({created} new), "
                f"{visits} technician visits."
            )
        )
        if notified:
            self.stdout.write(
                f"{notified} notification e-mails to the demo users were not printed; read them in the admin "
                "under Notificaciones (/admin/notifications/notification/)."
            )
        self.stdout.write(
            "Log in with POST /api/users/auth/login/ (staff) or POST /api/tenant/login (residents); "
            "API docs at /api/docs/, admin at /admin/."
        )
        self._credentials(users, residents)

    def _credentials(self, users: list[User], residents: dict[str, Tenant]) -> None:
        """The demo accounts, as the last lines of the output."""
        self.stdout.write(f"Every demo account uses the password: {DEMO_PASSWORD}")
        for user in users:
            self.stdout.write(f"  {user.role:<6} {user.email:<28} document {user.document}")
        self.stdout.write("Residents (CLIENT users with a tenant profile; portal login: POST /api/tenant/login):")
        for tenant in residents.values():
            self.stdout.write(
                f"  {tenant.user.role:<6} {tenant.user.email:<28} document {tenant.user.document}  {tenant.apartment}"
            )

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
            self._conversation(ticket, admin=admin, tech=tech, client=client)
            self._walk(ticket, admin=admin, tech=tech, client=client, path=path)
            created += 1
        return created

    def _conversation(self, ticket: Ticket, *, admin: User, tech: User, client: User) -> None:
        """The client asks, the technician answers and leaves an internal note, the admin
        notes too (written before the workflow walk: a final ticket takes no message)."""
        for author, body, internal in (
            (client, "Hola, ¿cuándo pueden revisarlo?", False),
            (tech, "Lo reviso mañana en la mañana.", False),
            (tech, "Nota interna: posible falla de la fuente; llevar repuesto.", True),
            (admin, "Nota interna: cliente prioritario.", True),
        ):
            conversation_services.message_send(ticket_id=ticket.pk, actor=author, body=body, internal=internal)

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

    def _residential(self) -> dict[str, Tenant]:
        """Owners, buildings, doormen, apartments, residents and their devices; looked up by
        their natural names so that a second run updates instead of duplicating."""
        owners = {}
        for name, email, phone in DEMO_OWNERS:
            owner = Owner.objects.filter(email=email).order_by("pk").first() or Owner(email=email)
            owner.name, owner.phone = name, phone
            owner.save()
            owners[email] = owner
        buildings = {}
        for name, owner_email, company, address, description in DEMO_BUILDINGS:
            buildings[name], _ = Building.objects.update_or_create(
                name=name,
                defaults={
                    "owner": owners[owner_email],
                    "managing_company": company,
                    "address": address,
                    "description": description,
                    "status": True,
                },
            )
        for building, name, shift, phone in DEMO_DOORMEN:
            Doorman.objects.update_or_create(
                building=buildings[building],
                name=name,
                defaults={"shift": shift, "phone": phone, "active": True},
            )
        apartments = {}
        for building, name, ubicacion in DEMO_APARTMENTS:
            apartments[building, name], _ = Apartment.objects.update_or_create(
                building=buildings[building], name=name, defaults={"ubicacion": ubicacion, "status": True}
            )
        residents = {}
        for document, email, first_name, last_name, number, building, apartment in DEMO_RESIDENTS:
            user = self._user(document, email, first_name, last_name, Role.CLIENT, number)
            residents[document], _ = Tenant.objects.update_or_create(
                user=user, defaults={"apartment": apartments[building, apartment], "phone": number}
            )
        types = {}
        for name in DEMO_DEVICE_TYPES:
            types[name], _ = NameDevice.objects.get_or_create(name=name)
        for name, type_name, brand, model, ubicacion, icon, owner_docs, shared_docs in DEMO_DEVICES:
            data = {
                "name": name,
                "name_device": types[type_name],
                "brand": brand,
                "model": model,
                "ubicacion": ubicacion,
                "icon_id": icon,
                "device_type": type_name,
                "status": True,
            }
            owner_ids = [residents[doc].pk for doc in owner_docs]
            shared_ids = [residents[doc].pk for doc in shared_docs]
            existing = Device.objects.filter(name=name, owners__in=owner_ids).order_by("pk").first()
            if existing is None:
                tenant_services.device_create(data=data, owner_ids=owner_ids, shared_with_ids=shared_ids)
            else:
                tenant_services.device_update(
                    device_id=existing.pk, data=data, owner_ids=owner_ids, shared_with_ids=shared_ids
                )
        return residents

    def _tenant_tickets(self, residents: dict[str, Tenant], *, admin: User) -> int:
        """Tickets residents opened from the portal about one of their devices (same
        lifecycle as staff tickets: assigned to the least busy technician)."""
        created = 0
        for title, document, device_name, category, priority, path in DEMO_TENANT_TICKETS:
            tenant = residents[document]
            if Ticket.objects.filter(titulo=title, cliente=tenant.user).exists():
                continue
            device = (
                Device.objects.filter(name=device_name)
                .filter(Q(owners=tenant) | Q(shared_with=tenant))
                .distinct()
                .get()
            )
            ticket = ticket_services.ticket_create(
                actor=tenant.user,
                cliente=tenant.user,
                titulo=title,
                descripcion=f"{title}. Reportado desde el portal de residentes.",
                equipo=device.name,
                category=category,
                priority=priority,
                device=device,
                source="tenant",
            )
            if ticket.tecnico is not None:
                self._conversation(ticket, admin=admin, tech=ticket.tecnico, client=tenant.user)
            self._walk(ticket, admin=admin, tech=ticket.tecnico, client=tenant.user, path=path)
            created += 1
        return created

    def _appointments(self, *, admin: User) -> int:
        """Technicians' visits to the residents' open tickets, one in every status (through the
        services: history, notifications and the ratings roll-up as in real use)."""
        if Appointment.objects.exists():
            return Appointment.objects.count()
        tickets = list(
            Ticket.objects.filter(device__isnull=False, tecnico__isnull=False, estado__es_final=False)
            .select_related("tecnico", "cliente")
            .order_by("id")
        )
        if not tickets:
            return 0
        base = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
        for index, status in enumerate(AppointmentStatus.values):
            ticket = tickets[index % len(tickets)]
            visit = visit_services.appointment_book(
                ticket_id=ticket.pk,
                actor=admin,
                title=f"Visita técnica: {ticket.titulo}",
                description="Revisar el equipo en el apartamento.",
                scheduled_for=base + timedelta(days=index, hours=index % 3),
            )
            if status == AppointmentStatus.CANCELLED:
                visit_services.appointment_cancel(appointment_id=visit.pk, actor=admin, reason="El residente viaja.")
            elif status == AppointmentStatus.NO_SHOW:
                visit_services.appointment_no_show(appointment_id=visit.pk, actor=admin, reason="Nadie abrió.")
            elif status != AppointmentStatus.SCHEDULED:
                visit_services.appointment_start(appointment_id=visit.pk, actor=ticket.tecnico)
                if status != AppointmentStatus.IN_PROGRESS:
                    visit_services.appointment_complete(
                        appointment_id=visit.pk, actor=ticket.tecnico, completion_notes="Se ajustó la conexión."
                    )
                if status == AppointmentStatus.COMPLETED:
                    visit_services.appointment_rate(
                        appointment_id=visit.pk, resident=ticket.cliente, rating=5, feedback="Muy puntual."
                    )
        return Appointment.objects.count()


@contextmanager
def _quiet_delivery() -> Iterator[None]:
    """E-mails sent meanwhile go to memory, and the task runner's per-task log lines (two per
    e-mail with the in-process backend) are held back; warnings and errors still show."""
    task_logger = logging.getLogger("django_tasks")
    level = task_logger.level
    task_logger.setLevel(max(level, logging.WARNING))
    try:
        with override_settings(EMAIL_BACKEND=QUIET_EMAIL_BACKEND):
            yield
    finally:
        task_logger.setLevel(level)
