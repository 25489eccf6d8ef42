"""Filters of the ticket lists (django-filter): bad values are a 400 naming the parameter."""

import re
from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django_filters.constants import EMPTY_VALUES
from rest_framework.exceptions import ValidationError

from sla import queries as sla_queries
from tickethelp.validation import moment_error
from tickets.models import Priority, Ticket, TicketCount
from tickets.selectors import ticket_search_matches
from users.models import User, document_validator

MAX_ID = 2**63 - 1
# A complete ticket code as tickets.models.ticket_code_for writes it (any case).
FULL_TICKET_CODE = re.compile(r"TK-\d{6,}", re.IGNORECASE)


def _refuse_unstorable(moment: datetime) -> None:
    """An offset beyond ±14:00 or a moment outside years 1-9999 in UTC is the parameter's
    error (the database refused it: a 500 before)."""
    error = moment_error(moment)
    if error:
        raise forms.ValidationError(error, code="out_of_range")


class DateOrDateTimeField(forms.Field):
    """`2025-11-03` or an ISO 8601 date-time; returns (aware datetime, was_date_only)."""

    default_error_messages = {
        "invalid": "Introduce una fecha (AAAA-MM-DD) o fecha y hora ISO 8601 válida.",
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        try:
            # A bare date first: parse_datetime would read "2025-03-10" as its midnight.
            day = parse_date(value)
            if day is not None:
                _refuse_unstorable(datetime.combine(day, time.min))
                return timezone.make_aware(datetime.combine(day, time.min)), True
            moment = parse_datetime(value)
        except (ValueError, OverflowError):
            moment = None
        if moment is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        _refuse_unstorable(moment)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment, False


class StrictBooleanField(forms.Field):
    """true/false (also 1/0, yes/no); anything else is an error, not a silently ignored filter."""

    default_error_messages = {"invalid": "Debe ser true o false."}
    TRUE = frozenset({"true", "1", "yes", "si", "sí"})
    FALSE = frozenset({"false", "0", "no"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        lowered = str(value).strip().lower()
        if lowered in self.TRUE:
            return True
        if lowered in self.FALSE:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class DateOrDateTimeFilter(django_filters.Filter):
    field_class = DateOrDateTimeField


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class DocumentFilter(django_filters.CharFilter):
    """A user by document, given as `<relation>__document`. The user's id is a scalar
    subquery, so PostgreSQL walks the (relation, fecha) index instead of joining users."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("validators", [document_validator])
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        relation = self.field_name.removesuffix("__document")
        return qs.filter(**{relation: Subquery(User.objects.filter(document=value).values("pk")[:1])})


class TicketFilter(django_filters.FilterSet):
    estado = IdFilter(field_name="estado_id", label="Id del estado")
    estado_codigo = django_filters.CharFilter(field_name="estado__codigo", max_length=30, label="Código del estado")
    es_final = StrictBooleanFilter(field_name="estado__es_final", label="Solo finales / no finales")
    tecnico = DocumentFilter(field_name="tecnico__document", label="Documento del técnico")
    cliente = DocumentFilter(field_name="cliente__document", label="Documento del cliente")
    administrador = DocumentFilter(field_name="administrador__document", label="Documento del administrador")
    sin_tecnico = StrictBooleanFilter(field_name="tecnico", lookup_expr="isnull", label="Sin técnico")
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    category = django_filters.CharFilter(max_length=50)
    fecha_desde = DateOrDateTimeFilter(method="filter_fecha_desde", label="Desde (fecha o fecha y hora)")
    fecha_hasta = DateOrDateTimeFilter(method="filter_fecha_hasta", label="Hasta (fecha inclusive, o fecha y hora)")
    search = django_filters.CharFilter(method="filter_search", max_length=100, label="Texto a buscar")
    sla = django_filters.ChoiceFilter(
        choices=[("breached", "Incumplido"), ("at_risk", "En riesgo")],
        method="filter_sla",
        label="Nivel de servicio: breached (un reloj en curso pasó su objetivo) o at_risk (pasó el 80 %)",
    )

    class Meta:
        model = Ticket
        fields = ()

    # Filters that mean the same on TicketCount (its `tecnico` and `estado` have the ticket's names).
    COUNTER_FILTERS = frozenset({"estado", "estado_codigo", "es_final", "tecnico", "sin_tecnico"})

    def get_form_class(self):
        # The form's fields depend on the declarations above only: built once per class
        # (django-filter builds a new form class for every request).
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class

    @classmethod
    def filtered(cls, params, queryset: QuerySet[Ticket], request=None) -> tuple[QuerySet[Ticket], dict]:
        """(`queryset` filtered by `params`, the filters in use with their clean values).

        Invalid values are a ValidationError per parameter. Without any filter parameter
        the queryset is returned as it is, without building the filter form."""
        if not params.keys() & cls.base_filters.keys():
            return queryset, {}
        filterset = cls(params, queryset=queryset, request=request)
        if not filterset.is_valid():
            raise ValidationError({field: list(messages) for field, messages in filterset.errors.items()})
        active = {name: value for name, value in filterset.form.cleaned_data.items() if value not in (None, "")}
        return filterset.qs, active

    @classmethod
    def counted_total(cls, counts: QuerySet[TicketCount] | None, active: dict) -> int | None:
        """The number of tickets matching the `active` filters, read from `counts` (already
        scoped to the list), or None when there are no counters or a filter in use cannot
        be applied to them."""
        if counts is None or not active.keys() <= cls.COUNTER_FILTERS:
            return None
        for name, value in active.items():
            counts = cls.base_filters[name].filter(counts, value)
        return counts.aggregate(total=Sum("total"))["total"] or 0

    def filter_fecha_desde(self, queryset, name, value):
        moment, _ = value
        return queryset.filter(fecha__gte=moment)

    def filter_fecha_hasta(self, queryset, name, value):
        moment, date_only = value
        if date_only:  # the whole day is included
            return queryset.filter(fecha__lt=moment + timedelta(days=1))
        return queryset.filter(fecha__lte=moment)

    def filter_sla(self, queryset, name, value):
        now = timezone.now()
        return queryset.filter(sla_queries.breached(now) if value == "breached" else sla_queries.at_risk(now))

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if FULL_TICKET_CODE.fullmatch(value):
            # A whole code names one ticket: its unique index, not the trigram search (whose
            # "TK-0…" trigrams are in every ticket).
            return queryset.filter(code=value.upper())
        return queryset.filter(pk__in=ticket_search_matches(value))
