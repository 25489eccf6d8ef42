"""The read path of the long lists: one page as plain rows, turned into the documented JSON.

Building 50 model instances with their related users and states, then reading them back
attribute by attribute, cost a list more than its SQL did. For a read-only output
serializer made of plain fields and nested serializers of the same kind (see
`FastOutputMixin`), `RowPlan` derives once per class:

* the SQL that selects exactly the columns the output shows, with a LEFT JOIN per related
  row (written once, from the models' metadata), and
* a function turning each result tuple into the dict the serializer would have produced.

Per request only the page's ids are left to the ORM (`queryset.values("pk")[offset:end]`,
which carries the list's filters, order and annotations) and become the first table of
that SQL: still one statement, no model instances. A to-many field (a list of nested rows,
e.g. a ticket's attachments) costs one more query for the whole page, with the queryset's
own `Prefetch` for that relation when it has one. A dotted source may go through the
related rows (`tecnico.document`: the technician's document, by the same join as the
nested `tecnico_detalle`) and end inside a JSON column (`datos_adicionales.tecnico_nuevo`,
read with DRF's rules for a missing key).

The output stays the serializer's, byte for byte: tests/contract/test_fast_output.py
compares every list with DRF's own serialization. What a plan cannot express (method
fields on the listed rows, reverse relations below the top level, ordering on related
rows) is refused when the plan is built, so a list uses rows completely or not at all.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import connections
from django.db.models import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKey,
    IntegerField,
    JSONField,
    ManyToOneRel,
    Model,
    OneToOneField,
    OneToOneRel,
    Prefetch,
    QuerySet,
    SmallAutoField,
    SmallIntegerField,
    TextField,
)
from django.utils import timezone
from psycopg.types.datetime import TimestamptzLoader
from rest_framework import fields as drf_fields
from rest_framework.fields import empty
from rest_framework.serializers import ListSerializer

from tickethelp.serializers import NESTED, VALUE, FastOutputMixin, _identity, _iso_datetime, _plan_entry, aware_iso

# One statement: the planner takes the joins in the written order (see RowPlan.page).
FOLLOW_WRITTEN_JOINS = "SET LOCAL join_collapse_limit = 1"
JOINS_AS_BEFORE = "SET LOCAL join_collapse_limit TO DEFAULT"

# tests/contract/test_fast_output.py turns this off to compare with DRF's own output.
ROWS_ENABLED = True


class UnsupportedRowPlan(TypeError):
    """The serializer has a field that a row plan cannot express."""


@dataclass
class _SQL:
    columns: list[str] = field(default_factory=list)
    joins: list[str] = field(default_factory=list)
    aliases: dict[tuple, str] = field(default_factory=dict)

    def column(self, expression: str) -> int:
        self.columns.append(expression)
        return len(self.columns) - 1

    def join(self, parent_alias: str, relation: ForeignKey, path: tuple) -> str:
        if path not in self.aliases:
            alias = f"r{len(self.aliases) + 1}"
            self.joins.append(
                f'LEFT OUTER JOIN "{relation.related_model._meta.db_table}" {alias} '
                f'ON {alias}."{relation.target_field.column}" = {parent_alias}."{relation.column}"'
            )
            self.aliases[path] = alias
        return self.aliases[path]


@dataclass(frozen=True)
class _ToMany:
    """A list of related rows read with one more query per page."""

    name: str  # the relation's accessor on the listed model (e.g. "attachments")
    relation: ManyToOneRel
    child: type[FastOutputMixin]


def _concrete(model: type[Model], name: str):
    """The concrete field called `name` (or whose column attribute is `name`), else None."""
    for candidate in model._meta.concrete_fields:
        if name in (candidate.name, candidate.attname):
            return candidate
    return None


class RowPlan:
    """The SQL and the tuple -> dict function of one output serializer over one model.

    `annotations`: names of the listed queryset's annotations, which the page's id query
    selects alongside the ids (e.g. a count of related rows)."""

    def __init__(self, serializer_class, model: type[Model], using: str = "default", annotations: tuple = ()):
        self.model = model
        # Connections are per thread: looked up when used, never kept in the (shared) plan.
        self.using = using
        self.annotations = annotations
        self.used_annotations: list[str] = []
        self.orders: dict[tuple, str] = {}  # ordering -> its ORDER BY, written once
        self.to_many: list[_ToMany] = []
        self.sql = _SQL()
        self.pk_index = self.sql.column(f't."{model._meta.pk.column}"')
        self.build = self._generate(serializer_class)
        self.select = ", ".join(self.sql.columns)
        self.table = model._meta.db_table
        self.joins = " ".join(self.sql.joins)

    # --- compiling --------------------------------------------------------------------------
    # A plan compiles to the source of one function, `build(row, page, tz, connection)`, whose
    # body is a dict literal: a page of 50 tickets is then 50 calls instead of one per field.
    # What is the same for the whole page (time zone, database connection) is an argument,
    # looked up once per page, never per value.

    def _name(self, value) -> str:
        """A name in the generated function's namespace for `value` (a function, a default)."""
        name = f"_v{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def _generate(self, serializer_class):
        self.namespace: dict = {}
        self.locals = 0
        body = self._compile(serializer_class, self.model, "t", ())
        source = f"def build(row, page, tz, connection):\n    return {body}\n"
        exec(compile(source, f"<row plan of {serializer_class.__name__}>", "exec"), self.namespace)  # noqa: S102 - source generated from the serializer's own fields
        self.source = source
        return self.namespace["build"]

    def _compile(self, serializer_class, model, alias: str, path: tuple) -> str:
        if not issubclass(serializer_class, FastOutputMixin):
            raise UnsupportedRowPlan(f"{serializer_class.__name__} is not a FastOutputMixin serializer")
        items = []
        for drf_field in serializer_class()._readable_fields:
            entry = _plan_entry(drf_field)
            if entry is None or entry[1] not in (VALUE, NESTED):
                raise UnsupportedRowPlan(f"{serializer_class.__name__}.{drf_field.field_name}")
            if isinstance(drf_field, ListSerializer):
                expression = self._to_many(model, path, entry[0], drf_field)
            else:
                expression = self._expression(model, alias, path, drf_field, *entry)
            items.append(f"{drf_field.field_name!r}: {expression}")
        return "{" + ", ".join(items) + "}"

    def _expression(self, model, alias, path, drf_field, attrs, kind, convert) -> str:
        """The Python expression (over `row`) of one field's output value."""
        nullable_ok = drf_field.default is not empty or drf_field.allow_null
        # Walk the relations of the source path (every attribute but the last, and the
        # last too when it names a nested serializer's row).
        guards = []  # columns whose NULL means "no related row": the value is the default
        for index, name in enumerate(attrs if kind is NESTED else attrs[:-1]):
            relation = _concrete(model, name)
            if isinstance(relation, JSONField):
                # The rest of the source are keys inside that document (e.g. a notification's
                # `datos_adicionales.tecnico_nuevo`): no join, read from the column.
                expression = self._json_value(model, alias, attrs[index:], drf_field, kind, convert, nullable_ok)
                break
            if not isinstance(relation, ForeignKey | OneToOneField) or relation.attname == name:
                raise UnsupportedRowPlan(f"{model.__name__}.{name} is not a forward relation")
            if relation.null:
                if not nullable_ok:
                    raise UnsupportedRowPlan(f"{model.__name__}.{name} may be null and the field has no default")
                guards.append(f"row[{self.sql.column(_quoted(alias, relation.column))}] is None")
            path = (*path, name)
            alias = self.sql.join(alias, relation, path)
            model = relation.related_model
        else:
            if kind is NESTED:
                expression = self._compile(type(drf_field), model, alias, path)
            else:
                expression = self._value(model, alias, path, attrs[-1], drf_field, convert)
        if not guards:
            return expression
        default = self._name(None if drf_field.default is empty else drf_field.default)
        return f"({default} if {' or '.join(guards)} else {expression})"

    def _json_value(self, model, alias, attrs, drf_field, kind, convert, nullable_ok) -> str:
        """A dotted source whose first name is a JSON column and the rest keys inside it."""
        if not nullable_ok:
            raise UnsupportedRowPlan(f"{model.__name__}.{'.'.join(attrs)} may be missing and the field has no default")
        document = self._column(model, alias, attrs[0])[0]
        if kind is NESTED:
            # A nested serializer over a JSON object: its own compiled output, as DRF would.
            nested = type(drf_field)
            if nested.compiled_output() is None:
                raise UnsupportedRowPlan(f"{nested.__name__} is not compiled to a plain output")
            convert = partial(_represent_plain, nested)
        default = None if drf_field.default is empty else drf_field.default
        return f"{self._name(json_at)}({document}, {tuple(attrs[1:])!r}, {self._name(default)}, {self._name(convert)})"

    def _value(self, model, alias, path, name, drf_field, convert) -> str:
        # A computed attribute (property or method) that the model declares as a function
        # of its columns: ROW_SOURCES = {"name": (("column", ...), function)}; the model's
        # own attribute calls the same function, so both paths compute the same value.
        source = getattr(model, "ROW_SOURCES", {}).get(name)
        if source is not None:
            columns, function = source
            arguments = ", ".join(self._column(model, alias, column)[0] for column in columns)
            computed = f"{self._name(function)}({arguments})"
            if convert is _identity:
                return computed
            # The computed value once, converted unless None (no wrapper call per row).
            self.locals += 1
            value = f"_c{self.locals}"
            return f"(None if ({value} := {computed}) is None else {self._name(convert)}({value}))"
        if not path and name in self.annotations:
            self.used_annotations.append(name)
            value, model_field = f"row[{self.sql.column(_quoted('page', name))}]", None
        else:
            value, model_field = self._column(model, alias, name)
        if convert is _iso_datetime and settings.USE_TZ and isinstance(model_field, DateTimeField):
            return f"(None if {value} is None else {self._name(aware_iso)}({value}, tz))"
        if _is_identity(convert, model_field):
            return value
        return f"(None if {value} is None else {self._name(convert)}({value}))"

    def _column(self, model, alias, name) -> tuple[str, object]:
        """(expression of the column's value after its model field's converters, field)."""
        model_field = _concrete(model, name)
        if model_field is None:
            raise UnsupportedRowPlan(f"{model.__name__}.{name} is not a column, an annotation or in ROW_SOURCES")
        value = f"row[{self.sql.column(_quoted(alias, model_field.column))}]"
        connection = connections[self.using]
        converters = [*connection.ops.get_db_converters(model_field.cached_col)]
        converters += model_field.get_db_converters(connection)
        for converter in converters:
            # Converters take the connection: the plan is shared by threads, so it is the
            # page's own (an argument of `build`).
            value = f"{self._name(converter)}({value}, None, connection)"
        return value, model_field

    def _to_many(self, model, path, attrs, drf_field) -> str:
        relation = next((r for r in model._meta.related_objects if r.get_accessor_name() == attrs[0]), None)
        if path or len(attrs) != 1 or not isinstance(relation, ManyToOneRel) or isinstance(relation, OneToOneRel):
            raise UnsupportedRowPlan(f"{model.__name__}.{'.'.join(attrs)} is not a top-level to-many relation")
        if not issubclass(type(drf_field.child), FastOutputMixin):
            raise UnsupportedRowPlan(f"{drf_field.field_name}: the child is not a FastOutputMixin serializer")
        self.to_many.append(_ToMany(attrs[0], relation, type(drf_field.child)))
        return f"page[{attrs[0]!r}].get(row[{self.pk_index}], [])"

    # --- running ----------------------------------------------------------------------------

    def order_by(self, queryset: QuerySet) -> str:
        """The queryset's order as SQL on this plan's main table (own columns only)."""
        query = queryset.query
        ordering = tuple(query.order_by or (self.model._meta.ordering if query.default_ordering else ()))
        if ordering not in self.orders:
            self.orders[ordering] = self._order_by(ordering)
        return self.orders[ordering]

    def _order_by(self, ordering: tuple) -> str:
        terms = []
        for term in ordering:
            if not isinstance(term, str):
                raise UnsupportedRowPlan(f"ordering by {term!r}")
            name = term.lstrip("-")
            model_field = self.model._meta.pk if name == "pk" else _concrete(self.model, name)
            if model_field is None:
                raise UnsupportedRowPlan(f"ordering by {term!r}")
            terms.append(f't."{model_field.column}"' + (" DESC" if term.startswith("-") else ""))
        if not terms:
            raise UnsupportedRowPlan("an unordered queryset has no stable pages")
        return ", ".join(terms)

    def page(self, queryset: QuerySet, offset: int, limit: int, context: dict) -> list[dict]:
        """The `limit` rows of `queryset` from `offset`, as this plan's output dicts."""
        return self._page(queryset, offset, limit, context, counted=False)[0]

    def counted_page(self, queryset: QuerySet, offset: int, limit: int, context: dict) -> tuple[list[dict], int | None]:
        """`page` and the number of rows of the whole `queryset`, in the same statement (a
        COUNT subquery beside the page's columns); None when the page is empty past the
        first row (nothing carried the count: the caller counts)."""
        return self._page(queryset, offset, limit, context, counted=True)

    def whole_or_first_page(self, queryset: QuerySet, whole: int, first: int, context: dict) -> tuple[list[dict], int]:
        """Every row of `queryset` when it has at most `whole` rows, else its first `first`
        rows; with the number of rows counted up to `whole + 1` (more than `whole`: there are
        more). One statement: the bounded count (an index walk of at most `whole + 1` keys)
        decides the page's LIMIT, so a long list never reads `whole` rows to answer a page."""
        return self._page(queryset, 0, first, context, counted=False, whole=whole)

    def _page(
        self, queryset: QuerySet, offset: int, limit: int, context: dict, *, counted: bool, whole: int | None = None
    ) -> tuple:
        ids = queryset.values("pk", *self.used_annotations)
        if whole is None:
            ids = ids[offset : offset + limit]
        ids_sql, params = ids.query.get_compiler(using=self.using).as_sql()
        select = self.select
        prefix = ""
        if whole is not None:
            bounded = queryset.values("pk").order_by()[: whole + 1]
            bounded_sql, bounded_params = bounded.query.get_compiler(using=self.using).as_sql()
            # One CTE, read twice (the page's LIMIT and a column): counted once.
            prefix = f"WITH bounded AS (SELECT COUNT(*) AS n FROM ({bounded_sql}) b) "  # noqa: S608 - compiled by the ORM
            ids_sql = f"{ids_sql} LIMIT (SELECT CASE WHEN n <= %s THEN %s ELSE %s END FROM bounded)"  # noqa: S608 - compiled by the ORM
            select = f"{select}, (SELECT n FROM bounded)"  # noqa: S608 - the plan's own columns
            params = (*bounded_params, *params, whole, whole, limit)
        if counted:
            # Uncorrelated: the database counts once for the whole page.
            every = queryset.values("pk").order_by()
            every_sql, every_params = every.query.get_compiler(using=self.using).as_sql()
            select = f"{select}, (SELECT COUNT(*) FROM ({every_sql}) every_row)"  # noqa: S608 - compiled by the ORM
            params = (*every_params, *params)
        # The page's ids come first and every join follows a key to one row, so the written
        # order is the best one. PostgreSQL would still search the join orders (6 ms of
        # planning for a page of state-change requests and their nine tables, against 1 ms
        # to run it): join_collapse_limit = 1 makes it take the query as written, for this
        # statement only (SET LOCAL in the statement's own transaction, then reset).
        pk = self.model._meta.pk.column
        sql = (
            f'{prefix}SELECT {select} FROM ({ids_sql}) page JOIN "{self.table}" t ON t."{pk}" = page.pk '  # noqa: S608 - built from model metadata; values are parameters
            f"{self.joins} ORDER BY {self.order_by(queryset)}"
        )
        connection = connections[self.using]
        postgresql = connection.vendor == "postgresql"
        # Three statements in one call need client-side binding (tickethelp/postgresql): with
        # the prepared statements' server-side binding the page could not carry its SET, and
        # a prepared page is planned again on every run anyway (PostgreSQL keeps choosing a
        # custom plan for its LIMIT/OFFSET): 3.9 ms of planning for pending approvals at 1M.
        with connection.client_binding_cursor() if postgresql else connection.cursor() as cursor:
            if postgresql and settings.USE_TZ:
                _compiled_timestamp_loader(cursor)
            if postgresql:
                cursor.execute(f"{FOLLOW_WRITTEN_JOINS}; {sql}; {JOINS_AS_BEFORE}", params)
                cursor.cursor.nextset()  # the SET's result first, then the rows
            else:
                cursor.execute(sql, params)
            rows = cursor.fetchall()
        total = None
        if counted:
            # An empty first page is an empty list; an empty later page carries no count.
            total = rows[0][-1] if rows else (0 if offset == 0 else None)
        elif whole is not None:
            total = rows[0][-1] if rows else 0
        page = {many.name: self._children(many, queryset, rows, context) for many in self.to_many}
        build, tz = self.build, timezone.get_current_timezone()
        return [build(row, page, tz, connection) for row in rows], total

    def _children(self, many: _ToMany, queryset: QuerySet, rows: list, context: dict) -> dict:
        """{listed row's pk: [child outputs]} for one to-many field, in one query."""
        children = many.relation.related_model._default_manager.all()
        for lookup in queryset._prefetch_related_lookups:
            if isinstance(lookup, Prefetch) and lookup.prefetch_to == many.name and lookup.queryset is not None:
                children = lookup.queryset
        parent = many.relation.field
        ids = [row[self.pk_index] for row in rows]
        grouped = defaultdict(list)
        if ids:
            for child in children.filter(**{f"{parent.name}__in": ids}):
                grouped[getattr(child, parent.attname)].append(many.child.represent(child, context))
        return grouped


def _compiled_timestamp_loader(cursor) -> None:
    """Date-times of this cursor parsed by psycopg's compiled loader.

    Django registers its own `timestamptz` loader (a subclass of psycopg's pure-Python one,
    to set the time zone), which psycopg cannot swap for its C version: parsing one
    date-time then cost ~20 µs, most of a 500-user page's time in the database driver.
    psycopg's own class registered on the cursor is replaced by the compiled one; it
    answers the same instant, aware, in the session's time zone (UTC, as Django sets it),
    and the row plans write it in the current time zone (`aware_iso`) either way."""
    cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)


def json_at(document, keys: tuple, default, convert):
    """DRF's reading of a dotted source inside a JSON document: a missing key (or a value
    that is no object) gives the field's default, a null stays null, the rest is converted."""
    value = document
    for key in keys:
        try:
            value = value[key] if isinstance(value, Mapping) else getattr(value, key)
        except (KeyError, AttributeError):
            value = default
            break
    return None if value is None else convert(value)


def _represent_plain(serializer_class, value):
    return serializer_class.represent(value, {})


def _quoted(alias: str, column: str) -> str:
    return f'{alias}."{column}"'


# Output conversions that change nothing for the values a column of that kind holds.
_IDENTITY = {
    str: (CharField, TextField),
    int: (IntegerField, BigIntegerField, SmallIntegerField, AutoField, BigAutoField, SmallAutoField),
}


def _is_identity(convert, model_field) -> bool:
    if convert is _identity:
        return True
    if model_field is None:
        return False
    if getattr(convert, "__func__", None) is drf_fields.BooleanField.to_representation:
        return isinstance(model_field, BooleanField)
    kinds = _IDENTITY.get(convert)
    return kinds is not None and isinstance(model_field, kinds)


_PLANS: dict[tuple, RowPlan] = {}


def row_plan(serializer_class, model: type[Model], using: str = "default", annotations: tuple = ()) -> RowPlan:
    key = (serializer_class, model, using, annotations)
    if key not in _PLANS:
        _PLANS[key] = RowPlan(serializer_class, model, using, annotations)
    return _PLANS[key]


def serialize_page(serializer_class, queryset: QuerySet, offset: int, limit: int, context=None) -> list[dict]:
    """One page of `queryset` as `serializer_class(rows, many=True, context=context).data`."""
    context = context or {}
    if ROWS_ENABLED:
        return _plan_of(serializer_class, queryset).page(queryset, offset, limit, context)
    rows = list(queryset[offset : offset + limit])
    return serializer_class(rows, many=True, context=context).data


def serialize_whole_or_first_page(
    serializer_class, queryset: QuerySet, whole: int, first: int, context=None
) -> tuple[list[dict], int] | None:
    """`RowPlan.whole_or_first_page` through the serializer's row plan on PostgreSQL; None
    where it is not available (the caller reads `whole + 1` rows instead)."""
    if not ROWS_ENABLED or connections[queryset.db].vendor != "postgresql":
        return None
    return _plan_of(serializer_class, queryset).whole_or_first_page(queryset, whole, first, context or {})


def use_compiled_timestamps(cursor) -> None:
    """Date-times of this cursor parsed as a row plan's page parses them (see
    `_compiled_timestamp_loader`): for hand-written reads that build their rows with a plan
    (tenants/portal/hot_reads.py)."""
    if cursor.db.vendor == "postgresql" and settings.USE_TZ:
        _compiled_timestamp_loader(cursor)


def serialize_counted_page(
    serializer_class, queryset: QuerySet, offset: int, limit: int, context=None
) -> tuple[list[dict], int]:
    """(`serialize_page`, `queryset.count()`): through a row plan one statement for both,
    unless the page is empty past the first row (then a COUNT)."""
    total = None
    if ROWS_ENABLED:
        rows, total = _plan_of(serializer_class, queryset).counted_page(queryset, offset, limit, context or {})
    else:
        rows = serialize_page(serializer_class, queryset, offset, limit, context)
    return rows, queryset.count() if total is None else total


def _plan_of(serializer_class, queryset: QuerySet) -> RowPlan:
    annotations = tuple(sorted(queryset.query.annotations))
    return row_plan(serializer_class, queryset.model, queryset.db, annotations)
