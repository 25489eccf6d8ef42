"""Several writes of one transaction sent as one statement.

A ticket write ends with rows that depend on nothing the database answers: the ticket's
UPDATE, its history row, the state-change request's UPDATE, the notifications. Each was its
own round trip. `Write` holds one of them as the ORM compiles it (same SQL, same `auto_now`
values, same parameters) together with the ORM call that does the same thing; `run_together`
sends them on PostgreSQL as one statement — every write but the last in a data-modifying
`WITH`, the last one's RETURNING read back — and on other databases (SQLite, `make run`)
one by one through the ORM, as before.

Rules of use (what makes one statement equal to the separate ones): no write reads a row
another write of the same batch changes (the sub-statements share one snapshot), and no
two writes change the same row. Model signals are not sent on the PostgreSQL path; the
models written this way have no receivers (tests/test_compiled.py checks it).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import AutoField, Model, QuerySet
from django.db.models.sql import InsertQuery, UpdateQuery


@dataclass(frozen=True)
class Write:
    """One INSERT or UPDATE: how to compile it as the ORM does (only called on PostgreSQL),
    and the ORM call doing the same (every other database)."""

    compile: Callable[[], tuple[str, Sequence]]
    orm: Callable[[], object]
    objs: tuple[Model, ...] = ()  # the rows an INSERT creates (their pks are set when it runs)
    name: str | None = None  # its name in the WITH, for a later write of the batch to read


def insert(objs: Sequence[Model], *, name: str | None = None, returning: Sequence[str] = ()) -> Write:
    """`bulk_create(objs)` (new rows, all of one model; keys from the database unless all of
    them have one). `name` and `returning` (more columns than the key) let a later write of
    the batch read its rows."""
    objs = tuple(objs)
    model = type(objs[0])

    def compile_insert() -> tuple[str, Sequence]:
        opts = model._meta
        query = InsertQuery(model)
        # Every field, but the automatic key of rows without one, as bulk_create writes them;
        # the compiler runs each field's pre_save (auto_now_add) as it does there.
        with_keys = all(obj.pk is not None for obj in objs)
        fields = [f for f in opts.concrete_fields if not f.generated and (with_keys or not isinstance(f, AutoField))]
        query.insert_values(fields, objs)
        compiler = query.get_compiler(using=router.db_for_write(model))
        compiler.returning_fields = [opts.pk, *map(opts.get_field, returning)]
        [(sql, params)] = compiler.as_sql()
        return sql, params

    return Write(compile_insert, lambda: model._default_manager.bulk_create(objs), objs, name)


def update(instance: Model, fields: Sequence[str]) -> Write:
    """`instance.save(update_fields=fields)` (the `auto_now` fields among them get the time now)."""
    model = type(instance)

    def compile_update() -> tuple[str, Sequence]:
        query = UpdateQuery(model)
        query.add_filter("pk", instance.pk)
        query.add_update_fields(
            [(field, None, field.pre_save(instance, False)) for field in map(model._meta.get_field, fields)]
        )
        return query.get_compiler(using=router.db_for_write(model)).as_sql()

    return Write(compile_update, lambda: instance.save(update_fields=list(fields)))


def update_all(queryset: QuerySet, **values) -> Write:
    """`queryset.update(**values)`."""

    def compile_update() -> tuple[str, Sequence]:
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(values)
        return query.get_compiler(using=queryset.db).as_sql()

    return Write(compile_update, lambda: queryset.update(**values))


def run_together(writes: Sequence[Write | None], *, keys_of: Write | None = None) -> None:
    """Run `writes` in this order, in one statement where the database can. The new rows of
    `keys_of` (an INSERT among them; by default the last write) get their primary keys, as
    `bulk_create` gives them."""
    writes = [write for write in writes if write is not None]
    if not writes:
        return
    keys_of = keys_of or writes[-1]
    connection = connections[router.db_for_write(type(keys_of.objs[0])) if keys_of.objs else DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql" or len(writes) == 1:
        for write in writes:
            write.orm()
        return
    compiled = [write.compile() for write in writes]
    names = [write.name or f"w{n}" for n, write in enumerate(writes)]
    if keys_of is writes[-1]:
        ctes, final = compiled[:-1], compiled[-1][0]
    else:
        # Every write in the WITH; the statement answers the keys (the first column of its
        # RETURNING), in the order that write returned its rows.
        position = next(n for n, write in enumerate(writes) if write is keys_of)
        ctes, final = compiled, f"SELECT * FROM {names[position]}"  # noqa: S608 - a name of ours
    # (the WITH names every write but a last one that is the statement itself)
    sql = "WITH " + ", ".join(f"{name} AS ({sub})" for name, (sub, _) in zip(names, ctes, strict=False)) + " " + final
    with connection.cursor() as cursor:
        cursor.execute(sql, [param for _, params in compiled for param in params])
        if keys_of.objs:
            _set_primary_keys(keys_of.objs, cursor.fetchall(), using=connection.alias)
    # Rows inserted with their own keys are saved too, as bulk_create leaves them.
    for write in writes:
        if write is not keys_of and all(obj.pk is not None for obj in write.objs):
            for obj in write.objs:
                _mark_saved(obj, using=connection.alias)


def _set_primary_keys(objs: tuple[Model, ...], rows: list[tuple], *, using: str) -> None:
    for obj, (pk, *_) in zip(objs, rows, strict=True):
        obj.pk = pk
        _mark_saved(obj, using=using)


def _mark_saved(obj: Model, *, using: str) -> None:
    obj._state.adding = False
    obj._state.db = using


# --- Reads compiled once -------------------------------------------------------------------


class CompiledQuery:
    """A queryset compiled to SQL once per process and database, its integer parameters bound
    per call, its rows turned into model instances as the ORM turns them (select_related
    relations, annotations). Compiling is most of the ORM's cost of a small read (a ticket
    joined to its four relations: ~0.9 ms to compile, ~0.1 ms to run).

    `build(*ids)` returns the queryset for integer arguments; it is called once, with
    placeholder integers, whose positions among the compiled parameters are then filled with
    each call's arguments. Only for querysets whose SQL does not depend on the values (no
    `None`, no lists of varying length) and that are compiled where they run (inside the
    transaction, for `select_for_update`)."""

    def __init__(self, build: Callable[..., QuerySet]):
        self._build = build
        self._arity = build.__code__.co_argcount
        self._compiled: dict[str, _CompiledRead] = {}

    def all(self, *ids: int, using: str = DEFAULT_DB_ALIAS) -> list[Model]:
        if not all(BIGINT_MIN <= value <= BIGINT_MAX for value in ids):
            # No column holds it (a URL's id can be any number): what the ORM does with it.
            return list(self._build(*ids).using(using))
        read = self._compiled.get(using) or self._compile(using)
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(read.sql, [ids[position] if position >= 0 else value for position, value in read.params])
            rows = cursor.fetchall()
        return [read.instance(row, connection) for row in rows]

    def first(self, *ids: int, using: str = DEFAULT_DB_ALIAS) -> Model | None:
        rows = self.all(*ids, using=using)
        return rows[0] if rows else None

    def _compile(self, using: str) -> "_CompiledRead":
        placeholders = [PLACEHOLDER_BASE - n for n in range(self._arity)]
        queryset = self._build(*placeholders).using(using)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        bound = [(placeholders.index(value) if _is_placeholder(value, placeholders) else -1, value) for value in params]
        if sorted(position for position, _ in bound if position >= 0) != list(range(self._arity)):
            raise ValueError(f"{sql}: each argument must appear once among the parameters")
        read = _CompiledRead(sql, bound, compiler, using)
        self._compiled[using] = read
        return read


# Integers no real argument takes (ids are positive), unlike any constant of a query.
PLACEHOLDER_BASE = -(2**62)
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1


def _is_placeholder(value, placeholders: list[int]) -> bool:
    return type(value) is int and value in placeholders


class _CompiledRead:
    """What ModelIterable reads from a compiler after running it, kept to read rows alike."""

    def __init__(self, sql: str, params: list[tuple[int, object]], compiler, using: str):
        from django.db.models.query import get_related_populators

        self.sql, self.params, self.using = sql, params, using
        klass_info, select = compiler.klass_info, compiler.select
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.related = get_related_populators(klass_info, select, using)
        self.annotations = dict(compiler.annotation_col_map)
        self.converters = compiler.get_converters([column[0] for column in select[: compiler.col_count]])

    def instance(self, row: tuple, connection) -> Model:
        if self.converters:
            row = list(row)
            for position, (converters, expression) in self.converters.items():
                for converter in converters:
                    row[position] = converter(row[position], expression, connection)
        obj = self.model.from_db(self.using, self.init_list, row[self.start : self.end])
        for populator in self.related:
            populator.populate(row, obj)
        for name, position in self.annotations.items():
            setattr(obj, name, row[position])
        return obj
