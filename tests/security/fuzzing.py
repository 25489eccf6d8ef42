"""Schema-driven fuzzing of the API, in process: schemathesis generates requests from the
project's own OpenAPI document, they are sent to the Django WSGI application (no server) with
each role's Bearer token, and every response is checked against the same document.

Each request runs in a savepoint that is rolled back afterwards, so every generated request
meets the same seeded data (a DELETE or a password change does not leak into the next one)
and a database error inside a request cannot poison the test's transaction.
"""

import traceback
from collections import Counter
from dataclasses import dataclass, field

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.transport.prepare import get_exclude_headers

ROLES = ("anonymous", "CLIENT", "tenant", "TECH", "ADMIN")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class InProcessApp:
    """Django's WSGI handler for tests: the request runs inside a rolled-back savepoint, the
    connection is not closed at the end of the request (as Django's own test client does),
    and the traceback of an unhandled exception is kept for the report."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.last_exception: str | None = None

    def _record_exception(self, sender, request=None, **kwargs) -> None:
        self.last_exception = traceback.format_exc()

    def __call__(self, environ, start_response):
        self.last_exception = None
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        got_request_exception.connect(self._record_exception)
        try:
            with transaction.atomic():
                response = self.handler(environ, start_response)
                try:
                    body = b"".join(response)
                finally:
                    response.close()
                transaction.set_rollback(True)
        finally:
            got_request_exception.disconnect(self._record_exception)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [body]


@dataclass
class FuzzReport:
    calls: Counter = field(default_factory=Counter)  # "METHOD /path" -> requests sent
    statuses: Counter = field(default_factory=Counter)  # ("METHOD /path", status) -> responses
    # (operation, failed checks) -> roles that met it, and the first report of it
    failures: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def record_failure(self, *, operation: str, checks: str, role: str, detail: str) -> None:
        roles, _ = self.failures.setdefault((operation, checks), (set(), detail))
        roles.add(role)

    def summary(self) -> list[str]:
        return [
            f"{operation} as {', '.join(sorted(roles))}: {checks}\n{detail}"
            for (operation, checks), (roles, detail) in sorted(self.failures.items())
        ]


def operation_label(operation) -> str:
    return f"{operation.method.upper()} {operation.path}"


def known_path_values(operation, path_values: dict) -> dict:
    """Path parameters of `operation` that name seeded rows (see `path_values` of the test)."""
    chosen = {}
    for parameter in operation.path_parameters:
        name = parameter.name
        candidates = path_values.get((operation.path.split("/")[2], name)) or path_values.get(name)
        if candidates:
            chosen[name] = candidates
    return chosen


def fuzz_operation(
    *,
    app: InProcessApp,
    operation,
    role: str,
    token: str | None,
    path_values: dict,
    examples: int,
    report: FuzzReport,
    fuzz_seed: int,
) -> None:
    """Send `examples` generated requests (valid and invalid ones) to one operation as one role."""
    label = operation_label(operation)
    known = known_path_values(operation, path_values)
    known_strategy = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in known.items()})
    modes = st.sampled_from([GenerationMode.POSITIVE, GenerationMode.NEGATIVE])

    @seed(fuzz_seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data(), use_known=st.booleans() if known else st.just(False), mode=modes)
    def run(data, use_known, mode):
        case = data.draw(operation.as_strategy(generation_mode=mode))
        if use_known:
            # Half of the requests address rows that exist, so success bodies get checked too.
            case.path_parameters = {**(case.path_parameters or {}), **data.draw(known_strategy)}
        headers = {key: value for key, value in (case.headers or {}).items() if key.lower() != "authorization"}
        case.headers = headers
        if token:
            headers = {**headers, "Authorization": f"Bearer {token}"}
        response = case.call(headers=headers, app=app)
        # A negative case may be "no Authorization header": the transport then drops the
        # token, and the request was an anonymous one whatever role it was drawn for.
        sent_as = "anonymous" if "Authorization" in get_exclude_headers(case) else role
        report.calls[label] += 1
        report.statuses[(label, response.status_code)] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            detail = str(group) + (f"\n{app.last_exception}" if app.last_exception else "")
            checks = ", ".join(sorted({failure.title for failure in group.exceptions}))
            report.record_failure(operation=label, checks=checks, role=sent_as, detail=detail)

    run()


def documented_body_errors(schema_document: dict, method: str, path: str, status: int, body) -> list[str]:
    """Why `body` does not match what the document promises for `method path` answering
    `status` as JSON (an empty list when it does, or a message when the status is undocumented)."""
    from tests.contract.test_openapi_operations import validator_for

    responses = schema_document["paths"][path][method.lower()]["responses"]
    if str(status) not in responses:
        return [f"{status} is not documented for {method} {path}"]
    media = responses[str(status)].get("content", {}).get("application/json")
    if media is None:
        return [f"{status} of {method} {path} has no JSON body"]
    return [error.message for error in validator_for(schema_document, media).iter_errors(body)]
