"""Memory-growth curve of one gunicorn worker: resident memory after boot, after warm-up and
after 1k, 10k and 100k requests of the load benchmark's reads.

    make bench-memory                                            # 10k tickets, up to 100k requests
    .venv/bin/python bench/memory.py --checkpoints 1000 10000    # a short one

gunicorn runs as deployed (gunicorn.conf.py, production settings, bench/settings.py's two
additions) with ONE worker (so that "after n requests" is what that worker served) and
worker recycling off; the threads per worker are gunicorn.conf.py's (`--threads` to try
others). Warm-up is every read of bench/load.py's READS (reports included, the floor not)
three times. Then wrk (bench/mix.lua, `--connections` connections) cycles through the same
reads up to each checkpoint. At every point the worker's memory is read from
/proc/<pid>/smaps_rollup:

* RSS — resident pages, shared ones included (what `ps`/`top` and most dashboards show);
* PSS — proportional set size: shared pages divided among the processes sharing them;
* USS — the worker's private pages only: what a second worker would add.

Figures go to stdout and bench/out/memory.md / memory.json (`--name` for others).
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import HOST, OUT, POSTGRES_URL, READS, ROOT, Server, ensure_data, log, prepare, request


def smaps(pid: int) -> dict:
    """RSS, PSS and USS of one process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) / 1024
    return {
        "pid": pid,
        "rss_mb": fields["Rss"],
        "pss_mb": fields["Pss"],
        "uss_mb": fields["Private_Clean"] + fields["Private_Dirty"],
    }


def mix(context: dict) -> list[tuple[str | None, str]]:
    """(token or None, path) of every read but the floor."""
    pairs = []
    for read in READS:
        if read.kind == "floor" or (read.needs and not context.get(read.needs)):
            continue
        token = context["tokens"].get(read.role) if read.role else None
        pairs.append((token, read.path.format(**context)))
    return pairs


def drive(port: int, pairs: list[tuple[str | None, str]], *, requests: int, connections: int, seconds: float) -> dict:
    """wrk through the mix until `requests` answers or `seconds` have passed; its figures."""
    env = {**os.environ, "BENCH_MIX": "\n".join(f"{t or '-'} {p}" for t, p in pairs), "BENCH_LIMIT": str(requests)}
    process = subprocess.Popen(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            "-d3600s",
            "--timeout",
            "30s",
            "-s",
            str(ROOT / "bench" / "mix.lua"),
            f"http://{HOST}:{port}/",
        ],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    timer = threading.Timer(max(seconds, 1), process.send_signal, [signal.SIGINT])
    timer.start()
    for line in process.stdout:
        if line.strip() == "LIMIT":
            break
    timer.cancel()
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # wrk prints its summary and exits
    output, _ = process.communicate(timeout=60)
    return json.loads([line for line in output.splitlines() if line.startswith("{")][-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--checkpoints", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, help="GUNICORN_THREADS (default: gunicorn.conf.py's)")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--name", default="memory", help="bench/out/<name>.md / .json")
    parser.add_argument("--max-minutes", type=float, default=60, help="stop there, whatever was reached")
    parser.add_argument("--postgres", default=POSTGRES_URL)
    args = parser.parse_args()

    url = ensure_data(args.postgres, args.scale, regenerate=False)
    # Tokens that outlive the run (JWT_ACCESS_MINUTES, 30 by default): at 100k requests the
    # run takes longer than that, and expired tokens would turn the mix into 401s.
    os.environ["JWT_ACCESS_MINUTES"] = str(int(args.max_minutes) + 30)
    context = prepare(url, args.scale)
    pairs = mix(context)
    os.environ["WEB_CONCURRENCY"] = "1"
    if args.threads:
        os.environ["GUNICORN_THREADS"] = str(args.threads)
    OUT.mkdir(parents=True, exist_ok=True)
    server = Server(url, args.port, OUT / f"gunicorn-{args.name}.log")
    points = []
    try:
        (pid,) = server.workers()
        points.append({"after": "boot (one /healthz)", "requests": 1, **smaps(pid)})
        for _ in range(3):
            for token, path in pairs:
                status, _, body = request(args.port, "GET", path, token=token)
                if not 200 <= status < 300:
                    raise RuntimeError(f"GET {path} answered {status}: {body!r}"[:300])
        served = 1 + 3 * len(pairs)
        points.append({"after": f"warm-up (every read x3, {len(pairs)} reads)", "requests": served, **smaps(pid)})
        log(f"  {points[-2]}\n  {points[-1]}")
        deadline = time.monotonic() + args.max_minutes * 60
        for checkpoint in sorted(args.checkpoints):
            if time.monotonic() >= deadline:
                break
            started = time.monotonic()
            figures = drive(
                args.port,
                pairs,
                requests=checkpoint - served,
                connections=args.connections,
                seconds=deadline - started,
            )
            elapsed = time.monotonic() - started
            served += figures["requests"]
            errors = figures["status_errors"] + figures["socket_errors"]
            points.append(
                {
                    "after": f"{checkpoint:,} requests"
                    if served >= checkpoint
                    else f"{served:,} requests (time bound: {args.max_minutes:g} min)",
                    "requests": served,
                    "rps": figures["requests"] / elapsed,
                    "p50_ms": figures["p50_us"] / 1000,
                    "p99_ms": figures["p99_us"] / 1000,
                    "errors": errors,
                    **smaps(pid),
                }
            )
            log(f"  {points[-1]}")
            if errors:
                raise RuntimeError(f"{errors} errors on the way to {checkpoint} requests")
        if server.workers() != [pid]:
            raise RuntimeError("the worker was replaced during the run: the curve is not one worker's")
    finally:
        server.stop()
    threads = os.environ.get("GUNICORN_THREADS", "4")
    lines = [
        f"One gunicorn worker x {threads} threads (recycling off), {context['tickets']:,} tickets, "
        f"wrk 1 thread x {args.connections} connections cycling through {len(pairs)} reads.",
        "",
        "| after | requests served | RSS MB | PSS MB | USS MB | req/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in points:
        load = f"{p['rps']:.0f} | {p['p50_ms']:.1f} | {p['p99_ms']:.1f}" if "rps" in p else "- | - | -"
        lines.append(
            f"| {p['after']} | {p['requests']:,} | {p['rss_mb']:.1f} | {p['pss_mb']:.1f} | {p['uss_mb']:.1f} | {load} |"
        )
    text = "\n".join(lines) + "\n"
    (OUT / f"{args.name}.md").write_text(text)
    (OUT / f"{args.name}.json").write_text(json.dumps({"threads": threads, "points": points}, indent=2))
    print(text)


if __name__ == "__main__":
    main()
