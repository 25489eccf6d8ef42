"""The load benchmark's WSGI entry point: the application exactly as deployed
(`tickethelp.wsgi`), plus `GET /bench/bare/`, a constant JSON answered before Django.

That row of bench/load.py is what gunicorn, the socket and this machine cost on their own
under the same load, in the same run: a tail the application cannot go below.
"""

from bench.bare import with_bare_route
from tickethelp.wsgi import application as deployed

application = with_bare_route(deployed, "/bench/bare/", b'{"message": "bare"}')
