"""Pagination for lists that grow without bound.

Clients were written against plain arrays (`/api/users/`, `/api/notifications/`) and
against envelopes (`{"message", "total_tickets", "tickets"}`), so pagination never changes
a body's shape: `ArrayPagination` returns the array and puts the total in `X-Total-Count`
(+ an RFC 8288 `Link` header); envelope views call `paginate_serialized` and put the total in
their documented `total_*` key. Both accept `?page=&page_size=` or `?limit=&offset=`.
Read through a row plan, a page and its total are one statement (a COUNT subquery beside
the page's columns, tickethelp/rows.py).

Some lists are read whole by the real clients (the web front end resolves technicians from
`/api/users/`, the residents' app shows every ticket): those answer *every* row when the
request names no paging parameter, up to `settings.MAX_UNPAGED_RESULTS`; past that the
answer is the first page, with `X-Total-Count` and a `Link` to the next one, never an
unbounded body. Within the limit such a request costs no COUNT of its own: on PostgreSQL the
page's statement counts the list up to the limit and that count sets its LIMIT (every row,
or only the first page past the limit); elsewhere one more row than the limit is read and
the total is the number of rows read. Past the limit a COUNT gives `X-Total-Count`.
"""

from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from tickethelp.rows import serialize_counted_page, serialize_page, serialize_whole_or_first_page

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


# Far beyond any real list, and far below what the database's OFFSET accepts.
MAX_OFFSET = 10**9


def _bounded_int(request, name: str, *, minimum: int, maximum: int = MAX_OFFSET) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [f"Debe ser un número entero, se recibió '{raw[:40]}'."]}) from None
    if value < minimum:
        raise ValidationError({name: [f"Debe ser mayor o igual a {minimum}."]})
    if value > maximum:
        raise ValidationError({name: [f"Debe ser menor o igual a {maximum}."]})
    return value


PAGING_PARAMETERS = ("page", "page_size", "limit", "offset")


def paging_requested(request) -> bool:
    return any(request.query_params.get(name) not in (None, "") for name in PAGING_PARAMETERS)


def read_unpaged(read, queryset, whole_or_first=None) -> tuple[list, int, int]:
    """(rows, total, window size) of a request without paging parameters on a list read whole.

    `read(offset, limit)` answers that window of `queryset` as a list. On PostgreSQL through a
    row plan, `whole_or_first(whole, first)` answers every row or the first page in one
    statement, with the rows counted up to `whole + 1`. Otherwise one read of
    `MAX_UNPAGED_RESULTS + 1` rows (and at least a default page) decides: fewer than read =
    every row, and their number is the total. Past the limit: the first page and a COUNT."""
    whole = settings.MAX_UNPAGED_RESULTS
    answer = whole_or_first(whole, DEFAULT_PAGE_SIZE) if whole_or_first is not None else None
    if answer is not None:
        rows, bounded = answer
        if bounded <= whole:
            return rows, bounded, max(bounded, 1)
        # Past the limit: a first page that is not full holds every row (a limit below a page).
        return rows, len(rows) if len(rows) < DEFAULT_PAGE_SIZE else queryset.count(), DEFAULT_PAGE_SIZE
    fetched = max(whole + 1, DEFAULT_PAGE_SIZE)
    rows = read(0, fetched)
    if len(rows) <= settings.MAX_UNPAGED_RESULTS:
        return rows, len(rows), max(len(rows), 1)
    total = len(rows) if len(rows) < fetched else queryset.count()
    return rows[:DEFAULT_PAGE_SIZE], total, DEFAULT_PAGE_SIZE


def page_window(request, *, total: int | None = None) -> tuple[int, int]:
    """(offset, limit) from `limit/offset` or `page/page_size`; bad values are a 400.

    Given the list's `total`, a request without paging parameters gets every row, as long as
    there are at most `MAX_UNPAGED_RESULTS` of them (else the first page)."""
    if total is not None and not paging_requested(request) and total <= settings.MAX_UNPAGED_RESULTS:
        return 0, max(total, 1)
    limit = _bounded_int(request, "limit", minimum=1)
    offset = _bounded_int(request, "offset", minimum=0)
    page = _bounded_int(request, "page", minimum=1, maximum=MAX_OFFSET // MAX_PAGE_SIZE)
    page_size = _bounded_int(request, "page_size", minimum=1)
    if limit is not None or offset is not None:
        size = min(limit or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        return offset or 0, size
    size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    return ((page or 1) - 1) * size, size


def paginate_serialized(
    serializer_class,
    queryset,
    request,
    *,
    total: int | None = None,
    context: dict | None = None,
    complete_unless_paged: bool = False,
) -> tuple[list, int]:
    """(one page of `queryset` as `serializer_class`'s output, the total): the page is read as
    plain rows (tickethelp/rows.py) in one statement, which counts the rows too unless the
    caller knows the `total` already. `complete_unless_paged`: no paging parameter = every
    row (bounded), with no COUNT (`read_unpaged`)."""
    if total is not None:
        offset, limit = page_window(request, total=total if complete_unless_paged else None)
        return serialize_page(serializer_class, queryset, offset, limit, context), total
    if complete_unless_paged and not paging_requested(request):
        rows, total, _ = read_unpaged(
            partial(serialize_page, serializer_class, queryset, context=context),
            queryset,
            partial(serialize_whole_or_first_page, serializer_class, queryset, context=context),
        )
        return rows, total
    offset, limit = page_window(request)
    return serialize_counted_page(serializer_class, queryset, offset, limit, context)


class ArrayPagination(BasePagination):
    """A plain JSON array; the total and the neighbours travel in headers."""

    # True for the lists the real clients read whole (see the module's docstring).
    complete_unless_paged = False

    def _paginate(self, read, read_counted, queryset, request, whole_or_first=None) -> list:
        """The window of `queryset` the request asks for, read by `read(offset, limit)`, or
        with the total by `read_counted(offset, limit)` -> (rows, total); `whole_or_first`:
        see `read_unpaged`."""
        self.request = request
        if self.complete_unless_paged and not paging_requested(request):
            self.offset = 0
            rows, self.total, self.limit = read_unpaged(read, queryset, whole_or_first)
            return rows
        self.offset, self.limit = page_window(request)
        rows, self.total = read_counted(self.offset, self.limit)
        return rows

    def paginate_queryset(self, queryset, request, view=None):
        def read(offset, limit):
            return list(queryset[offset : offset + limit])

        return self._paginate(read, lambda offset, limit: (read(offset, limit), queryset.count()), queryset, request)

    def paginate_serialized(self, serializer_class, queryset, request) -> list:
        """`paginate_queryset` already serialized, from plain rows (tickethelp/rows.py): the
        page and its total in one statement."""
        read = partial(serialize_page, serializer_class, queryset)
        return self._paginate(
            read,
            partial(serialize_counted_page, serializer_class, queryset),
            queryset,
            request,
            partial(serialize_whole_or_first_page, serializer_class, queryset),
        )

    def _link(self, offset: int) -> str:
        params = self.request.query_params.copy()
        for key in ("page", "page_size"):
            params.pop(key, None)
        params["limit"] = str(self.limit)
        params["offset"] = str(offset)
        return self.request.build_absolute_uri(self.request.path) + "?" + urlencode(params)

    def get_paginated_response(self, data):
        headers = {"X-Total-Count": str(self.total)}
        links = []
        if self.offset + self.limit < self.total:
            links.append(f'<{self._link(self.offset + self.limit)}>; rel="next"')
        if self.offset > 0:
            links.append(f'<{self._link(max(self.offset - self.limit, 0))}>; rel="prev"')
        if links:
            headers["Link"] = ", ".join(links)
        return Response(data, headers=headers)

    def get_paginated_response_schema(self, schema):
        return schema

    def get_schema_operation_parameters(self, view):
        unpaged = (
            f" Sin parámetros de paginación se devuelve la lista completa (hasta {settings.MAX_UNPAGED_RESULTS}"
            " elementos; más allá, la primera página con `X-Total-Count` y `Link`)."
            if self.complete_unless_paged
            else ""
        )

        def param(name, description):
            return {
                "name": name,
                "in": "query",
                "required": False,
                "description": description,
                "schema": {"type": "integer", "minimum": 0},
            }

        return [
            param("page", "Página (desde 1)." + unpaged),
            param("page_size", f"Elementos por página (máx. {MAX_PAGE_SIZE})."),
            param("limit", f"Elementos a devolver (máx. {MAX_PAGE_SIZE})."),
            param("offset", "Elementos a saltar."),
        ]


class CompleteArrayPagination(ArrayPagination):
    """ArrayPagination for the lists the real clients read whole (every row unless paged)."""

    complete_unless_paged = True
