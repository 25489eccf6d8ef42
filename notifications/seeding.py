"""Data migrations of every app that adds notification types share these two functions."""

from collections.abc import Callable, Sequence

Seeder = Callable[[object, object], None]


def type_seeders(types: Sequence[tuple[str, str, str]], *, envia_email: bool = True) -> tuple[Seeder, Seeder]:
    """(seed, unseed) for `migrations.RunPython`: `types` are (codigo, nombre, descripcion);
    seeding again brings a type back to these values (idempotent)."""

    def seed(apps, schema_editor):
        NotificationType = apps.get_model("notifications", "NotificationType")
        for codigo, nombre, descripcion in types:
            NotificationType.objects.update_or_create(
                codigo=codigo,
                defaults={"nombre": nombre, "descripcion": descripcion, "es_activo": True, "envia_email": envia_email},
            )

    def unseed(apps, schema_editor):
        codigos = [codigo for codigo, _, _ in types]
        apps.get_model("notifications", "NotificationType").objects.filter(codigo__in=codigos).delete()

    return seed, unseed
