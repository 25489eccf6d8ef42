"""A constant JSON answered in front of a WSGI application, before Django sees the request:
what gunicorn, the socket and the machine cost on their own. Rung (1) of the floor ladder
(bench/ladder_app.py) and the first row of the load benchmark (bench/wsgi.py)."""


def with_bare_route(application, path: str, body: bytes):
    """`application`, except that `GET path` is answered with `body` by this callable alone."""
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]

    def serve(environ, start_response):
        if environ.get("PATH_INFO") == path:
            start_response("200 OK", headers)
            return [body]
        return application(environ, start_response)

    return serve
