"""Filters of the user lists (django-filter)."""

import django_filters
from django.db.models import Q

from users.models import Role, User


class UserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    is_active = django_filters.BooleanFilter()
    search = django_filters.CharFilter(method="filter_search", max_length=100, label="Texto a buscar")
    joined_from = django_filters.IsoDateTimeFilter(field_name="date_joined", lookup_expr="gte")
    joined_to = django_filters.IsoDateTimeFilter(field_name="date_joined", lookup_expr="lte")

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
