"""The load benchmark's WSGI entry point: the application exactly as deployed
(`tickethelp.wsgi`), plus `GET /bench/bare/`, a constant JSON answered before Django.

That row of bench/load.py is what gunicorn, the socket and this machine cost on their own
under the same load, in the same run: a tail the application cannot go below.
"""

from tickethelp.wsgi import application as deployed

BARE_PATH = "/bench/bare/"
BARE_BODY = b'{"message": "bare"}'
BARE_HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BARE_BODY)))]


def application(environ, start_response):
    if environ.get("PATH_INFO") == BARE_PATH:
        start_response("200 OK", BARE_HEADERS)
        return [BARE_BODY]
    return deployed(environ, start_response)
