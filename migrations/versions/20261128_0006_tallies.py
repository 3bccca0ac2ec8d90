"""tallies: pre-aggregated counts for the results pages

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 21:10:00

Responses already stored keep ``tally_batch`` NULL: they are counted from
their rows until ``flask tallies fold`` (run by ``make run``) or the results
pages fold them in.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

SLICE = (
    ('survey_id', 'surveys'),
    ('version_id', 'survey_versions'),
    ('unit_id', 'units'),
)


def _slice_columns(table):
    columns = [
        sa.Column(name, sa.Integer(), nullable=False) for name, _ in SLICE
    ]
    columns += [
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('invited', sa.Boolean(), nullable=False),
        sa.Column('respondent_group', sa.String(length=10), nullable=False),
        sa.Column('hard_flagged', sa.Boolean(), nullable=False),
    ]
    foreign_keys = [
        sa.ForeignKeyConstraint(
            [name], [f'{target}.id'], name=op.f(f'fk_{table}_{name}_{target}')
        )
        for name, target in SLICE
    ]
    return columns + foreign_keys



def upgrade():
    # A plain ADD COLUMN: no copy of what may be millions of rows.
    op.add_column('responses', sa.Column('tally_batch', sa.Integer(), nullable=True))
    op.create_index(
        'ix_responses_untallied', 'responses', ['survey_id', 'unit_id'],
        unique=False,
        sqlite_where=sa.text('tally_batch IS NULL'),
        postgresql_where=sa.text('tally_batch IS NULL'),
    )
    # WITHOUT ROWID on SQLite: the primary key is the table, in read order.
    rest = ('month', 'version_id', 'invited', 'respondent_group', 'hard_flagged')
    factors = ('f0', 'f1', 'f2', 'f3', 'f4')
    op.create_table(
        'response_tallies',
        *_slice_columns('response_tallies'),
        sa.Column('responses', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            'survey_id', 'unit_id', *rest, name=op.f('pk_response_tallies')
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'factor_tallies',
        *_slice_columns('factor_tallies'),
        *(sa.Column(f, sa.SmallInteger(), nullable=False) for f in factors),
        sa.Column('responses', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            'survey_id', *factors, 'unit_id', *rest, name=op.f('pk_factor_tallies')
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'answer_tallies',
        *_slice_columns('answer_tallies'),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('option_id', sa.Integer(), nullable=False),
        sa.Column('answered', sa.Integer(), nullable=False),
        *(sa.Column(f'c{i}', sa.Integer(), nullable=False) for i in range(11)),
        sa.ForeignKeyConstraint(
            ['question_id'], ['questions.id'],
            name=op.f('fk_answer_tallies_question_id_questions'),
        ),
        sa.PrimaryKeyConstraint(
            'question_id', 'option_id', 'unit_id', *rest, 'survey_id',
            name=op.f('pk_answer_tallies'),
        ),
        sqlite_with_rowid=False,
    )
    state = op.create_table(
        'tally_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tally_state')),
    )
    op.bulk_insert(state, [{'id': 1, 'batch': 0}])


def downgrade():
    op.drop_table('tally_state')
    op.drop_table('answer_tallies')
    op.drop_table('factor_tallies')
    op.drop_table('response_tallies')
    op.drop_index('ix_responses_untallied', table_name='responses')
    with op.batch_alter_table('responses') as batch_op:
        batch_op.drop_column('tally_batch')
