"""The migrations build the schema from nothing and agree with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from survey.extensions import db


def test_upgrade_from_empty_matches_the_models(app):
    # The session fixture migrated this database from empty; check the result.
    with db.engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection), db.metadata
        )
        version = connection.execute(
            text("SELECT version_num FROM alembic_version")
        ).scalar()
    assert differences == []
    assert version is not None
    tables = set(inspect(db.engine).get_table_names())
    assert {
        "units",
        "surveys",
        "survey_versions",
        "questions",
        "responses",
        "answers",
    } <= tables


def test_upgrade_is_idempotent(app):
    upgrade()  # already at head: nothing to do, no error
