"""The floor ladder: what each endpoint costs above the least a request can cost.

    .venv/bin/python bench/ladder.py --scale 10000 --duration 3
    .venv/bin/python bench/ladder.py --profile 300      # + the in-process breakdown

One gunicorn (gunicorn.conf.py, production settings + bench/ladder_settings.py), one data
set (`tickethelp_bench_<scale>`, see bench/load.py), one run; for every endpoint, wrk
(same connections, same seconds) on three rungs (bench/ladder_app.py):

1. a bare WSGI callable answering a constant JSON (measured once: it has no endpoint);
2. a plain Django view replaying the endpoint's own SQL and answering `json.dumps` of it;
3. the real endpoint.

The report gives req/s and p50 of each rung, rung 3 / rung 2 (the target: <= 1.5x), and
what rung 3 costs above rung 2 per request (p50 of rung 3 - p50 of rung 2, in ms).
With `--profile N` every endpoint is also called N times in-process (the WSGI handler of
the same settings, no socket) with timers on the layers, and its time is split into
middleware, authentication, throttling, DRF's remaining overhead, database, the view's own
Python (serialization), rendering and logging (bench/profile_request.py).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import OUT, POSTGRES_URL, SECRET_KEY, Read, Server, ensure_data, log, prepare, run_read  # noqa: E402


@dataclass(frozen=True)
class Endpoint:
    name: str
    role: str | None
    path: str


ENDPOINTS = [
    # The front end asks for the whole list (REAL-CLIENTS.md): every user, no paging parameter.
    Endpoint("users list (every user)", "admin", "/api/users/"),
    Endpoint("users list ?page_size=500", "admin", "/api/users/?page_size=500"),
    Endpoint("consulta 200 rows (ADMIN)", "admin", "/api/tickets/consulta/?page_size=200"),
    Endpoint("least-busy-technician", "admin", "/api/tickets/least-busy-technician/"),
    Endpoint("general-stats", "admin", "/api/reports/stats/general-stats/"),
    Endpoint("clients-evolution", "admin", "/api/reports/stats/clients-evolution/?year={year}"),
    Endpoint("tickets list, page 1", "admin", "/api/tickets/"),
    Endpoint("one row: /api/me/", "tech", "/api/me/"),
    Endpoint("one row: tenant ticket detail", "tenant", "/api/tenant/tickets/{tenant_ticket_id}"),
    Endpoint("notifications list (TECH)", "tech", "/api/notifications/"),
    Endpoint("tenant tickets list", "tenant", "/api/tenant/tickets"),
    Endpoint("tenant notifications", "tenant", "/api/tenant/notifications"),
    Endpoint("tenant devices", "tenant", "/api/tenant/devices"),
]


def rung(endpoint: Endpoint, level: int) -> Read:
    if level == 1:
        return Read("bare WSGI", None, "/ladder/bare/")
    if level == 2:
        # The replaying view learns the endpoint's SQL with the same token (then ignores it).
        return Read(f"{endpoint.name} [plain]", endpoint.role, "/ladder/plain" + endpoint.path)
    return Read(endpoint.name, endpoint.role, endpoint.path)


def run(args) -> dict:
    url = ensure_data(args.postgres, args.scale, regenerate=False)
    context = prepare(url, args.scale)
    from bench.load import YEAR

    context["year"] = YEAR
    OUT.mkdir(parents=True, exist_ok=True)
    log(f"== ladder, {context['tickets']:,} tickets: gunicorn on 127.0.0.1:{args.port}")
    server = Server(
        url, args.port, OUT / f"ladder-{args.scale}.log", settings="bench.ladder_settings", app="bench.ladder_app"
    )
    baseline = None
    if args.baseline:
        # The same endpoints served from another checkout (e.g. main), measured alternately.
        baseline = Server(
            url,
            args.port + 1,
            OUT / f"ladder-{args.scale}-baseline.log",
            settings="bench.ladder_settings",
            app="bench.ladder_app",
            root=Path(args.baseline).resolve(),
        )
    results = {"scale": args.scale, "tickets": context["tickets"], "bare": None, "endpoints": []}
    measure = {"duration": args.duration, "connections": args.connections}
    try:
        results["bare"] = run_read(rung(ENDPOINTS[0], 1), context, args.port, **measure)
        log(f"  bare WSGI: {results['bare']['rps']:.0f} req/s")
        for endpoint in ENDPOINTS:
            if args.only and not any(word in endpoint.name for word in args.only):
                continue
            # Rung 2 and 3 alternately, `--rounds` times: both see the same machine load.
            # With --baseline, the baseline's real endpoint is the third of every round.
            ports = [(2, args.port), (3, args.port)] + ([(3, args.port + 1)] if baseline else [])
            rounds = [
                [run_read(rung(endpoint, level), context, port, **measure) for level, port in ports]
                for _ in range(args.rounds)
            ]
            plain, real = combined([r[0] for r in rounds]), combined([r[1] for r in rounds])
            entry = {"name": endpoint.name, "path": real["path"], "plain": plain, "real": real}
            if baseline:
                entry["baseline"] = combined([r[2] for r in rounds])
                log(f"  {endpoint.name:<38} baseline {entry['baseline']['rps']:7.0f} req/s")
            results["endpoints"].append(entry)
            log(
                f"  {endpoint.name:<38} plain {plain['rps']:7.0f} req/s  real {real['rps']:7.0f} req/s  "
                f"{plain['rps'] / real['rps']:.2f}x  ({real['queries']} statements)"
            )
        results["memory"] = server.memory()
    finally:
        server.stop()
        if baseline:
            baseline.stop()
    if args.profile:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET_KEY,
            "DJANGO_SETTINGS_MODULE": "bench.ladder_settings",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
        }
        spec = [
            {"name": e["name"], "path": e["path"], "token": context["tokens"].get(_role(e["name"]))}
            for e in results["endpoints"]
        ]
        results["profile"] = profile(ROOT, env, spec, args.profile)
        if args.baseline:
            # In-process, one request at a time: the A/B that the machine's load disturbs least.
            # Alternated twice; the lower total of each side is kept.
            runs = {"this": [results["profile"]], "baseline": []}
            for side in ("baseline", "this", "baseline"):
                root = Path(args.baseline).resolve() if side == "baseline" else ROOT
                runs[side].append(profile(root, env, spec, args.profile))
            results["profile"] = _fastest(runs["this"])
            results["profile_baseline"] = _fastest(runs["baseline"])
    (OUT / f"ladder-{args.scale}.json").write_text(json.dumps(results, indent=2))
    return results


def profile(root: Path, env: dict, spec: list, iterations: int) -> dict:
    """bench/profile_request.py of the checkout at `root` (its code, this script's spec)."""
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "profile_request.py"), "--iterations", str(iterations)],
        cwd=root,
        env={**env, "PYTHONPATH": str(root)},
        input=json.dumps(spec),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _fastest(runs: list[dict]) -> dict:
    """Per endpoint, the run with the lowest total (the least disturbed by other load)."""
    best = runs[0]
    for run in runs[1:]:
        best = {
            "groups": best["groups"],
            "endpoints": [
                min(a, b, key=lambda row: row["total"])
                for a, b in zip(best["endpoints"], run["endpoints"], strict=True)
            ],
        }
    return best


def combined(runs: list[dict]) -> dict:
    """One figure from several rounds: total requests over total time, median p50/p99."""
    merged = dict(runs[0])
    merged["requests"] = sum(r["requests"] for r in runs)
    merged["rps"] = merged["requests"] / sum(r["requests"] / r["rps"] for r in runs)
    for key in ("p50_ms", "p99_ms"):
        merged[key] = statistics.median(r[key] for r in runs)
    merged["errors"] = sum(r["errors"] for r in runs)
    return merged


def _role(name: str) -> str | None:
    return next(e.role for e in ENDPOINTS if e.name == name)


def report(results: dict, args) -> str:
    bare = results["bare"]
    lines = [
        f"Ladder at {results['tickets']:,} tickets: wrk, 1 thread, {args.connections} connections, "
        f"rungs 2 and 3 alternated {args.rounds} times, {args.duration} s each; "
        "gunicorn.conf.py as deployed (GUNICORN_MAX_REQUESTS=0).",
        "",
        f"Rung 1 (bare WSGI callable, constant JSON): {bare['rps']:.0f} req/s, p50 {bare['p50_ms']:.2f} ms.",
        "",
        "| endpoint | statements | rung 2 req/s | rung 3 req/s | rung 3 ÷ rung 2 (time) | above rung 2 (p50 ms) "
        "| rung 3 p50 ms | rung 3 p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for e in results["endpoints"]:
        plain, real = e["plain"], e["real"]
        above = real["p50_ms"] - plain["p50_ms"]
        lines.append(
            f"| {e['name']} | {real['queries']} | {plain['rps']:.0f} | {real['rps']:.0f} | "
            f"{plain['rps'] / real['rps']:.2f}x | {above:.2f} | {real['p50_ms']:.1f} | {real['p99_ms']:.1f} |"
        )
    if any("baseline" in e for e in results["endpoints"]):
        lines += [
            "",
            f"Against the baseline checkout ({args.baseline}), real endpoints, same run:",
            "",
            "| endpoint | baseline req/s | this checkout req/s | speed-up | baseline p50 ms | this p50 ms |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for e in results["endpoints"]:
            base, real = e["baseline"], e["real"]
            lines.append(
                f"| {e['name']} | {base['rps']:.0f} | {real['rps']:.0f} | {real['rps'] / base['rps']:.2f}x | "
                f"{base['p50_ms']:.1f} | {real['p50_ms']:.1f} |"
            )
    if results.get("profile"):
        groups = results["profile"]["groups"]
        lines += [
            "",
            f"In-process breakdown (bench/profile_request.py, {args.profile} calls each after warm-up, "
            "µs per request, exclusive time of each layer):",
            "",
            "| endpoint | total | " + " | ".join(groups) + " |",
            "|---|---:|" + "---:|" * len(groups),
        ]
        for row in results["profile"]["endpoints"]:
            cells = " | ".join(f"{row['groups'][g]:.0f}" for g in groups)
            lines.append(f"| {row['name']} | {row['total']:.0f} | {cells} |")
    if results.get("profile_baseline"):
        lines += [
            "",
            f"In-process, this checkout against the baseline ({args.baseline}), µs per request (lowest of 2 runs):",
            "",
            "| endpoint | baseline total | this total | speed-up | "
            + " | ".join(f"{g} (base → this)" for g in groups)
            + " |",
            "|---|---:|---:|---:|" + "---:|" * len(groups),
        ]
        for base, this in zip(results["profile_baseline"]["endpoints"], results["profile"]["endpoints"], strict=True):
            cells = " | ".join(f"{base['groups'].get(g, 0):.0f} → {this['groups'][g]:.0f}" for g in groups)
            speed_up = base["total"] / this["total"]
            lines.append(f"| {this['name']} | {base['total']:.0f} | {this['total']:.0f} | {speed_up:.2f}x | {cells} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=3, help="seconds of load per rung")
    parser.add_argument("--rounds", type=int, default=3, help="alternations of rung 2 and rung 3")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--port", type=int, default=8775)
    parser.add_argument("--postgres", default=POSTGRES_URL)
    parser.add_argument("--baseline", help="a checkout (e.g. of main) whose real endpoints are measured alongside")
    parser.add_argument("--only", nargs="*", help="only the endpoints whose name contains one of these words")
    parser.add_argument("--profile", type=int, default=0, help="in-process profiled calls per endpoint (0: none)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")
    text = report(run(args), args)
    (OUT / f"ladder-{args.scale}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
