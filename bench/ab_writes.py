"""Ticket writes of this checkout against an older one, alternated, each run on identical data.

    git worktree add /work/wt/base 029e5c3 && ln -s "$PWD/.venv" /work/wt/base/.venv
    .venv/bin/python bench/ab_writes.py --baseline /work/wt/base --runs 4

Why a tool of its own: single lifecycle runs of the same code (`bench/load.py --only
lifecycle`) gave 21 to 36 lifecycles per second on this 2-core machine within one session,
which drowns a 1.5x target. Three things moved between runs and are fixed here:

* the data: every run starts from a fresh copy (`CREATE DATABASE … TEMPLATE`) of the side's
  generated data set, vacuumed and checkpointed, so no run inherits the tickets,
  notifications, tasks, dead rows and WAL of the runs before it;
* the order: the sides alternate A B B A …, so a slow spell of the machine falls on both;
* the workers: each lifecycle opens a new connection. With kept-alive connections, which
  gunicorn worker served a client was drawn once per run, and a run whose four connections
  all fell on one worker ran at half speed on one core (the report's "busiest worker's
  share" column: 100 % in such a run, 50-60 % otherwise);
* the measure: besides lifecycles per second (the issue's figure), the CPU time the
  gunicorn workers and the PostgreSQL processes spent per lifecycle, read from /proc before
  and after the run. CPU per write is what the code changes; throughput on two shared cores
  also depends on what else the machine did.

Each side is served by its own checkout's code and settings (bench.settings, production
settings plus a query counter) through gunicorn.conf.py as that checkout ships it, with the
same Python environment, and driven by this checkout's client (bench/load.py's lifecycle).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load

TICKS = os.sysconf("SC_CLK_TCK")


def admin_url(base: str) -> str:
    return f"{base.rstrip('/')}/postgres"


def template_name(side: str, scale: int) -> str:
    return f"tickethelp_ab_{side}_{scale}"


def ensure_template(base: str, side: str, root: Path, scale: int) -> None:
    """The side's data set, generated and migrated by the side's own code, frozen as a template."""
    import psycopg

    name = template_name(side, scale)
    with psycopg.connect(admin_url(base), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{base.rstrip('/')}/{name}"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": load.SECRET_KEY}
    load.log(f"Generating {scale:,} tickets for {side} ({root}) …")
    try:
        subprocess.run([sys.executable, "bench/generate.py", "--tickets", str(scale)], cwd=root, env=env, check=True)
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=root, env=env, check=True)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    except BaseException:
        with psycopg.connect(admin_url(base), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        raise


def fresh_copy(base: str, side: str, scale: int) -> str:
    """A new database copied from the side's template, checkpointed: every run starts alike."""
    import psycopg

    name = f"tickethelp_ab_run_{scale}"
    with psycopg.connect(admin_url(base), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_name(side, scale)}"')
        conn.execute("CHECKPOINT")
    return f"{base.rstrip('/')}/{name}"


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        # utime, stime, cutime, cstime: fields 14-17 of proc(5), 12-15 after "pid (comm)".
        total += sum(int(value) for value in fields[11:15])
    return total / TICKS


def postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def machine_busy_seconds() -> float:
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / TICKS


def one_run(base: str, side: str, root: Path, args) -> dict:
    url = fresh_copy(base, side, args.scale)
    context = load.prepare(url, args.scale, root=root)
    log_path = load.OUT / f"ab-{side}.log"
    server = load.Server(url, args.port, log_path, root=root)
    try:
        # Warm-up: the first requests of a worker fill its caches (URL resolver, serializers).
        load.run_writes(context, args.port, duration=2, connections=args.connections, reconnect=True)
        workers = server.workers()
        before_pg = {pid: cpu_seconds([pid]) for pid in postgres_pids()}
        before_each = [cpu_seconds([pid]) for pid in workers]
        before_machine = machine_busy_seconds()
        started = time.perf_counter()
        results = load.run_writes(
            context, args.port, duration=args.duration, connections=args.connections, reconnect=True
        )
        elapsed = time.perf_counter() - started
        after_pg = {pid: cpu_seconds([pid]) for pid in postgres_pids()}
        each = [cpu_seconds([pid]) - before for pid, before in zip(workers, before_each, strict=True)]
        workers_cpu, machine = sum(each), machine_busy_seconds() - before_machine
    finally:
        server.stop()
    # Backends that ended during the run took their CPU with them; those started during it count whole.
    postgres_cpu = sum(after - before_pg.get(pid, 0.0) for pid, after in after_pg.items())
    lifecycles = min(result["requests"] for result in results)
    errors = sum(result["errors"] for result in results)
    return {
        "side": side,
        "lifecycles": lifecycles,
        "errors": errors,
        "lifecycles_per_s": lifecycles / elapsed,
        "p50_ms": {result["name"]: result.get("p50_ms") for result in results},
        "queries": {result["name"]: result.get("queries") for result in results},
        "workers_cpu_ms": 1000 * workers_cpu / max(lifecycles, 1),
        "postgres_cpu_ms": 1000 * postgres_cpu / max(lifecycles, 1),
        "machine_busy": machine / elapsed,
        # How the client's kept-alive connections fell on the workers: one worker doing most
        # of the work is one core for Python and its threads queueing on the GIL.
        "busiest_worker_share": max(each) / workers_cpu if workers_cpu else 0.0,
    }


def report(runs: list[dict], sides: dict) -> str:
    lines = [
        "| run | side | lifecycles/s | create p50 ms | change-state p50 ms | workers CPU ms / lifecycle "
        "| PostgreSQL CPU ms / lifecycle | machine busy (of 2 cores) | busiest worker's share | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for number, run in enumerate(runs, 1):
        lines.append(
            f"| {(number + 1) // 2} | {run['side']} | {run['lifecycles_per_s']:.1f} "
            f"| {run['p50_ms']['create ticket']:.1f} | {run['p50_ms']['change state (direct)']:.1f} "
            f"| {run['workers_cpu_ms']:.1f} | {run['postgres_cpu_ms']:.1f} | {run['machine_busy']:.2f} "
            f"| {run.get('busiest_worker_share', 0):.0%} | {run['errors']} |"
        )
    lines += [
        "",
        "| side | median lifecycles/s | median workers CPU ms | median PostgreSQL CPU ms |",
        "|---|---:|---:|---:|",
    ]
    medians = {}
    for side in sides:
        own = [run for run in runs if run["side"] == side]
        medians[side] = {
            key: statistics.median(run[key] for run in own)
            for key in ("lifecycles_per_s", "workers_cpu_ms", "postgres_cpu_ms")
        }
        lines.append(
            f"| {side} | {medians[side]['lifecycles_per_s']:.1f} | {medians[side]['workers_cpu_ms']:.1f} "
            f"| {medians[side]['postgres_cpu_ms']:.1f} |"
        )
    baseline, current = medians["baseline"], medians["current"]
    pairs = [
        (a["lifecycles_per_s"], b["lifecycles_per_s"])
        for a, b in zip(
            [run for run in runs if run["side"] == "baseline"],
            [run for run in runs if run["side"] == "current"],
            strict=False,
        )
    ]
    ratios = ", ".join(f"{b / a:.2f}x" for a, b in pairs)
    lines += [
        "",
        f"Throughput, current / baseline: {current['lifecycles_per_s'] / baseline['lifecycles_per_s']:.2f}x "
        f"of the medians (per run: {ratios}); CPU per lifecycle, baseline / current: workers "
        f"{baseline['workers_cpu_ms'] / current['workers_cpu_ms']:.2f}x, PostgreSQL "
        f"{baseline['postgres_cpu_ms'] / current['postgres_cpu_ms']:.2f}x.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout of the older commit")
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=4, help="runs per side (alternated A B B A …)")
    parser.add_argument("--duration", type=int, default=16, help="seconds of lifecycles per run")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--postgres", default=load.POSTGRES_URL)
    args = parser.parse_args()
    sides = {"baseline": args.baseline.resolve(), "current": load.ROOT}
    load.OUT.mkdir(parents=True, exist_ok=True)
    for side, root in sides.items():
        ensure_template(args.postgres, side, root, args.scale)
    order = []
    for number in range(args.runs):
        pair = ["baseline", "current"] if number % 2 == 0 else ["current", "baseline"]
        order += pair
    runs = []
    for side in order:
        run = one_run(args.postgres, side, sides[side], args)
        load.log(
            f"  {side:<8} {run['lifecycles_per_s']:5.1f} lifecycles/s, workers {run['workers_cpu_ms']:.1f} ms, "
            f"PostgreSQL {run['postgres_cpu_ms']:.1f} ms CPU per lifecycle, {run['errors']} errors"
        )
        runs.append(run)
    text = report(runs, sides)
    record = {"sides": {side: str(root) for side, root in sides.items()}, "runs": runs}
    (load.OUT / "ab_writes.json").write_text(json.dumps(record, indent=2))
    print(text)


if __name__ == "__main__":
    main()
