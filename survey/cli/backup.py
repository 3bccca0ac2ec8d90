"""``backup``: an online copy of the SQLite database."""

from __future__ import annotations

import click

from survey.extensions import db


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, writable=True))
def backup_command(target: str) -> None:
    """Copy the SQLite database consistently while the app keeps running.

    Uses SQLite's online backup: readers and writers go on, and the copy is a
    snapshot of one moment. For PostgreSQL use pg_dump (see the README).
    """
    import sqlite3
    from pathlib import Path

    engine = db.engine
    if engine.dialect.name != "sqlite":
        raise click.ClickException(
            "backup copies SQLite only; use pg_dump for PostgreSQL"
        )
    source_path = engine.url.database
    if not source_path or not Path(source_path).exists():
        raise click.ClickException(f"no SQLite database at {source_path}")
    if Path(target).exists():
        raise click.ClickException(f"{target} exists already; choose a new file")
    source = sqlite3.connect(source_path, timeout=30)
    Path(target).touch(mode=0o600)  # the copy is as private as the database
    copy = sqlite3.connect(target)
    try:
        with click.progressbar(length=100, label="Copying") as bar:

            def report(_status: int, remaining: int, total: int) -> None:
                bar.update(int(100 * (total - remaining) / max(total, 1)) - bar.pos)

            source.backup(copy, pages=1024, progress=report)
    finally:
        copy.close()
        source.close()
    click.echo(f"Backed up {source_path} to {target}.")
