"""Settings of the floor ladder's gunicorn (bench/ladder.py): the load benchmark's settings
(production + the floor route + the query counter) with the ladder's routes in front."""

from bench.settings import *  # noqa: F403 - this module extends the benchmark's settings

ROOT_URLCONF = "bench.ladder_app"
