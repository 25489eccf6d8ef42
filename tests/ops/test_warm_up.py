"""tickethelp.wsgi.warm_up: a fresh process that loaded the WSGI application imports nothing
more on its first requests (a first request that imports stalls every request of a fresh
worker; simplejwt's token backend alone took 60-75 ms)."""

import json
import subprocess
import sys

from tests.processes import ROOT

# Runs in a fresh interpreter: load the application as gunicorn does, then serve requests
# that need no database (tokens with a bad signature are refused before any query; an
# unknown path is a 404) and print the modules those requests imported.
SCRIPT = r"""
import io, json, sys

import tickethelp.wsgi

before = set(sys.modules)
FORGED = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0MTAyNDQ0ODAwLCJqdGkiOiJ4IiwidXNlcl9pZCI6MX0."
    "c2lnbmF0dXJlLW9mLWFub3RoZXIta2V5"
)
statuses = []
for path, token in [
    ("/api/me/", FORGED),
    ("/api/tenant/me", FORGED),
    ("/api/tickets/", None),
    ("/api/no-such-endpoint/", None),
]:
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
        "REMOTE_ADDR": "127.0.0.1", "HTTP_ACCEPT": "application/json",
    }
    if token:
        environ["HTTP_AUTHORIZATION"] = "Bearer " + token
    body = tickethelp.wsgi.application(environ, lambda status, headers, *exc: statuses.append(status[:3]))
    b"".join(body)
    body.close()
print(json.dumps({"statuses": statuses, "imported": sorted(set(sys.modules) - before)}))
"""


def _first_requests(tmp_path) -> dict:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "tickethelp.settings",
        # No request here reaches the database; an empty file stands in for it.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "DEBUG": "false",
        "SECRET_KEY": "warm-up-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "CRITICAL",
    }
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_first_requests_of_a_fresh_process_import_nothing(tmp_path):
    # when a fresh process loads the application and serves its first requests
    outcome = _first_requests(tmp_path)

    # then they were answered (refused tokens, an anonymous list, an unknown path)...
    assert outcome["statuses"] == ["401", "401", "401", "404"]
    # ...and loaded no module on the way: warm_up() imported it with the application
    assert outcome["imported"] == [], outcome["imported"]
