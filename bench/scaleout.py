"""Scale-out on one machine: two web instances and two task workers against one PostgreSQL
database (and one Redis when REDIS_URL is set) behave as one deployment.

    make bench-scaleout                                   # 10k tickets, without and with Redis
    .venv/bin/python bench/scaleout.py --duration 5       # REDIS_URL from the environment

Each web instance is a gunicorn master started as deployed (gunicorn.conf.py, production
settings, worker recycling on), on its own port, with `--workers` workers (1 by default, so
that two instances fit the cores one instance of 2 would use). Then:

1. throughput: wrk (bench/mix.lua, every read of bench/load.py but the floor and the
   reports) drives ONE instance for `--duration` seconds, then BOTH at once (one wrk each,
   same connections per instance); the sum of the two is compared with the one;
2. login throttle: `--logins` bad logins for one address against one instance, then as many
   for another address alternating between the two: both must be refused (429) from the
   same attempt on (LOGIN_RATE_PER_EMAIL, 5/min);
3. tasks once: two `manage.py db_worker` processes first drain whatever was queued before
   the run, then `--tickets` tickets are created through the two instances alternately
   (each creates notifications whose e-mails are tasks) and the workers deliver them into
   a local SMTP sink (aiosmtpd, a development requirement); every notification must end sent after exactly
   one attempt, and the sink must hold exactly one message per notification.

With `--redis` a private redis-server is started on a free port for the run (REDIS_URL is
then set for every process). Everything started is stopped at the end, whatever happens;
every wait is bounded. Exit status 1 when a check fails. Figures go to stdout and
bench/out/scaleout.md.
"""

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import HOST, OUT, POSTGRES_URL, ROOT, SECRET_KEY, ensure_data, lifecycle_step, log, prepare, request
from bench.memory import mix

WRK = ("wrk", "-t1", "--timeout", "30s", "-s", str(ROOT / "bench" / "mix.lua"))
WORKER_OPTIONS = ("--interval", "0.2", "--no-startup-delay", "--no-reload")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class SmtpSink:
    """A local SMTP server (aiosmtpd) that keeps every message it accepts."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname=HOST, port=self.port)
        self.controller.start()

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0)
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def stop(self) -> None:
        self.controller.stop()


class Processes:
    """Every process the run starts, stopped (TERM, then KILL) in `stop`."""

    def __init__(self, env: dict):
        self.env = env
        self.started: list[tuple[subprocess.Popen, object]] = []

    def start(self, argv: list[str], name: str, **env) -> subprocess.Popen:
        logfile = (OUT / f"scaleout-{name}.log").open("w")
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**self.env, **env},
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append((process, logfile))
        return process

    def web(self, port: int, workers: int) -> subprocess.Popen:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        process = self.start(
            [str(gunicorn), "tickethelp.wsgi", "-c", "gunicorn.conf.py", "-b", f"{HOST}:{port}"],
            f"web-{port}",
            WEB_CONCURRENCY=str(workers),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn on {port} exited; see bench/out/scaleout-web-{port}.log")
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    return process
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn on {port} did not answer /healthz within 60 s")

    def stop(self, process: subprocess.Popen | None = None) -> None:
        for started, logfile in list(self.started):
            if process is not None and started is not process:
                continue
            if started.poll() is None:
                started.send_signal(signal.SIGTERM)
                try:
                    started.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    os.killpg(started.pid, signal.SIGKILL)
                    started.wait(timeout=10)
            logfile.close()
            self.started.remove((started, logfile))


def wrk(port: int, pairs, *, duration: int, connections: int) -> subprocess.Popen:
    env = {**os.environ, "BENCH_MIX": "\n".join(f"{t or '-'} {p}" for t, p in pairs), "BENCH_LIMIT": "0"}
    return subprocess.Popen(
        [*WRK, f"-c{connections}", f"-d{duration}s", f"http://{HOST}:{port}/"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def figures(process: subprocess.Popen, duration: int) -> dict:
    output, _ = process.communicate(timeout=duration + 60)
    data = json.loads([line for line in output.splitlines() if line.startswith("{")][-1])
    return {
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50_ms": data["p50_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "errors": data["status_errors"] + data["socket_errors"],
    }


def cpu_seconds(masters: list[subprocess.Popen]) -> float:
    """CPU time (user + system) used so far by these gunicorn masters' workers."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for master in masters:
        children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def throughput(ports: list[int], masters: list[subprocess.Popen], pairs, args) -> dict:
    """req/s of one instance alone, then of the two driven at once; and the workers' CPU
    milliseconds per request in both cases (the machine is shared: when it has no idle core
    for the second instance, the sum cannot double, but the cost per request must not grow)."""
    before = cpu_seconds(masters[:1])
    one = figures(wrk(ports[0], pairs, duration=args.duration, connections=args.connections), args.duration)
    one["cpu_ms_per_request"] = (cpu_seconds(masters[:1]) - before) * 1000 / (one["rps"] * args.duration)
    before = cpu_seconds(masters)
    both = [wrk(port, pairs, duration=args.duration, connections=args.connections) for port in ports]
    both = [figures(process, args.duration) for process in both]
    served = sum(b["rps"] for b in both) * args.duration
    return {
        "one": one,
        "both": both,
        "ratio": sum(b["rps"] for b in both) / one["rps"],
        "both_cpu_ms_per_request": (cpu_seconds(masters) - before) * 1000 / served,
    }


def bad_logins(ports: list[int], email: str, attempts: int) -> list[int]:
    body = {"email": email, "password": "not-the-password"}
    return [request(ports[n % len(ports)], "POST", "/api/users/auth/login/", body=body)[0] for n in range(attempts)]


def tasks_once(ports: list[int], processes: Processes, sink: "SmtpSink", context: dict, url: str, args) -> dict:
    """Tickets created through both instances; two db_workers; each notification sent once."""
    import psycopg

    workers = [
        processes.start([sys.executable, "manage.py", "db_worker", *WORKER_OPTIONS], f"worker{i}") for i in (0, 1)
    ]
    # Tasks queued before the run (the load benchmark's writes queue e-mails that nothing
    # drains) go first, out of the count.
    pending = "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')"
    deadline = time.monotonic() + args.drain_seconds
    with psycopg.connect(url, autocommit=True) as conn:
        while conn.execute(pending).fetchone()[0]:
            if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
                raise RuntimeError("the workers did not drain the tasks queued before the run")
            time.sleep(0.3)
    time.sleep(1)
    sink.clear()
    writer = context["writer_techs"][0]
    ticket_ids = []
    for n in range(args.tickets):
        token, method, path, body = lifecycle_step("create ticket", context, writer, n, {})
        body["titulo"] = f"Scale-out {int(time.time())} {n}"
        status, _, response = request(ports[n % 2], method, path, token=token, body=body)
        if status != 201:
            raise RuntimeError(f"create ticket answered {status}: {response!r}"[:300])
        ticket_ids.append(response["ticket"]["id"])
    query = """
        SELECT n.id, n.estado, n.intentos, u.email FROM notifications_notification n
        JOIN users_user u ON u.id = n.usuario_id WHERE n.ticket_id = ANY(%s)
    """
    deadline = time.monotonic() + args.drain_seconds
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            rows = conn.execute(query, [ticket_ids]).fetchall()
            if rows and all(row[1] == "ENVIADA" for row in rows):
                break
            if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
                break
            time.sleep(0.3)
    for worker in workers:
        processes.stop(worker)
    return {"tickets": len(ticket_ids), "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=6, help="seconds of load per throughput phase")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections per instance")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per instance")
    parser.add_argument("--logins", type=int, default=8)
    parser.add_argument("--tickets", type=int, default=20)
    parser.add_argument("--drain-seconds", type=int, default=120)
    parser.add_argument("--redis", action="store_true", help="start a private redis-server for the run")
    parser.add_argument("--postgres", default=POSTGRES_URL)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")

    url = ensure_data(args.postgres, args.scale, regenerate=False)
    context = prepare(url, args.scale)
    pairs = [pair for pair in mix(context) if "/reports/" not in pair[1]]
    OUT.mkdir(parents=True, exist_ok=True)
    sink = SmtpSink()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tickethelp.settings",
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "TASKS_BACKEND": "database",
        "EMAIL_HOST": HOST,
        "EMAIL_PORT": str(sink.port),
        "EMAIL_USE_TLS": "false",
        "LOG_FORMAT": "plain",
    }
    env.pop("PORT", None)
    processes = Processes(env)
    results: dict = {"tickets": context["tickets"], "workers": args.workers}
    try:
        if args.redis:
            redis_port = free_port()
            processes.start(
                ["redis-server", "--port", str(redis_port), "--bind", HOST, "--save", "", "--appendonly", "no"],
                "redis",
            )
            env["REDIS_URL"] = f"redis://{HOST}:{redis_port}/0"
            time.sleep(0.5)
        results["redis"] = env.get("REDIS_URL", "")
        ports = [free_port(), free_port()]
        log(f"scale-out on {context['tickets']:,} tickets, redis: {results['redis'] or 'no'}; ports {ports}")
        masters = [processes.web(port, args.workers) for port in ports]
        for port in ports:  # warm both instances' workers
            for token, path in pairs * 2:
                request(port, "GET", path, token=token)
        results["throughput"] = throughput(ports, masters, pairs, args)
        log(f"  throughput: {json.dumps(results['throughput'])}")
        stamp = int(time.time())
        results["logins_one"] = bad_logins(ports[:1], f"scaleout-one-{stamp}@example.com", args.logins)
        results["logins_both"] = bad_logins(ports, f"scaleout-both-{stamp}@example.com", args.logins)
        log(f"  logins: one {results['logins_one']}  both {results['logins_both']}")
        tasks = tasks_once(ports, processes, sink, context, url, args)
    finally:
        processes.stop()
        sink.stop()
    rows = tasks["rows"]
    sent = Counter(message["To"] for message in sink.messages)
    expected = Counter(row[3] for row in rows)
    results["tasks"] = {
        "tickets": tasks["tickets"],
        "notifications": len(rows),
        "sent_once": sum(1 for row in rows if row[1] == "ENVIADA" and row[2] == 1),
        "messages": sum(sent.values()),
        "messages_match": sent == expected,
    }
    one, both = results["throughput"]["one"], results["throughput"]["both"]
    failures = []
    if results["logins_one"] != results["logins_both"] or 429 not in results["logins_both"]:
        failures.append("the login throttle did not refuse at the same attempt across instances")
    task_figures = results["tasks"]
    if not (task_figures["notifications"] and task_figures["sent_once"] == task_figures["notifications"]):
        failures.append("not every notification was sent after exactly one attempt")
    if not task_figures["messages_match"]:
        failures.append("the SMTP sink does not hold exactly one message per notification")
    if one["errors"] or any(b["errors"] for b in both):
        failures.append("errors under load")
    lines = [
        f"Scale-out: {context['tickets']:,} tickets, each instance gunicorn {args.workers} worker(s) x "
        f"{os.environ.get('GUNICORN_THREADS', '4')} threads (recycling on), redis: "
        f"{'yes' if results['redis'] else 'no'}; wrk 1 thread x {args.connections} connections per instance, "
        f"{args.duration} s, {len(pairs)} reads in turn.",
        "",
        "| | req/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|",
        f"| one instance | {one['rps']:.0f} | {one['p50_ms']:.1f} | {one['p99_ms']:.1f} | {one['errors']} |",
        *(
            f"| two instances: #{i + 1} | {b['rps']:.0f} | {b['p50_ms']:.1f} | {b['p99_ms']:.1f} | {b['errors']} |"
            for i, b in enumerate(both)
        ),
        f"| two instances: sum | {sum(b['rps'] for b in both):.0f} | | | |",
        "",
        f"Two instances ÷ one: **{results['throughput']['ratio']:.2f}x** req/s; workers' CPU per request: "
        f"{one['cpu_ms_per_request']:.1f} ms on one instance, "
        f"{results['throughput']['both_cpu_ms_per_request']:.1f} ms on two.",
        "",
        f"Bad logins for one address, one instance: {results['logins_one']}; "
        f"alternating between the two: {results['logins_both']}.",
        "",
        f"Tasks: {task_figures['tickets']} tickets created through both instances → "
        f"{task_figures['notifications']} notifications; sent after exactly one attempt: "
        f"{task_figures['sent_once']}; messages in the SMTP sink: {task_figures['messages']} "
        f"({'one per notification' if task_figures['messages_match'] else 'NOT one per notification'}).",
    ]
    text = "\n".join(lines) + "\n"
    name = "scaleout-redis" if results["redis"] else "scaleout"
    (OUT / f"{name}.md").write_text(text)
    (OUT / f"{name}.json").write_text(json.dumps(results, indent=2))
    print(text)
    if failures:
        print("FAILED: " + "; ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
