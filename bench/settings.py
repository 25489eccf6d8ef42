"""Settings of the load benchmark's gunicorn: the production settings (`DEBUG` off, same
middleware, same database options) plus two additions that exist only here — the floor
view's route and a response header with the SQL queries the request ran."""

from tickethelp.settings import *  # noqa: F403 - this module extends the production settings
from tickethelp.settings import MIDDLEWARE

ROOT_URLCONF = "bench.server"
MIDDLEWARE = ["bench.server.QueryCountMiddleware", *MIDDLEWARE]
