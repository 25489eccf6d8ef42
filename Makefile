# TicketHelp — the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The suite runs on PostgreSQL (as production does); override DATABASE_URL to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tickethelp

.PHONY: run test test-sqlite venv dev-venv browser lint clean bench bench-reports soak bench-memory bench-scaleout

$(BIN)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.dev: requirements-dev.txt requirements.txt $(BIN)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(BIN)/.runtime
dev-venv: $(BIN)/.dev

# The browser tests drive Debian's headless Chromium (no browser download is needed).
browser:
	@command -v chromium >/dev/null 2>&1 || { echo "Installing chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## make run: local server on http://127.0.0.1:8000 (SQLite unless DATABASE_URL is set), demo data loaded.
## A PostgreSQL database named by DATABASE_URL is created first when it does not exist.
## seed_demo prints the demo credentials last, right before runserver's banner.
run: venv
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py ensure_database
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver 127.0.0.1:8000

## make test: the whole suite on PostgreSQL ($$DATABASE_URL, default the local server) in
## TEST_WORKERS pytest-xdist processes, each on its own test database (test_<name>_gw<N>);
## the tests that start processes run on one of them, one at a time (docs/TESTING.md).
## Then the SQLite run. Extra pytest options: PYTEST_ARGS (PostgreSQL run), SQLITE_PYTEST_ARGS.
TEST_WORKERS ?= auto
test: dev-venv browser
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --create-db $(PYTEST_ARGS)
	$(MAKE) --no-print-directory test-sqlite

## make test-sqlite: the contract tests and both APIs' main flows on SQLite, the database of
## `make run` (DATABASE_URL unset; the test database is in memory). The tests marked
## postgresql are left out and listed with their reasons.
test-sqlite: dev-venv
	env -u DATABASE_URL $(BIN)/pytest -m "sqlite and not postgresql" $(SQLITE_PYTEST_ARGS)

## make bench: the load benchmark (bench/load.py) at BENCH_SCALES tickets; figures in bench/out/report.md.
## Each scale's data set is generated once in tickethelp_bench_<scale> and kept for the next runs.
BENCH_SCALES ?= 10000 100000 1000000
BENCH_DURATION ?= 8
bench: venv
	@command -v wrk >/dev/null 2>&1 || { echo "Installing wrk for the load benchmark"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/load.py --scales $(BENCH_SCALES) --duration $(BENCH_DURATION)

## make soak: SOAK_MINUTES at SOAK_RATE requests/s on the SOAK_SCALE data set; fails on any error or memory growth.
SOAK_SCALE ?= 100000
SOAK_MINUTES ?= 10
SOAK_RATE ?= 40
soak: venv
	$(BIN)/python bench/soak.py --scale $(SOAK_SCALE) --minutes $(SOAK_MINUTES) --rate $(SOAK_RATE)

## make bench-memory: one gunicorn worker's RSS/PSS/USS after boot, warm-up, 1k, 10k and 100k reads (10k tickets).
bench-memory: dev-venv
	$(BIN)/python bench/memory.py --scale 10000 --checkpoints 1000 10000 100000

## make bench-scaleout: two gunicorn masters + two db_workers on one database, without then with Redis.
bench-scaleout: dev-venv
	$(BIN)/python bench/scaleout.py --scale 10000
	$(BIN)/python bench/scaleout.py --scale 10000 --redis

## make bench-reports: generate BENCH_TICKETS tickets in tickethelp_bench and time every report.
BENCH_TICKETS ?= 1000000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tickethelp_bench
bench-reports: venv
	psql "$(BENCH_DATABASE_URL:%/tickethelp_bench=%/postgres)" -tAc "SELECT 1 FROM pg_database WHERE datname = 'tickethelp_bench'" | grep -q 1 \
	  || createdb -h 127.0.0.1 -U postgres tickethelp_bench
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/generate.py --tickets $(BENCH_TICKETS)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/reports.py --runs 15

lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
