"""Row plans (tickethelp/rows.py): what they refuse, what one page costs, and that the
planner setting they use for their one statement does not outlive it."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers

from notifications.models import Notification
from notifications.serializers import TechnicianInfoSerializer
from notifications.services import notify
from tests.factories import TicketFactory, UserFactory
from tickethelp import rows
from tickethelp.rows import RowPlan, UnsupportedRowPlan, serialize_page
from tickethelp.serializers import FastOutputMixin
from tickets.models import StateChangeRequest, Ticket
from tickets.selectors import ticket_queryset
from tickets.serializers import StateChangeRequestSerializer, TicketSerializer, UserBriefSerializer
from users.models import Role

pytestmark = pytest.mark.django_db


class WithMethodField(FastOutputMixin, serializers.ModelSerializer):
    shout = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = ("id", "shout")

    def get_shout(self, ticket) -> str:
        return ticket.titulo.upper()


class NullableWithoutDefault(FastOutputMixin, serializers.Serializer):
    # tecnico may be NULL and the field neither allows null nor has a default: DRF would
    # leave the key out, which a row cannot say.
    tecnico_document = serializers.CharField(source="tecnico.document", read_only=True)


class ReverseNested(FastOutputMixin, serializers.Serializer):
    notifications = UserBriefSerializer(many=True, read_only=True)


class NotFastNested(FastOutputMixin, serializers.Serializer):
    cliente = serializers.ModelSerializer(read_only=True)


class JsonKeyWithoutDefault(FastOutputMixin, serializers.Serializer):
    # a key inside a JSON column may be missing: without a default DRF would leave it out
    evento = serializers.CharField(source="datos_adicionales.evento", read_only=True)


@pytest.mark.parametrize("serializer_class", [WithMethodField, NullableWithoutDefault, NotFastNested])
def test_a_plan_refuses_fields_it_cannot_express(serializer_class):
    # when a plan is built for a serializer with such a field / then it is refused at once
    with pytest.raises(UnsupportedRowPlan):
        RowPlan(serializer_class, Ticket)


def test_a_plan_refuses_a_json_key_without_default():
    with pytest.raises(UnsupportedRowPlan):
        RowPlan(JsonKeyWithoutDefault, Notification)


class JsonKeys(FastOutputMixin, serializers.Serializer):
    evento = serializers.CharField(source="datos_adicionales.evento", read_only=True, default="ninguno")
    tecnico = TechnicianInfoSerializer(source="datos_adicionales.tecnico_nuevo", read_only=True, default=None)
    profundo = serializers.IntegerField(source="datos_adicionales.a.b", read_only=True, allow_null=True)


@pytest.mark.parametrize(
    "datos",
    [
        {},
        {"evento": None, "tecnico_nuevo": None},
        {"evento": 7, "tecnico_nuevo": {"documento": "1000000001", "nombre": "Ana Gil", "extra": 1}},
        {"tecnico_nuevo": "no es un objeto", "a": {"b": "12"}},
        {"tecnico_nuevo": {"documento": "1000000001"}, "a": []},
        [],
        "texto",
    ],
)
def test_keys_inside_a_json_column_read_as_drf_reads_them(monkeypatch, datos):
    # given a notification whose JSON data has, or lacks, the keys a serializer reads
    user = UserFactory()
    notify(codigo="estado_cambiado", recipients=[user], titulo="t", mensaje="m")
    Notification.objects.update(datos_adicionales=datos)
    queryset = Notification.objects.order_by("id")

    # when the page is read through a row plan (one statement) and through DRF
    with CaptureQueriesContext(connection) as queries:
        planned = serialize_page(JsonKeys, queryset, 0, 10)
    monkeypatch.setattr(FastOutputMixin, "to_representation", serializers.Serializer.to_representation)
    monkeypatch.setattr(rows, "ROWS_ENABLED", False)
    drf = serialize_page(JsonKeys, queryset, 0, 10)

    # then both say the same: a missing key is the default, a null stays null
    assert len(queries) == 1
    assert planned == drf


def test_a_plan_refuses_a_list_of_rows_that_is_no_top_level_to_many_relation():
    with pytest.raises(UnsupportedRowPlan):
        RowPlan(ReverseNested, Notification)


def test_a_plan_refuses_pages_without_an_order_of_its_own_columns():
    # given tickets ordered by a related row's column, and tickets in no order at all
    TicketFactory()
    by_client = Ticket.objects.order_by("cliente__document")
    unordered = Ticket.objects.all().order_by()

    # then neither can be paged by a plan (pages would not be stable or not be the same)
    for queryset in (by_client, unordered):
        with pytest.raises(UnsupportedRowPlan):
            serialize_page(TicketSerializer, queryset, 0, 10)


def test_a_page_is_one_statement_whatever_its_length():
    # given 3 tickets and then 30, with and without technician or administrator
    def page_queries():
        with CaptureQueriesContext(connection) as queries:
            rows = serialize_page(TicketSerializer, ticket_queryset(), 0, 50)
        return len(rows), len(queries)

    for _ in range(3):
        TicketFactory(tecnico=None, administrador=None)
    small = page_queries()
    for _ in range(27):
        TicketFactory()
    large = page_queries()

    # then both pages took one statement
    assert small == (3, 1)
    assert large == (30, 1)


def test_nested_rows_missing_are_null_and_present_ones_complete():
    # given a ticket without technician and one with
    tech = UserFactory(role=Role.TECH, first_name="Ana", last_name="Gil")
    without = TicketFactory(tecnico=None, administrador=None)
    with_tech = TicketFactory(tecnico=tech)

    # when both are read through the plan
    rows = {row["id"]: row for row in serialize_page(TicketSerializer, ticket_queryset(), 0, 10)}

    # then the missing technician is null and the present one is the document and the brief user
    assert rows[without.pk]["tecnico"] is None
    assert rows[without.pk]["tecnico_detalle"] is None
    assert rows[without.pk]["administrador"] is None
    assert rows[without.pk]["administrador_detalle"] is None
    assert rows[with_tech.pk]["tecnico"] == tech.document
    assert rows[with_tech.pk]["tecnico_detalle"] == {
        "document": tech.document,
        "email": tech.email,
        "first_name": "Ana",
        "last_name": "Gil",
        "full_name": "Ana Gil",
    }


def test_pages_follow_the_querysets_order_and_window():
    # given 7 tickets
    tickets = [TicketFactory() for _ in range(7)]
    queryset = Ticket.objects.order_by("id")

    # when the third page of 3 is read / then it is the seventh ticket alone
    assert [row["id"] for row in serialize_page(TicketSerializer, queryset, 6, 3)] == [tickets[6].pk]
    # and a descending order is kept
    descending = serialize_page(TicketSerializer, Ticket.objects.order_by("-id"), 0, 3)
    assert [row["id"] for row in descending] == [t.pk for t in reversed(tickets[-3:])]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner setting is PostgreSQL's")
def test_the_join_order_setting_lasts_one_statement_even_inside_a_transaction():
    TicketFactory()

    def setting():
        with connection.cursor() as cursor:
            cursor.execute("SHOW join_collapse_limit")
            return cursor.fetchone()[0]

    before = setting()
    with transaction.atomic():
        serialize_page(StateChangeRequestSerializer, StateChangeRequest.objects.order_by("id"), 0, 5)
        serialize_page(TicketSerializer, ticket_queryset(), 0, 5)
        assert setting() == before
    assert setting() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner setting is PostgreSQL's")
def test_a_page_is_read_in_the_written_join_order_with_prepared_statements_on():
    # given the settings' server-side binding (DB_PREPARED_STATEMENTS, on by default)
    TicketFactory()

    # when a page of state-change requests (nine tables) is read
    with CaptureQueriesContext(connection) as captured:
        serialize_page(StateChangeRequestSerializer, StateChangeRequest.objects.order_by("id"), 0, 5)

    # then its one statement still carries the planner setting, on a client-binding cursor
    [page] = [query["sql"] for query in captured.captured_queries]
    assert page.startswith("SET LOCAL join_collapse_limit = 1; ")
    assert page.endswith("; SET LOCAL join_collapse_limit TO DEFAULT")
