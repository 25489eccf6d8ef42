"""Account e-mails go through the notification delivery path of production: queued in the
database, run by `manage.py db_worker`; no plain-text password is stored anywhere."""

import re

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from notifications.models import Notification, NotificationStatus
from tests.conftest import client_for
from users.models import Role, User

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


# transaction=True: the worker closes and reopens its connection like a real process does.
@pytest.mark.django_db(transaction=True)
def test_welcome_email_is_queued_and_sent_by_the_db_worker(settings, admin_user, mailoutbox):
    # given the database-backed task queue of production
    settings.TASKS = DB_TASKS
    payload = {"document": "CC-7788", "email": "Nuevo@Example.com", "first_name": "Nora", "role": Role.TECH}

    # when an admin creates a user
    response = client_for(admin_user).post("/api/users/create/", payload, format="json")

    # then the request returns before any mail is sent: the task waits in the queue
    assert response.status_code == 201
    assert mailoutbox == []
    user = User.objects.get(document="CC-7788")
    notification = Notification.objects.get(usuario=user)
    assert notification.tipo.codigo == "bienvenida"
    assert notification.estado == NotificationStatus.PENDIENTE
    queued = DBTaskResult.objects.get()
    assert queued.status == TaskResultStatus.READY
    assert queued.task_path == "notifications.tasks.deliver_notifications"
    assert queued.args_kwargs == {"args": [], "kwargs": {"notification_ids": [notification.pk]}}
    assert not user.has_usable_password()

    # when the worker drains the queue
    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)

    # then one welcome e-mail carries a password that logs in and must be changed
    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["nuevo@example.com"]
    password = re.search(r"Contraseña temporal: (\S+)", mailoutbox[0].body).group(1)
    notification.refresh_from_db()
    assert notification.estado == NotificationStatus.ENVIADA
    assert password not in notification.mensaje
    login = client_for(admin_user).post(
        "/api/users/auth/login/", {"email": "nuevo@example.com", "password": password}, format="json"
    )
    assert login.status_code == 200
    assert login.json()["must_change_password"] is True
