"""Shared fixtures: ``world`` (the personas of core.testing.world) for every app's tests."""

import os

import pytest  # noqa: E402

from hongqing.core.testing.contracts import world  # noqa: F401


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2 is slow on purpose; tests create a dozen users each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Under pytest-xdist (scripts/run_suites.sh) each worker keeps its uploads apart from the others'.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        settings.MEDIA_ROOT = settings.MEDIA_ROOT / worker
