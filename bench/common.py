"""Shared by the bench scripts: paths, database URLs, the Django environment, small statistics.

Nothing here imports Django at module level: each script sets the environment first, then sets up.
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"  # git-ignored
PYTHON = sys.executable

SCALES = ("hospital", "region")
# A throwaway key: the bench server runs with DEBUG off, which requires one.
BENCH_SECRET_KEY = "bench-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz-hongqing"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


def sqlite_path(url: str) -> Path:
    # As dj-database-url reads it: sqlite:////abs/path is /abs/path, sqlite:///rel is rel.
    return Path(urlsplit(url).path[1:])


def default_url(scale: str) -> str:
    return f"sqlite:///{OUT_DIR / f'{scale}.sqlite3'}"


def scale_url(base: str | None, scale: str) -> str:
    """The database of one scale: bench/out/<scale>.sqlite3, <file>-<scale>.sqlite3, or the PostgreSQL
    database hongqing_bench_<scale> on the server of ``base`` (created by generate.py)."""
    if not base:
        return default_url(scale)
    if is_sqlite(base):
        p = sqlite_path(base)
        suffix = p.suffix or ".sqlite3"
        return f"sqlite:///{p.with_name(p.stem + '-' + scale + suffix)}"
    return urlunsplit(urlsplit(base)._replace(path=f"/hongqing_bench_{scale}"))


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def django_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of a production-like process on ``url``: DEBUG off, plain HTTP on localhost."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="hongqing.config.settings",
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY=BENCH_SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        STATIC_ROOT=str(OUT_DIR / "static"),
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def setup_django(url: str, **extra: str) -> None:
    os.environ.update(django_env(url, **extra))
    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile, q in [0, 100]."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
