"""Output serializers that stay cheap on long lists.

DRF's `Serializer.to_representation` builds every serializer's fields for every request
(a ModelSerializer inspects its model each time) and re-derives, for every field of every
row, how to read the value (`Field.get_attribute` inspects callables, time zones are looked
up per value): a page of 50 tickets with their users spent more time there than in the
database.

`FastOutputMixin` compiles, once per class, a plain function per field for the kinds of
fields output shapes use (text, numbers, booleans, date-times, nested fast serializers,
lists of them); a serializer with any other kind of field (method fields, related fields,
dotted sources, defaults) keeps DRF's own path, field by field. Either way the output is
DRF's: tests/contract/test_fast_output.py compares both on every read endpoint.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache, partial
from types import FunctionType, MethodType

from django.db.models import Manager
from django.utils import timezone
from rest_framework import fields as drf_fields
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.relations import PrimaryKeyRelatedField
from rest_framework.settings import api_settings


@cache
def _is_mapping(cls: type) -> bool:
    return issubclass(cls, Mapping)  # an ABC check is slow; once per type


def _read(instance, attrs: tuple[str, ...]):
    """DRF's attribute walk (rest_framework.fields.get_attribute) for a source path."""
    for attr in attrs:
        instance = instance[attr] if _is_mapping(type(instance)) else getattr(instance, attr)
        # A method as source (e.g. `get_full_name`) is called, as DRF does (managers are not).
        if type(instance) in _CALLED_TYPES:
            instance = instance()
    return instance


_CALLED_TYPES = frozenset({MethodType, FunctionType, partial})


def _utc_as_z(text: str) -> str:
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def aware_iso(value: datetime, tz) -> str:
    """An aware date-time as DRF's DateTimeField writes it in the time zone `tz`."""
    return _utc_as_z(value.astimezone(tz).isoformat())


# The tenant portal's date-times (tenant-portal-api.txt, "Formato de Fechas"): UTC, the
# microseconds always written, "Z": 2024-01-15T10:30:00.000000Z.
UTC_Z_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_z_iso(value: datetime) -> str:
    """A date-time in the tenant portal's form (naive values are in the default time zone,
    as DRF's DateTimeField reads them). Both output paths use it: fields that declare it
    (e.g. the portal's `UtcDateTimeField`, `pure_output`) and the row plans that call them."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value.astimezone(UTC).strftime(UTC_Z_FORMAT)


def _iso_datetime(value):
    """DRF's DateTimeField output (ISO 8601, current time zone, "Z" for UTC)."""
    if not value:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, datetime) and timezone.is_aware(value):
        return aware_iso(value, timezone.get_current_timezone())
    return _utc_as_z(value.isoformat())


def _identity(value):
    return value


VALUE, NESTED, METHOD = "value", "nested", "method"


def _plan_entry(field) -> tuple | None:
    """(attribute path, kind, converter) for one field, or None when it needs DRF's machinery.

    VALUE: converter(value); NESTED: converter(value, context); METHOD: the serializer's
    method of that name is called with the instance (SerializerMethodField)."""
    if isinstance(field, serializers.SerializerMethodField):
        return (), METHOD, field.method_name
    if field.source == "*" or not field.source_attrs or (field.default is not empty and callable(field.default)):
        return None
    attr, kind = tuple(field.source_attrs), type(field)
    if kind in (drf_fields.CharField, drf_fields.EmailField, drf_fields.SlugField, drf_fields.URLField):
        return attr, VALUE, str
    if kind is drf_fields.IntegerField:
        return attr, VALUE, int
    if kind is drf_fields.BigIntegerField:
        return attr, VALUE, str if getattr(field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING) else int
    if kind is drf_fields.BooleanField or getattr(field, "pure_output", False):
        return attr, VALUE, field.to_representation
    if kind is drf_fields.JSONField and not field.binary:
        return attr, VALUE, _identity
    if kind is drf_fields.ChoiceField and all(isinstance(key, str) for key in field.choices):
        return attr, VALUE, _identity
    if kind is drf_fields.DateTimeField:
        own_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
        if own_format is not None and own_format.lower() == "iso-8601" and not hasattr(field, "timezone"):
            return attr, VALUE, _iso_datetime
        return None
    if kind is PrimaryKeyRelatedField and field.pk_field is None and len(attr) == 1:
        # DRF reads the foreign key's column, not the related row.
        return (f"{attr[0]}_id",), VALUE, _identity
    if isinstance(field, FastOutputMixin):
        return attr, NESTED, type(field).represent
    if isinstance(field, serializers.ListSerializer) and isinstance(field.child, FastOutputMixin):
        row = type(field.child).represent
        return (
            attr,
            NESTED,
            lambda rows, context: [row(item, context) for item in (rows.all() if isinstance(rows, Manager) else rows)],
        )
    return None


class FastOutputMixin:
    """Put first in the bases of a read-only output serializer."""

    @classmethod
    def compiled_output(cls):
        """(instance, context) -> dict for the whole class, or None when a field needs DRF."""
        if "_compiled_output" not in cls.__dict__:
            cls._compiled_output = cls._compile()
        return cls._compiled_output

    @classmethod
    def represent(cls, instance, context) -> dict:
        """The output of one instance as a nested (bound) serializer of this class gives it."""
        compiled = cls.compiled_output()
        output = compiled(instance, context) if compiled is not None else None
        return output if output is not None else cls(context=context).to_representation(instance)

    @classmethod
    def _compile(cls):
        plan = []
        for field in cls()._readable_fields:
            entry = _plan_entry(field)
            if entry is None:
                return None
            plan.append((field.field_name, *entry, field.default))

        def output(instance, context):
            result, owner = {}, None
            for name, attrs, kind, convert, default in plan:
                if kind is METHOD:
                    owner = owner or cls(context=context)
                    result[name] = getattr(owner, convert)(instance)
                    continue
                try:
                    value = _read(instance, attrs)
                except (KeyError, AttributeError):
                    if default is empty:
                        return None  # DRF decides (null, skip or its error)
                    value = default
                if value is None:
                    result[name] = None
                else:
                    result[name] = convert(value) if kind is VALUE else convert(value, context)
            return result

        return output

    def to_representation(self, instance):
        compiled = self.compiled_output()
        output = compiled(instance, self.context) if compiled is not None else None
        return output if output is not None else super().to_representation(instance)
