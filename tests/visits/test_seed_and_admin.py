"""seed_demo has visits in every status; the admin lists them with its filters."""

import pytest
from django.core.management import call_command

from tests.factories import AppointmentFactory
from visits.models import Appointment, AppointmentStatus, RatingMonth

pytestmark = pytest.mark.django_db


def test_seed_demo_books_a_visit_in_every_status_once(capsys):
    # when the demo is seeded twice
    call_command("seed_demo", force=True)
    call_command("seed_demo", force=True)

    # then there is one visit in every status, the rated one counted in the roll-up
    assert sorted(Appointment.objects.values_list("status", flat=True)) == sorted(AppointmentStatus.values)
    assert list(RatingMonth.objects.values_list("rating", "total")) == [(5, 1)]


def test_admin_lists_visits_with_date_hierarchy_and_filters(admin_site):
    appointment = AppointmentFactory()

    page = admin_site.get(
        f"/admin/visits/appointment/?status=scheduled&technician__id__exact={appointment.technician_id}"
    )
    detail = admin_site.get(f"/admin/visits/appointment/{appointment.pk}/change/")

    assert page.status_code == 200
    assert appointment.title in page.content.decode()
    assert page.context["cl"].date_hierarchy == "scheduled_for"
    assert page.context["cl"].result_count == 1
    assert detail.status_code == 200
