"""The lists' filter backend: django-filter, only when the request names a filter.

Most list requests carry no filter parameter (the web front end reads `/api/users/` whole),
yet django-filter builds a FilterSet, its form class and a bound form for each of them to
change nothing. This backend looks at the query string first: if no parameter of the view's
FilterSet is present, the queryset is returned as it is; otherwise django-filter runs as
before, so a bad value is the same 400 with the same messages.
"""

from django_filters.rest_framework import DjangoFilterBackend

_WIDGETS: dict[type, tuple] = {}


def _parameter_widgets(filterset_class, queryset) -> tuple:
    """(form field name, widget) of each filter of a declared FilterSet class, from a form
    built once; the widget knows which query parameters its field reads (a range reads two)."""
    if filterset_class not in _WIDGETS:
        form = filterset_class(queryset=queryset.none()).form
        _WIDGETS[filterset_class] = tuple((name, form_field.widget) for name, form_field in form.fields.items())
    return _WIDGETS[filterset_class]


def filters_requested(filterset_class, queryset, params) -> bool:
    """Does the query string carry a parameter (even empty) that one of the filters reads?"""
    return any(
        not widget.value_omitted_from_data(params, {}, name)
        for name, widget in _parameter_widgets(filterset_class, queryset)
    )


class RequestedFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = getattr(view, "filterset_class", None)
        # Views that declare `filterset_fields` get a new class per call: left to django-filter.
        if filterset_class is not None and getattr(view, "filterset_fields", None) is None:
            # django-filter's own check that the FilterSet fits the queryset, kept.
            self.get_filterset_class(view, queryset)
            if not filters_requested(filterset_class, queryset, request.query_params):
                return queryset
        return super().filter_queryset(request, queryset, view)
