"""citizen flow: richer conditions, end rules, whole numbers, screened-out responses

Revision ID: 0011_citizen_flow
Revises: 0010_outbox
Create Date: 2026-12-02 16:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_citizen_flow"
down_revision = "0010_outbox"
branch_labels = None
depends_on = None


def upgrade():
    # Added columns only: SQLite adds them in place, no table copy. The
    # existing condition columns stay as they are and keep their meaning.
    op.add_column("pages", sa.Column("show_if", sa.JSON(), nullable=True))
    op.add_column("questions", sa.Column("show_if", sa.JSON(), nullable=True))
    op.add_column("questions", sa.Column("end_if", sa.JSON(), nullable=True))
    op.add_column(
        "questions",
        sa.Column(
            "whole_number", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
    )
    op.add_column(
        "responses",
        sa.Column(
            "screened_out", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
    )


def downgrade():
    # DROP COLUMN in place (SQLite 3.35 and later, PostgreSQL): a batch copy
    # of "questions" would trip over the foreign keys that point at it.
    for table, column in (
        ("responses", "screened_out"),
        ("questions", "whole_number"),
        ("questions", "end_if"),
        ("questions", "show_if"),
        ("pages", "show_if"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
