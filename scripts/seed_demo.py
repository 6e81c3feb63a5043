"""Load demo data on first start: jobs with interview plans, ~50 candidates, live assessments.

Runs through the same services as the dashboard, against the running sandbox, so
every demo invitation really exists at the (imitated) vendor. Does nothing when
the database already has jobs.
"""

import contextlib
import datetime
import logging
import pathlib
import random
import sys

import httpx

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from sqlmodel import select

from dashboard.services import accounts, assessments, pipeline, plans, secrets, sync
from dashboard.services.actors import POLL, SYSTEM
from dashboard.services.integrations import list_vendor_tests, save_integration, webhook_url
from dashboard.settings import get_settings
from models import (
    AssessmentAttempt,
    Job,
    Role,
    User,
    clock_stopped_at,
    init_engine,
    migrate,
    new_session,
)
from providers import registry
from providers.sandbox.server import IMITATIONS

DEMO_PASSWORD = "assay-demo-password"  # documented in the README; demo data only
DEMO_USERS = [
    ("admin@assay.test", "Avery Admin", Role.ADMIN),
    ("recruiter@assay.test", "Riley Recruiter", Role.RECRUITER),
    ("manager@assay.test", "Harper Manager", Role.HIRING_MANAGER),
]
PLAN = ["Applied", "Recruiter screen", "Onsite", "Offer"]
JOBS = ["Backend Engineer", "Frontend Engineer", "Data Engineer"]
FIRST = [
    "Ada",
    "Grace",
    "Alan",
    "Barbara",
    "Edsger",
    "Donald",
    "Margaret",
    "Ken",
    "Radia",
    "Linus",
    "Guido",
    "Frances",
    "John",
    "Katherine",
    "Dennis",
]
LAST = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Liskov",
    "Dijkstra",
    "Knuth",
    "Hamilton",
    "Thompson",
    "Perlman",
    "Torvalds",
    "Rossum",
    "Allen",
    "Backus",
]


# Each demo job's assessment stage uses another vendor, so every imitation is on show.
JOB_VENDORS = {
    "Backend Engineer": "coderpad_screen",
    "Frontend Engineer": "hackerrank",
    "Data Engineer": "imocha",
}
LIVE_VENDOR = "coderpad_interview"
# Where each job's 17 candidates end up (stage index: 0 Applied ... 4 Offer; 2 is the assessment),
# and how far those left in the assessment stage got: fixed, so demos and tests see the same job.
TARGETS = [2, 1, 2, 2, 0, 2, 3, 2, 2, 1, 2, 4, 2, 2, 3, 2, 2]
PROGRESS = [
    "completed",
    "",
    "sent",
    "completed",
    "",
    "started",
    "",
    "completed",
    "unsent",
    "",
    "completed",
    "",
    "sent",
    "completed",
    "",
    "completed",
    "unsent",
]  # the Onsite stages' default live-interview link


def _connect_every_vendor(session) -> dict[str, int]:
    """One sandbox connection per vendor, through the same service as the integrations page."""
    connected = {}
    for vendor, spec in registry.VENDORS.items():
        imitation = IMITATIONS.get(vendor)
        if imitation is None:
            continue
        integration = save_integration(
            session=session,
            vendor=vendor,
            name=spec.display_name,
            region="sandbox",
            custom_base_url="",
            api_key=imitation.DEMO_KEY,
            options=dict(imitation.DEMO_OPTIONS),
        )
        # Vendors configured in their own UI (CodeSignal): do what the admin would do there.
        httpx.post(
            f"{get_settings().sandbox_url}/_sandbox/{vendor}/webhook",
            json={
                "url": webhook_url(integration),
                "secret": secrets.decrypt(integration.webhook_token_encrypted),
            },
            timeout=10,
        ).raise_for_status()
        connected[vendor] = integration.id
    return connected


class _Morning:
    """The demo's clock: a hiring team's last few hours, played on Assay's and the sandbox's clocks.

    Seeded in a second, every candidate would start and submit their test at the second they
    were invited: HackerRank and CodeSignal results read "under 1 min", and CoderPad Screen's
    and Coodesh's read Started = Completed beside their own 37 minutes. Each step runs with
    both clocks stopped at its moment instead, so the vendor's invited, started and finished
    times and the history's lines tell the same morning, all before the seed's real now.
    """

    def __init__(self, control: httpx.Client, *, base: datetime.datetime) -> None:
        self.control = control
        self.base = base
        self.rng = random.Random(11)  # apart from the names' generator, so the names stay the same

    @contextlib.contextmanager
    def at(self, moment: datetime.datetime):
        """Both clocks stopped at ``moment`` for the block."""
        self.control.post("/_sandbox/clock", json={"at": moment.isoformat()}).raise_for_status()
        with clock_stopped_at(moment):
            yield

    def opened_at(self) -> datetime.datetime:
        """When the jobs were opened: before their first candidate applied (``added_at``)."""
        return self.base - datetime.timedelta(hours=9)

    def added_at(self) -> datetime.datetime:
        """When a candidate applied: three to eight hours ago, time enough for a test and its review."""
        return self.base - datetime.timedelta(minutes=self.rng.randint(3 * 60, 8 * 60))

    def minutes(self, low: int, high: int) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.rng.randint(low, high))


def _play_candidate(
    morning: _Morning,
    *,
    vendor: str,
    job_id: int,
    name: str,
    email: str,
    target: int,
    progress: str,
    stages: list,
    assessment_index: int,
) -> None:
    """One candidate's morning: applied, moved to the test, invited, started some time later,
    finished after 15 to 40 minutes' work, reviewed and moved on, each step at its own moment."""
    moment = morning.added_at()
    with new_session() as session, morning.at(moment):
        application = pipeline.add_application(
            session=session, job_id=job_id, name=name, email=email, actor=SYSTEM
        )
    if target == 0:
        return
    moment += morning.minutes(2, 6)
    with new_session() as session, morning.at(moment):
        outcome = pipeline.move_application(
            session=session,
            application_id=application.id,
            stage_id=stages[min(target, assessment_index)].id,
            actor=SYSTEM,
        )
    past_the_test = target > assessment_index
    if outcome.attempt_id and (past_the_test or progress != "unsent"):
        moment += morning.minutes(1, 3)
        with new_session() as session, morning.at(moment):
            assessments.send_assessment(session=session, attempt_id=outcome.attempt_id, actor=SYSTEM)
            vendor_attempt_id = session.get(AssessmentAttempt, outcome.attempt_id).vendor_attempt_id
        progress = "completed" if past_the_test else progress
        steps = {
            "sent": [],
            "started": [("start", morning.minutes(10, 90))],
            "completed": [("start", morning.minutes(10, 90)), ("submit", morning.minutes(15, 40))],
        }[progress]
        for step, after in steps:
            moment += after
            with morning.at(moment):
                morning.control.post(
                    f"/_sandbox/{vendor}/attempts/{vendor_attempt_id}/{step}"
                ).raise_for_status()
            # The vendor's webhook finds no Assay running yet: the next sync, a minute on, reads it.
            with new_session() as session, morning.at(moment + datetime.timedelta(minutes=1)):
                assessments.refresh_attempt(session=session, attempt_id=outcome.attempt_id, actor=POLL)
        if past_the_test:
            # Reviewed before they moved on.
            moment += morning.minutes(10, 30)  # after the minute its sync took
            with new_session() as session, morning.at(moment):
                assessments.mark_reviewed(session=session, attempt_id=outcome.attempt_id, actor=SYSTEM)
    if past_the_test:
        moment += morning.minutes(2, 10)
        with new_session() as session, morning.at(moment):
            pipeline.move_application(
                session=session, application_id=application.id, stage_id=stages[target].id, actor=SYSTEM
            )


def seed() -> None:
    settings = get_settings()
    migrate(settings.db_url)
    init_engine(settings.db_url)
    with new_session() as session:
        if session.exec(select(Job)).first():
            print(f"Demo data already loaded. Sign in as admin@assay.test, password {DEMO_PASSWORD}")
            return
        control = httpx.Client(base_url=settings.sandbox_url, timeout=10)
        # A fresh database meets a fresh sandbox: the sandbox keeps its invitations in a file
        # of its own, and an earlier demo's (same candidates, same tests) would refuse these.
        control.post("/_sandbox/reset").raise_for_status()
        for email, name, role in DEMO_USERS:
            accounts.create_user(session=session, email=email, name=name, role=role, password=DEMO_PASSWORD)
        connected = _connect_every_vendor(session)
    rng = random.Random(7)
    morning = _Morning(control, base=datetime.datetime.now(datetime.UTC).replace(microsecond=0))
    try:
        for index, (title, vendor) in enumerate(JOB_VENDORS.items()):
            with new_session() as session, morning.at(morning.opened_at()):
                integration_id = connected[vendor]
                tests = [
                    t
                    for t in list_vendor_tests(session=session, integration_id=integration_id)
                    if not t.live_interview
                ]
                test = tests[index % len(tests)]
                job = plans.create_job(
                    session=session, title=title, stage_names=[n for n in PLAN if "assessment" not in n]
                )
                stage = plans.add_assessment_stage(
                    session=session,
                    job_id=job.id,
                    name=f"{registry.VENDORS[vendor].display_name} assessment",
                    integration_id=integration_id,
                    vendor_test_id=test.id,
                    vendor_test_name=test.name,
                    after_stage_id=plans.stages_of(session, job.id)[1].id,
                )
                if LIVE_VENDOR in connected:
                    template = next(
                        t
                        for t in list_vendor_tests(session=session, integration_id=connected[LIVE_VENDOR])
                        if t.live_interview
                    )
                    onsite = next(s for s in plans.stages_of(session, job.id) if s.name == "Onsite")
                    plans.set_live_interview_template(
                        session=session,
                        stage_id=onsite.id,
                        integration_id=connected[LIVE_VENDOR],
                        template_id=template.id,
                        template_name=template.name,
                    )
                stages = plans.stages_of(session, job.id)
                assessment_index = next(i for i, s in enumerate(stages) if s.id == stage.id)
            for n in range(17):
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                email = f"{name.lower().replace(' ', '.')}.{index}{n}@example.com"
                _play_candidate(
                    morning,
                    vendor=vendor,
                    job_id=job.id,
                    name=name,
                    email=email,
                    target=TARGETS[n],
                    progress=PROGRESS[n],
                    stages=stages,
                    assessment_index=assessment_index,
                )
    finally:
        control.post("/_sandbox/clock", json={"at": None}).raise_for_status()
    with new_session() as session:
        # What the morning's syncs missed (none should be left), as the scheduler would find it.
        for integration_id in connected.values():
            sync.sync_integration(session=session, integration_id=integration_id)
        manager = session.exec(select(User).where(User.role == Role.HIRING_MANAGER)).one()
        first_job = session.exec(select(Job).order_by(Job.id)).first()
        accounts.set_job_member(session=session, user_id=manager.id, job_id=first_job.id, member=True)
    print(
        f"Demo data loaded: {len(JOB_VENDORS)} jobs, {17 * len(JOB_VENDORS)} candidates, {len(connected)} vendors."
    )
    print(
        f"Sign in as admin@assay.test, recruiter@assay.test or manager@assay.test, password {DEMO_PASSWORD}"
    )


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    seed()
