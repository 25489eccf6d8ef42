"""The notifications of the service-level warnings (sla.services.warnings_send): "at risk"
(80 % of a target) is shown in the app only; a breach is e-mailed too."""

from django.db import migrations

from notifications.seeding import type_seeders

AT_RISK = [("sla_en_riesgo", "Nivel de servicio en riesgo", "Un ticket pasó el 80 % de un objetivo de servicio.")]
BREACHED = [("sla_incumplido", "Nivel de servicio incumplido", "Un ticket pasó un objetivo de servicio.")]

_seed_at_risk, _unseed_at_risk = type_seeders(AT_RISK, envia_email=False)
_seed_breached, _unseed_breached = type_seeders(BREACHED, envia_email=True)


def seed(apps, schema_editor):
    _seed_at_risk(apps, schema_editor)
    _seed_breached(apps, schema_editor)


def unseed(apps, schema_editor):
    _unseed_at_risk(apps, schema_editor)
    _unseed_breached(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0002_default_policies"),
        ("notifications", "0002_seed_notification_types"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
