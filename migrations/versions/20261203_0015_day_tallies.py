"""day tallies: the tallies' cells per local day, beside the monthly ones

Revision ID: 0015_day_tallies
Revises: 0014_fieldwork
Create Date: 2026-12-03 11:00:00

A date range that is not whole months reads its partial months from these,
and the weekly trend reads them grouped by week. They are filled by the
fold, which counts each batch per day and adds the days up per month; the
existing tallies are emptied and every response marked waiting, so the
figures stay right meanwhile (counted from the rows) and ``flask tallies
fold`` (or ``rebuild``) refills the three levels together.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_day_tallies'
down_revision = '0014_fieldwork'
branch_labels = None
depends_on = None

MONTHLY = ('response_tallies', 'factor_tallies', 'answer_tallies')
SLICE = (
    ('survey_id', 'surveys'),
    ('version_id', 'survey_versions'),
    ('unit_id', 'units'),
)
FACTORS = ('f0', 'f1', 'f2', 'f3', 'f4')
REST = ('unit_id', 'version_id', 'invited', 'respondent_group', 'hard_flagged')


def _slice_columns(table):
    return [
        *(sa.Column(name, sa.Integer(), nullable=False) for name, _ in SLICE),
        sa.Column('day', sa.String(length=10), nullable=False),
        sa.Column('invited', sa.Boolean(), nullable=False),
        sa.Column('respondent_group', sa.String(length=10), nullable=False),
        sa.Column('hard_flagged', sa.Boolean(), nullable=False),
        *(
            sa.ForeignKeyConstraint(
                [name], [f'{target}.id'], name=op.f(f'fk_{table}_{name}_{target}')
            )
            for name, target in SLICE
        ),
    ]


def _key_sum():
    return sa.Column('key_sum', sa.BigInteger(), server_default='0', nullable=False)


def upgrade():
    # WITHOUT ROWID on SQLite: the primary key is the table, in read order.
    op.create_table(
        'response_day_tallies',
        *_slice_columns('response_day_tallies'),
        sa.Column('responses', sa.Integer(), nullable=False),
        _key_sum(),
        sa.PrimaryKeyConstraint(
            'survey_id', 'day', *REST, name=op.f('pk_response_day_tallies')
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'factor_day_tallies',
        *_slice_columns('factor_day_tallies'),
        *(sa.Column(f, sa.SmallInteger(), nullable=False) for f in FACTORS),
        sa.Column('responses', sa.Integer(), nullable=False),
        _key_sum(),
        sa.PrimaryKeyConstraint(
            'survey_id', 'day', *FACTORS, *REST, name=op.f('pk_factor_day_tallies')
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'answer_day_tallies',
        *_slice_columns('answer_day_tallies'),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('option_id', sa.Integer(), nullable=False),
        sa.Column('answered', sa.Integer(), nullable=False),
        *(sa.Column(f'c{i}', sa.Integer(), nullable=False) for i in range(11)),
        sa.Column('code_key', sa.BigInteger(), server_default='0', nullable=False),
        sa.Column(
            'answered_key', sa.BigInteger(), server_default='0', nullable=False
        ),
        sa.ForeignKeyConstraint(
            ['question_id'], ['questions.id'],
            name=op.f('fk_answer_day_tallies_question_id_questions'),
        ),
        sa.PrimaryKeyConstraint(
            'question_id', 'option_id', 'day', *REST, 'survey_id',
            name=op.f('pk_answer_day_tallies'),
        ),
        sqlite_with_rowid=False,
    )
    # Refold everything: the days and the months from the same counts.
    for table in MONTHLY:
        op.execute(f'DELETE FROM {table}')
    op.execute('UPDATE responses SET tally_batch = NULL')


def downgrade():
    # The monthly tallies stay right without the days: nothing to refold.
    op.drop_table('answer_day_tallies')
    op.drop_table('factor_day_tallies')
    op.drop_table('response_day_tallies')
