"""Swagger UI renders in a real headless Chromium that can reach no host but this server."""

import shutil
import subprocess

import pytest

from tests.contract.test_api_docs import USERS_SECTION_PATHS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_every_users_endpoint_offline(live_server):
    # given a browser for which every host name except the test server fails to resolve
    argv = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
        # Swagger UI renders the tags as they scroll into view: a window tall enough for the
        # whole document shows every one (past ~130 operations the default window showed only
        # the first tag).
        "--window-size=1280,20000",
        "--virtual-time-budget=15000",
        "--dump-dom",
        f"{live_server.url}/api/docs/",
    ]

    # when it loads the documentation page and lets its scripts run
    dom = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=True).stdout  # noqa: S603

    # then the UI was built from the local bundle and shows every documented path
    assert 'class="swagger-ui' in dom
    for path in USERS_SECTION_PATHS:
        assert f'data-path="{path}"' in dom, path
