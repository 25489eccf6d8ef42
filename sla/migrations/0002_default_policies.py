"""The default service levels (business minutes): urgent 1 h / 8 h, high 4 h / 24 h,
medium 8 h / 72 h, low 24 h / 120 h; a pending final-state request waits at most 4 h."""

from django.db import migrations

DEFAULT_POLICIES = [
    # priority, first response, resolution, approval
    ("urgent", 60, 480, 240),
    ("high", 240, 1440, 240),
    ("medium", 480, 4320, 240),
    ("low", 1440, 7200, 240),
]


def seed(apps, schema_editor):
    SLAPolicy = apps.get_model("sla", "SLAPolicy")
    for priority, first_response, resolution, approval in DEFAULT_POLICIES:
        if SLAPolicy.objects.filter(priority=priority, category="", active=True).exists():
            continue
        SLAPolicy.objects.create(
            priority=priority,
            category="",
            first_response_minutes=first_response,
            resolution_minutes=resolution,
            approval_minutes=approval,
            active=True,
        )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
