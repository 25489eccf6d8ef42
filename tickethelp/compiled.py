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
    """`bulk_create(objs)` (new rows, all of one model, pks from the database). `name` and
    `returning` (more columns than the key) let a later write of the batch read its rows."""
    objs = tuple(objs)
    model = type(objs[0])

    def compile_insert() -> tuple[str, Sequence]:
        opts = model._meta
        query = InsertQuery(model)
        # Every field but the automatic key, as bulk_create writes rows without one; the
        # compiler runs each field's pre_save (auto_now_add) as it does there.
        query.insert_values([f for f in opts.concrete_fields if not f.generated and not isinstance(f, AutoField)], objs)
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


def _set_primary_keys(objs: tuple[Model, ...], rows: list[tuple], *, using: str) -> None:
    for obj, (pk, *_) in zip(objs, rows, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = using
