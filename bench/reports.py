"""Time every report through the real view stack (URL routing, JWT auth, permission,
parameter validation, SQL, JSON) against a generated data set.

    DATABASE_URL=postgres://.../tickethelp_bench python bench/reports.py --runs 15

Prints one Markdown table row per report: median, p95 and worst time of `--runs` calls
after one warm-up call, and the SQL queries each call ran.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tickethelp.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from tickets.models import Ticket  # noqa: E402
from users.models import Role, User  # noqa: E402
from users.tokens import issue_tokens  # noqa: E402

YEAR = timezone.localdate().year
REPORTS = [
    "general-stats/",
    f"general-stats/?from={YEAR - 1}-01-01&to={YEAR - 1}-12-31",
    "performance-ranking/?limit=10",
    f"clients-evolution/?year={YEAR - 1}",
    "distribucion-estados/",
    "tiempo-resolucion/",
    f"tiempo-resolucion/?from={YEAR - 1}-01-01&to={YEAR - 1}-12-31",
    "antiguedad-tickets/?limit=20",
    "flujo-tickets/?period=month",
    f"flujo-tickets/?period=week&from={YEAR - 1}-01-01&to={YEAR - 1}-12-31",
    "aprobaciones-pendientes/?limit=20",
    "tickets-portal/",
]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        sys.exit("No admin in this database: run bench/generate.py first.")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(admin).access_token}")
    tickets = Ticket.objects.count()
    print(f"Reports at {tickets:,} tickets, {args.runs} runs each (after one warm-up):\n")
    print("| report | p50 ms | p95 ms | max ms | SQL queries |")
    print("|---|---:|---:|---:|---:|")
    for path in REPORTS:
        url = "/api/reports/stats/" + path
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}: {response.content[:300]!r}")
        samples = []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
        print(
            f"| `{path}` | {statistics.median(samples):.0f} | {percentile(samples, 0.95):.0f} | "
            f"{max(samples):.0f} | {len(queries.captured_queries)} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
