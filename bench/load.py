"""Load benchmark: the real server (gunicorn, production settings) under load at several scales.

    make bench                                          # 10k, 100k and 1M tickets
    .venv/bin/python bench/load.py --scales 10000 --duration 5

For each scale it makes sure the database `tickethelp_bench_<scale>` exists and holds the
generated data set (bench/generate.py; kept between runs), migrates it, starts gunicorn on
127.0.0.1 with the production settings plus the floor route and a query counter
(bench/settings.py) and a bare WSGI route in front of the application (bench/wsgi.py), and then:

* reads: every endpoint in READS is driven by wrk (`--connections` connections, one wrk
  thread, `--duration` seconds each) after a probe request that must answer 2xx and that
  reports the SQL queries the request ran;
* writes: `--connections` threads each run ticket lifecycles (admin creates a ticket →
  technician moves it to diagnosis → technician asks for "Finalizado" → admin approves)
  for `--duration` seconds;
* memory: resident set size (current and peak) of every gunicorn worker after the run.

Results go to bench/out/<scale>.json and, with every scale, to a Markdown report on stdout
(and in bench/out/report.md). Figures are only comparable within one run on one machine,
which is why every endpoint is also given as a ratio to the floor measured in the same run.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
HOST = "127.0.0.1"
# Where the benchmarks create their databases (every bench tool's --postgres default).
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
SECRET_KEY = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105 - local benchmark only
YEAR = date.today().year - 1  # noqa: DTZ011 - a calendar year to report on


@dataclass(frozen=True)
class Read:
    name: str
    role: str | None  # whose token: admin, tech, client, tenant, or None (no token)
    path: str  # may hold {ticket_id} / {tenant_ticket_id}
    kind: str = "read"  # read | report | floor | bare
    connections: int | None = None  # None: --connections
    needs: str | None = None  # a flag of the prepared context (routes of optional apps)


READS = [
    Read("bare WSGI callable (no Django)", None, "/bench/bare/", "bare"),
    Read("floor (one SQL query, 50 tickets)", None, "/bench/floor/", "floor"),
    Read("tickets list, page 1 (ADMIN)", "admin", "/api/tickets/"),
    Read("tickets list, page 20", "admin", "/api/tickets/?page=20"),
    Read("tickets list ?estado=1 (open)", "admin", "/api/tickets/?estado=1"),
    Read("tickets list ?tecnico=", "admin", "/api/tickets/?tecnico={tech_document}"),
    Read("tickets list ?search=<code>", "admin", "/api/tickets/?search={search_code}"),
    Read("tickets list ?sla=at_risk", "admin", "/api/tickets/?sla=at_risk"),
    Read("ticket history", "admin", "/api/tickets/{ticket_id}/history/"),
    Read("consulta (TECH)", "tech", "/api/tickets/consulta/"),
    Read("consulta (CLIENT)", "client", "/api/tickets/consulta/"),
    Read("active-technicians", "admin", "/api/tickets/active-technicians/"),
    Read("least-busy-technician", "admin", "/api/tickets/least-busy-technician/"),
    Read("pending-approvals", "admin", "/api/tickets/pending-approvals/"),
    Read("users list", "admin", "/api/users/"),
    Read("notifications list (TECH)", "tech", "/api/notifications/"),
    Read("notifications stats (TECH)", "tech", "/api/notifications/stats/"),
    Read("user-notifications (CLIENT)", "client", "/api/notifications/user-notifications/"),
    Read("tenant tickets list", "tenant", "/api/tenant/tickets"),
    Read("tenant ticket detail", "tenant", "/api/tenant/tickets/{tenant_ticket_id}"),
    Read("tenant devices", "tenant", "/api/tenant/devices"),
    Read("tenant notifications", "tenant", "/api/tenant/notifications"),
    Read("tenant me", "tenant", "/api/tenant/me"),
    Read("ticket appointments", "admin", "/api/tickets/{appointment_ticket_id}/appointments/"),
    Read("agenda (TECH)", "tech", "/api/appointments/"),
    Read(
        "agenda (ADMIN) ?tecnico=&desde=&hasta= (a week)",
        "admin",
        "/api/appointments/?tecnico={tech_document}&desde={agenda_from}&hasta={agenda_to}",
    ),
    Read("tenant ticket appointments", "tenant", "/api/tenant/tickets/{tenant_ticket_id}/appointments"),
    Read("ticket messages", "admin", "/api/tickets/{ticket_id}/messages/", needs="has_messages"),
    *(
        # A report is one admin's click, not a stream: measured one request at a time.
        Read(f"report {path.split('?')[0]}", "admin", f"/api/reports/stats/{path}", "report", connections=1)
        for path in (
            "general-stats/",
            "performance-ranking/?limit=10",
            f"clients-evolution/?year={YEAR}",
            "distribucion-estados/",
            "tiempo-resolucion/",
            "antiguedad-tickets/?limit=20",
            "flujo-tickets/?period=month",
            "aprobaciones-pendientes/?limit=20",
            "tickets-portal/",
            "satisfaction/",
            "sla-compliance/",
        )
    ),
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# --- Database ------------------------------------------------------------------------------


def database_url(base: str, scale: int) -> str:
    return f"{base.rstrip('/')}/tickethelp_bench_{scale}"


def ensure_data(base: str, scale: int, *, regenerate: bool) -> str:
    """The scale's database, created and generated when missing, migrated either way."""
    import psycopg

    name = f"tickethelp_bench_{scale}"
    with psycopg.connect(f"{base.rstrip('/')}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    url = database_url(base, scale)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY}
    generated = 0
    if not regenerate:
        with psycopg.connect(url) as conn:
            exists = conn.execute("SELECT to_regclass('tickets_ticket')").fetchone()[0]
            if exists:
                generated = conn.execute("SELECT count(*) FROM tickets_ticket WHERE id <= %s", [scale]).fetchone()[0]
    if generated != scale:
        log(f"Generating {scale:,} tickets in {name} …")
        subprocess.run([sys.executable, "bench/generate.py", "--tickets", str(scale)], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    return url


PREPARE = r"""
import json, django
django.setup()
from tenants.models import Tenant
from tickets.models import Ticket
from users.models import Role, User
from users.tokens import issue_tokens

def token(user):
    return str(issue_tokens(user).access_token)

admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
techs = list(User.objects.filter(role=Role.TECH, is_active=True).order_by("pk")[:8])
tenant_ids = Tenant.objects.values_list("user_id", flat=True)
client = User.objects.filter(role=Role.CLIENT, is_active=True).exclude(pk__in=tenant_ids).order_by("pk").first()
tenant = Tenant.objects.select_related("user").order_by("pk").first().user
ticket = Ticket.objects.order_by("-pk").filter(pk__lte=%(scale)d).first()
tenant_ticket = Ticket.objects.filter(cliente=tenant).order_by("-pk").first()
import datetime
from django.apps import apps
from django.db.models import Max
from django.utils import timezone
from visits.models import Appointment
# A generated ticket's visits (the booking write below piles visits on newer tickets).
# A generated ticket's visits, in a final state: the booking write below books only on open
# tickets, so the visits measured stay the generated ones however many runs went before.
generated_visits = Appointment.objects.filter(ticket_id__lte=%(scale)d, ticket__estado__es_final=True)
appointment_ticket = generated_visits.order_by("-ticket_id").values_list("ticket_id", flat=True).first()
# Bookings of this run go after every existing visit: they never overlap an earlier run's.
booking_base = Appointment.objects.aggregate(last=Max("ends_at"))["last"] or timezone.now()
# Never a ticket whose history or visits a read measures (bookings append both).
measured = [ticket.pk, tenant_ticket.pk]
booking_tickets = [
    Ticket.objects.filter(tecnico=t, estado__es_final=False)
    .exclude(pk__in=measured)
    .order_by("-pk")
    .values_list("pk", flat=True)
    .first()
    for t in techs
]
print(json.dumps({
    "appointment_ticket_id": appointment_ticket,
    "agenda_from": timezone.now().date().isoformat(),
    "agenda_to": (timezone.now().date() + datetime.timedelta(days=7)).isoformat(),
    "booking_base": (booking_base + datetime.timedelta(days=1)).isoformat(),
    "booking_tickets": booking_tickets,
    "has_messages": apps.is_installed("conversations"),
    "tickets": Ticket.objects.count(),
    "tokens": {"admin": token(admin), "tech": token(techs[0]), "client": token(client), "tenant": token(tenant)},
    "writer_techs": [{"document": t.document, "token": token(t)} for t in techs],
    "client_document": client.document,
    "tech_document": techs[0].document,
    "ticket_id": ticket.pk,
    "tenant_ticket_id": tenant_ticket.pk,
    "search_code": Ticket.objects.get(pk=ticket.pk // 2).code,
}))
"""


def prepare(url: str, scale: int, *, root: Path = ROOT) -> dict:
    """Tokens and ids the load needs, read with the code of the checkout at `root`."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "DJANGO_SETTINGS_MODULE": "tickethelp.settings"}
    result = subprocess.run(
        [sys.executable, "-c", PREPARE % {"scale": scale}],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- Server --------------------------------------------------------------------------------


class Server:
    """gunicorn with gunicorn.conf.py (2 workers x 4 threads by default) on 127.0.0.1."""

    def __init__(
        self,
        url: str,
        port: int,
        logfile: Path,
        *,
        settings: str = "bench.settings",
        app: str = "tickethelp.wsgi",
        root: Path = ROOT,
        recycle: bool = False,
    ):
        self.port = port
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings,
            "DATABASE_URL": url,
            "DEBUG": "false",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "false",
            "TASKS_BACKEND": "database",
            # No recycling during the run, so that the memory figures show real growth
            # (--recycle: gunicorn.conf.py's recycling, as deployed).
            **({} if recycle else {"GUNICORN_MAX_REQUESTS": "0"}),
        }
        env.pop("PORT", None)
        self.log = logfile.open("w")
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), app, "-c", "gunicorn.conf.py", "-b", f"{HOST}:{port}"],
            cwd=root,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {logfile}")
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz within 60 s; see {logfile}")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def memory(self) -> list[dict]:
        """Current and peak resident set size of every worker, in MB."""
        figures = []
        for pid in self.workers():
            status = dict(
                line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
            )
            figures.append(
                {
                    "pid": pid,
                    "rss_mb": int(status["VmRSS"].split()[0]) / 1024,
                    "peak_rss_mb": int(status["VmHWM"].split()[0]) / 1024,
                }
            )
        return figures

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def request(port, method, path, *, token=None, body=None, connection=None):
    """(status, headers, parsed body) of one request."""
    conn = connection or http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=payload, headers=headers)
    response = conn.getresponse()
    raw = response.read()
    if connection is None:
        conn.close()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw[:200]
    return response.status, {k.lower(): v for k, v in response.getheaders()}, parsed


# --- Reads ---------------------------------------------------------------------------------


def run_read(read: Read, context: dict, port: int, *, duration: int, connections: int) -> dict:
    path = read.path.format(**context)
    token = context["tokens"].get(read.role) if read.role else None
    status, headers, body = request(port, "GET", path, token=token)
    if not 200 <= status < 300:
        raise RuntimeError(f"{read.name}: GET {path} answered {status}: {body!r}")
    for _ in range(3):  # warm the worker's caches and the database's buffers
        request(port, "GET", path, token=token)
    env = {**os.environ, "BENCH_TOKEN": token or "", "BENCH_METHOD": "GET"}
    result = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "30s",
            "-s",
            str(ROOT / "bench" / "wrk.lua"),
            f"http://{HOST}:{port}{path}",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads([line for line in result.stdout.splitlines() if line.startswith("{")][-1])
    return {
        "name": read.name,
        "kind": read.kind,
        "connections": connections,
        "path": path,
        "queries": int(headers.get("x-bench-queries", 0)),
        "requests": figures["requests"],
        "errors": figures["status_errors"] + figures["socket_errors"],
        "rps": figures["requests"] / (figures["duration_us"] / 1e6),
        "p50_ms": figures["p50_us"] / 1000,
        "p90_ms": figures["p90_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "max_ms": figures["max_us"] / 1000,
    }


# --- Writes --------------------------------------------------------------------------------

WRITE_STEPS = ("create ticket", "change state (direct)", "change state (final → pending)", "approve")


def lifecycle_step(step: str, context: dict, writer: dict, iteration: int, ids: dict) -> tuple:
    """(token, method, path, body) of one step of a ticket's lifecycle."""
    admin, tech = context["tokens"]["admin"], writer["token"]
    if step == "create ticket":
        body = {
            "cliente": context["client_document"],
            "tecnico": writer["document"],
            "titulo": f"Benchmark {writer['document']} {iteration}",
            "descripcion": "Ticket creado por el benchmark de carga.",
            "priority": "high",
        }
        return admin, "POST", "/api/tickets/", body
    if step == "change state (direct)":
        return tech, "PUT", f"/api/tickets/change-state/{ids['ticket']}/", {"to_state": 2}
    if step == "change state (final → pending)":
        return tech, "PUT", f"/api/tickets/change-state/{ids['ticket']}/", {"to_state": 4, "reason": "Reparado"}
    return admin, "PUT", f"/api/tickets/approve-state/{ids['request']}/", {"action": "approve"}


def lifecycle_worker(
    port: int, context: dict, writer: dict, deadline: float, samples: dict, errors: list, reconnect: bool = False
) -> None:
    """Ticket lifecycles until `deadline`: each step timed, its query counts recorded.
    `reconnect`: a new connection for every lifecycle, so that which gunicorn worker serves
    it is drawn again each time (kept-alive connections stay on the worker that accepted
    them: four of them on one worker left the other idle)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    iteration = 0
    while time.monotonic() < deadline:
        iteration += 1
        ids = {}
        if reconnect:
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
        for step in WRITE_STEPS:
            token, method, path, body = lifecycle_step(step, context, writer, iteration, ids)
            started = time.perf_counter()
            try:
                status, headers, response = request(port, method, path, token=token, body=body, connection=conn)
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{step}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                break
            elapsed = (time.perf_counter() - started) * 1000
            if not 200 <= status < 300:
                errors.append(f"{step}: {status} {response!r}"[:300])
                break
            samples[step].append(
                (elapsed, int(headers["x-bench-queries"]), int(headers["x-bench-notification-queries"]))
            )
            if step == "create ticket":
                ids["ticket"] = response["ticket"]["id"]
            elif step == "change state (final → pending)":
                ids["request"] = response["request_id"]
    conn.close()


def run_writes(context: dict, port: int, *, duration: int, connections: int, reconnect: bool = False) -> list[dict]:
    samples = {name: [] for name in WRITE_STEPS}
    errors: list[str] = []
    deadline = time.monotonic() + duration
    threads = [
        threading.Thread(
            target=lifecycle_worker,
            args=(
                port,
                context,
                context["writer_techs"][i % len(context["writer_techs"])],
                deadline,
                samples,
                errors,
                reconnect,
            ),
        )
        for i in range(connections)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    results = []
    for name in WRITE_STEPS:
        timings = [sample[0] for sample in samples[name]]
        if not timings:
            results.append({"name": name, "kind": "write", "requests": 0, "errors": len(errors)})
            continue
        results.append(
            {
                "name": name,
                "kind": "write",
                "requests": len(timings),
                "errors": sum(1 for error in errors if error.startswith(name)),
                "rps": len(timings) / elapsed,
                "p50_ms": statistics.median(timings),
                "p99_ms": percentile(timings, 0.99),
                "max_ms": max(timings),
                "queries": max(sample[1] for sample in samples[name]),
                "notification_queries": max(sample[2] for sample in samples[name]),
            }
        )
    for error in errors[:5]:
        log(f"  write error: {error}")
    return results


BOOKING = "book appointments"


def booking_worker(port: int, context: dict, worker: int, workers: int, deadline: float, samples: list, errors: list):
    """Visits booked by an admin on the writer technicians' open tickets until `deadline`;
    every booking has its own two-hour slot (after every existing visit), so none overlaps."""
    from datetime import datetime, timedelta

    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    base = datetime.fromisoformat(context["booking_base"])
    tickets = [pk for pk in context["booking_tickets"] if pk]
    iteration = 0
    while time.monotonic() < deadline and tickets:
        slot = base + timedelta(hours=2 * (iteration * workers + worker))
        ticket = tickets[worker % len(tickets)]
        body = {"title": f"Benchmark {worker}-{iteration}", "scheduled_for": slot.isoformat()}
        started = time.perf_counter()
        try:
            status, headers, response = request(
                port,
                "POST",
                f"/api/tickets/{ticket}/appointments/",
                token=context["tokens"]["admin"],
                body=body,
                connection=conn,
            )
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{BOOKING}: {exc!r}")
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            continue
        iteration += 1
        if status != 201:
            errors.append(f"{BOOKING}: {status} {response!r}"[:300])
            continue
        samples.append(
            (
                (time.perf_counter() - started) * 1000,
                int(headers["x-bench-queries"]),
                int(headers["x-bench-notification-queries"]),
            )
        )
    conn.close()


def run_bookings(context: dict, port: int, *, duration: int, connections: int) -> dict:
    samples: list = []
    errors: list[str] = []
    deadline = time.monotonic() + duration
    threads = [
        threading.Thread(target=booking_worker, args=(port, context, i, connections, deadline, samples, errors))
        for i in range(connections)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for error in errors[:5]:
        log(f"  write error: {error}")
    if not samples:
        return {"name": BOOKING, "kind": "write", "requests": 0, "errors": len(errors)}
    timings = [sample[0] for sample in samples]
    return {
        "name": BOOKING,
        "kind": "write",
        "requests": len(timings),
        "errors": len(errors),
        "rps": len(timings) / elapsed,
        "p50_ms": statistics.median(timings),
        "p99_ms": percentile(timings, 0.99),
        "max_ms": max(timings),
        "queries": max(sample[1] for sample in samples),
        "notification_queries": max(sample[2] for sample in samples),
    }


# --- One scale, then the report ------------------------------------------------------------


def run_scale(scale: int, args) -> dict:
    url = ensure_data(args.postgres, scale, regenerate=args.regenerate)
    context = prepare(url, scale)
    OUT.mkdir(parents=True, exist_ok=True)
    log(f"\n== {context['tickets']:,} tickets: gunicorn on {HOST}:{args.port}")
    server = Server(url, args.port, OUT / f"gunicorn-{scale}.log", app="bench.wsgi", recycle=args.recycle)
    results = {"scale": scale, "tickets": context["tickets"], "reads": [], "writes": []}
    try:
        for read in READS:
            if args.only and not any(word in read.name for word in args.only):
                continue
            if read.needs and not context.get(read.needs):
                continue
            connections = read.connections or args.connections
            figures = run_read(read, context, args.port, duration=args.duration, connections=connections)
            log(
                f"  {read.name:<45} {figures['rps']:7.1f} req/s  p50 {figures['p50_ms']:7.1f} ms  "
                f"p99 {figures['p99_ms']:7.1f} ms  {figures['queries']} queries  {figures['errors']} errors"
            )
            results["reads"].append(figures)
        if not args.only or "lifecycle" in args.only:
            results["writes"] = run_writes(context, args.port, duration=args.duration * 2, connections=args.connections)
        if not args.only or any(word in BOOKING for word in args.only):
            results["writes"].append(
                run_bookings(context, args.port, duration=args.duration, connections=args.connections)
            )
        for figures in results["writes"]:
            log(f"  {figures['name']:<45} {figures.get('p50_ms', 0):7.1f} ms p50  {figures.get('queries')} queries")
        results["memory"] = server.memory()
    finally:
        server.stop()
    results["recycled"] = (OUT / f"gunicorn-{scale}.log").read_text().count("Autorestarting worker")
    (OUT / f"{scale}.json").write_text(json.dumps(results, indent=2))
    return results


def report(runs: list[dict], args) -> str:
    lines = [
        f"Load: wrk, 1 thread, {args.connections} connections, {args.duration} s per endpoint; "
        f"gunicorn {os.environ.get('WEB_CONCURRENCY', '2')} workers x {os.environ.get('GUNICORN_THREADS', '4')} "
        f"threads, production settings, worker recycling {'on' if args.recycle else 'off'}, on this machine.",
        "",
    ]
    for run in runs:
        floor = next((r for r in run["reads"] if r["kind"] == "floor"), None)
        lines += [
            f"### {run['tickets']:,} tickets",
            "",
            "| endpoint | conns | req/s | p50 ms | p99 ms | p99 / p50 | p50 / floor | p99 / floor | SQL queries "
            "| errors |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in run["reads"]:
            ratio50 = f"{r['p50_ms'] / floor['p50_ms']:.1f}x" if floor else "-"
            ratio99 = f"{r['p99_ms'] / floor['p99_ms']:.1f}x" if floor else "-"
            lines.append(
                f"| {r['name']} | {r['connections']} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
                f"{r['p99_ms'] / r['p50_ms']:.1f}x | {ratio50} | {ratio99} | "
                f"{r['queries']} | {r['errors']} |"
            )
        if run["writes"]:
            lines += [
                "",
                "| write | requests | req/s | p50 ms | p99 ms | SQL queries (of which notifications + their tasks) "
                "| errors |",
                "|---|---:|---:|---:|---:|---:|---:|",
            ]
            for w in run["writes"]:
                if not w["requests"]:
                    lines.append(f"| {w['name']} | 0 | - | - | - | - | {w['errors']} |")
                    continue
                lines.append(
                    f"| {w['name']} | {w['requests']} | {w['rps']:.1f} | {w['p50_ms']:.1f} | {w['p99_ms']:.1f} | "
                    f"{w['queries']} ({w['notification_queries']}) | {w['errors']} |"
                )
        memory = ", ".join(f"{m['rss_mb']:.0f} MB (peak {m['peak_rss_mb']:.0f} MB)" for m in run.get("memory", []))
        lines += ["", f"gunicorn workers' resident memory after the run: {memory}.", ""]
        if args.recycle:
            lines += [f"Workers recycled during the run: {run['recycled']}.", ""]
    if len(runs) > 1:
        first, last = runs[0], runs[-1]
        lines += [
            f"### Growth from {first['tickets']:,} to {last['tickets']:,} tickets (p50 ratio)",
            "",
            "| endpoint | p50 small ms | p50 large ms | growth |",
            "|---|---:|---:|---:|",
        ]
        small = {r["name"]: r for r in first["reads"]}
        for r in last["reads"]:
            if r["name"] in small:
                lines.append(
                    f"| {r['name']} | {small[r['name']]['p50_ms']:.1f} | {r['p50_ms']:.1f} | "
                    f"{r['p50_ms'] / small[r['name']]['p50_ms']:.2f}x |"
                )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--duration", type=int, default=8, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--postgres", default=POSTGRES_URL)
    parser.add_argument("--regenerate", action="store_true", help="generate the data sets again")
    parser.add_argument("--recycle", action="store_true", help="worker recycling on (gunicorn.conf.py's max_requests)")
    parser.add_argument(
        "--only",
        nargs="*",
        help="only the reads whose name contains one of these words ('lifecycle': the ticket writes)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")
    runs = [run_scale(scale, args) for scale in args.scales]
    text = report(runs, args)
    (OUT / "report.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
