"""Production settings: `check --deploy` is clean, secrets only come from the environment."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

from tests.conftest import PROJECT_ROOT

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ARCHIVE_ALLOW_DEV_SECRET": "false",
    "ARCHIVE_HTTPS": "true",
    "ALLOWED_HOSTS": "archive.example.org",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    done = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_warns_without_https():
    done = manage(
        "check", "--deploy", "--fail-level", "WARNING", **{**PRODUCTION, "ARCHIVE_HTTPS": "false"}
    )
    assert done.returncode != 0
    assert "security.W008" in done.stderr + done.stdout  # SECURE_SSL_REDIRECT


def test_a_deployment_without_a_secret_key_does_not_start():
    env = {**PRODUCTION}
    del env["SECRET_KEY"]
    done = manage("check", **env)
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr


def test_bad_values_stop_start_up_with_a_clear_message():
    done = manage("check", ARCHIVE_RATE_SEARCH="lots")
    assert done.returncode != 0 and "ARCHIVE_RATE_SEARCH must be a rate" in done.stderr
    done = manage("check", ARCHIVE_HTTPS="maybe")
    assert done.returncode != 0 and "ARCHIVE_HTTPS must be a boolean" in done.stderr


def test_collectstatic_writes_hashed_compressed_files(tmp_path):
    """WhiteNoise's CompressedManifestStaticFilesStorage: cache-busting names plus .gz copies,
    which gunicorn then serves with far-future, immutable cache headers."""
    done = manage(
        "collectstatic",
        "--noinput",
        "--verbosity",
        "0",
        ARCHIVE_STATIC_ROOT=str(tmp_path),
        ARCHIVE_VAR_DIR=str(tmp_path / "var"),
    )
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    assert manifest, "no static files collected"
    original, hashed = next((k, v) for k, v in manifest.items() if k.endswith(".css"))
    assert hashed != original and (tmp_path / hashed).exists()
    assert (tmp_path / (hashed + ".gz")).exists()
