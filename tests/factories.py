"""factory_boy factories for the suite's data."""

import factory

from tenants.models import Apartment, Building, Device, Doorman, NameDevice, Owner, Shift, Tenant
from users.models import Role, User

TEST_PASSWORD = "Secreta-de-prueba-91"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    document = factory.Sequence(lambda n: f"{10_000_000 + n}")
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name", locale="es_ES")
    last_name = factory.Faker("last_name", locale="es_ES")
    number = factory.Sequence(lambda n: f"+57 310 {n:07d}")
    role = Role.CLIENT
    is_active = True

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])


# --- Tickets ---------------------------------------------------------------------------------

from tickets.models import (  # noqa: E402 - appended section, kept next to its factories
    Estado,
    StateChangeRequest,
    Ticket,
    TicketAttachment,
    TicketHistory,
    ticket_code_for,
)


def estado(codigo: str) -> Estado:
    return Estado.objects.get(codigo=codigo)


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket
        skip_postgeneration_save = True

    administrador = factory.SubFactory(UserFactory, role=Role.ADMIN)
    tecnico = factory.SubFactory(UserFactory, role=Role.TECH)
    cliente = factory.SubFactory(UserFactory, role=Role.CLIENT)
    estado = factory.LazyFunction(lambda: estado("open"))
    titulo = factory.Sequence(lambda n: f"Ticket de prueba {n}")
    descripcion = "El equipo no enciende."
    equipo = "Portátil"
    category = "hardware"

    @factory.post_generation
    def with_code(self, create, extracted, **kwargs):
        if create and not self.code:
            self.code = ticket_code_for(self.pk)
            Ticket.objects.filter(pk=self.pk).update(code=self.code)


class StateChangeRequestFactory(factory.django.DjangoModelFactory):
    """A pending request of the assigned technician to finalize an "in repair" ticket."""

    class Meta:
        model = StateChangeRequest

    ticket = factory.SubFactory(TicketFactory, estado=factory.LazyFunction(lambda: estado("in_repair")))
    requested_by = factory.SelfAttribute("ticket.tecnico")
    from_state = factory.SelfAttribute("ticket.estado")
    to_state = factory.LazyFunction(lambda: estado("finalized"))
    reason = "Reparación terminada."


class TicketHistoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketHistory

    ticket = factory.SubFactory(TicketFactory)
    actor = factory.SelfAttribute("ticket.administrador")
    action = "created"
    to_state = factory.SelfAttribute("ticket.estado")
    description = "Ticket creado."


class TicketAttachmentFactory(factory.django.DjangoModelFactory):
    """An attachment row; the file itself is not written (enough for lists and permissions)."""

    class Meta:
        model = TicketAttachment

    ticket = factory.SubFactory(TicketFactory)
    uploaded_by = factory.SelfAttribute("ticket.administrador")
    file = factory.Sequence(lambda n: f"tickets/test/{n:06d}.png")
    original_name = factory.Sequence(lambda n: f"foto-{n}.png")
    mime_type = "image/png"
    size = 1024


# --- Tenant portal ---------------------------------------------------------------------------


class OwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Owner

    name = factory.Faker("name", locale="es_ES")
    email = factory.Sequence(lambda n: f"owner{n}@example.com")
    phone = factory.Sequence(lambda n: f"+57 311 {n:07d}")
    photo = ""


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    name = factory.Sequence(lambda n: f"Edificio {n}")
    managing_company = "Administraciones Andinas"
    address = factory.Sequence(lambda n: f"Calle {n} # 10-20")
    description = "Edificio residencial."
    location_link = "https://maps.example.com/?q=edificio"
    image = ""
    status = True
    owner = factory.SubFactory(OwnerFactory)


class DoormanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Doorman

    building = factory.SubFactory(BuildingFactory)
    name = factory.Faker("name", locale="es_ES")
    email = factory.Sequence(lambda n: f"doorman{n}@example.com")
    phone = factory.Sequence(lambda n: f"+57 312 {n:07d}")
    shift = Shift.MORNING
    active = True


class ApartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Apartment

    building = factory.SubFactory(BuildingFactory)
    name = factory.Sequence(lambda n: f"{100 + n}")
    ubicacion = "Primer piso"
    status = True


class TenantFactory(factory.django.DjangoModelFactory):
    """A resident: a CLIENT user with a tenant profile in an apartment."""

    class Meta:
        model = Tenant

    user = factory.SubFactory(UserFactory, role=Role.CLIENT)
    apartment = factory.SubFactory(ApartmentFactory)
    phone = factory.Sequence(lambda n: f"+57 313 {n:07d}")
    photo = ""


class NameDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NameDevice
        django_get_or_create = ("name",)

    name = "Televisor"
    status = True


class DeviceFactory(factory.django.DjangoModelFactory):
    """A device; pass owners=[tenant, ...] and shared_with=[tenant, ...] to relate it."""

    class Meta:
        model = Device
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Dispositivo {n}")
    status = True
    ubicacion = "Sala"
    brand = "Samsung"
    model = "QN55"
    system = "Tizen"
    device_type = "Television"
    icon_id = "tv"
    name_device = factory.SubFactory(NameDeviceFactory)

    @factory.post_generation
    def owners(self, create, extracted, **kwargs):
        if create and extracted:
            self.owners.set(extracted)

    @factory.post_generation
    def shared_with(self, create, extracted, **kwargs):
        if create and extracted:
            self.shared_with.set(extracted)


# --- Technicians' visits ---------------------------------------------------------------------

from datetime import timedelta  # noqa: E402 - appended section, kept next to its factories

from django.utils import timezone  # noqa: E402

from visits.models import Appointment, AppointmentStatus  # noqa: E402


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A visit of the ticket's technician, scheduled tomorrow (pass `scheduled_for` to move it;
    each one gets its own hour so that a technician's visits do not overlap)."""

    class Meta:
        model = Appointment

    ticket = factory.SubFactory(TicketFactory)
    technician = factory.SelfAttribute("ticket.tecnico")
    created_by = factory.SelfAttribute("ticket.administrador")
    title = factory.Sequence(lambda n: f"Visita {n}")
    description = "Revisar el equipo."
    scheduled_for = factory.Sequence(lambda n: timezone.now() + timedelta(days=2, hours=2 * n))
    duration_minutes = 60
    ends_at = factory.LazyAttribute(lambda a: a.scheduled_for + timedelta(minutes=a.duration_minutes))
    status = AppointmentStatus.SCHEDULED
