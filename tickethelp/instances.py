"""Model instances built from the columns of a hand-written statement.

A hot read that joins several tables in one statement (the portal's user + resident
profile, a ticket with its state, device and technician) gets its instances back the way
the ORM builds them — the model's field converters applied, then `Model.from_db` — without
compiling a queryset on every request. `ModelColumns` names one model's columns under an
SQL alias (for the SELECT list) and turns the matching slice of a result row into an
instance; a LEFT JOIN that found no row gives None.
"""

from django.db import connections
from django.db.models import Model


class ModelColumns:
    """The concrete columns of `model` under the SQL alias `alias`, in field order."""

    def __init__(self, model: type[Model], alias: str):
        self.model = model
        self.alias = alias
        fields = model._meta.concrete_fields
        self.attnames = [field.attname for field in fields]
        self.pk_offset = next(index for index, field in enumerate(fields) if field.primary_key)
        self.sql = ", ".join(f'{alias}."{field.column}"' for field in fields)
        self.width = len(fields)
        self._converters: dict[str, list] = {}

    def converters(self, using: str) -> list[tuple]:
        """(offset, column expression, converters) of the columns the backend or the field converts (SQLite's
        booleans and date-times, JSON documents ...), looked up once per connection."""
        if using not in self._converters:
            connection = connections[using]
            found = []
            for offset, field in enumerate(self.model._meta.concrete_fields):
                functions = [*connection.ops.get_db_converters(field.cached_col), *field.get_db_converters(connection)]
                if functions:
                    found.append((offset, field.cached_col, functions))
            self._converters[using] = found
        return self._converters[using]

    def build(self, row, start: int, using: str = "default") -> Model | None:
        """The instance of the columns `row[start:start + width]`; None when its key is NULL."""
        values = row[start : start + self.width]
        if values[self.pk_offset] is None:
            return None
        converters = self.converters(using)
        if converters:
            values = list(values)
            connection = connections[using]
            for offset, expression, functions in converters:
                value = values[offset]
                for function in functions:
                    value = function(value, expression, connection)
                values[offset] = value
        return self.model.from_db(using, self.attnames, values)

    def nulls(self) -> str:
        """As many NULLs as `sql` has columns: this model's place in a branch of a UNION ALL
        that reads another model."""
        return ", ".join(["NULL"] * self.width)

    def left_join(self, on: str) -> str:
        return f'LEFT OUTER JOIN "{self.model._meta.db_table}" {self.alias} ON {on}'


def set_prefetched(instance: Model, accessor: str, objects: list[Model]) -> None:
    """Leave `objects` as `instance.<accessor>.all()` answers them (a reverse foreign key),
    as prefetch_related does: a queryset whose result is already known."""
    relation = getattr(type(instance), accessor).rel
    queryset = relation.related_model._base_manager.all()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[relation.cache_name] = queryset
