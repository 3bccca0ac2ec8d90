"""A consistent copy of the SQLite database, taken while the app runs."""

import pytest
from sqlalchemy import create_engine, func, select, text

from survey.extensions import db
from survey.models import Response


@pytest.mark.commits  # the backup reads the file through sqlite3
def test_backup_copies_every_response_and_restores(app, runner, tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("the backup command copies SQLite; PostgreSQL uses pg_dump")
    assert runner.invoke(args=["seed-demo", "--responses", "250"]).exit_code == 0
    target = tmp_path / "copy.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    restored = create_engine(f"sqlite:///{target}")
    with restored.connect() as connection:
        copied = connection.execute(text("SELECT token FROM responses")).scalars().all()
    restored.dispose()
    live = db.session.scalars(select(Response.token)).all()
    # 250 generated responses, plus the demo wave's answered invitations.
    assert sorted(copied) == sorted(live) and len(copied) > 250
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code != 0 and "exists already" in again.output


def test_backup_refuses_postgresql(app, runner, tmp_path, backend):
    if backend != "postgresql":
        pytest.skip("PostgreSQL only")
    result = runner.invoke(args=["backup", str(tmp_path / "x")])
    assert result.exit_code != 0 and "pg_dump" in result.output
    assert db.session.scalar(select(func.count(Response.id))) == 0
