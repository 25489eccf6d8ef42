"""Uploads: local disk by default, S3-compatible object storage (presigned URLs) when a bucket
is configured. Presigning is local computation: no network is needed."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.test import override_settings
from storages.backends.s3 import S3Storage

ROOT = Path(__file__).resolve().parents[2]

S3_ENV = {
    "AWS_STORAGE_BUCKET_NAME": "tickethelp-test",
    "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_S3_REGION_NAME": "us-east-1",
    "AWS_ACCESS_KEY_ID": "fake-access-key",
    "AWS_SECRET_ACCESS_KEY": "fake-secret-key",
}
# What tickethelp/settings.py builds from S3_ENV.
S3_STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "tickethelp-test",
            "endpoint_url": "http://127.0.0.1:9",
            "region_name": "us-east-1",
            "access_key": "fake-access-key",
            "secret_key": "fake-secret-key",
            "signature_version": "s3v4",
            "addressing_style": None,
            "querystring_auth": True,
            "querystring_expire": 3600,
            "default_acl": None,
            "file_overwrite": False,
        },
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def settings_storages(extra_env: dict[str, str]) -> dict:
    """STORAGES as tickethelp.settings computes it in a fresh interpreter with this environment."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update({"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "tickethelp.settings", **extra_env})
    output = subprocess.run(
        [sys.executable, "-c", "import json; from tickethelp import settings; print(json.dumps(settings.STORAGES))"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(output.stdout)


def test_local_disk_is_the_default():
    assert settings_storages({})["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert isinstance(storages["default"], FileSystemStorage)


def test_a_bucket_in_the_environment_selects_s3_with_private_presigned_urls():
    assert settings_storages(S3_ENV)["default"] == S3_STORAGES["default"]


def test_with_the_s3_settings_the_default_storage_presigns_expiring_urls():
    # given the settings a bucket in the environment produces
    with override_settings(STORAGES=S3_STORAGES):
        # then Django's default storage is the S3 backend
        assert isinstance(default_storage, S3Storage)
        assert default_storage.file_overwrite is False
        assert default_storage.default_acl is None
        # and a file's URL is presigned (SigV4), in the bucket, expiring in an hour
        url = default_storage.url("tickets/42/foto de prueba.png")

    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}" == "http://127.0.0.1:9"
    assert parts.path == "/tickethelp-test/tickets/42/foto%20de%20prueba.png"
    assert query["X-Amz-Expires"] == ["3600"]
    assert len(query["X-Amz-Signature"][0]) == 64
    assert query["X-Amz-Credential"][0].startswith("fake-access-key/")
    # and once the override ends, files go to local disk again
    assert isinstance(default_storage, FileSystemStorage)
