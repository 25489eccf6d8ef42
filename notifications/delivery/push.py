"""The push channel: one PushDelivery row per (notification, active token), sent in batches.

Order of a send, chosen so that no push is lost and none goes out twice:

1. claim (own transaction, `SELECT ... FOR UPDATE SKIP LOCKED`): up to 100 PENDIENTE rows
   due now; `intentos` + 1 and `proximo_intento` = now + PUSH_CLAIM_SECONDS, committed. Other
   workers skip them (locked while claiming, then not due until the claim expires);
2. send them, outside any transaction: the Expo ones in one request, the `fcm` ones one
   POST each to FCM HTTP v1 (when FCM is configured; the first outage defers the rest);
3. record the outcome (own transaction; an `fcm` row's right after its POST): ENVIADA with
   Expo's ticket id (ENTREGADA with FCM's message name: FCM has no receipts), or back to "due
   at now + back-off" on a 5xx/429/timeout (or FCM refusing our credentials), or FALLIDA (the
   error kept; a dead token retired).

A worker killed between 1 and 3 leaves its rows PENDIENTE with the attempt counted; they are
due again when the claim expires and are then sent once more (Expo has no idempotency key:
had the killed request reached Expo, that phone sees the push twice — the one case where it
can; for FCM, likewise only the push whose POST was in flight). The back-off, the claim and
Retry-After all live in `proximo_intento`.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from notifications.delivery import expo, fcm
from notifications.models import DeliveryStatus, Notification, PushDelivery, PushToken, PushTokenType

logger = logging.getLogger(__name__)

FCM_SKIPPED = "FCM not configured"
RETIRED_SKIPPED = "Token retired before the send"
# Expo's per-message errors that a later attempt may get past; any other one is final.
TRANSIENT_TICKET_ERRORS = {"MessageRateExceeded"}
DEVICE_GONE = "DeviceNotRegistered"
# Receipts are kept by Expo for 24 hours: a push without one after that is closed unknown.
RECEIPTS_KEPT = timedelta(hours=24)


def retry_delay_seconds(attempt: int) -> float:
    """Back-off after the n-th failed attempt: base, 2x, 4x, ..."""
    return settings.PUSH_RETRY_BASE_SECONDS * (2 ** max(attempt - 1, 0))


def push_prepare(*, notification_ids: Iterable[int]) -> int:
    """Write the delivery rows of notifications still marked `push_pendiente`: one per active
    token of the recipient (INSERT ... ON CONFLICT DO NOTHING, so running twice is harmless),
    `fcm` ones OMITIDA while FCM is not configured. Returns the rows written."""
    fcm_on = fcm.configured()
    with transaction.atomic():
        # No lock: a second run inserts nothing new (the unique pair), and the flag's UPDATE
        # below simply waits if the e-mail of one of these notifications is being sent.
        pending = list(
            Notification.objects.filter(pk__in=list(notification_ids), push_pendiente=True).values_list(
                "pk", "usuario_id"
            )
        )
        if not pending:
            return 0
        tokens: dict[int, list[tuple[int, str]]] = {}
        for token_id, user_id, token_type in PushToken.objects.filter(
            usuario_id__in={user_id for _, user_id in pending}, is_active=True
        ).values_list("pk", "usuario_id", "token_type"):
            tokens.setdefault(user_id, []).append((token_id, token_type))
        rows = [
            PushDelivery(notification_id=notification_id, token_id=token_id)
            if token_type == PushTokenType.EXPO or fcm_on
            else PushDelivery(
                notification_id=notification_id,
                token_id=token_id,
                estado=DeliveryStatus.OMITIDA,
                ultimo_error=FCM_SKIPPED,
            )
            for notification_id, user_id in pending
            for token_id, token_type in tokens.get(user_id, [])
        ]
        PushDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        Notification.objects.filter(pk__in=[pk for pk, _ in pending]).update(push_pendiente=False)
    return len(rows)


def _message(delivery: PushDelivery) -> dict:
    """What the phone receives: the notification's own title and text, and ids to open it."""
    notification = delivery.notification
    ticket = notification.ticket
    return {
        "to": delivery.token.token,
        "title": notification.titulo,
        "body": notification.mensaje,
        "sound": "default",
        "data": {
            "notification_id": notification.pk,
            "ticket_id": ticket.pk if ticket else None,
            "ticket_code": ticket.code if ticket else None,
            "type": notification.tipo.codigo,
        },
    }


def _fcm_message(delivery: PushDelivery) -> dict:
    """The same push for FCM HTTP v1: its `data` values must be strings."""
    expo_message = _message(delivery)
    return {
        "token": delivery.token.token,
        "notification": {"title": expo_message["title"], "body": expo_message["body"]},
        "data": {key: "" if value is None else str(value) for key, value in expo_message["data"].items()},
    }


def _due(notification_ids: list[int] | None, now):
    due = PushDelivery.objects.filter(estado=DeliveryStatus.PENDIENTE).filter(
        Q(proximo_intento__isnull=True) | Q(proximo_intento__lte=now)
    )
    return due if notification_ids is None else due.filter(notification_id__in=notification_ids)


def _claim(notification_ids: list[int] | None) -> list[PushDelivery]:
    now = timezone.now()
    with transaction.atomic():
        batch = list(
            _due(notification_ids, now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("token", "notification__tipo", "notification__ticket")
            .order_by("pk")[: expo.SEND_BATCH]
        )
        claimed_until = now + timedelta(seconds=settings.PUSH_CLAIM_SECONDS)
        PushDelivery.objects.filter(pk__in=[d.pk for d in batch]).update(
            intentos=F("intentos") + 1, proximo_intento=claimed_until
        )
        for delivery in batch:
            delivery.intentos += 1
            delivery.proximo_intento = claimed_until
    return batch


OUTCOME_FIELDS = ("estado", "receipt_id", "fecha_envio", "ultimo_error", "proximo_intento", "fecha_recibo")
_OUTCOME_TYPES = ("text", "text", "timestamptz", "text", "timestamptz", "timestamptz")


def _save_outcomes(batch: list[PushDelivery]) -> None:
    """Each row's outcome in one statement. On PostgreSQL an UPDATE ... FROM unnest(arrays):
    `bulk_update`'s CASE WHEN per field and row cost more to build in Python than the send."""
    if not batch:
        return
    if connection.vendor != "postgresql":
        PushDelivery.objects.bulk_update(batch, OUTCOME_FIELDS)
        return
    table = PushDelivery._meta.db_table
    assignments = ", ".join(f"{field} = v.{field}" for field in OUTCOME_FIELDS)
    arrays = ", ".join(f"%s::{kind}[]" for kind in _OUTCOME_TYPES)
    sql = (
        f"UPDATE {table} AS d SET {assignments} "  # noqa: S608 - names are constants, values parameters
        f"FROM unnest(%s::bigint[], {arrays}) AS v(id, {', '.join(OUTCOME_FIELDS)}) WHERE d.id = v.id"
    )
    params = [[d.pk for d in batch]] + [[getattr(d, field) for d in batch] for field in OUTCOME_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _fail(delivery: PushDelivery, error: str) -> None:
    delivery.estado = DeliveryStatus.FALLIDA
    delivery.ultimo_error = error[:2000]
    delivery.proximo_intento = None


def _later(delivery: PushDelivery, error: str, now, retry_after: float | None = None) -> None:
    """A failure worth another attempt, unless this was the last one."""
    if delivery.intentos >= settings.PUSH_MAX_ATTEMPTS:
        _fail(delivery, f"{error} (after {delivery.intentos} attempts)")
        return
    delay = max(retry_delay_seconds(delivery.intentos), retry_after or 0)
    delivery.ultimo_error = error[:2000]
    delivery.proximo_intento = now + timedelta(seconds=delay)


def _send_expo(live: list[PushDelivery], dead_tokens: dict[int, str]) -> int:
    """One request to Expo for the batch's Expo pushes; outcomes set on the rows."""
    tickets: list[dict] = []
    outage: expo.PushServiceUnavailable | None = None
    rejected: expo.PushRequestRejected | None = None
    if live:
        try:
            tickets = expo.send_messages([_message(d) for d in live])
        except expo.PushServiceUnavailable as exc:
            outage = exc
        except expo.PushRequestRejected as exc:
            rejected = exc
    now = timezone.now()
    sent = 0
    if outage is not None:
        logger.warning("Push batch of %s: Expo unavailable: %s", len(live), outage)
        for delivery in live:
            _later(delivery, str(outage), now, outage.retry_after)
    elif rejected is not None:
        logger.error("Push batch of %s rejected by Expo: %s", len(live), rejected)
        for delivery in live:
            _fail(delivery, str(rejected))
    else:
        for delivery, ticket in zip(live, tickets, strict=True):
            if ticket.get("status") == "ok":
                delivery.estado, delivery.receipt_id = DeliveryStatus.ENVIADA, str(ticket.get("id", ""))[:100]
                delivery.fecha_envio, delivery.ultimo_error, delivery.proximo_intento = now, "", None
                sent += 1
                continue
            code = expo.error_code(ticket)
            error = f"{code or 'error'}: {ticket.get('message', '')}"
            if code in TRANSIENT_TICKET_ERRORS:
                _later(delivery, error, now)
            else:
                _fail(delivery, error)
                if code == DEVICE_GONE:
                    dead_tokens[delivery.token_id] = DEVICE_GONE
    return sent


def _record(rows: list[PushDelivery], dead_tokens: dict[int, str]) -> None:
    """The rows' outcomes and the tokens to retire (token id -> reason), in one transaction."""
    with transaction.atomic():
        _save_outcomes(rows)
        for reason in set(dead_tokens.values()):
            retire_tokens([pk for pk, why in dead_tokens.items() if why == reason], reason=reason)


def _send_fcm(live: list[PushDelivery]) -> int:
    """The batch's `fcm` pushes, one POST each, each outcome recorded right after its POST (a
    worker killed in this loop re-sends only the push in flight, not the ones before it).
    An outage (5xx/429/timeout) or our credentials refused defers this push and every one
    not tried yet: the next would most likely fail the same way, and a hanging FCM costs one
    timeout per batch, not one per push."""
    sent = 0
    for index, delivery in enumerate(live):
        if index and _claim_ending(delivery):  # the first is always tried: each pass progresses
            _release(live[index:])
            break
        dead_tokens: dict[int, str] = {}
        try:
            name = fcm.send_message(_fcm_message(delivery))
        except (expo.PushServiceUnavailable, fcm.CredentialsRejected) as exc:
            if isinstance(exc, fcm.CredentialsRejected):
                logger.error("FCM refused our credentials (FCM_CREDENTIALS_FILE): %s", exc)
            else:
                logger.warning("Push batch: FCM unavailable: %s", exc)
            _defer(live[index:], str(exc), getattr(exc, "retry_after", None))
            break
        except fcm.TokenGone as exc:
            _fail(delivery, str(exc))
            dead_tokens[delivery.token_id] = exc.code
        except fcm.MessageRejected as exc:
            logger.error("Push %s rejected by FCM: %s", delivery.pk, exc)
            _fail(delivery, str(exc))
        except Exception as exc:  # a bug here must not leave the batch claimed and unrecorded
            logger.exception("Push %s: FCM send crashed", delivery.pk)
            _defer(live[index:], f"{type(exc).__name__}: {exc}", None)
            break
        else:
            delivery.estado, delivery.receipt_id = DeliveryStatus.ENTREGADA, name[:100]
            delivery.fecha_envio, delivery.ultimo_error, delivery.proximo_intento = timezone.now(), "", None
            sent += 1
        _record([delivery], dead_tokens)
    return sent


def _claim_ending(delivery: PushDelivery) -> bool:
    """Whether a POST started now might still be unanswered when the claim expires (and
    another worker may claim the row): a slow FCM must not make a push go out twice."""
    margin = timedelta(seconds=settings.PUSH_TIMEOUT_SECONDS + 1)
    return delivery.proximo_intento is not None and timezone.now() + margin >= delivery.proximo_intento


def _release(rows: list[PushDelivery]) -> None:
    """Rows not tried before their claim ran out: due again now, the attempt not counted."""
    logger.warning("Push batch: %s FCM pushes left for the next pass (claim running out)", len(rows))
    now = timezone.now()
    for delivery in rows:
        delivery.intentos -= 1
        delivery.proximo_intento = now
    with transaction.atomic():
        PushDelivery.objects.filter(pk__in=[d.pk for d in rows]).update(intentos=F("intentos") - 1, proximo_intento=now)


def _defer(rows: list[PushDelivery], error: str, retry_after: float | None) -> None:
    now = timezone.now()
    for delivery in rows:
        _later(delivery, error, now, retry_after)
    _record(rows, {})


def _send(batch: list[PushDelivery]) -> int:
    """Send a claimed batch and record its outcome. Returns pushes sent. The Expo request's
    outcome (and the batch's skipped rows) is recorded before any FCM push is sent."""
    expo_rows: list[PushDelivery] = []
    fcm_rows: list[PushDelivery] = []
    done: list[PushDelivery] = []
    fcm_on = fcm.configured()
    for delivery in batch:
        if not delivery.token.is_active:
            delivery.estado, delivery.ultimo_error, delivery.proximo_intento = (
                DeliveryStatus.OMITIDA,
                RETIRED_SKIPPED,
                None,
            )
            done.append(delivery)
        elif delivery.token.token_type == PushTokenType.EXPO:
            expo_rows.append(delivery)
            done.append(delivery)
        elif fcm_on:
            fcm_rows.append(delivery)
        else:  # FCM was configured when the row was written, and no longer is
            delivery.estado, delivery.ultimo_error, delivery.proximo_intento = DeliveryStatus.OMITIDA, FCM_SKIPPED, None
            done.append(delivery)
    dead_tokens: dict[int, str] = {}
    sent = _send_expo(expo_rows, dead_tokens)
    _record(done, dead_tokens)
    return sent + _send_fcm(fcm_rows)


def retire_tokens(token_ids: Iterable[int], *, reason: str) -> int:
    token_ids = list(token_ids)
    if not token_ids:
        return 0
    return PushToken.objects.filter(pk__in=token_ids, is_active=True).update(
        is_active=False, retired_at=timezone.now(), retired_reason=reason[:40]
    )


def push_send(*, notification_ids: Iterable[int] | None = None) -> tuple[int, float | None]:
    """Send every due PENDIENTE push (of these notifications, or all), 100 per request.
    Returns (pushes sent, seconds until the earliest of them still pending is due, if any)."""
    ids = None if notification_ids is None else list(notification_ids)
    sent = 0
    while True:
        batch = _claim(ids)
        if batch:
            sent += _send(batch)
        if len(batch) < expo.SEND_BATCH:  # nothing more was due when it was claimed
            break
    pending = PushDelivery.objects.filter(estado=DeliveryStatus.PENDIENTE)
    if ids is not None:
        pending = pending.filter(notification_id__in=ids)
    next_due = pending.aggregate(next_due=Min("proximo_intento"))["next_due"]
    if next_due is None:
        return sent, None
    return sent, max((next_due - timezone.now()).total_seconds(), 0.0)


def push_check_receipts(*, older_than: timedelta | None = None) -> dict[str, int]:
    """Ask Expo for the receipts of ENVIADA pushes sent at least `older_than` ago (1000 ids
    per request): ok -> ENTREGADA; an error -> FALLIDA (DeviceNotRegistered retires the
    token); still no receipt 24 h after the send -> closed with that noted."""
    if older_than is None:
        older_than = timedelta(seconds=settings.PUSH_RECEIPT_DELAY_SECONDS)
    counts = {"entregadas": 0, "fallidas": 0, "sin_recibo": 0}
    last_id = 0
    while True:
        now = timezone.now()
        with transaction.atomic():
            batch = list(
                PushDelivery.objects.select_for_update(skip_locked=True)
                .filter(
                    estado=DeliveryStatus.ENVIADA,
                    fecha_recibo__isnull=True,
                    fecha_envio__lte=now - older_than,
                    pk__gt=last_id,
                )
                .exclude(receipt_id="")
                .order_by("pk")[: expo.RECEIPTS_BATCH]
            )
            if not batch:
                return counts
            last_id = batch[-1].pk
            receipts = expo.get_receipts([d.receipt_id for d in batch])
            dead_tokens = set()
            for delivery in batch:
                receipt = receipts.get(delivery.receipt_id)
                if receipt is None:
                    if delivery.fecha_envio < now - RECEIPTS_KEPT:
                        delivery.fecha_recibo, delivery.ultimo_error = now, "No receipt from Expo within 24 h"
                        counts["sin_recibo"] += 1
                    continue
                delivery.fecha_recibo = now
                if receipt.get("status") == "ok":
                    delivery.estado = DeliveryStatus.ENTREGADA
                    counts["entregadas"] += 1
                else:
                    code = expo.error_code(receipt)
                    _fail(delivery, f"{code or 'error'}: {receipt.get('message', '')}")
                    counts["fallidas"] += 1
                    if code == DEVICE_GONE:
                        dead_tokens.add(delivery.token_id)
            _save_outcomes(batch)
            retire_tokens(dead_tokens, reason=DEVICE_GONE)
