"""gunicorn.conf.py: defaults for a 2-core instance, every knob from the environment."""

import runpy

import pytest

from tests.processes import ROOT
from tickethelp.gunicorn_worker import SlowClientThreadWorker

KNOBS = [
    "PORT",
    "WEB_CONCURRENCY",
    "GUNICORN_THREADS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_GRACEFUL_TIMEOUT",
    "GUNICORN_KEEPALIVE",
    "GUNICORN_MAX_REQUESTS",
    "GUNICORN_MAX_REQUESTS_JITTER",
    "LOG_FORMAT",
    "DEBUG",
    "GUNICORN_BODY_TIMEOUT",
    "MAX_REQUEST_BODY_MB",
    "GUNICORN_CONTROL_SOCKET",
    "GUNICORN_ACCESS_LOG",
    "GUNICORN_GC_FREEZE",
    "GUNICORN_PRELOAD",
]


def _load_config(monkeypatch, **env: str) -> dict:
    for name in KNOBS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_defaults_fit_a_two_core_instance_on_loopback(monkeypatch):
    # when
    config = _load_config(monkeypatch)

    # then
    assert config["bind"] == ["127.0.0.1:8000"]
    assert (config["workers"], config["threads"]) == (2, 4)
    assert issubclass(config["worker_class"], SlowClientThreadWorker)
    assert (config["worker_class"].body_timeout, config["worker_class"].max_buffered_body) == (5, 110 * 1024 * 1024)
    assert (config["timeout"], config["graceful_timeout"], config["keepalive"]) == (30, 30, 5)
    assert (config["max_requests"], config["max_requests_jitter"]) == (50_000, 5_000)
    assert config["worker_tmp_dir"] == "/dev/shm"  # noqa: S108 - tmpfs for the heartbeat file
    assert config["preload_app"] is True  # workers fork from a master that loaded the application
    assert config["accesslog"] is None  # the application's request line is the one line per request
    assert "%({x-request-id}o)s" in config["access_log_format"]
    assert "%(r)s" not in config["access_log_format"]
    assert "%(q)s" not in config["access_log_format"]


def test_the_platform_environment_tunes_it(monkeypatch):
    # when
    config = _load_config(
        monkeypatch,
        PORT="10000",
        WEB_CONCURRENCY="5",
        GUNICORN_THREADS="1",
        GUNICORN_TIMEOUT="60",
        GUNICORN_GRACEFUL_TIMEOUT="20",
        GUNICORN_KEEPALIVE="75",
        GUNICORN_MAX_REQUESTS="500",
        GUNICORN_MAX_REQUESTS_JITTER="50",
        GUNICORN_BODY_TIMEOUT="2",
        MAX_REQUEST_BODY_MB="50",
        GUNICORN_ACCESS_LOG="true",
    )

    # then
    assert config["bind"] == ["0.0.0.0:10000"]
    assert (config["workers"], config["threads"]) == (5, 1)
    assert (config["worker_class"].body_timeout, config["worker_class"].max_buffered_body) == (2, 50 * 1024 * 1024)
    assert (config["timeout"], config["graceful_timeout"], config["keepalive"]) == (60, 20, 75)
    assert (config["max_requests"], config["max_requests_jitter"]) == (500, 50)
    assert config["accesslog"] == "-"


@pytest.mark.parametrize(
    ("env", "json_logs"),
    [
        ({}, True),
        ({"DEBUG": "true"}, False),
        ({"DEBUG": "true", "LOG_FORMAT": "json"}, True),
        ({"LOG_FORMAT": "plain"}, False),
    ],
)
def test_gunicorn_logs_json_exactly_when_the_app_does(monkeypatch, env, json_logs):
    # when
    config = _load_config(monkeypatch, **env)

    # then
    assert ("logger_class" in config) is json_logs
    if json_logs:
        assert config["logger_class"].__name__ == "JsonLogger"


def test_an_unknown_log_format_is_refused(monkeypatch):
    with pytest.raises(ValueError, match="LOG_FORMAT must be one of json, plain, got 'xml'"):
        _load_config(monkeypatch, LOG_FORMAT="xml")


def test_no_control_socket_at_the_path_every_instance_on_the_host_shares(monkeypatch):
    # gunicorn's default, ~/.gunicorn/gunicorn.ctl, is one socket per user, not per instance
    config = _load_config(monkeypatch)

    assert config["control_socket_disable"] is True
    assert "control_socket" not in config


def test_an_instance_can_have_a_control_socket_of_its_own(monkeypatch, tmp_path):
    # when
    config = _load_config(monkeypatch, GUNICORN_CONTROL_SOCKET=str(tmp_path / "web-1.ctl"))

    # then
    assert config["control_socket"] == str(tmp_path / "web-1.ctl")
    assert config["control_socket_mode"] == 0o600
    assert "control_socket_disable" not in config


@pytest.fixture
def gc_state():
    """The collector's permanent generation emptied again after the test."""
    import gc

    yield gc
    gc.unfreeze()


@pytest.mark.parametrize(("env", "frozen"), [({}, True), ({"GUNICORN_GC_FREEZE": "false"}, False)])
def test_a_worker_freezes_what_loading_the_application_built(monkeypatch, gc_state, env, frozen):
    # given the configuration, nothing frozen yet
    config = _load_config(monkeypatch, **env)
    gc_state.unfreeze()

    # when gunicorn calls the hook after the worker loaded the application
    config["post_worker_init"](worker=None)

    # then (by default) what existed is in the permanent generation, out of every collection
    assert (gc_state.get_freeze_count() > 0) is frozen


def test_preloading_can_be_turned_off(monkeypatch):
    # when
    config = _load_config(monkeypatch, GUNICORN_PRELOAD="false")

    # then every worker loads the application itself
    assert config["preload_app"] is False


@pytest.mark.parametrize(
    ("env", "closed", "frozen"),
    [
        ({}, True, True),
        ({"GUNICORN_GC_FREEZE": "false"}, True, False),
        ({"GUNICORN_PRELOAD": "false"}, False, False),
    ],
)
def test_the_preloading_master_forks_without_connections_and_with_its_objects_frozen(
    monkeypatch, gc_state, env, closed, frozen
):
    # given the configuration, nothing frozen yet, and a record of connection closing
    config = _load_config(monkeypatch, **env)
    gc_state.unfreeze()
    from django.db import connections

    closes = []
    monkeypatch.setattr(connections, "close_all", lambda: closes.append(True))

    # when gunicorn calls the hook in the master, before forking the first worker
    config["when_ready"](server=None)

    # then (preloaded) no database connection is left to cross the fork, and what loading
    # built is frozen before it: the workers' collectors never touch those shared pages
    assert bool(closes) is closed
    assert (gc_state.get_freeze_count() > 0) is frozen
