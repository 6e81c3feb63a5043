"""Roles grant permissions; hiring managers see only the jobs they are assigned to."""

import pytest

from dashboard.services import accounts, views
from dashboard.services.permissions import GRANTS, Permission, PermissionDenied, SignedInUser, require
from models import Role

P = Permission


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, set(P)),
        (Role.RECRUITER, {P.VIEW_PIPELINE, P.MANAGE_PIPELINE, P.REVIEW, P.OWN_ACCOUNT}),
        (Role.HIRING_MANAGER, {P.VIEW_PIPELINE, P.REVIEW, P.OWN_ACCOUNT}),
    ],
)
def test_each_role_has_exactly_its_permissions(role, allowed):
    user = SignedInUser(1, "U", "u@example.com", role)

    for permission in Permission:
        if permission in allowed:
            assert require(user, permission) is user
        else:
            with pytest.raises(PermissionDenied, match="cannot do this"):
                require(user, permission)
    assert GRANTS[role] == allowed


def test_signed_out_is_refused():
    with pytest.raises(PermissionDenied, match="Sign in"):
        require(None, P.VIEW_PIPELINE)


def test_a_hiring_manager_sees_only_assigned_jobs(session, pipeline_with_assessment):
    p = pipeline_with_assessment
    manager, password = accounts.create_user(
        session=session, email="m@example.com", name="M", role=Role.HIRING_MANAGER
    )
    token = accounts.sign_in(session=session, email="m@example.com", password=password)
    user = accounts.signed_in_user(session=session, token=token)

    assert views.list_jobs(session, user.visible_job_ids) == []
    with pytest.raises(PermissionDenied, match="hiring team"):
        require(user, P.VIEW_PIPELINE, job_id=p.job.id)
    with pytest.raises(views.NotFound):
        views.application(session, p.application.id, user.visible_job_ids)

    accounts.set_job_member(session=session, user_id=manager.id, job_id=p.job.id, member=True)
    user = accounts.signed_in_user(session=session, token=token)

    assert [j.id for j in views.list_jobs(session, user.visible_job_ids)] == [p.job.id]
    assert require(user, P.VIEW_PIPELINE, job_id=p.job.id) is user
    assert views.application(session, p.application.id, user.visible_job_ids).id == p.application.id
