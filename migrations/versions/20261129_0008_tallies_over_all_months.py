"""tallies over all months: each tally cell summed over months, month ''

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 09:00:00

The default results view (no dates) reads one row per cell instead of one
per cell and month. The rows are made here from the monthly ones; the
factor tallies are keyed by month first, so that those rows are read alone.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

SLICE = ('survey_id', 'version_id', 'unit_id', 'month', 'invited',
         'respondent_group', 'hard_flagged')
FACTORS = ('f0', 'f1', 'f2', 'f3', 'f4')
REST = ('version_id', 'invited', 'respondent_group', 'hard_flagged')
TABLES = {
    'response_tallies': ((), ('responses',)),
    'factor_tallies': (FACTORS, ('responses',)),
    'answer_tallies': (
        ('question_id', 'option_id'),
        ('answered', *(f'c{i}' for i in range(11))),
    ),
}


def _sum_over_months(table, extra, counts):
    keys = [c for c in (*SLICE, *extra) if c != 'month']
    sums = ', '.join(f'SUM({c})' for c in counts)
    columns = ', '.join((*keys, 'month', *counts))
    op.execute(
        f"INSERT INTO {table} ({columns}) "
        f"SELECT {', '.join(keys)}, '', {sums} FROM {table} "
        f"WHERE month <> '' GROUP BY {', '.join(keys)}"
    )


def _key_factor_tallies(*key):
    """Give factor_tallies the primary key ``key`` (a new table on SQLite)."""
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE factor_tallies DROP CONSTRAINT pk_factor_tallies')
        op.create_primary_key('pk_factor_tallies', 'factor_tallies', list(key))
        return
    # SQLite: the key of a WITHOUT ROWID table is the table itself.
    columns = (*SLICE, *FACTORS, 'responses')
    op.rename_table('factor_tallies', 'factor_tallies_old')
    op.create_table(
        'factor_tallies',
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('invited', sa.Boolean(), nullable=False),
        sa.Column('respondent_group', sa.String(length=10), nullable=False),
        sa.Column('hard_flagged', sa.Boolean(), nullable=False),
        *(sa.Column(f, sa.SmallInteger(), nullable=False) for f in FACTORS),
        sa.Column('responses', sa.Integer(), nullable=False),
        *(
            sa.ForeignKeyConstraint(
                [name], [f'{target}.id'],
                name=op.f(f'fk_factor_tallies_{name}_{target}'),
            )
            for name, target in (
                ('survey_id', 'surveys'),
                ('version_id', 'survey_versions'),
                ('unit_id', 'units'),
            )
        ),
        sa.PrimaryKeyConstraint(*key, name=op.f('pk_factor_tallies')),
        sqlite_with_rowid=False,
    )
    names = ', '.join(columns)
    op.execute(
        f'INSERT INTO factor_tallies ({names}) SELECT {names} FROM factor_tallies_old'
    )
    op.drop_table('factor_tallies_old')


def upgrade():
    _key_factor_tallies('survey_id', 'month', *FACTORS, 'unit_id', *REST)
    for table, (extra, counts) in TABLES.items():
        _sum_over_months(table, extra, counts)


def downgrade():
    for table in TABLES:
        op.execute(f"DELETE FROM {table} WHERE month = ''")
    _key_factor_tallies('survey_id', *FACTORS, 'unit_id', 'month', *REST)
