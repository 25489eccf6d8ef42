"""Per-user, per-type notification channels: in-app always; e-mail and push as the user chose.

Only deviations from the type's defaults (`NotificationType.envia_email` / `envia_push`) are
stored, so a type whose default changes moves everyone who never chose otherwise. Account
notifications (`ACCOUNT_TYPES`: their e-mail carries the temporary password) go by e-mail only,
whatever the user chose: both channels are locked for them.

`channels_for` is what delivery asks: which channels each (recipient, type) gets, in one
query; `types_with_channels` reads the types themselves in that same query, for writes that
start from type codes. Importing this module has no side effects (no queries, no task imports).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import NotificationPreference, NotificationType
from users.models import Role, User

IN_APP, EMAIL, PUSH = "in_app", "email", "push"
CHANNELS = (IN_APP, EMAIL, PUSH)
EDITABLE_CHANNELS = (EMAIL, PUSH)
# The field of `PreferenceError.errors` that names an unknown or unavailable type.
CODIGO_FIELD = "codigo"

# E-mails whose body carries a fresh password: the user needs them, whatever they chose, and
# they are never pushed (a push could only say "check your e-mail"; a new account has no phone).
# The one definition: delivery (notifications.delivery.email) reads it from here.
ACCOUNT_TYPES = frozenset({"bienvenida", "password_reset"})

# Types that only ever reach staff (notifications/events.py, conversations, visits): a
# resident never receives them, so their settings list does not offer them.
STAFF_ONLY_TYPES = frozenset({"ticket_asignado", "tecnico_cambiado", "solicitud_cambio_estado", "nota_interna"})


@dataclass(frozen=True)
class Channels:
    """The channels one recipient gets for one type. `in_app` is always true."""

    email: bool
    push: bool
    in_app: bool = True

    def as_dict(self) -> dict[str, bool]:
        return {IN_APP: self.in_app, EMAIL: self.email, PUSH: self.push}


ACCOUNT_CHANNELS = Channels(email=True, push=False)


def default_channels(tipo: NotificationType) -> Channels:
    if tipo.codigo in ACCOUNT_TYPES:
        return ACCOUNT_CHANNELS
    return Channels(email=tipo.envia_email, push=tipo.envia_push)


def locked_channels(tipo: NotificationType) -> tuple[str, ...]:
    """Channels the user cannot change for this type (shown as such by the settings routes)."""
    return CHANNELS if tipo.codigo in ACCOUNT_TYPES else (IN_APP,)


def _effective(tipo: NotificationType, email: bool | None, push: bool | None) -> Channels:
    default = default_channels(tipo)
    if tipo.codigo in ACCOUNT_TYPES:
        return default
    return Channels(email=default.email if email is None else email, push=default.push if push is None else push)


def channels_for(*, user_ids: Iterable[int], tipos: Iterable[NotificationType]) -> dict[tuple[int, int], Channels]:
    """Channels of every (user id, type id) pair of `user_ids` and `tipos`, in ONE query (the
    users' stored choices for these types; none when either is empty). `tipos` are loaded
    rows: their defaults apply where the user chose nothing."""
    user_ids = list(dict.fromkeys(user_ids))
    tipos = {tipo.pk: tipo for tipo in tipos}
    if not user_ids or not tipos:
        return {}
    # Account types are not the user's choice: a batch of only those asks nothing.
    choosable = [tipo_id for tipo_id, tipo in tipos.items() if tipo.codigo not in ACCOUNT_TYPES]
    chosen = {}
    if choosable:
        chosen = {
            (usuario_id, tipo_id): (email, push)
            for usuario_id, tipo_id, email, push in NotificationPreference.objects.filter(
                usuario_id__in=user_ids, tipo_id__in=choosable
            ).values_list("usuario_id", "tipo_id", "email", "push")
        }
    return {
        (user_id, tipo_id): _effective(tipo, *chosen.get((user_id, tipo_id), (None, None)))
        for user_id in user_ids
        for tipo_id, tipo in tipos.items()
    }


def types_with_channels(
    *, codigos: Iterable[str], user_ids: Iterable[int]
) -> tuple[dict[str, NotificationType], dict[tuple[int, int], Channels]]:
    """The types named by `codigos` (by codigo) and the channels of every (user id, type id)
    pair, as `channels_for` answers them, in ONE query: the types LEFT JOINed with these
    users' stored choices (a type comes back once per choice, or once with none)."""
    user_ids = list(dict.fromkeys(user_ids))
    codigos = set(codigos)
    if not codigos:
        return {}, {}
    # Raw because the preference's `tipo` has no reverse relation (related_name="+") to join
    # from the type with the ORM; the columns are the model's, so the rows are model instances.
    tipo_table, preference_table = NotificationType._meta.db_table, NotificationPreference._meta.db_table
    users_in = f"p.usuario_id IN ({', '.join(['%s'] * len(user_ids))})" if user_ids else "1 = 0"
    rows = NotificationType.objects.raw(
        f"SELECT t.*, p.usuario_id AS chosen_user_id, p.email AS chosen_email, p.push AS chosen_push "  # noqa: S608 - only placeholders and table names are formatted in
        f"FROM {tipo_table} t LEFT JOIN {preference_table} p ON p.tipo_id = t.id AND {users_in} "
        f"WHERE t.codigo IN ({', '.join(['%s'] * len(codigos))}) ORDER BY t.id",
        [*user_ids, *sorted(codigos)],
    )
    types: dict[str, NotificationType] = {}
    chosen: dict[tuple[int, int], tuple[bool, bool]] = {}
    for row in rows:
        types.setdefault(row.codigo, row)
        if row.chosen_user_id is not None:
            chosen[(row.chosen_user_id, row.pk)] = (bool(row.chosen_email), bool(row.chosen_push))
    channels = {
        (user_id, tipo.pk): _effective(tipo, *chosen.get((user_id, tipo.pk), (None, None)))
        for user_id in user_ids
        for tipo in types.values()
    }
    return types, channels


# --- The settings routes -------------------------------------------------------------------


def types_for_user(*, user: User) -> list[NotificationType]:
    """The active types this user can receive, in catalog order (one query)."""
    types = NotificationType.objects.filter(es_activo=True).order_by("id")
    if user.role == Role.CLIENT:
        types = types.exclude(codigo__in=STAFF_ONLY_TYPES)
    return list(types)


@dataclass(frozen=True)
class TypeSetting:
    tipo: NotificationType
    channels: Channels
    defaults: Channels
    locked: tuple[str, ...]


def settings_for(*, user: User) -> list[TypeSetting]:
    """The user's channels for every type they can receive (two queries: types, choices)."""
    types = types_for_user(user=user)
    channels = channels_for(user_ids=[user.pk], tipos=types)
    return [
        TypeSetting(
            tipo=tipo,
            channels=channels[(user.pk, tipo.pk)],
            defaults=default_channels(tipo),
            locked=locked_channels(tipo),
        )
        for tipo in types
    ]


class PreferenceError(ValueError):
    """A settings change that cannot be applied: `errors` maps `codigo -> field -> messages`."""

    def __init__(self, errors: dict[str, dict[str, list[str]]]):
        super().__init__("Invalid notification settings.")
        self.errors = errors


def changes_from_items(items: Iterable[Mapping], *, key: str) -> dict[str, dict[str, bool]]:
    """`[{key: codigo, "channels": {...}}, ...]` (validated input) as `settings_update` takes it."""
    return {item[key]: dict(item["channels"]) for item in items}


def settings_update(*, user: User, changes: Mapping[str, Mapping[str, bool]]) -> list[TypeSetting]:
    """Apply `{codigo: {channel: bool}}` (a partial or full set; channels not named keep their
    value) and return the resulting settings. Unknown or unavailable types, a false `in_app`
    and turning off a locked e-mail raise `PreferenceError` naming the entry; nothing is
    written then. One transaction; the user's rows are upserted, rows equal to the defaults
    deleted, so the table only holds deviations."""
    with transaction.atomic():
        # The user's row serialises concurrent updates of the same user's settings.
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
        by_codigo = {tipo.codigo: tipo for tipo in types_for_user(user=user)}
        errors: dict[str, dict[str, list[str]]] = {}
        for codigo, channels in changes.items():
            tipo = by_codigo.get(codigo)
            if tipo is None:
                errors[codigo] = {CODIGO_FIELD: [_("Unknown notification type '%(codigo)s'.") % {"codigo": codigo}]}
                continue
            if channels.get(IN_APP) is False:
                errors[codigo] = {IN_APP: [_("In-app notifications cannot be turned off.")]}
            elif channels.get(EMAIL) is False and EMAIL in locked_channels(tipo):
                errors[codigo] = {EMAIL: [_("Account e-mails cannot be turned off.")]}
            elif channels.get(PUSH) is True and PUSH in locked_channels(tipo):
                errors[codigo] = {PUSH: [_("Account notifications are sent by e-mail only.")]}
        if errors:
            raise PreferenceError(errors)
        current = channels_for(user_ids=[user.pk], tipos=[by_codigo[codigo] for codigo in changes])
        keep, drop = [], []
        now = timezone.now()
        for codigo, channels in changes.items():
            tipo = by_codigo[codigo]
            before = current[(user.pk, tipo.pk)]
            after = Channels(email=channels.get(EMAIL, before.email), push=channels.get(PUSH, before.push))
            if after == default_channels(tipo):
                drop.append(tipo.pk)
            else:
                keep.append(
                    NotificationPreference(
                        usuario=user, tipo=tipo, email=after.email, push=after.push, fecha_actualizacion=now
                    )
                )
        if drop:
            NotificationPreference.objects.filter(usuario=user, tipo_id__in=drop).delete()
        if keep:
            NotificationPreference.objects.bulk_create(
                keep,
                update_conflicts=True,
                unique_fields=["usuario", "tipo"],
                update_fields=["email", "push", "fecha_actualizacion"],
            )
    return settings_for(user=user)
