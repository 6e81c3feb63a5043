"""notifications read per person: who has read one, instead of one read_at for the whole team

Revision ID: c19a3de8e53e
Revises: d47ae49b4cde
Create Date: 2026-12-03 21:42:56.244701
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = 'c19a3de8e53e'
down_revision = 'd47ae49b4cde'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notificationread',
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['notification_id'], ['notification.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('notification_id', 'user_id')
    )
    with op.batch_alter_table('notificationread', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notificationread_user_id'), ['user_id'], unique=False)

    # Who read a notification was not kept, only that someone had: it stays read for everyone.
    op.execute(
        'INSERT INTO notificationread (notification_id, user_id, read_at)'
        ' SELECT notification.id, "user".id, notification.read_at FROM notification, "user"'
        ' WHERE notification.read_at IS NOT NULL'
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('read_at')


def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('read_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    op.execute(
        'UPDATE notification SET read_at = (SELECT min(notificationread.read_at) FROM notificationread'
        ' WHERE notificationread.notification_id = notification.id)'
    )
    with op.batch_alter_table('notificationread', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notificationread_user_id'))

    op.drop_table('notificationread')
