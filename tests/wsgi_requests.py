"""A GET request handed straight to a WSGI application, as gunicorn hands it over (for tests
that need the deployed handler itself: its middleware, request signals and closing)."""

import io


def get(application, path: str, **headers: str) -> tuple[str, dict, bytes]:
    """(status line, headers, body) of `GET path`; `headers` as WSGI keys (HTTP_...)."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "HTTP_ACCEPT": "application/json",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        **headers,
    }
    started = []

    def start_response(status, response_headers, exc_info=None):
        started.append((status, response_headers))

    response = application(environ, start_response)
    try:
        body = b"".join(response)
    finally:
        getattr(response, "close", lambda: None)()  # request_finished, as gunicorn sends it
    status, response_headers = started[0]
    return status, dict(response_headers), body
