"""Load a demo data set so a newcomer can explore the API at once.

Idempotent: running it twice leaves one copy. Known demo passwords are printed; they are
for local exploration only (the command refuses to run with DEBUG off unless --force).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from users.models import Role, User

DEMO_PASSWORD = "TicketHelp-demo-2026"  # noqa: S105 - published demo credential

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
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(users)} users."))
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
