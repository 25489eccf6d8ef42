"""Soak test: the real server (gunicorn, production settings) held at a steady request rate.

    make soak                                             # 10 minutes on the 100k data set
    .venv/bin/python bench/soak.py --minutes 2 --rate 20  # a short one

It reuses the load benchmark's pieces (bench/load.py): the data set `tickethelp_bench_<scale>`,
gunicorn on 127.0.0.1 with worker recycling off (so that memory growth would show), and its
reads and ticket lifecycles. Requests are paced (open loop: each thread has a schedule and
does not catch up in bursts when it falls behind) at `--rate` requests per second in total,
a fifth of them writes (an admin creates a ticket, the technician moves it, asks for
"Finalizado", an admin approves). Every `--sample` seconds the workers' resident memory is
read. The run fails (exit status 1) on any error (non-2xx answer or connection failure) or
when a worker's memory grew by more than `--max-growth-mb` between the first sample after
warm-up and the end. Figures go to stdout and bench/out/soak.md / soak.json.
"""

import argparse
import http.client
import itertools
import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import (
    HOST,
    OUT,
    READS,
    WRITE_STEPS,
    Server,
    ensure_data,
    lifecycle_step,
    log,
    percentile,
    prepare,
    request,
)

WRITE_SHARE = 5  # one thread in five runs ticket lifecycles


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: list[tuple[float, str, int, float]] = []  # (t, kind, status, ms)
        self.errors: list[str] = []

    def add(self, started: float, kind: str, status: int, elapsed_ms: float, detail: str = "") -> None:
        with self.lock:
            self.samples.append((started, kind, status, elapsed_ms))
            if not 200 <= status < 300:
                self.errors.append(f"{kind}: {status} {detail}"[:300])


def paced(interval: float, deadline: float):
    """Yield at a steady pace until `deadline`; a late tick is skipped, never bunched."""
    next_at = time.monotonic()
    while True:
        now = time.monotonic()
        if now >= deadline:
            return
        if now < next_at:
            time.sleep(next_at - now)
        yield True
        next_at += interval
        if time.monotonic() > next_at + interval:  # fell behind: start a fresh schedule
            next_at = time.monotonic()


def call(port, conn, method, path, token, body, recorder, kind):
    started = time.monotonic()
    try:
        status, _, response = request(port, method, path, token=token, body=body, connection=conn)
    except (OSError, http.client.HTTPException) as exc:
        recorder.add(started, kind, 0, (time.monotonic() - started) * 1000, repr(exc))
        return None, http.client.HTTPConnection(HOST, port, timeout=30)
    recorder.add(started, kind, status, (time.monotonic() - started) * 1000, repr(response)[:200])
    return (response if 200 <= status < 300 else None), conn


def reader(port, context, interval, deadline, recorder, offset):
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    reads = [read for read in READS if read.kind != "floor"]
    for read, _ in zip(itertools.cycle(reads[offset:] + reads[:offset]), paced(interval, deadline), strict=False):
        token = context["tokens"].get(read.role) if read.role else None
        _, conn = call(port, conn, "GET", read.path.format(**context), token, None, recorder, read.name)
    conn.close()


def writer(port, context, writer_tech, interval, deadline, recorder):
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    ticks = paced(interval, deadline)
    for iteration in itertools.count(1):
        ids = {}
        for step in WRITE_STEPS:
            if not next(ticks, False):
                conn.close()
                return
            token, method, path, body = lifecycle_step(step, context, writer_tech, iteration, ids)
            response, conn = call(port, conn, method, path, token, body, recorder, step)
            if response is None:
                break
            if step == "create ticket":
                ids["ticket"] = response["ticket"]["id"]
            elif step == "change state (final → pending)":
                ids["request"] = response["request_id"]


def summary(recorder: Recorder, memory: list[dict], args, started: float, tickets: int) -> tuple[str, dict]:
    samples = recorder.samples
    minutes = []
    for minute in range(args.minutes):
        window = [s[3] for s in samples if minute * 60 <= s[0] - started < (minute + 1) * 60]
        if window:
            minutes.append(
                {
                    "minute": minute + 1,
                    "requests": len(window),
                    "rps": len(window) / 60,
                    "p50_ms": statistics.median(window),
                    "p99_ms": percentile(window, 0.99),
                }
            )
    pids = sorted({m["pid"] for sample in memory for m in sample["workers"]})
    first = next((s for s in memory if s["t"] >= args.warmup), memory[0])
    growth = {
        pid: max(m["rss_mb"] for m in memory[-1]["workers"] if m["pid"] == pid)
        - max(m["rss_mb"] for m in first["workers"] if m["pid"] == pid)
        for pid in pids
    }
    data = {
        "tickets": tickets,
        "minutes": args.minutes,
        "rate": args.rate,
        "requests": len(samples),
        "errors": len(recorder.errors),
        "error_examples": recorder.errors[:10],
        "per_minute": minutes,
        "memory": memory,
        "rss_growth_mb": growth,
    }
    lines = [
        f"Soak: {args.minutes} min at {args.rate} req/s (a fifth writes) on {tickets:,} tickets, "
        "gunicorn 2 workers x 4 threads, production settings, worker recycling off.",
        "",
        f"Requests: {len(samples):,}; errors: {len(recorder.errors)}.",
        "",
        "| minute | requests | req/s | p50 ms | p99 ms |",
        "|---:|---:|---:|---:|---:|",
        *(
            f"| {m['minute']} | {m['requests']:,} | {m['rps']:.1f} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} |"
            for m in minutes
        ),
        "",
        "| worker RSS (MB) at | " + " | ".join(str(pid) for pid in pids) + " |",
        "|---:|" + "---:|" * len(pids),
        *(
            f"| {sample['t']:.0f} s | "
            + " | ".join(f"{next((m['rss_mb'] for m in sample['workers'] if m['pid'] == pid), 0):.1f}" for pid in pids)
            + " |"
            for sample in memory
        ),
        "",
        "Growth after warm-up (MB): " + ", ".join(f"{pid}: {delta:+.1f}" for pid, delta in growth.items()),
    ]
    return "\n".join(lines), data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--rate", type=float, default=40.0, help="requests per second, in total")
    parser.add_argument("--threads", type=int, default=5)
    parser.add_argument("--sample", type=int, default=30, help="seconds between memory samples")
    parser.add_argument("--warmup", type=int, default=60, help="seconds before the memory baseline")
    parser.add_argument("--max-growth-mb", type=float, default=15.0)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()

    url = ensure_data(args.postgres, args.scale, regenerate=False)
    context = prepare(url, args.scale)
    OUT.mkdir(parents=True, exist_ok=True)
    server = Server(url, args.port, OUT / "gunicorn-soak.log")
    recorder = Recorder()
    memory: list[dict] = []
    interval = args.threads / args.rate
    try:
        started = time.monotonic()
        deadline = started + args.minutes * 60
        threads = []
        for index in range(args.threads):
            if index % WRITE_SHARE == WRITE_SHARE - 1:
                tech = context["writer_techs"][index % len(context["writer_techs"])]
                target, extra = writer, (tech, interval, deadline, recorder)
            else:
                target, extra = reader, (interval, deadline, recorder, index * 3)
            threads.append(threading.Thread(target=target, args=(args.port, context, *extra), daemon=True))
        for thread in threads:
            thread.start()
        log(f"soak: {args.minutes} min at {args.rate} req/s on {context['tickets']:,} tickets")
        while time.monotonic() < deadline:
            memory.append({"t": time.monotonic() - started, "workers": server.memory()})
            log(
                f"  {memory[-1]['t']:5.0f} s  requests {len(recorder.samples):6,}  errors {len(recorder.errors)}  "
                + "  ".join(f"{m['rss_mb']:.1f} MB" for m in memory[-1]["workers"])
            )
            time.sleep(min(args.sample, max(deadline - time.monotonic(), 0)))
        for thread in threads:
            thread.join(timeout=60)
        memory.append({"t": time.monotonic() - started, "workers": server.memory()})
    finally:
        server.stop()
    text, data = summary(recorder, memory, args, started, context["tickets"])
    (OUT / "soak.md").write_text(text + "\n")
    (OUT / "soak.json").write_text(json.dumps(data, indent=2))
    print(text)
    too_much = {pid: delta for pid, delta in data["rss_growth_mb"].items() if delta > args.max_growth_mb}
    if data["errors"] or too_much:
        print(f"\nFAILED: {data['errors']} errors; memory growth above {args.max_growth_mb} MB: {too_much}")
        for error in data["error_examples"]:
            print(f"  {error}")
        sys.exit(1)


if __name__ == "__main__":
    main()
