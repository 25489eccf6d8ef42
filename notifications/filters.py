"""Query filters of the notification lists (bad values are a 400, never ignored)."""

import django_filters
from django import forms

from notifications.models import Notification, NotificationStatus
from users.filters import StrictBooleanFilter


class TipoFilter(django_filters.CharFilter):
    """`tipo` by code (`ticket_creado`) or by numeric id."""

    field_class = forms.RegexField

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        if value.isdigit():
            return qs.filter(tipo_id=int(value))
        return qs.filter(tipo__codigo=value)


class NotificationFilter(django_filters.FilterSet):
    estado = django_filters.ChoiceFilter(choices=NotificationStatus.choices)
    tipo = TipoFilter(regex=r"^[a-z0-9_]{1,40}$", error_messages={"invalid": "Tipo de notificación inválido."})
    leidas = StrictBooleanFilter(field_name="fecha_lectura", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Notification
        fields = ("estado", "tipo", "leidas")
