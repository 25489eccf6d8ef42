"""SQL statements per request of every endpoint: the one table that the docs and the test share.

`STATEMENTS` maps every endpoint (method and URL route, the slash twins as one, as in
tests/security/authorization_matrix.py) to what one successful call costs, measured by
tests/perf/test_statements.py on the authorization matrix's seeded world, warm (the second
of two identical calls, each rolled back), configured as production without REDIS_URL
(tasks, throttle counters and cache in PostgreSQL: a queued task is an INSERT):

* `sql`: data statements the request runs (SELECT/INSERT/UPDATE/DELETE, `SET LOCAL` of a
  row-plan page included), authentication, throttles and the cache table included;
* `savepoints`: transaction-control statements captured in the test (SAVEPOINT / RELEASE /
  ROLLBACK TO). The test runs inside a transaction, so a service's outermost
  `transaction.atomic()` shows up here as one SAVEPOINT/RELEASE pair where production runs
  BEGIN/COMMIT (which Django does not log); every further pair is a real round trip;
* `after_commit`: statements of the work queued with `transaction.on_commit` (the e-mail
  tasks), run by the request after its commit.

The table in bench/RESULTS.md ("Statements per request") is generated from this module
(`.venv/bin/python -m bench.statements --write`) and the test checks that it is current.
Counts are exact: a change in what an endpoint runs changes this table in the same commit.
"""

import re
import sys
from pathlib import Path
from typing import NamedTuple


class Cost(NamedTuple):
    caller: str  # the matrix's role that makes the successful call
    sql: int
    savepoints: int = 0
    after_commit: int = 0


# (method, route) -> Cost; `route` as the URL conf writes it, without the trailing slash.
STATEMENTS: dict[tuple[str, str], Cost] = {
    ("GET", "^api/(?P<rest>.*)$"): Cost("anonymous", 0),
    ("POST", "^api/(?P<rest>.*)$"): Cost("anonymous", 0),
    ("PUT", "^api/(?P<rest>.*)$"): Cost("anonymous", 0),
    ("PATCH", "^api/(?P<rest>.*)$"): Cost("anonymous", 0),
    ("DELETE", "^api/(?P<rest>.*)$"): Cost("anonymous", 0),
    ("GET", "api/^tenant/(?P<rest>.*)$"): Cost("anonymous", 0),
    ("POST", "api/^tenant/(?P<rest>.*)$"): Cost("anonymous", 0),
    ("PUT", "api/^tenant/(?P<rest>.*)$"): Cost("anonymous", 0),
    ("PATCH", "api/^tenant/(?P<rest>.*)$"): Cost("anonymous", 0),
    ("DELETE", "api/^tenant/(?P<rest>.*)$"): Cost("anonymous", 0),
    ("GET", "api/admins"): Cost("ADMIN", 2),
    ("GET", "api/admins/<str:document>"): Cost("ADMIN", 2),
    ("GET", "api/apartments"): Cost("ADMIN", 3),
    ("POST", "api/apartments"): Cost("ADMIN", 7, 2),
    ("GET", "api/apartments/<int:pk>"): Cost("ADMIN", 2),
    ("PUT", "api/apartments/<int:pk>"): Cost("ADMIN", 9, 2),
    ("PATCH", "api/apartments/<int:pk>"): Cost("ADMIN", 9, 2),
    ("DELETE", "api/apartments/<int:pk>"): Cost("ADMIN", 5, 4),
    ("GET", "api/appointments"): Cost("ADMIN", 2),
    ("POST", "api/appointments/<int:appointment_id>/cancel"): Cost("ADMIN", 8, 2),
    ("POST", "api/appointments/<int:appointment_id>/complete"): Cost("ADMIN", 8, 2),
    ("POST", "api/appointments/<int:appointment_id>/no-show"): Cost("ADMIN", 6, 2),
    ("POST", "api/appointments/<int:appointment_id>/reschedule"): Cost("ADMIN", 11, 4),
    ("POST", "api/appointments/<int:appointment_id>/start"): Cost("ADMIN", 6, 2),
    ("GET", "api/buildings"): Cost("ADMIN", 3),
    ("POST", "api/buildings"): Cost("ADMIN", 7, 2),
    ("GET", "api/buildings/<int:pk>"): Cost("ADMIN", 2),
    ("PUT", "api/buildings/<int:pk>"): Cost("ADMIN", 9, 2),
    ("PATCH", "api/buildings/<int:pk>"): Cost("ADMIN", 9, 2),
    ("DELETE", "api/buildings/<int:pk>"): Cost("ADMIN", 6, 4),
    ("GET", "api/clients"): Cost("ADMIN", 2),
    ("GET", "api/clients/<str:document>"): Cost("ADMIN", 2),
    ("GET", "api/device-types"): Cost("ADMIN", 3),
    ("POST", "api/device-types"): Cost("ADMIN", 5, 2),
    ("GET", "api/device-types/<int:pk>"): Cost("ADMIN", 2),
    ("PUT", "api/device-types/<int:pk>"): Cost("ADMIN", 7, 2),
    ("PATCH", "api/device-types/<int:pk>"): Cost("ADMIN", 7, 2),
    ("DELETE", "api/device-types/<int:pk>"): Cost("ADMIN", 5, 4),
    ("GET", "api/devices"): Cost("ADMIN", 5),
    ("POST", "api/devices"): Cost("ADMIN", 9, 4),
    ("GET", "api/devices/<int:pk>"): Cost("ADMIN", 4),
    ("PUT", "api/devices/<int:pk>"): Cost("ADMIN", 13, 4),
    ("PATCH", "api/devices/<int:pk>"): Cost("ADMIN", 13, 4),
    ("DELETE", "api/devices/<int:pk>"): Cost("ADMIN", 9, 4),
    ("GET", "api/docs"): Cost("anonymous", 0),
    ("GET", "api/doormen"): Cost("ADMIN", 3),
    ("POST", "api/doormen"): Cost("ADMIN", 6, 4),
    ("GET", "api/doormen/<int:pk>"): Cost("ADMIN", 2),
    ("PUT", "api/doormen/<int:pk>"): Cost("ADMIN", 8, 4),
    ("PATCH", "api/doormen/<int:pk>"): Cost("ADMIN", 8, 4),
    ("DELETE", "api/doormen/<int:pk>"): Cost("ADMIN", 4, 4),
    ("GET", "api/estados"): Cost("ADMIN", 2),
    ("POST", "api/estados"): Cost("ADMIN", 4, 2),
    ("GET", "api/files/attachments/<int:attachment_id>"): Cost("anonymous", 2),
    ("GET", "api/me"): Cost("ADMIN", 1),
    ("PUT", "api/me"): Cost("ADMIN", 6, 2),
    ("PATCH", "api/me"): Cost("ADMIN", 6, 2),
    ("GET", "api/me/<str:document>"): Cost("ADMIN", 2),
    ("PUT", "api/me/<str:document>"): Cost("ADMIN", 7, 2),
    ("PATCH", "api/me/<str:document>"): Cost("ADMIN", 7, 2),
    ("POST", "api/me/change-password"): Cost("ADMIN", 8, 4),
    ("POST", "api/me/change-password/<str:document>"): Cost("ADMIN", 8, 4),
    ("GET", "api/me/notification-settings"): Cost("ADMIN", 3),
    ("PUT", "api/me/notification-settings"): Cost("ADMIN", 7, 2),
    ("GET", "api/me/push-tokens"): Cost("ADMIN", 2),
    ("POST", "api/me/push-tokens"): Cost("ADMIN", 7, 2),
    ("DELETE", "api/me/push-tokens/<int:token_id>"): Cost("CLIENT", 2),
    ("GET", "api/notifications"): Cost("ADMIN", 2),
    ("GET", "api/notifications/<int:notification_id>"): Cost("CLIENT", 2),
    ("POST", "api/notifications/<int:notification_id>/mark-read"): Cost("CLIENT", 4, 2),
    ("PUT", "api/notifications/<int:notification_id>/mark-read"): Cost("CLIENT", 4, 2),
    ("PATCH", "api/notifications/<int:notification_id>/mark-read"): Cost("CLIENT", 4, 2),
    ("POST", "api/notifications/mark-all-read"): Cost("ADMIN", 2),
    ("GET", "api/notifications/stats"): Cost("ADMIN", 2),
    ("GET", "api/notifications/types"): Cost("ADMIN", 2),
    ("GET", "api/notifications/user-notifications"): Cost("ADMIN", 2),
    ("GET", "api/owners"): Cost("ADMIN", 3),
    ("POST", "api/owners"): Cost("ADMIN", 3, 2),
    ("GET", "api/owners/<int:pk>"): Cost("ADMIN", 2),
    ("PUT", "api/owners/<int:pk>"): Cost("ADMIN", 5, 2),
    ("PATCH", "api/owners/<int:pk>"): Cost("ADMIN", 5, 2),
    ("DELETE", "api/owners/<int:pk>"): Cost("ADMIN", 5, 4),
    ("GET", "api/redoc"): Cost("anonymous", 0),
    ("GET", "api/reports/stats/antiguedad-tickets"): Cost("ADMIN", 2),
    ("GET", "api/reports/stats/aprobaciones-pendientes"): Cost("ADMIN", 3),
    ("GET", "api/reports/stats/clients-evolution"): Cost("ADMIN", 2),
    ("GET", "api/reports/stats/distribucion-estados"): Cost("ADMIN", 3),
    ("GET", "api/reports/stats/flujo-tickets"): Cost("ADMIN", 3),
    ("GET", "api/reports/stats/general-stats"): Cost("ADMIN", 2),
    ("GET", "api/reports/stats/performance-ranking"): Cost("ADMIN", 5),
    ("GET", "api/reports/stats/satisfaction"): Cost("ADMIN", 2),
    ("GET", "api/reports/stats/sla-compliance"): Cost("ADMIN", 5),
    ("GET", "api/reports/stats/tickets-portal"): Cost("ADMIN", 3),
    ("GET", "api/reports/stats/tiempo-resolucion"): Cost("ADMIN", 2),
    ("GET", "api/schema"): Cost("anonymous", 0),
    ("GET", "api/sla-policies"): Cost("ADMIN", 2),
    ("POST", "api/sla-policies"): Cost("ADMIN", 2, 2),
    ("GET", "api/sla-policies/<int:policy_id>"): Cost("ADMIN", 2),
    ("PUT", "api/sla-policies/<int:policy_id>"): Cost("ADMIN", 3, 2),
    ("PATCH", "api/sla-policies/<int:policy_id>"): Cost("ADMIN", 3, 2),
    ("DELETE", "api/sla-policies/<int:policy_id>"): Cost("ADMIN", 3, 2),
    ("GET", "api/technicians"): Cost("ADMIN", 2),
    ("GET", "api/technicians/<str:document>"): Cost("ADMIN", 2),
    ("GET", "api/tenant/apartment"): Cost("tenant", 2),
    ("POST", "api/tenant/appointments/<int:appointment_id>/member-feedback"): Cost("tenant", 9, 4),
    ("GET", "api/tenant/building"): Cost("tenant", 1),
    ("POST", "api/tenant/change-password"): Cost("tenant", 7, 4),
    ("GET", "api/tenant/devices"): Cost("tenant", 2),
    ("GET", "api/tenant/doormen"): Cost("tenant", 2),
    ("POST", "api/tenant/login"): Cost("anonymous", 6, 2),
    ("POST", "api/tenant/logout"): Cost("tenant", 4, 4),
    ("GET", "api/tenant/me"): Cost("tenant", 1),
    ("GET", "api/tenant/notification-settings"): Cost("tenant", 3),
    ("PUT", "api/tenant/notification-settings"): Cost("tenant", 7, 2),
    ("GET", "api/tenant/notifications"): Cost("tenant", 2),
    ("POST", "api/tenant/notifications/<int:notification_id>/read"): Cost("tenant", 4, 2),
    ("POST", "api/tenant/notifications/mark-all-read"): Cost("tenant", 2),
    ("GET", "api/tenant/owner"): Cost("tenant", 1),
    ("GET", "api/tenant/push-tokens"): Cost("tenant", 2),
    ("POST", "api/tenant/register-push-token"): Cost("tenant", 7, 2),
    ("POST", "api/tenant/remove-push-token"): Cost("tenant", 2),
    ("POST", "api/tenant/reset-password-request"): Cost("tenant", 4),
    ("GET", "api/tenant/tickets"): Cost("tenant", 2),
    ("POST", "api/tenant/tickets"): Cost("tenant", 8, 2),
    ("GET", "api/tenant/tickets/<int:ticket_id>"): Cost("tenant", 3),
    ("GET", "api/tenant/tickets/<int:ticket_id>/appointments"): Cost("tenant", 3),
    ("GET", "api/tenant/tickets/<int:ticket_id>/attachments"): Cost("tenant", 5),
    ("POST", "api/tenant/tickets/<int:ticket_id>/cancel"): Cost("tenant", 14, 2),
    ("GET", "api/tenant/tickets/<int:ticket_id>/messages"): Cost("tenant", 3),
    ("POST", "api/tenant/tickets/<int:ticket_id>/send-message-to-technical"): Cost("tenant", 6, 2),
    ("POST", "api/tenant/tickets/android"): Cost("tenant", 10, 2),
    ("GET", "api/tenants"): Cost("ADMIN", 3),
    ("POST", "api/tenants"): Cost("ADMIN", 9, 2),
    ("GET", "api/tenants/<int:pk>"): Cost("ADMIN", 2),
    ("PUT", "api/tenants/<int:pk>"): Cost("ADMIN", 9, 2),
    ("PATCH", "api/tenants/<int:pk>"): Cost("ADMIN", 9, 2),
    ("DELETE", "api/tenants/<int:pk>"): Cost("ADMIN", 6, 4),
    ("GET", "api/tickets"): Cost("ADMIN", 3),
    ("POST", "api/tickets"): Cost("ADMIN", 7, 2),
    ("GET", "api/tickets/<int:ticket_id>/appointments"): Cost("ADMIN", 3),
    ("POST", "api/tickets/<int:ticket_id>/appointments"): Cost("ADMIN", 10, 4),
    ("GET", "api/tickets/<int:ticket_id>/attachments"): Cost("ADMIN", 3),
    ("POST", "api/tickets/<int:ticket_id>/attachments"): Cost("ADMIN", 4, 2),
    ("GET", "api/tickets/<int:ticket_id>/attachments/<int:attachment_id>/download"): Cost("ADMIN", 3),
    ("GET", "api/tickets/<int:ticket_id>/history"): Cost("ADMIN", 3),
    ("GET", "api/tickets/<int:ticket_id>/message-attachments/<int:attachment_id>/download"): Cost("ADMIN", 3),
    ("GET", "api/tickets/<int:ticket_id>/messages"): Cost("ADMIN", 4),
    ("POST", "api/tickets/<int:ticket_id>/messages"): Cost("ADMIN", 8, 2),
    ("GET", "api/tickets/active-technicians"): Cost("ADMIN", 2),
    ("PUT", "api/tickets/approve-state/<int:request_id>"): Cost("ADMIN", 5, 2),
    ("PUT", "api/tickets/cancel/<int:ticket_id>"): Cost("ADMIN", 6, 2),
    ("PUT", "api/tickets/change-state/<int:ticket_id>"): Cost("TECH", 5, 2),
    ("PUT", "api/tickets/change-technician/<int:ticket_id>"): Cost("ADMIN", 6, 2),
    ("PATCH", "api/tickets/change-technician/<int:ticket_id>"): Cost("ADMIN", 6, 2),
    ("GET", "api/tickets/consulta"): Cost("ADMIN", 3),
    ("GET", "api/tickets/least-busy-technician"): Cost("ADMIN", 2),
    ("GET", "api/tickets/pending-approvals"): Cost("ADMIN", 2),
    ("GET", "api/users"): Cost("ADMIN", 2),
    ("GET", "api/users/<str:document>"): Cost("ADMIN", 2),
    ("POST", "api/users/activate/<str:document>"): Cost("ADMIN", 3, 2),
    ("POST", "api/users/auth/change-password"): Cost("ADMIN", 8, 4),
    ("POST", "api/users/auth/login"): Cost("anonymous", 5, 2),
    ("POST", "api/users/auth/logout"): Cost("ADMIN", 9, 8),
    ("POST", "api/users/auth/refresh"): Cost("anonymous", 8, 4),
    ("GET", "api/users/auth/user-data"): Cost("ADMIN", 1),
    ("GET", "api/users/auth/validate-token"): Cost("ADMIN", 1),
    ("POST", "api/users/create"): Cost("ADMIN", 6),
    ("POST", "api/users/deactivate/<str:document>"): Cost("ADMIN", 8, 4),
    ("DELETE", "api/users/delete/<str:document>"): Cost("ADMIN", 26, 4),
    ("PUT", "api/users/update-profile-picture/<str:document>"): Cost("ADMIN", 7, 2),
    ("PATCH", "api/users/update-profile-picture/<str:document>"): Cost("ADMIN", 7, 2),
    ("PUT", "api/users/update-user/<str:document>"): Cost("ADMIN", 7, 2),
    ("PATCH", "api/users/update-user/<str:document>"): Cost("ADMIN", 7, 2),
    ("GET", "healthz"): Cost("anonymous", 1),
}

RESULTS = Path(__file__).with_name("RESULTS.md")
BEGIN = "<!-- statements table: generated by `python -m bench.statements --write` -->"
END = "<!-- end of statements table -->"


def markdown_table() -> str:
    lines = [
        BEGIN,
        "| endpoint | caller | SQL statements | savepoint statements (test) | after commit |",
        "|---|---|---:|---:|---:|",
    ]
    for (method, route), cost in sorted(STATEMENTS.items(), key=lambda item: (item[0][1], item[0][0])):
        lines.append(f"| `{method} /{route}` | {cost.caller} | {cost.sql} | {cost.savepoints} | {cost.after_commit} |")
    lines.append(END)
    return "\n".join(lines)


def table_in_results() -> str | None:
    """The generated block as bench/RESULTS.md holds it (None when it has none)."""
    match = re.search(re.escape(BEGIN) + r".*?" + re.escape(END), RESULTS.read_text(), flags=re.DOTALL)
    return match.group(0) if match else None


def write_results() -> None:
    text = RESULTS.read_text()
    current = table_in_results()
    if current is None:
        raise SystemExit(f"{RESULTS}: no statements table to replace (add the markers first)")
    RESULTS.write_text(text.replace(current, markdown_table()))


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_results()
    else:
        print(markdown_table())
