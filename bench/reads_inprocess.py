"""CPU per request of every read of bench/load.py, in-process: Python's and PostgreSQL's.

    .venv/bin/python -m bench.reads_inprocess --scale 1000000 > a.json
    DB_PREPARED_STATEMENTS=false .venv/bin/python -m bench.reads_inprocess --scale 1000000 > b.json
    .venv/bin/python -m bench.reads_inprocess --compare a.json b.json

Throughput under wrk on this 2-core machine moved by up to 2x between two runs of the same
code (the floor view, which no change touches, included), too much to tell a 10 % change.
This measures what a change can move, one request at a time through Django's WSGI handler
(production settings, DEBUG off): the CPU time of this process (Python, psycopg) and of the
PostgreSQL backend serving its connection (read from /proc, both sides of every statement:
parse, plan, execute), per request, as the median of `--rounds` batches of `--requests`
requests after a warm-up. Reads only: the data set is not changed.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ab_writes import cpu_seconds  # noqa: E402
from bench.load import POSTGRES_URL, READS, SECRET_KEY, prepare  # noqa: E402


def measure(args) -> dict:
    base = args.postgres.rstrip("/")
    url = f"{base}/tickethelp_bench_{args.scale}"
    context = prepare(url, args.scale)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "tickethelp.settings",
            "DATABASE_URL": url,
            "DEBUG": "false",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "false",
            # One connection for the whole run: its backend is the one whose CPU is read.
            "DB_CONN_MAX_AGE": "3600",
        }
    )
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)  # the request log line is not what is measured
    from django.db import connection
    from django.test import Client

    results = {}
    for read in READS:
        if read.kind == "floor" or (args.only and not any(word in read.name for word in args.only)):
            continue
        if read.needs and not context.get(read.needs):
            continue
        client = Client(HTTP_AUTHORIZATION=f"Bearer {context['tokens'][read.role]}")
        path = read.path.format(**context)
        for _ in range(args.warmup):
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{read.name}: {response.status_code} {response.content[:200]!r}")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        python, database, wall = [], [], []
        for _ in range(args.rounds):
            cpu, db, started = time.process_time(), cpu_seconds([pid]), time.perf_counter()
            for _ in range(args.requests):
                client.get(path)
            python.append((time.process_time() - cpu) * 1000 / args.requests)
            database.append((cpu_seconds([pid]) - db) * 1000 / args.requests)
            wall.append((time.perf_counter() - started) * 1000 / args.requests)
        results[read.name] = {
            "python_ms": round(statistics.median(python), 3),
            "postgres_ms": round(statistics.median(database), 3),
            "wall_ms": round(statistics.median(wall), 3),
        }
        print(f"  {read.name:<48} {results[read.name]}", file=sys.stderr)
    return {"env": {"DB_PREPARED_STATEMENTS": os.environ.get("DB_PREPARED_STATEMENTS", "")}, "reads": results}


def compare(paths: list[Path]) -> str:
    """Markdown: each read's CPU per request in each file, and the first over each other."""
    runs = [json.loads(path.read_text()) for path in paths]
    names = list(runs[0]["reads"])
    header = " | ".join(f"{path.stem} CPU ms (Python + PostgreSQL)" for path in paths)
    lines = [f"| read | {header} | {paths[0].stem} ÷ others |", "|---|" + "---:|" * (len(paths) + 1)]
    for name in names:
        totals = [run["reads"][name]["python_ms"] + run["reads"][name]["postgres_ms"] for run in runs]
        cells = " | ".join(
            f"{total:.2f} ({run['reads'][name]['python_ms']:.2f} + {run['reads'][name]['postgres_ms']:.2f})"
            for total, run in zip(totals, runs, strict=True)
        )
        ratios = ", ".join(f"{totals[0] / total:.2f}" for total in totals[1:])
        lines.append(f"| {name} | {cells} | {ratios} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=25, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=5, help="batches per read (the median is kept)")
    parser.add_argument("--warmup", type=int, default=15)
    parser.add_argument("--only", nargs="+", help="only the reads whose name contains one of these words")
    parser.add_argument("--postgres", default=POSTGRES_URL)
    parser.add_argument("--compare", nargs="+", type=Path, help="print the Markdown comparison of these results")
    args = parser.parse_args()
    if args.compare:
        print(compare(args.compare))
        return
    print(json.dumps(measure(args), indent=2))


if __name__ == "__main__":
    main()
