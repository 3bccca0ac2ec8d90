"""Citizen-satisfaction survey platform: the application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, request, session
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from survey.config import ConfigError, load_config
from survey.extensions import babel, csrf, db, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent

__all__ = ["ConfigError", "create_app", "check_database"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides what the environment gives."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    from survey.web import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter  # before any route
    app.config.from_mapping(load_config(app.instance_path))
    if config:
        app.config.update(config)
    if app.testing and not _explicit("RATELIMIT_STORAGE_URI", config):
        # A test's counters start at zero: never the instance's shared file.
        app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    if app.config["PROXY_FIX_X_FOR"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX_X_FOR"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    if app.config.get("SURVEY_REPLICA_URL"):
        from survey.replica import BIND, bind_config

        binds = app.config.setdefault("SQLALCHEMY_BINDS", {})
        binds[BIND] = bind_config(app.config["SURVEY_REPLICA_URL"])
    register_template_cache(app)
    register_extensions(app)
    register_blueprints(app)
    register_errors(app)
    register_hooks(app)
    register_cli(app)
    return app


def _explicit(name: str, config: dict[str, Any] | None) -> bool:
    import os

    return bool(os.environ.get(name)) or name in (config or {})


def register_template_cache(app: Flask) -> None:
    """Keep compiled templates in ``instance/jinja-cache``, for every worker.

    A new worker's first page then loads the templates' compiled code instead
    of compiling them (170 ms of the results overview's first view). Jinja
    keys each file by the template's source, so an edited template is
    compiled afresh; files are written whole, then renamed.
    """
    from jinja2 import FileSystemBytecodeCache

    folder = Path(app.instance_path) / "jinja-cache"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only deployment: compile in memory as before
        return
    app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(folder))


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    app.teardown_appcontext(remove_session_safely)  # runs before Flask-SQLAlchemy's
    migrate.init_app(
        app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    import survey.ratelimit  # noqa: F401 - registers survey+sqlite:// with limits

    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"

    from survey.auth.views import load_user

    login_manager.user_loader(load_user)


def register_blueprints(app: Flask) -> None:
    from survey.admin.views import bp as admin_bp
    from survey.api.cases import bp as api_bp
    from survey.auth.views import bp as auth_bp
    from survey.channels.views import bp as channels_bp
    from survey.health import bp as health_bp
    from survey.public.invitations import bp as invitations_bp
    from survey.public.views import bp as public_bp
    from survey.results import history_views  # noqa: F401 - its route on results_bp
    from survey.results.open_views import bp as open_bp
    from survey.results.views import bp as results_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(results_bp, url_prefix="/results")
    app.register_blueprint(open_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(invitations_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(channels_bp)


def register_errors(app: Flask) -> None:
    from survey.errors import register_error_handlers

    register_error_handlers(app)


def register_hooks(app: Flask) -> None:
    from survey.assets import init_assets
    from survey.read_limits import init_read_limits
    from survey.replica import init_replica
    from survey.web import (
        add_security_headers,
        compress_response,
        guard_json_body,
        refuse_nul_bytes,
        template_globals,
    )

    init_assets(app)
    init_replica(app)
    init_read_limits(app)
    app.before_request(refuse_nul_bytes)
    app.before_request(guard_json_body)

    app.after_request(add_security_headers)
    app.after_request(compress_response)
    app.context_processor(template_globals)


def register_cli(app: Flask) -> None:
    from survey.cli import register_commands

    register_commands(app)


def select_locale() -> str:
    """``?lang=`` wins and is remembered in the session; Vietnamese by default."""
    languages = ("vi", "en")
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    remembered = session.get("lang")
    return remembered if remembered in languages else "vi"


def current_lang() -> str:
    """The page's language as a two-letter code."""
    if "lang" not in g:
        from flask_babel import get_locale

        g.lang = str(get_locale() or "vi")
    lang: str = g.lang
    return lang


def remove_session_safely(_error: BaseException | None) -> None:
    """End the request's session even when the database died under it.

    Closing rolls back; on a connection the server just terminated that
    rollback raises, which would turn a finished response into a 500.
    """
    try:
        db.session.remove()
    except Exception:  # the connection is gone; it was invalidated on the way
        current_app.logger.warning("database connection lost while ending a request")
        try:
            db.session.remove()
        except Exception:  # noqa: S110 - nothing more to release
            pass


def check_database(app: Flask) -> None:
    """Raise ConfigError with one line when the database cannot be reached."""
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # any driver error means the same to the operator
            url = db.engine.url.render_as_string(hide_password=True)
            reason = str(error).strip().splitlines()[0][:200]
            raise ConfigError(f"cannot reach the database {url}: {reason}") from None


def _make_private(cursor: Any) -> None:
    """Only the app's own user may read the SQLite file (and its WAL files):
    it holds the responses, the phone numbers of open waves, the users'
    password hashes."""
    for _seq, name, path in cursor.execute("PRAGMA database_list").fetchall():
        if name != "main" or not path:
            continue  # an in-memory database
        for file in (Path(path), Path(path + "-wal"), Path(path + "-shm")):
            try:
                if file.exists() and file.stat().st_mode & 0o077:
                    file.chmod(0o600)
            except OSError:  # not ours (a read-only mount): leave it
                pass


@event.listens_for(Engine, "connect")
def _connection_settings(dbapi_connection: Any, _record: Any) -> None:
    """WAL, foreign keys and a busy timeout on every SQLite connection; no
    JIT compilation on PostgreSQL's.

    PostgreSQL compiles a query when its estimated cost is high, as the
    results pages' counts (tallies plus the rows not yet folded) are: 40 ms
    of compiling per query for 1-50 ms of running, ten times a page.
    """
    module = type(dbapi_connection).__module__
    if module.startswith("psycopg"):
        dbapi_connection.execute("SET jit = off")
        dbapi_connection.commit()  # a SET rolled back would be undone
        return
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    _make_private(cursor)
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
