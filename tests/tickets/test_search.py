"""`?search=`: ticket text and client, case-insensitive, wildcards taken literally, indexed."""

import pytest
from django.db import connection

from tests.factories import TicketFactory, UserFactory
from users.models import Role

pytestmark = pytest.mark.django_db


def found(client, text: str) -> set[int]:
    response = client.get("/api/tickets/", {"search": text})
    assert response.status_code == 200
    body = response.json()
    assert body["total_tickets"] == len(body["tickets"])
    return {ticket["id"] for ticket in body["tickets"]}


def test_search_matches_ticket_text_and_client_case_insensitively(as_admin):
    # given tickets told apart by title, description, equipment and client
    printer = TicketFactory(titulo="Impresora atascada")
    laptop = TicketFactory(descripcion="El cargador ÑANDÚ no carga", equipo="Lenovo T14")
    nunez = TicketFactory(cliente=UserFactory(role=Role.CLIENT, last_name="Núñez"))

    # when searching, then each is found by any of those, in any case
    assert found(as_admin, "impresora") == {printer.pk}
    assert found(as_admin, "lenovo t14") == {laptop.pk}
    assert found(as_admin, "ñandú") == {laptop.pk}
    assert found(as_admin, "núñez") == {nunez.pk}
    assert found(as_admin, printer.code) == {printer.pk}


def test_wildcards_in_the_search_are_literal(as_admin):
    # given a ticket with "50%" in its title and one with "a_b"
    percent = TicketFactory(titulo="Descuento del 50% no aplicado")
    underscore = TicketFactory(titulo="Archivo a_b.txt")
    TicketFactory(titulo="Archivo axb.txt 50 unidades")

    # when searching for the wildcard characters, then only literal matches come back
    assert found(as_admin, "50%") == {percent.pk}
    assert found(as_admin, "a_b") == {underscore.pk}
    assert found(as_admin, "%") == {percent.pk}


def test_the_search_expression_has_its_trigram_index():
    # given the migrated database, then the index the search relies on exists
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'tickets_search_trgm_idx'")
        (definition,) = cursor.fetchone()
    assert "gin_trgm_ops" in definition


def test_a_whole_code_finds_its_ticket_in_any_case_and_a_partial_one_searches(as_admin):
    # given tickets with neighbouring codes
    tickets = TicketFactory.create_batch(3)
    wanted = tickets[1]

    # when searching a whole code (any case), then exactly that ticket
    assert found(as_admin, wanted.code.lower()) == {wanted.pk}

    # and a part of a code is still a text search
    assert wanted.pk in found(as_admin, wanted.code[3:])
