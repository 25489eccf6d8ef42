"""notifications.preferences: the channels delivery reads, and the settings' rules."""

import pytest
from django.utils import translation

from notifications.models import NotificationPreference, NotificationType
from notifications.preferences import (
    Channels,
    PreferenceError,
    channels_for,
    settings_for,
    settings_update,
    types_for_user,
    types_with_channels,
)
from tests.factories import UserFactory
from users.models import Role

pytestmark = pytest.mark.django_db


def tipo(codigo: str) -> NotificationType:
    return NotificationType.objects.get(codigo=codigo)


def test_channels_for_answers_defaults_and_choices_in_one_query(django_assert_num_queries):
    # given: three users, one of them opted out of pushes of state changes
    users = UserFactory.create_batch(3)
    estado, mensaje = tipo("estado_cambiado"), tipo("mensaje_nuevo")
    NotificationPreference.objects.create(usuario=users[0], tipo=estado, email=True, push=False)

    # when
    with django_assert_num_queries(1):
        channels = channels_for(user_ids=[user.pk for user in users], tipos=[estado, mensaje])

    # then: every pair answered; messages default to no e-mail
    assert len(channels) == 6
    assert channels[(users[0].pk, estado.pk)] == Channels(email=True, push=False)
    assert channels[(users[1].pk, estado.pk)] == Channels(email=True, push=True)
    assert channels[(users[2].pk, mensaje.pk)] == Channels(email=False, push=True)
    assert channels[(users[2].pk, mensaje.pk)].as_dict() == {"in_app": True, "email": False, "push": True}


def test_channels_for_without_users_or_types_makes_no_query(django_assert_num_queries):
    estado = tipo("estado_cambiado")
    with django_assert_num_queries(0):
        assert channels_for(user_ids=[], tipos=[estado]) == {}
        assert channels_for(user_ids=[1], tipos=[]) == {}


def test_account_emails_stay_on_even_with_a_stored_opt_out():
    # given: a row written behind the API's back
    user = UserFactory()
    reset = tipo("password_reset")
    NotificationPreference.objects.create(usuario=user, tipo=reset, email=False, push=False)

    # when / then
    assert channels_for(user_ids=[user.pk], tipos=[reset])[(user.pk, reset.pk)] == Channels(email=True, push=False)


def test_residents_are_not_offered_staff_only_types():
    # given
    resident, technician = UserFactory(role=Role.CLIENT), UserFactory(role=Role.TECH)

    # when
    for_resident = {t.codigo for t in types_for_user(user=resident)}
    for_technician = {t.codigo for t in types_for_user(user=technician)}

    # then
    assert "nota_interna" not in for_resident
    assert "solicitud_cambio_estado" not in for_resident
    assert {"mensaje_nuevo", "estado_cambiado", "bienvenida"} <= for_resident
    assert {"nota_interna", "solicitud_cambio_estado", "ticket_asignado"} <= for_technician


def test_settings_update_stores_only_deviations_from_the_defaults():
    # given
    user = UserFactory(role=Role.TECH)

    # when: push off for one type, then e-mail back to its default for another
    settings_update(user=user, changes={"estado_cambiado": {"push": False}, "mensaje_nuevo": {"email": False}})

    # then: only the deviation is a row
    rows = list(NotificationPreference.objects.filter(usuario=user).values_list("tipo__codigo", "email", "push"))
    assert rows == [("estado_cambiado", True, False)]

    # when: back to the default
    result = settings_update(user=user, changes={"estado_cambiado": {"push": True}})

    # then
    assert not NotificationPreference.objects.filter(usuario=user).exists()
    by_codigo = {setting.tipo.codigo: setting for setting in result}
    assert by_codigo["estado_cambiado"].channels == Channels(email=True, push=True)


def test_settings_update_rejects_without_writing_anything():
    # given
    user = UserFactory(role=Role.CLIENT)

    # when (messages in the portal's English; the staff API reads them in Spanish)
    with translation.override("en"), pytest.raises(PreferenceError) as error:
        settings_update(
            user=user,
            changes={
                "estado_cambiado": {"push": False},
                "nota_interna": {"push": False},
                "password_reset": {"email": False},
                "bienvenida": {"push": True},
                "mensaje_nuevo": {"in_app": False},
            },
        )

    # then
    assert error.value.errors == {
        "nota_interna": {"codigo": ["Unknown notification type 'nota_interna'."]},
        "password_reset": {"email": ["Account e-mails cannot be turned off."]},
        "bienvenida": {"push": ["Account notifications are sent by e-mail only."]},
        "mensaje_nuevo": {"in_app": ["In-app notifications cannot be turned off."]},
    }
    assert not NotificationPreference.objects.filter(usuario=user).exists()


def test_settings_for_reads_in_two_queries(django_assert_num_queries):
    # given
    user = UserFactory(role=Role.ADMIN)
    settings_update(user=user, changes={"ticket_creado": {"email": False}})

    # when
    with django_assert_num_queries(2):
        result = settings_for(user=user)

    # then
    by_codigo = {setting.tipo.codigo: setting for setting in result}
    assert by_codigo["ticket_creado"].channels == Channels(email=False, push=True)
    assert by_codigo["ticket_creado"].defaults == Channels(email=True, push=True)
    assert by_codigo["bienvenida"].locked == ("in_app", "email", "push")
    assert by_codigo["ticket_creado"].locked == ("in_app",)


def test_types_with_channels_reads_the_types_and_the_choices_in_one_query(django_assert_num_queries):
    # given three users: one opted out of pushes of state changes, one out of e-mails of messages
    users = UserFactory.create_batch(3)
    estado, mensaje = tipo("estado_cambiado"), tipo("mensaje_nuevo")
    NotificationPreference.objects.create(usuario=users[0], tipo=estado, email=True, push=False)
    NotificationPreference.objects.create(usuario=users[1], tipo=mensaje, email=False, push=False)
    NotificationPreference.objects.create(usuario=UserFactory(), tipo=estado, email=False, push=False)  # not asked

    # when
    with django_assert_num_queries(1):
        types, channels = types_with_channels(
            codigos=["estado_cambiado", "mensaje_nuevo", "no_such_type"], user_ids=[user.pk for user in users]
        )

    # then the types come back by codigo (an unknown one is absent) with every pair's channels,
    # the same as channels_for answers
    assert {codigo: t.pk for codigo, t in types.items()} == {"estado_cambiado": estado.pk, "mensaje_nuevo": mensaje.pk}
    assert channels == channels_for(user_ids=[user.pk for user in users], tipos=[estado, mensaje])
    assert channels[(users[0].pk, estado.pk)] == Channels(email=True, push=False)
    assert channels[(users[1].pk, mensaje.pk)] == Channels(email=False, push=False)
    assert channels[(users[2].pk, estado.pk)] == Channels(email=True, push=True)
    assert all(type(value) is bool for pair in channels.values() for value in pair.as_dict().values())


def test_types_with_channels_keeps_account_types_to_email_only_and_answers_without_users():
    # given a stored opt-out of an account e-mail (written behind the API's back)
    user = UserFactory()
    reset = tipo("password_reset")
    NotificationPreference.objects.create(usuario=user, tipo=reset, email=False, push=True)

    # when / then
    _, channels = types_with_channels(codigos=["password_reset"], user_ids=[user.pk])
    assert channels == {(user.pk, reset.pk): Channels(email=True, push=False)}
    assert types_with_channels(codigos=["password_reset"], user_ids=[]) == ({"password_reset": reset}, {})
    assert types_with_channels(codigos=[], user_ids=[user.pk]) == ({}, {})
