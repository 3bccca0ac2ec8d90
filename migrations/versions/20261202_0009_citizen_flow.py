"""citizen flow: richer conditions, end rules, whole numbers, screened-out responses

Revision ID: 0009_citizen_flow
Revises: 0008
Create Date: 2026-12-02 16:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_citizen_flow"
down_revision = "0008"
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
    with op.batch_alter_table("responses") as batch:
        batch.drop_column("screened_out")
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("whole_number")
        batch.drop_column("end_if")
        batch.drop_column("show_if")
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("show_if")
