"""multi-assessment stages, one-off attempts, notes, interviews, notifications, outbox, decisions

Revision ID: 662279d38123
Revises: 7b6c889ef161
Create Date: 2026-11-24 21:52:40.354963
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '662279d38123'
down_revision = '7b6c889ef161'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stageassessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('integration_id', sa.Integer(), nullable=False),
    sa.Column('vendor_test_id', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('vendor_test_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['integration_id'], ['integration.id'], ),
    sa.ForeignKeyConstraint(['stage_id'], ['stage.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('stage_id', 'integration_id', 'vendor_test_id')
    )
    with op.batch_alter_table('stageassessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stageassessment_stage_id'), ['stage_id'], unique=False)

    op.create_table('applicationnote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], ),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('applicationnote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applicationnote_application_id'), ['application_id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('read_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], ),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedupe_key')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_job_id'), ['job_id'], unique=False)

    op.create_table('outboxmessage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('to_address', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedupe_key')
    )
    op.create_table('interview',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('scheduled_for', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('interviewers', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], ),
    sa.ForeignKeyConstraint(['attempt_id'], ['assessmentattempt.id'], ),
    sa.ForeignKeyConstraint(['stage_id'], ['stage.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_application_id'), ['application_id'], unique=False)

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rejected_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('rejection_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column('decision_version', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gating', sa.Enum('all', 'any', name='gating', native_enum=False, length=20), server_default='all', nullable=False))
        batch_op.add_column(sa.Column('deadline_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('live_integration_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('live_template_id', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
        batch_op.add_column(sa.Column('live_template_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.create_foreign_key('fk_stage_live_integration_id_integration', 'integration', ['live_integration_id'], ['id'])

    with op.batch_alter_table('assessmentattempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage_assessment_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('live_interview', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.alter_column('stage_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_foreign_key('fk_assessmentattempt_stage_assessment_id_stageassessment', 'stageassessment', ['stage_assessment_id'], ['id'])

    # Each assessment stage's one test becomes its first StageAssessment; attempts point at it.
    op.execute(
        "INSERT INTO stageassessment (stage_id, position, integration_id, vendor_test_id, vendor_test_name) "
        "SELECT id, 0, integration_id, vendor_test_id, COALESCE(vendor_test_name, vendor_test_id) FROM stage "
        "WHERE integration_id IS NOT NULL AND vendor_test_id IS NOT NULL"
    )
    op.execute(
        "UPDATE assessmentattempt SET stage_assessment_id = ("
        "SELECT sa.id FROM stageassessment sa WHERE sa.stage_id = assessmentattempt.stage_id "
        "AND sa.integration_id = assessmentattempt.integration_id "
        "AND sa.vendor_test_id = assessmentattempt.vendor_test_id)"
    )

    with op.batch_alter_table('assessmentattempt', schema=None) as batch_op:
        batch_op.drop_index('uq_attempt_open_per_stage', sqlite_where=sa.text("state IN ('ready_to_send','sent','started')"))
        batch_op.create_index('uq_attempt_open_per_test', ['application_id', 'integration_id', 'vendor_test_id'], unique=True, sqlite_where=sa.text("state IN ('ready_to_send','sent','started')"), postgresql_where=sa.text("state IN ('ready_to_send','sent','started')"))

    # The stage's own test columns move out. Their foreign key had no name: PostgreSQL named it
    # itself (and drops it with the column); on SQLite a naming convention lets batch mode find it.
    if op.get_bind().dialect.name == 'postgresql':
        with op.batch_alter_table('stage', schema=None) as batch_op:
            batch_op.drop_column('vendor_test_name')
            batch_op.drop_column('vendor_test_id')
            batch_op.drop_column('integration_id')
    else:
        with op.batch_alter_table(
            'stage', naming_convention={'fk': 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s'}
        ) as batch_op:
            batch_op.drop_constraint('fk_stage_integration_id_integration', type_='foreignkey')
            batch_op.drop_column('vendor_test_name')
            batch_op.drop_column('vendor_test_id')
            batch_op.drop_column('integration_id')


def downgrade() -> None:
    raise NotImplementedError("Moving several assessments per stage back to one cannot be done without loss.")
