"""Configuration: safe defaults for the embedded mode, overridden by the environment.

Nothing here reads the environment at import time; ``load_config`` is called by
``create_app``.
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any


class ConfigError(RuntimeError):
    """A configuration value is missing or wrong; the message is one clear line."""


def _bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def _int(name: str, value: str, minimum: int = 0) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {number}")
    return number


def _secret_key(instance_path: Path) -> str:
    """The key from SECRET_KEY, else one generated once and kept under instance/."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _database_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` spelled for the psycopg driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(
    instance_path: str, environ: dict[str, str] | None = None
) -> dict[str, Any]:
    """Build the configuration from the environment, with embedded-mode defaults."""
    env = dict(os.environ if environ is None else environ)
    instance = Path(instance_path)
    production = env.get("SURVEY_ENV", "development").strip().lower() == "production"
    secret = env.get("SECRET_KEY", "").strip()
    if not secret:
        if production:
            raise ConfigError("SECRET_KEY must be set when SURVEY_ENV=production")
        secret = _secret_key(instance)
    elif len(secret) < 16:
        raise ConfigError("SECRET_KEY must be at least 16 characters long")

    database_url = _database_url(
        env.get("DATABASE_URL", "").strip()
        or (f"sqlite:///{instance / 'survey.sqlite3'}")
    )
    if not database_url.startswith(("sqlite://", "postgresql+psycopg://")):
        raise ConfigError(
            "DATABASE_URL must start with sqlite:// or postgresql://, "
            f"not {database_url.split(':', 1)[0]!r}"
        )
    replica_url = _database_url(env.get("SURVEY_REPLICA_URL", "").strip())
    if replica_url and not replica_url.startswith("postgresql+psycopg://"):
        raise ConfigError(
            "SURVEY_REPLICA_URL must start with postgresql:// (a PostgreSQL "
            f"standby), not {replica_url.split(':', 1)[0]!r}"
        )

    base_url = env.get("SURVEY_BASE_URL", "").strip().rstrip("/")
    if base_url and not re.fullmatch(
        r"https?://[A-Za-z0-9.\-]+(:\d+)?(/[^\s?#]*)?", base_url
    ):
        raise ConfigError(
            f"SURVEY_BASE_URL must be an http(s) address like "
            f"https://survey.city.gov.vn, not {base_url!r}"
        )
    hosts = [h.strip() for h in env.get("SURVEY_TRUSTED_HOSTS", "").split(",")]

    return {
        "SECRET_KEY": secret,
        # Absolute links (QR codes, posters, invitations) start with this.
        "SURVEY_BASE_URL": base_url,
        # Flask answers 400 to any other Host header; empty: any host.
        "TRUSTED_HOSTS": [h for h in hosts if h] or None,
        "SURVEY_ENV": "production" if production else "development",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # A hot standby the results pages read from (survey/replica.py).
        "SURVEY_REPLICA_URL": replica_url,
        "SURVEY_REPLICA_MAX_LAG_SECONDS": _int(
            "SURVEY_REPLICA_MAX_LAG_SECONDS",
            env.get("SURVEY_REPLICA_MAX_LAG_SECONDS", "10"),
        ),
        "SURVEY_REPLICA_RETRY_SECONDS": _int(
            "SURVEY_REPLICA_RETRY_SECONDS",
            env.get("SURVEY_REPLICA_RETRY_SECONDS", "30"),
        ),
        # No statement of a results page runs longer (survey/read_limits.py);
        # 0: no limit.
        "SURVEY_RESULTS_TIMEOUT_MS": _int(
            "SURVEY_RESULTS_TIMEOUT_MS", env.get("SURVEY_RESULTS_TIMEOUT_MS", "5000")
        ),
        # Shared by every worker of the host (survey/ratelimit.py); Redis
        # wherever several hosts serve the app.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "").strip()
        or f"survey+sqlite:///{(instance / 'ratelimits.sqlite3').resolve()}",
        "RATELIMIT_HEADERS_ENABLED": True,
        # The limits' storage failing (a read-only instance folder, Redis
        # down) limits in the worker's memory instead of answering 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_ENABLED": _bool(
            "RATELIMIT_ENABLED", env.get("RATELIMIT_ENABLED", "true")
        ),
        # Large exports made by the job worker (shared by web and worker hosts).
        "EXPORT_DIR": env.get("SURVEY_EXPORT_DIR", "").strip(),
        "SURVEY_SUBMIT_LIMIT": env.get("SURVEY_SUBMIT_LIMIT", "30 per minute"),
        "SURVEY_LOGIN_LIMIT": env.get("SURVEY_LOGIN_LIMIT", "10 per minute"),
        # Openings of the public form per client: each issues a ticket, so
        # tickets cannot be collected in bulk.
        "SURVEY_TICKET_LIMIT": env.get("SURVEY_TICKET_LIMIT", "120 per hour"),
        # Units whose public form runs on a kiosk (codes, comma-separated):
        # set by an administrator, never by a link (survey/public/devices.py).
        "SURVEY_KIOSK_UNITS": tuple(
            code.strip()
            for code in env.get("SURVEY_KIOSK_UNITS", "").split(",")
            if code.strip()
        ),
        # How old a worker's copy of a survey or service point may be when a
        # citizen's page uses it (services/answering/surveys.py, _kept); 0: none kept.
        "SURVEY_CACHE_SECONDS": _int(
            "SURVEY_CACHE_SECONDS", env.get("SURVEY_CACHE_SECONDS", "2")
        ),
        # The form's first page rendered once per worker and version
        # (public/page_cache.py). Unset: on, except in tests (app.testing).
        "SURVEY_PAGE_CACHE": _bool("SURVEY_PAGE_CACHE", env["SURVEY_PAGE_CACHE"])
        if env.get("SURVEY_PAGE_CACHE", "").strip()
        else None,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LANGUAGES": ("vi", "en"),
        "WTF_CSRF_TIME_LIMIT": 6 * 3600,  # a long form on a slow phone
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(
            "SESSION_COOKIE_SECURE", env.get("SESSION_COOKIE_SECURE", str(production))
        ),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": timedelta(
            minutes=_int("SESSION_MINUTES", env.get("SESSION_MINUTES", "60"), 1)
        ),
        "SEND_FILE_MAX_AGE_DEFAULT": 3600,
        # How many proxies (load balancers) in front set X-Forwarded-For: the
        # rate limits and repeated-device checks need the citizen's address.
        "PROXY_FIX_X_FOR": _int("PROXY_FIX_X_FOR", env.get("PROXY_FIX_X_FOR", "0")),
    }
