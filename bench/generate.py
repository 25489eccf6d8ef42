"""Generate a benchmark data set straight in PostgreSQL (INSERT ... SELECT generate_series).

    DATABASE_URL=postgres://.../tickethelp_bench python bench/generate.py --tickets 1000000

The database is migrated first; existing rows of the generated tables are removed. A
million tickets, their approval requests and history take a few minutes on 2 cores.
Distribution: 12 % open, 5 % diagnosis, 5 % in repair (a fifth of those with a pending
request), 68 % finalized (each with its approved request), 10 % cancelled; dates spread
over the last three years; a fifth of the tickets come from tenants about their devices;
two notifications per ticket (client and technician), read except for the newest 2 %;
a technician's visit for every second ticket (rated when the ticket is finalized, ahead of
now when it is open); three messages per ticket when the conversations app is installed.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tickethelp.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

# Every demo/bench account shares this password (PBKDF2 hash computed once below).
BENCH_PASSWORD = "TicketHelp-bench-2026"  # noqa: S105 - published benchmark credential


def sql(statement: str, params=None, *, label: str = "") -> None:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Always pass a parameter list, so that "%%" means "%" in every statement.
        cursor.execute(statement, params or [])
    if label:
        print(f"  {label:<38} {time.perf_counter() - started:7.1f} s", flush=True)


def generate(*, tickets: int, clients: int, technicians: int, admins: int, tenants: int) -> None:
    from django.contrib.auth.hashers import make_password

    from visits.services import rating_rollup_rebuild

    password = make_password(BENCH_PASSWORD)
    # Row triggers (the counters) off for the bulk load; the counters are rebuilt at the end.
    sql("SET session_replication_role = replica")
    sql(
        """TRUNCATE notifications_notification, tickets_tickethistory, tickets_ticketattachment,
           tickets_statechangerequest, tickets_ticket, tickets_ticketcount, reports_dailyflow, reports_clientmonth,
           reports_clientyear, reports_distinctclients, reports_portalcount, reports_slamonth,
           reports_slaprioritymonth, reports_approvalmonth,
           tenants_device_owners,
           tenants_device_shared_with,
           tenants_device, tenants_tenant, tenants_apartment, tenants_doorman, tenants_building, tenants_owner,
           tenants_namedevice, users_revokedaccesstoken, token_blacklist_blacklistedtoken,
           token_blacklist_outstandingtoken, visits_appointment, visits_ratingmonth, users_user
           RESTART IDENTITY CASCADE""",
        label="truncate",
    )
    # Users: admins, technicians, clients (the first `tenants` clients are residents).
    sql(
        """INSERT INTO users_user (password, document, email, first_name, last_name, number, role, is_active,
               must_change_password, profile_picture, date_joined)
           SELECT %s, 'B' || lpad(n::text, 9, '0'),
                  CASE WHEN n <= %s THEN 'admin' || n WHEN n <= %s THEN 'tech' || n ELSE 'client' || n END
                      || '@bench.local',
                  'Nombre' || n, 'Apellido' || n, NULL,
                  CASE WHEN n <= %s THEN 'ADMIN' WHEN n <= %s THEN 'TECH' ELSE 'CLIENT' END,
                  true, false, '', now() - interval '4 years'
           FROM generate_series(1, %s) AS n""",
        [password, admins, admins + technicians, admins, admins + technicians, admins + technicians + clients],
        label=f"users ({admins + technicians + clients})",
    )
    first_client = admins + technicians + 1
    # Tenant data: 20 buildings x 50 apartments, `tenants` residents, one device each.
    sql(
        "INSERT INTO tenants_owner (name, email, phone, photo) SELECT 'Dueño ' || n, 'owner' || n || "
        "'@bench.local', '', '' FROM generate_series(1, 20) n"
    )
    sql("""INSERT INTO tenants_building (name, managing_company, address, description, location_link, image, status,
               owner_id)
           SELECT 'Edificio ' || n, 'Administradora', 'Calle ' || n, '', '', '', true, n
           FROM generate_series(1, 20) n""")
    sql("""INSERT INTO tenants_apartment (building_id, name, ubicacion, status)
           SELECT 1 + (n - 1) / 50, (100 + (n - 1) %% 50)::text, '', true FROM generate_series(1, 1000) n""")
    sql(
        "INSERT INTO tenants_namedevice (name, status) VALUES ('Televisor', true), ('Aire acondicionado', true), "
        "('Nevera', true), ('Lavadora', true)"
    )
    sql(
        """INSERT INTO tenants_tenant (user_id, apartment_id, phone, photo)
           SELECT %s + n - 1, 1 + (n - 1) %% 1000, '', '' FROM generate_series(1, %s) n""",
        [first_client, tenants],
        label=f"tenants ({tenants})",
    )
    sql(
        """INSERT INTO tenants_device (name, status, ubicacion, brand, model, system, device_type, icon_id,
               name_device_id)
           SELECT 'Dispositivo ' || n, true, 'Sala', 'Marca', 'Modelo', '', 'Television', 'tv', 1 + n %% 4
           FROM generate_series(1, %s) n""",
        [tenants],
    )
    sql("INSERT INTO tenants_device_owners (device_id, tenant_id) SELECT n, n FROM generate_series(1, %s) n", [tenants])
    # Tickets: deterministic pseudo-random spread from the row number.
    sql(
        """INSERT INTO tickets_ticket (code, titulo, descripcion, equipo, fecha, category, priority, created_at,
               updated_at, administrador_id, cliente_id, estado_id, tecnico_id, device_id, fecha_resolucion,
               first_response_due, first_response_warn_at, first_responded_at, first_response_minutes,
               resolution_due, resolution_warn_at, resolution_paused_at, resolution_paused_minutes,
               resolution_minutes, sla_stopped_at, approval_due, approval_warn_at)
           SELECT 'TK-' || lpad(n::text, 7, '0'), 'Ticket de prueba ' || n, 'Descripción del problema ' || n,
                  'Equipo', f, (ARRAY['Hardware','Software','Conectividad','Electrodomésticos'])[1 + n %% 4],
                  (ARRAY['low','medium','high','urgent'])[1 + (n / 7) %% 4], f, f,
                  1 + n %% %s,
                  CASE WHEN n %% 5 = 0 THEN %s + (n / 5) %% %s ELSE %s + n %% %s END,
                  e,
                  %s + n %% %s,
                  CASE WHEN n %% 5 = 0 THEN 1 + (n / 5) %% %s END,
                  done,
                  -- service-level clocks as sla.clocks leaves them, with the default policy's targets
                  -- (wall-clock minutes here, not business time: the reads care about shapes and
                  -- spreads). Answered within 1 to 2x the target (about half on time; open tickets:
                  -- half answered); finalized: paused at the request an hour before the approval;
                  -- cancelled: stopped a day later; pending requests: paused, approval clock running.
                  f + interval '1 minute' * fr, f + interval '1 minute' * fr * 0.8,
                  CASE WHEN answered THEN f + interval '1 minute' * (1 + (n * 37) %% (2 * fr)) END,
                  CASE WHEN answered THEN 1 + (n * 37) %% (2 * fr) END,
                  f + interval '1 minute' * rs, f + interval '1 minute' * rs * 0.8,
                  CASE WHEN e = 4 THEN done - interval '1 hour' WHEN pending THEN asked END,
                  0,
                  CASE WHEN e = 4 THEN (extract(epoch FROM done - f) / 60)::integer - 60 WHEN e = 5 THEN 1440 END,
                  CASE WHEN e = 4 THEN done WHEN e = 5 THEN f + interval '1 day' END,
                  CASE WHEN pending THEN asked + interval '240 minutes' END,
                  CASE WHEN pending THEN asked + interval '192 minutes' END
           FROM (SELECT *, e <> 1 OR n %% 2 = 0 AS answered, e = 3 AND n %% 5 = 0 AS pending,
                        CASE WHEN e = 4 THEN f + interval '1 hour' * (4 + n %% 200) END AS done,
                        now() - interval '1 hour' * (n %% 300) AS asked
                 FROM (SELECT n, f,
                              CASE WHEN r < 12 THEN 1 WHEN r < 17 THEN 2 WHEN r < 22 THEN 3 WHEN r < 90 THEN 4
                                   ELSE 5 END AS e,
                              (ARRAY[1440, 480, 240, 60])[1 + (n / 7) %% 4] AS fr,
                              (ARRAY[7200, 4320, 1440, 480])[1 + (n / 7) %% 4] AS rs
                       FROM (SELECT n, (n::bigint * 7919) %% 100 AS r,
                                    now() - (interval '1095 days' * (1 - n::float8 / %s)) AS f
                             FROM generate_series(1, %s) AS n) AS s0) AS s1) AS s""",
        [admins, first_client, tenants, first_client, clients, admins + 1, technicians, tenants, tickets, tickets],
        label=f"tickets ({tickets})",
    )
    sql(
        """INSERT INTO tickets_statechangerequest (ticket_id, requested_by_id, from_state_id, to_state_id, reason,
               status, decided_by_id, decided_at, rejection_reason, created_at, approval_due, waited_minutes)
           SELECT id, tecnico_id, 3, 4, '', 'approved', administrador_id,
                  fecha_resolucion, '', fecha_resolucion - interval '1 hour',
                  fecha_resolucion - interval '1 hour' + interval '1 minute' * (20 + id %% 80), 60
           FROM tickets_ticket WHERE estado_id = 4""",
        label="approved requests",
    )
    sql(
        """INSERT INTO tickets_statechangerequest (ticket_id, requested_by_id, from_state_id, to_state_id, reason,
               status, decided_by_id, decided_at, rejection_reason, created_at)
           SELECT id, tecnico_id, 3, 4, '', 'pending', NULL, NULL, '', now() - interval '1 hour' * (id %% 300)
           FROM tickets_ticket WHERE estado_id = 3 AND id %% 5 = 0""",
        label="pending requests",
    )
    sql(
        """INSERT INTO tickets_tickethistory (ticket_id, actor_id, action, from_state_id, to_state_id, description,
               created_at)
           SELECT id, administrador_id, 'created', NULL, 1, 'Ticket creado.', fecha FROM tickets_ticket""",
        label="history",
    )
    # Notifications: the client's "ticket created" and the technician's "ticket assigned" per
    # ticket; read a day later except for the newest 2 % (sent, unread).
    sql(
        """INSERT INTO notifications_notification (usuario_id, ticket_id, tipo_id, titulo, mensaje, estado,
               fecha_creacion, fecha_envio, fecha_lectura, intentos, ultimo_error, datos_adicionales,
               push_pendiente)
           SELECT CASE WHEN k = 1 THEN t.cliente_id ELSE t.tecnico_id END, t.id, nt.id,
                  CASE WHEN k = 1 THEN 'Ticket creado ' ELSE 'Ticket asignado ' END || t.code,
                  'El ticket ' || t.code || ' fue registrado.',
                  CASE WHEN t.id > %s THEN 'ENVIADA' ELSE 'LEIDA' END,
                  t.fecha, t.fecha + interval '1 minute',
                  CASE WHEN t.id <= %s THEN t.fecha + interval '1 day' END, 1, '', '{}'::jsonb, false
           FROM tickets_ticket t CROSS JOIN generate_series(1, 2) AS k
           JOIN notifications_notificationtype nt
             ON nt.codigo = CASE WHEN k = 1 THEN 'ticket_creado' ELSE 'ticket_asignado' END""",
        [tickets * 98 // 100, tickets * 98 // 100],
        label=f"notifications ({2 * tickets})",
    )
    # Visits: every second ticket has one (~0.5 per ticket), of its technician. Final tickets'
    # visits are over (finalized: rated, 1 in 20 still awaiting the rating; cancelled: cancelled
    # or a no-show); open tickets' visits are ahead, each technician's two hours apart
    # (n / technicians is distinct for one technician), so the no-overlap constraint holds.
    sql(
        """INSERT INTO visits_appointment (ticket_id, technician_id, created_by_id, title, description,
               scheduled_for, duration_minutes, ends_at, status, reschedule_count, started_at, completed_at,
               completion_notes, service_rating, member_feedback, rated_at, reason, reminder_sent_at, created_at,
               updated_at)
           SELECT id, tecnico_id, administrador_id, 'Visita ' || code, '', s, 60, s + interval '1 hour', st, 0,
                  CASE WHEN st IN ('in_progress', 'awaiting_feedback', 'completed') THEN s END,
                  CASE WHEN st IN ('awaiting_feedback', 'completed') THEN s + interval '50 minutes' END,
                  CASE WHEN st IN ('awaiting_feedback', 'completed') THEN 'Reparado.' ELSE '' END,
                  CASE WHEN st = 'completed' THEN (ARRAY[5, 4, 5, 3, 5, 4, 2, 5, 4, 1])[1 + (id / 2) %% 10] END,
                  '', CASE WHEN st = 'completed' THEN s + interval '1 day' END,
                  CASE WHEN st IN ('cancelled', 'no_show') THEN 'Motivo de prueba' ELSE '' END, NULL, fecha, fecha
           FROM (SELECT t.*,
                        CASE WHEN estado_id = 4 THEN fecha_resolucion - interval '3 hours'
                             WHEN estado_id = 5 THEN fecha + interval '1 day'
                             ELSE date_trunc('hour', now()) + interval '2 hours' * (1 + id / %s) END AS s,
                        CASE WHEN estado_id = 4 AND id %% 20 = 0 THEN 'awaiting_feedback'
                             WHEN estado_id = 4 THEN 'completed'
                             WHEN estado_id = 5 AND id %% 3 = 0 THEN 'no_show'
                             WHEN estado_id = 5 THEN 'cancelled'
                             WHEN estado_id = 3 THEN 'in_progress'
                             ELSE 'scheduled' END AS st
                 FROM tickets_ticket t WHERE id %% 2 = 0 AND tecnico_id IS NOT NULL) AS v""",
        [technicians],
        label=f"appointments (~{tickets // 2})",
    )
    tables = set(connection.introspection.table_names())
    if "conversations_ticketmessage" in tables:
        # ~3 messages per ticket: the client asks, the technician answers, an internal note.
        sql(
            """INSERT INTO conversations_ticketmessage (ticket_id, author_id, body, internal, created_at)
               SELECT t.id, CASE WHEN k = 1 THEN t.cliente_id ELSE t.tecnico_id END,
                      CASE WHEN k = 1 THEN '¿Hay novedades?' WHEN k = 2 THEN 'Vamos en camino.'
                           ELSE 'Nota interna: pedir repuesto.' END,
                      k = 3, t.fecha + interval '1 hour' * k
               FROM tickets_ticket t CROSS JOIN generate_series(1, 3) AS k WHERE t.tecnico_id IS NOT NULL""",
            label=f"messages (~{3 * tickets})",
        )
    for table in (
        "users_user",
        "visits_appointment",
        "tickets_ticket",
        "tickets_statechangerequest",
        "tickets_tickethistory",
        "notifications_notification",
    ):
        sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
    sql("SET session_replication_role = DEFAULT")
    sql("SELECT tickets_ticketcount_rebuild()", label="ticket counters")
    sql("SELECT reports_rollups_rebuild(%s)", [settings.TIME_ZONE], label="report roll-ups")
    sql("SELECT reports_portal_rebuild()", label="portal counts")
    sql("SELECT reports_sla_rebuild(%s)", [settings.TIME_ZONE], label="service-level roll-ups")
    started = time.perf_counter()
    rating_rollup_rebuild()
    print(f"  {'ratings roll-up':<38} {time.perf_counter() - started:7.1f} s", flush=True)
    if "conversations_ticketmessage" in tables:
        sql(
            "SELECT setval(pg_get_serial_sequence('conversations_ticketmessage', 'id'), "
            "(SELECT max(id) FROM conversations_ticketmessage))"
        )
    # Fresh visibility maps let PostgreSQL answer from the indexes alone (index-only scans).
    sql("VACUUM ANALYZE", label="vacuum analyze")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=None, help="default: tickets / 50 (at least 200)")
    parser.add_argument("--technicians", type=int, default=50)
    parser.add_argument("--admins", type=int, default=5)
    parser.add_argument("--tenants", type=int, default=None, help="default: a tenth of the clients")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark generator needs PostgreSQL (set DATABASE_URL).")
    clients = args.clients or max(200, args.tickets // 50)
    tenants = args.tenants or max(20, clients // 10)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(
        f"Generating {args.tickets} tickets, {clients} clients ({tenants} residents), {args.technicians} technicians:",
        flush=True,
    )
    generate(tickets=args.tickets, clients=clients, technicians=args.technicians, admins=args.admins, tenants=tenants)
    print(f"Done in {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
