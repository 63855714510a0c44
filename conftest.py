"""Test set-up shared by the whole suite: database and browser availability, personas.

Tests that need PostgreSQL or Chromium skip with a clear message when those are missing, unless
TUOYU_REQUIRE_ALL=1 (set by .ci/run), which turns every such skip into a failure.
"""

from __future__ import annotations

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REQUIRE_ALL = os.environ.get("TUOYU_REQUIRE_ALL", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def skip_or_fail(reason: str) -> None:
    """Skip locally; fail in CI, where everything must run."""
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (TUOYU_REQUIRE_ALL=1 forbids skipping)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):  # type: ignore[no-untyped-def]
    if not CHROMIUM:
        skip_or_fail("Chromium not found: install Debian's chromium package or set CHROMIUM_PATH")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


def pytest_report_header(config):  # type: ignore[no-untyped-def]
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return [f"tuoyu: database={engine} chromium={CHROMIUM or 'missing'} require_all={REQUIRE_ALL}"]


pytest_plugins = ["tuoyu.core.tests.personas"]


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations(django_db_blocker):  # type: ignore[no-untyped-def]
    """Compile the .po catalogues once, so a bare `pytest` sees the Chinese UI like `make test` does."""
    from django.core.management import call_command

    call_command("compile_translations", verbosity=0)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """Argon2 is deliberately slow; personas hash nine passwords per test. Production keeps Argon2
    (checked by test_production_hashes_passwords_with_argon2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests build new institutions between requests: the public grid must notice them at once.
    settings.TUOYU_PUBLIC_GRID_RECHECK_SECONDS = 0


@pytest.fixture
def english():  # type: ignore[no-untyped-def]
    """Run a test in English, for tests that match message text (the default UI language is Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Uploaded files of a test go to its own folder, not to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
