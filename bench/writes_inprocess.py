"""In-process timing of the ticket writes, through the WSGI handler (Django's test client),
without a server or load generator: the cost of each write and nothing else.

    DATABASE_URL=postgres://.../<a copy of tickethelp_bench_10000> \\
        .venv/bin/python -m bench.writes_inprocess --iterations 100

Each iteration runs one ticket lifecycle as bench/load.py's writers do (admin creates a
ticket for a technician -> the technician moves it to diagnosis -> asks for "Finalizado" ->
admin approves), on the database task queue, production settings (DEBUG off). Prints the
median wall time and process CPU time of each step in microseconds, after `--warmup`
lifecycles. For an A/B comparison run it from two checkouts alternately (the machine's other
load moves the figures between runs) and compare the medians. It writes tickets: run it on
a copy of the bench data, never on the original.
"""

import argparse
import json
import os
import statistics
import sys
import time

SECRET_KEY = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105 - local benchmark only
STEPS = ("create", "change-state", "request-final", "approve")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("DATABASE_URL: a copy of the bench data (createdb -T tickethelp_bench_10000 ...)")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "tickethelp.settings",
            "DEBUG": "false",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "false",
            "TASKS_BACKEND": "database",
        }
    )
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)  # the request log line is not what is measured
    print(json.dumps(run(args.iterations, args.warmup)))


def run(iterations: int, warmup: int) -> dict:
    from django.test import Client

    from tenants.models import Tenant
    from users.models import Role, User
    from users.tokens import issue_tokens

    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    tech = User.objects.filter(role=Role.TECH, is_active=True).order_by("pk").first()
    tenants = Tenant.objects.values_list("user_id", flat=True)
    client = User.objects.filter(role=Role.CLIENT, is_active=True).exclude(pk__in=tenants).order_by("pk").first()
    as_admin = Client(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(admin).access_token}")
    as_tech = Client(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(tech).access_token}")
    wall: dict[str, list[float]] = {step: [] for step in STEPS}
    cpu: dict[str, list[float]] = {step: [] for step in STEPS}

    def timed(step: str, send, path: str, body: dict, expected: int) -> dict:
        started, cpu_started = time.perf_counter(), time.process_time()
        response = send(path, body, content_type="application/json")
        wall[step].append((time.perf_counter() - started) * 1e6)
        cpu[step].append((time.process_time() - cpu_started) * 1e6)
        if response.status_code != expected:
            raise SystemExit(f"{step}: {response.status_code} {response.content[:300]!r}")
        return response.json()

    for iteration in range(warmup + iterations):
        if iteration == warmup:
            for samples in (*wall.values(), *cpu.values()):
                samples.clear()
        body = {
            "cliente": client.document,
            "tecnico": tech.document,
            "titulo": f"Benchmark {iteration}",
            "descripcion": "Ticket creado por el benchmark.",
            "priority": "high",
        }
        ticket = timed("create", as_admin.post, "/api/tickets/", body, 201)["ticket"]["id"]
        path = f"/api/tickets/change-state/{ticket}/"
        timed("change-state", as_tech.put, path, {"to_state": 2}, 200)
        request_id = timed("request-final", as_tech.put, path, {"to_state": 4, "reason": "Reparado"}, 200)["request_id"]
        timed("approve", as_admin.put, f"/api/tickets/approve-state/{request_id}/", {"action": "approve"}, 200)
    return {
        "wall_us": {step: round(statistics.median(samples)) for step, samples in wall.items()},
        "cpu_us": {step: round(statistics.median(samples)) for step, samples in cpu.items()},
        "iterations": iterations,
    }


if __name__ == "__main__":
    main()
