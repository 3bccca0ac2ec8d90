"""cell keys: a random record key per response, key sums in the tallies

Revision ID: 0012_cell_keys
Revises: 0011_citizen_flow
Create Date: 2026-12-02 17:00:00

The cell-key method (survey.domain.disclosure) perturbs each published count
by a noise drawn from the sum of its records' keys. Existing responses get a
random key here; the tallies get their key sums by being emptied and folded
again: every response is marked waiting (the figures stay right meanwhile,
counted from the rows), and ``flask tallies fold`` (or ``rebuild``) refolds.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_cell_keys'
down_revision = '0011_citizen_flow'
branch_labels = None
depends_on = None

MODULUS = 1 << 30  # survey.domain.disclosure.KEY_MODULUS
TALLY_KEYS = {
    'response_tallies': ('key_sum',),
    'factor_tallies': ('key_sum',),
    'answer_tallies': ('code_key', 'answered_key'),
}


def upgrade():
    op.add_column(
        'responses',
        sa.Column('record_key', sa.Integer(), server_default='0', nullable=False),
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            f'UPDATE responses SET record_key = floor(random() * {MODULUS})::int'
        )
    else:
        op.execute(f'UPDATE responses SET record_key = abs(random()) % {MODULUS}')
    for table, columns in TALLY_KEYS.items():
        op.execute(f'DELETE FROM {table}')
        for column in columns:
            op.add_column(
                table,
                sa.Column(column, sa.BigInteger(), server_default='0', nullable=False),
            )
    op.execute('UPDATE responses SET tally_batch = NULL')


def downgrade():
    # The counts stay right without their key sums: nothing to refold.
    for table, columns in TALLY_KEYS.items():
        for column in columns:
            op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
    op.execute('ALTER TABLE responses DROP COLUMN record_key')
