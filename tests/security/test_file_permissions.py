"""The SQLite database and its backups are readable by the app's user only."""

import os
import stat

from survey import create_app
from survey.extensions import db


def test_the_sqlite_file_is_private(tmp_path):
    path = tmp_path / "fresh.sqlite3"
    old = os.umask(0o022)
    try:
        app = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                "SECRET_KEY": "test-secret-key-not-for-production",
            }
        )
        with app.app_context():
            with db.engine.connect() as connection:
                connection.exec_driver_sql("CREATE TABLE t (x)")
                connection.commit()
            db.engine.dispose()
            with db.engine.connect() as connection:  # the next connection fixes it
                connection.exec_driver_sql("SELECT 1")
            runner = app.test_cli_runner()
            result = runner.invoke(args=["backup", str(tmp_path / "copy.sqlite3")])
            assert result.exit_code == 0, result.output
            db.engine.dispose()
    finally:
        os.umask(old)
    for name in ("fresh.sqlite3", "copy.sqlite3"):
        mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))
