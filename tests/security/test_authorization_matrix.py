"""Authorization matrix: every URL pattern x every method it implements x every role.

The table lives in `tests/security/authorization_matrix.py`. This file
(1) walks the URL conf and fails when an endpoint has no row or a row no endpoint,
(2) calls every row as every role and compares the statuses with the table,
(3) checks that a refused call (and any GET) changed nothing in the database,
and treats the Django admin as one endpoint family (see `AdminFamily`).
"""

import re
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib.admin.sites import AdminSite
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from rest_framework.test import APIClient

from conversations.models import MessageAttachment, TicketMessage
from notifications.models import Notification, NotificationType, PushToken
from sla.models import SLAPolicy
from tests.factories import (
    TEST_PASSWORD,
    ApartmentFactory,
    AppointmentFactory,
    BuildingFactory,
    DeviceFactory,
    DoormanFactory,
    NameDeviceFactory,
    OwnerFactory,
    StateChangeRequestFactory,
    TenantFactory,
    TicketAttachmentFactory,
    TicketFactory,
    UserFactory,
    estado,
)
from tests.security.authorization_matrix import (
    ADMIN_FAMILY,
    METHODS,
    PNG,
    ROLES,
    ROWS,
    Row,
    route_key,
)
from tickethelp.permissions import IsAdmin
from tickets.attachment_urls import attachment_signature
from users.models import RevokedAccessToken, Role, User
from users.tokens import issue_tokens

pytestmark = pytest.mark.django_db

# --- the URL conf ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    route: str  # full route from the root, as written in the URL confs
    callback: object
    name: str | None
    namespace: str | None
    kwargs: tuple[str, ...]  # names of the captured arguments

    @property
    def is_admin(self) -> bool:
        """Served by the admin site (its namespace), wherever it is mounted."""
        return (self.namespace or "").split(":")[0] == ADMIN_FAMILY.namespace


def url_patterns(resolver=None, prefix: str = "", namespace: str | None = None):
    """Every URLPattern of the URL conf, recursively through includes."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace])) or None
            yield from url_patterns(entry, route, inner)
        elif isinstance(entry, URLPattern):
            kwargs = tuple(entry.pattern.regex.groupindex)
            yield Pattern(route, entry.callback, entry.name, namespace, kwargs)


# Values for captured arguments when a path must be built from a pattern alone.
SAMPLE_ARGUMENTS = {
    "rest": "no-such-endpoint",
    "object_id": "1",
    "app_label": "users",
    "content_type_id": "1",
    "url": "no-such-page/",
}


def sample_path(pattern: Pattern) -> str:
    """A concrete path that the pattern (and no earlier one) resolves."""
    missing = set(pattern.kwargs) - set(SAMPLE_ARGUMENTS)
    assert not missing, f"{pattern.route}: add a sample value for {missing} to SAMPLE_ARGUMENTS"
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: SAMPLE_ARGUMENTS[m.group(1)], pattern.route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE_ARGUMENTS[m.group(1)], path)
    path = "/" + path.replace("^", "").replace("$", "")
    assert resolve(path).func is pattern.callback, f"{pattern.route}: the sample {path} resolves elsewhere"
    return path


def implemented_methods(pattern: Pattern) -> set[str]:
    """What the view answers: DRF/Django class views say so; a function view is probed."""
    callback = pattern.callback
    actions = getattr(callback, "actions", None)  # a ViewSet bound to {method: action}
    if actions:
        return {method.upper() for method in actions} & set(METHODS)
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is not None:
        return {
            method
            for method in METHODS
            if method.lower() in view_class.http_method_names and hasattr(view_class, method.lower())
        }
    # A function view: whatever does not answer 405 Method Not Allowed is implemented.
    client, path = Client(), sample_path(pattern)
    return {method for method in METHODS if client.generic(method, path).status_code != 405}


def endpoints() -> dict[tuple[str, str], set[str]]:
    """(method, route key) -> the routes (slash twins) that serve it, admin excluded."""
    found: dict[tuple[str, str], set[str]] = {}
    methods_of: dict[str, set[str]] = {}
    for pattern in url_patterns():
        if pattern.is_admin:
            continue
        methods = implemented_methods(pattern)
        key = route_key(pattern.route)
        # twins must be the same endpoint, not two views that happen to share a spelling
        assert methods_of.setdefault(key, methods) == methods, f"{key}: slash twins differ in methods"
        for method in methods:
            found.setdefault((method, key), set()).add(pattern.route)
    return found


# --- the world every row is called in ----------------------------------------------------------


def bearer(access: str | None) -> APIClient:
    client = APIClient()
    if access is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def signed_in_as(user) -> SimpleNamespace:
    refresh = issue_tokens(user)
    return SimpleNamespace(user=user, refresh=str(refresh), client=bearer(str(refresh.access_token)))


def deactivated(user) -> SimpleNamespace:
    """A token issued while active, then the user deactivated."""
    caller = signed_in_as(user)
    assert caller.client.get("/api/users/auth/validate-token/").status_code == 200  # worked until now
    User.objects.filter(pk=user.pk).update(is_active=False)
    return caller


def revoked_staff(user) -> SimpleNamespace:
    """A staff session ended through the logout endpoint: the access token is deny-listed."""
    caller = signed_in_as(user)
    assert caller.client.get("/api/users/auth/validate-token/").status_code == 200  # worked until now
    response = caller.client.post("/api/users/auth/logout/", {"refresh": caller.refresh}, format="json")
    assert response.status_code == 200, response.content
    return caller


def revoked_tenant(tenant) -> SimpleNamespace:
    """A portal session ended through /api/tenant/logout."""
    login = APIClient().post("/api/tenant/login", {"email": tenant.user.email, "password": TEST_PASSWORD})
    assert login.status_code == 200, login.content
    caller = SimpleNamespace(user=tenant.user, refresh=None, client=bearer(login.json()["token"]))
    assert caller.client.get("/api/tenant/me").status_code == 200  # worked until now
    assert caller.client.post("/api/tenant/logout").status_code == 200
    cache.clear()  # the login throttle counted this login
    return caller


def notify(user, ticket) -> Notification:
    return Notification.objects.create(
        usuario=user,
        ticket=ticket,
        tipo=NotificationType.objects.get(codigo="estado_cambiado"),
        titulo="Ticket actualizado",
        mensaje="Ticket actualizado.",
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction that is rolled back at the end; each
    test (and each call) runs in a savepoint inside it, so every row sees the same world."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock(), media, transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def build_world() -> SimpleNamespace:
    admin, tech, client = UserFactory(role=Role.ADMIN), UserFactory(role=Role.TECH), UserFactory(role=Role.CLIENT)
    owner = OwnerFactory()
    building = BuildingFactory(owner=owner)
    DoormanFactory(building=building)
    apartment = ApartmentFactory(building=building)
    tenant = TenantFactory(apartment=apartment)
    device = DeviceFactory(owners=[tenant])
    ticket = TicketFactory(administrador=admin, tecnico=tech, cliente=client)
    tenant_ticket = TicketFactory(administrador=admin, tecnico=tech, cliente=tenant.user, device=device)
    in_repair = TicketFactory(administrador=admin, tecnico=tech, cliente=client, estado=estado("in_repair"))
    stored = default_storage.save(f"tickets/{ticket.pk}/matriz.png", ContentFile(PNG))
    attachment = TicketAttachmentFactory(ticket=ticket, uploaded_by=admin, file=stored, size=len(PNG))
    message = TicketMessage.objects.create(ticket=ticket, author=tech, body="Mensaje de la matriz")
    stored = default_storage.save(f"messages/{ticket.pk}/matriz.png", ContentFile(PNG))
    message_attachment = MessageAttachment.objects.create(
        message=message, file=stored, original_name="matriz.png", mime_type="image/png", size=len(PNG)
    )
    target = UserFactory(role=Role.CLIENT)  # whom the by-document ADMIN endpoints are about
    w = SimpleNamespace(
        admin=admin,
        tech=tech,
        client=client,
        other_tech=UserFactory(role=Role.TECH),
        target=target,
        target_refresh=str(issue_tokens(target)),
        owner=owner,
        building=building,
        apartment=apartment,
        tenant=tenant,
        device=device,
        ticket=ticket,
        tenant_ticket=tenant_ticket,
        pending=StateChangeRequestFactory(ticket=in_repair, requested_by=tech),
        attachment=attachment,
        message_attachment=message_attachment,
        signature=attachment_signature(attachment.pk, user_id=ticket.cliente_id),
        notification=notify(client, ticket),
        visit=AppointmentFactory(ticket=ticket),
        visit_started=AppointmentFactory(ticket=ticket, status="in_progress"),
        tenant_visit=AppointmentFactory(ticket=tenant_ticket, status="awaiting_feedback"),
        tenant_notification=notify(tenant.user, tenant_ticket),
        push_token=PushToken.objects.create(
            usuario=client, token="ExponentPushToken[matriz-cliente]", token_type="expo", platform="android"
        ),
        # rows the management API may change or delete (nothing depends on them)
        spare_owners=OwnerFactory(),
        spare_buildings=BuildingFactory(owner=owner),
        spare_doormen=DoormanFactory(building=building),
        spare_apartments=ApartmentFactory(building=building),
        spare_tenants=TenantFactory(apartment=apartment),
        spare_device_types=NameDeviceFactory(name="Horno"),
        spare_devices=DeviceFactory(owners=[tenant]),
        spare_sla_policy=SLAPolicy.objects.create(
            priority="medium",
            category="matriz-spare",
            first_response_minutes=1,
            resolution_minutes=2,
            approval_minutes=3,
        ),
    )
    callers = {
        "anonymous": None,
        "invalid": SimpleNamespace(user=None, refresh=None, client=bearer("not-a-jwt.at-all.sorry")),
        "CLIENT": signed_in_as(client),
        "tenant": signed_in_as(tenant.user),
        "TECH": signed_in_as(tech),
        "ADMIN": signed_in_as(admin),
    }
    w.callers = {
        "staff": {
            **callers,
            "inactive": deactivated(UserFactory(role=Role.ADMIN)),
            "revoked": revoked_staff(UserFactory(role=Role.ADMIN)),
        },
        "portal": {
            **callers,
            "inactive": deactivated(TenantFactory(apartment=apartment).user),
            "revoked": revoked_tenant(TenantFactory(apartment=apartment)),
        },
    }
    return w


# --- "nothing changed": every table's content, in one query ------------------------------------


def database_fingerprint() -> dict[str, str]:
    """md5 of every row of every table (Postgres), keyed by table."""
    tables = sorted(name for name in connection.introspection.table_names() if name != "django_migrations")
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {quote(table)} t)"  # noqa: S608 - names from introspection
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return dict(zip(tables, cursor.fetchone(), strict=True))


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(table for table in before.keys() | after.keys() if before.get(table) != after.get(table))


# --- calling a row -----------------------------------------------------------------------------


def send(row: Row, w, caller):
    path = (row.path or "/" + row.route).format(w=w)
    client = caller.client if caller else APIClient()
    body = row.body(w, caller) if row.body else None
    if body is None:
        return client.generic(row.method, path)
    return getattr(client, row.method.lower())(path, body, format=row.format)


def must_change_nothing(row: Row, role: str) -> bool:
    """A refused call, a business error and any read leave the database as it was."""
    return row.method == "GET" or row.expect[role] >= 300


def call_as(row: Row, w, role: str) -> tuple[int, list[str], object]:
    """The status of `row` called as `role` and the tables it changed; rolled back after."""
    caller = w.callers["portal" if row.audience == "portal" else "staff"][role]
    check = must_change_nothing(row, role)
    cache.clear()  # throttle counters start at zero for every call
    with transaction.atomic():
        before = database_fingerprint() if check else {}
        response = send(row, w, caller)
        changes = changed_tables(before, database_fingerprint()) if check else []
        transaction.set_rollback(True)
    return response.status_code, changes, response


def test_the_fingerprint_sees_any_change(db, world):
    # given the database as it is
    before = database_fingerprint()

    # when one field of one row changes (same row count)
    User.objects.filter(pk=world.target.pk).update(first_name="Otro")

    # then that table, and only it, is reported
    assert changed_tables(before, database_fingerprint()) == [User._meta.db_table]


def test_revoked_and_inactive_callers_hold_tokens_of_real_users(db, world):
    staff, tenant = world.callers["staff"], world.callers["portal"]

    assert staff["inactive"].user.role == Role.ADMIN
    assert User.objects.get(pk=staff["inactive"].user.pk).is_active is False
    assert User.objects.get(pk=tenant["inactive"].user.pk).is_active is False
    assert RevokedAccessToken.objects.filter(user=staff["revoked"].user).count() == 1
    assert RevokedAccessToken.objects.filter(user=tenant["revoked"].user).count() == 1


# --- (1) coverage ------------------------------------------------------------------------------


def test_every_endpoint_and_method_has_exactly_one_row():
    # given every (method, route) the URL conf serves and every row of the table
    served = endpoints()
    keys = [row.key for row in ROWS]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})

    # then each endpoint has a row and each row an endpoint
    missing = sorted(set(served) - set(keys))
    stale = sorted(set(keys) - set(served))
    assert {"endpoints without a row": missing, "rows without an endpoint": stale, "duplicate rows": duplicates} == {
        "endpoints without a row": [],
        "rows without an endpoint": [],
        "duplicate rows": [],
    }
    covered = len(set(served) & set(keys)) / len(served)
    assert covered == 1.0
    assert len(served) == len(ROWS)


def test_the_coverage_check_sees_a_new_endpoint(monkeypatch):
    # given the URL conf with one more endpoint than the table knows
    new = Pattern(
        "api/brand-new/", SimpleNamespace(cls=SimpleNamespace(http_method_names=["get"], get=1)), "x", None, ()
    )
    patterns = [*url_patterns(), new]
    monkeypatch.setattr(f"{__name__}.url_patterns", lambda: iter(patterns))

    # then it is reported as an endpoint without a row, and only it
    assert set(endpoints()) - {row.key for row in ROWS} == {("GET", "api/brand-new")}


def test_slash_twins_count_as_one_endpoint():
    routes = {pattern.route for pattern in url_patterns()}

    assert {"api/users/", "api/users"} <= routes
    assert {"api/tenant/me", "api/tenant/me/"} <= routes
    assert route_key("api/users/") == route_key("api/users") == "api/users"


# --- (2) + (3) every row as every role ---------------------------------------------------------


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_authorization_matrix(db, world, row):
    # given the world and one caller per role
    actual, changes, refusals_without_message = {}, {}, []

    # when the endpoint is called as each role (each call rolled back afterwards)
    for role in ROLES:
        status, changed, response = call_as(row, world, role)
        actual[role] = status
        if changed:
            changes[role] = changed
        if status in (401, 403) and row.audience != "docs":
            keys = {"error", "message"} if row.audience == "portal" else {"detail"}
            if not keys <= set(response.json()):
                refusals_without_message.append(role)

    # then every role gets the table's status
    assert actual == row.expect
    # and a refused call (or any read) changed nothing
    assert changes == {}
    # and refusals speak their audience's error shape
    assert refusals_without_message == []


def test_the_matrix_sees_a_role_let_in_by_mistake(db, world, monkeypatch):
    # given a broken admin check that lets every signed-in user in
    monkeypatch.setattr(IsAdmin, "has_permission", lambda self, request, view: request.user.is_authenticated)
    row = next(row for row in ROWS if row.key == ("GET", "api/users"))

    # when a CLIENT calls the ADMIN-only user list
    status, _, _ = call_as(row, world, "CLIENT")

    # then the answer differs from the table's
    assert (status, row.expect["CLIENT"]) == (200, 403)


# --- the Django admin as one family -------------------------------------------------------------


def admin_patterns() -> list[Pattern]:
    return [pattern for pattern in url_patterns() if pattern.is_admin]


def test_every_admin_pattern_is_the_login_form_or_guarded_by_the_admin_site():
    # given every pattern under /admin/
    patterns = admin_patterns()
    assert len(patterns) > 20  # the site and its model admins are all there
    assert [pattern.route for pattern in patterns if not pattern.route.startswith(ADMIN_FAMILY.prefix)] == []

    # then each is either the login form or wrapped by AdminSite.admin_view (staff only)
    unguarded = [
        pattern.route
        for pattern in patterns
        if pattern.route != ADMIN_FAMILY.login_route
        and not isinstance(getattr(pattern.callback, "admin_site", None), AdminSite)
        and getattr(pattern.callback, "model_admin", None) is None
    ]
    assert unguarded == []


@pytest.fixture
def admin_sessions(db, world):
    """One browser per admin column: sessions for people, bare Bearer headers for tokens."""
    sessions = {}
    for role in ("anonymous", "CLIENT", "tenant", "TECH", "ADMIN"):
        browser = Client()
        caller = world.callers["staff"][role]
        if caller is not None:
            browser.force_login(caller.user)
        sessions[role] = browser
    inactive = UserFactory(role=Role.ADMIN)
    sessions["inactive"] = Client()
    sessions["inactive"].force_login(inactive)
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    for role in ("invalid", "revoked"):  # a Bearer header and no session
        token = world.callers["staff"][role].client._credentials["HTTP_AUTHORIZATION"]
        sessions[role] = Client(HTTP_AUTHORIZATION=token)
    return sessions


def refused_by_admin(response, path: str) -> bool:
    """Sent to the login form (or, for logout, to the index that sends there)."""
    if response.status_code != 302:
        return False
    location = response["Location"]
    return location.startswith(reverse("admin:login")) or (
        path == reverse("admin:logout") and location == reverse("admin:index")
    )


def test_every_admin_pattern_refuses_anyone_but_an_active_admin(admin_sessions):
    # given every admin pattern but the login form, and every non-staff caller
    patterns = [pattern for pattern in admin_patterns() if pattern.route != ADMIN_FAMILY.login_route]
    outsiders = {role: browser for role, browser in admin_sessions.items() if ADMIN_FAMILY.expect[role] != 200}
    before = database_fingerprint()

    # when each of them reads or posts to each pattern
    let_in = [
        (role, method, path, response.status_code)
        for pattern in patterns
        for path in [sample_path(pattern)]
        for role, browser in outsiders.items()
        for method in ("GET", "POST")
        for response in [browser.generic(method, path)]
        if not refused_by_admin(response, path)
    ]

    # then every one is sent to the login form and nothing changed
    assert let_in == []
    assert changed_tables(before, database_fingerprint()) == []


@pytest.mark.parametrize("page", ADMIN_FAMILY.pages)
def test_admin_pages_by_role(admin_sessions, page):
    # when each admin column opens the page
    actual = {role: admin_sessions[role].get(page).status_code for role in ROLES}

    # then only an active ADMIN's session is served
    assert actual == ADMIN_FAMILY.expect


def test_the_admin_login_form_refuses_a_non_staff_user(db, world):
    # given a CLIENT who knows their password
    browser = Client()

    # when they sign in on the admin login form
    response = browser.post(reverse("admin:login"), {"username": world.client.email, "password": TEST_PASSWORD})

    # then the form is shown again and no admin session is opened
    assert response.status_code == 200
    assert "_auth_user_id" not in browser.session
    assert browser.get(reverse("admin:index")).status_code == 302


def test_the_admin_login_form_is_public(admin_sessions):
    assert Client().get(reverse("admin:login")).status_code == 200
