"""Decisions that must happen once, raced on PostgreSQL with real threads."""

import threading

import pytest
from django.db import connection

from tenants import services
from tenants.models import Tenant
from tests.factories import ApartmentFactory, UserFactory
from tickethelp.exceptions import DomainError
from users.models import Role


@pytest.mark.django_db(transaction=True)
def test_two_admins_attaching_the_same_user_create_one_profile():
    # given a CLIENT user without a profile and two apartments
    client = UserFactory(role=Role.CLIENT, document="CC-3131313")
    apartments = [ApartmentFactory(), ApartmentFactory()]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attach(apartment):
        try:
            barrier.wait(timeout=10)
            services.tenant_create(apartment=apartment, user_document="CC-3131313")
            outcomes.append("created")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    # when both attach the user at the same time
    threads = [threading.Thread(target=attach, args=(apartment,)) for apartment in apartments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then exactly one profile exists and the other call was told why
    assert sorted(outcomes) == ["created", "tenant_exists"]
    assert Tenant.objects.filter(user=client).count() == 1
