"""invitation waves, one-time invitations, and the invited response's links

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 18:21:52.698957

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('waves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('sample_per_unit', sa.Integer(), nullable=False),
    sa.Column('stratify', sa.Boolean(), nullable=False),
    sa.Column('oversample_factor', sa.Float(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('drawn_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_waves_survey_id_surveys')),
    sa.ForeignKeyConstraint(['version_id'], ['survey_versions.id'], name=op.f('fk_waves_version_id_survey_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waves'))
    )
    with op.batch_alter_table('waves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waves_survey_id'), ['survey_id'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['service_cases.id'], name=op.f('fk_invitations_case_id_service_cases')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_invitations_unit_id_units')),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_invitations_wave_id_waves')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('case_id', name=op.f('uq_invitations_case_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_wave_id'), ['wave_id'], unique=False)

    op.create_table('wave_units',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_wave_units_unit_id_units')),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_wave_units_wave_id_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('wave_id', 'unit_id', name=op.f('pk_wave_units'))
    )
    with op.batch_alter_table('wave_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wave_units_unit_id'), ['unit_id'], unique=False)

    # Plain ADD COLUMN, never a batch copy of responses: on SQLite, dropping the
    # old table would fire ON DELETE CASCADE and empty answers. The one-response-
    # per-invitation rule is a unique index, which SQLite can add in place.
    for column, target in (('invitation_id', 'invitations'), ('interviewer_id', 'users')):
        name = f'fk_responses_{column}_{target}'
        if op.get_bind().dialect.name == 'sqlite':
            # Alembic would copy the table; SQLite accepts REFERENCES in ADD COLUMN.
            op.execute(
                f'ALTER TABLE responses ADD COLUMN {column} INTEGER '
                f'CONSTRAINT {name} REFERENCES {target} (id)'
            )
        else:
            op.add_column('responses', sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(name, 'responses', target, [column], ['id'])
    op.create_index('uq_responses_invitation_id', 'responses', ['invitation_id'], unique=True)


def downgrade():
    op.drop_index('uq_responses_invitation_id', table_name='responses')
    # On SQLite this copies responses: run it with foreign keys off, or the drop
    # of the old table cascades to answers.
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_column('interviewer_id')
        batch_op.drop_column('invitation_id')

    with op.batch_alter_table('wave_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wave_units_unit_id'))

    op.drop_table('wave_units')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_wave_id'))
        batch_op.drop_index(batch_op.f('ix_invitations_unit_id'))
        batch_op.drop_index(batch_op.f('ix_invitations_created_at'))

    op.drop_table('invitations')
    with op.batch_alter_table('waves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waves_survey_id'))

    op.drop_table('waves')
