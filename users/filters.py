"""Filters of the user lists (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q
from django_filters.fields import IsoDateTimeField

from tickethelp.validation import moment_error
from users.models import Role, User


class StrictNullBooleanField(forms.NullBooleanField):
    """true/false/1/0 (or absent); anything else is a 400, not a silently ignored filter."""

    widget = forms.TextInput  # the default select widget turns unknown values into None

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in (True, False):
            return value
        normalized = str(value).strip().lower()
        if normalized in ("true", "1"):
            return True
        if normalized in ("false", "0"):
            return False
        raise forms.ValidationError("Debe ser true o false.", code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictNullBooleanField


class StorableIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time the database can be asked about: an offset beyond ±14:00 or a
    moment outside years 1-9999 in UTC is a 400 naming the parameter (a DataError before)."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        error = moment_error(moment)
        if error:
            raise forms.ValidationError(error, code="out_of_range")
        return moment


class StorableIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = StorableIsoDateTimeField


class UserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    is_active = StrictBooleanFilter()
    search = django_filters.CharFilter(method="filter_search", max_length=100, label="Texto a buscar")
    joined_from = StorableIsoDateTimeFilter(field_name="date_joined", lookup_expr="gte")
    joined_to = StorableIsoDateTimeFilter(field_name="date_joined", lookup_expr="lte")

    class Meta:
        model = User
        fields = ("role", "is_active")

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(document__icontains=value)
            | Q(email__icontains=value.lower())
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
        )
