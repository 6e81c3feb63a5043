"""Shared fixtures: a real SQLite file per test, the vendor sandbox on loopback.

Nothing here is a mock: services talk to the sandbox over HTTP, exactly as they
would talk to a vendor.
"""

import atexit
import contextlib
import dataclasses
import datetime
import json
import logging
import os
import pathlib
import shutil
import signal
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select

# Settings are read once per process: point the data dir (master key, locks) at a
# scratch folder before anything imports them.
if "ASSAY_DATA_DIR" not in os.environ:
    os.environ["ASSAY_DATA_DIR"] = tempfile.mkdtemp(prefix="assay-test-")
    # Removed at exit: every run used to leave one behind.
    atexit.register(shutil.rmtree, os.environ["ASSAY_DATA_DIR"], ignore_errors=True)

# The local sandbox has no rate limit to respect (benchmarks and the pacing test turn it back on).
os.environ.setdefault("ASSAY_VENDOR_PACING", "off")
# Passwords hashed at argon2's lowest cost: the suite makes and signs in thousands of users, and
# at the recommended cost (64 MiB, four lanes) four processes on two cores spent over four minutes
# on test_accounts.py alone (CI201). The apps the walks start inherit it; production never sets it.
os.environ.setdefault("ASSAY_PASSWORD_HASHING", "fast")
# The sandbox accepts more keys at every vendor, as other accounts' (the same account is not connected
# twice), so that a second account and a key rotation can be walked.
os.environ.setdefault(
    "ASSAY_SANDBOX_KEYS",
    "rotated-coderpad-key-4242,eu-team-coderpad-key-7777,berlin-coderpad-key-5555,another-account-key",
)

from dashboard.api.routes import applier, build_api
from dashboard.services import (
    accounts,
    assessments,
    attempt_actions,
    interviews,
    matching,
    pipeline,
    plans,
    review,
    sync,
    webhooks,
)
from dashboard.services.actors import SYSTEM, WEBHOOK, user
from dashboard.services.errors import UserError
from dashboard.services.integrations import list_vendor_tests, save_integration, webhook_url
from dashboard.settings import get_settings
from models import (
    Application,
    AssessmentAttempt,
    Gating,
    Integration,
    Interview,
    Job,
    Role,
    Stage,
    User,
    get_engine,
    init_engine,
    migrate,
    new_session,
    utcnow,
)
from providers import registry
from providers.base import AssessmentResult, AttemptStatus, Progress
from providers.http import trusted_certificates
from providers.sandbox.server import IMITATIONS
from tests import statement_clock
from tests.http_server import serving
from tests.sandbox_server import running_sandbox


def _interrupted(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config):
    """A run ended by SIGTERM unwinds like Ctrl-C, so fixtures stop the apps and sandboxes they started.

    ``scripts/test.sh`` ends its second pytest that way on Ctrl-C (it runs in the
    background, where Ctrl-C does not reach it), as a CI cancel may; killed outright,
    a run left its apps running.
    """
    signal.signal(signal.SIGTERM, _interrupted)


SCREEN_KEY = "demo-coderpad-screen-key"
# The key of a second CoderPad Screen account (another team's): the sandbox accepts it too.
SECOND_SCREEN_KEY = "rotated-coderpad-key-4242"


@dataclasses.dataclass
class Sandbox:
    """The sandbox's control API, for driving the candidate's side and injecting faults."""

    url: str

    def post(self, path: str, **kwargs) -> httpx.Response:
        response = httpx.post(self.url + path, timeout=10, verify=trusted_certificates(), **kwargs)
        response.raise_for_status()
        return response

    def stats(self, vendor: str = "coderpad_screen") -> dict:
        return httpx.get(self.url + "/_sandbox/stats", timeout=10, verify=trusted_certificates()).json()[
            vendor
        ]

    def faults(self, vendor: str = "coderpad_screen", **faults) -> None:
        self.post("/_sandbox/faults", json={"vendor": vendor, **faults})

    def act(self, vendor_attempt_id: str, step: str, vendor: str = "coderpad_screen") -> dict:
        """Play the candidate (start, submit) or the clock (expire) at the vendor."""
        return self.post(f"/_sandbox/{vendor}/attempts/{vendor_attempt_id}/{step}").json()

    def start(self, vendor_attempt_id: str, vendor: str = "coderpad_screen") -> None:
        self.act(vendor_attempt_id, "start", vendor)

    def submit(self, vendor_attempt_id: str, vendor: str = "coderpad_screen") -> None:
        self.act(vendor_attempt_id, "submit", vendor)

    def wait_for_a_held_reply(self, vendor: str, seconds: float = 10) -> None:
        """Until a call has taken the queued ``reply_delay_ms`` (made, its reply held): what a test
        does meanwhile lands after the vendor answered that call, however loaded the machine."""
        deadline = time.monotonic() + seconds
        while self.stats(vendor)["failures_injected"] < 1:
            assert time.monotonic() < deadline, "no call took the held reply"
            time.sleep(0.02)

    def stop_clock(self, at: datetime.datetime | None) -> None:
        """Stop every vendor's clock at ``at`` (None starts it again): when the candidate acts."""
        self.post("/_sandbox/clock", json={"at": at.isoformat() if at else None})


@pytest.fixture(scope="session")
def sandbox_url():
    with running_sandbox() as url:
        get_settings().sandbox_url = url
        yield url


@pytest.fixture
def sandbox(sandbox_url) -> Sandbox:
    control = Sandbox(sandbox_url)
    control.post("/_sandbox/reset")
    return control


@pytest.fixture
def redis_client():
    """The Redis that ``make test`` starts (production mode keeps state and rate budgets there)."""
    import redis

    url = os.environ.get("ASSAY_TEST_REDIS_URL")
    if not url:
        pytest.fail("make test provides Redis (ASSAY_TEST_REDIS_URL)")
    client = redis.Redis.from_url(url)
    yield client
    client.close()


DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("ASSAY_TEST_POSTGRES_URL") else [])


def fresh_postgres(url: str) -> str:
    """An empty ``public`` schema in the test server's database (scripts/test.sh starts it)."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))  # a run cut short may have left none
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


class MigratedDatabases:
    """A database migrated once per run and copied for each test.

    Migrating took about a second a test (29 scripts, twice: SQLite and PostgreSQL), most of
    the suite's time; a copy takes a few milliseconds (a file) or a tenth of a second
    (``CREATE DATABASE ... TEMPLATE``). The copy is the migrated database itself, rows the
    scripts add included; the scripts' own tests start from their revision (test_migrations).
    """

    def __init__(self, folder: pathlib.Path) -> None:
        self._folder = folder
        self._sqlite: pathlib.Path | None = None
        self._postgres_templates: set[str] = set()

    def sqlite(self, path: pathlib.Path | None = None) -> str:
        """A copy at ``path``; by default at the one path this process's tests share (each test's
        copy replacing the last one's), so that ``init_engine`` keeps its engine's compiled SQL."""
        if self._sqlite is None:
            self._sqlite = self._folder / "migrated.db"
            migrate(f"sqlite:///{self._sqlite}")
        path = path or self._folder / "test.db"
        for left in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            left.unlink(missing_ok=True)  # the last test's, its engine's connections closed
        shutil.copyfile(self._sqlite, path)
        return f"sqlite:///{path}"

    def postgresql(self, server_url: str) -> str:
        """A copy of the migrated database, beside the database of ``server_url`` (named after it:
        each of scripts/test.sh's pytest processes has one)."""
        name = sa.make_url(server_url).database
        template, copy = f"{name}_migrated", f"{name}_test"
        engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            if template not in self._postgres_templates:
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS {template} WITH (FORCE)"))
                conn.execute(sa.text(f"CREATE DATABASE {template}"))
                migrate(_on_database(server_url, template))
                self._postgres_templates.add(template)
            # FORCE: the last test's engine may still hold connections to its copy.
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {copy} WITH (FORCE)"))
            conn.execute(sa.text(f"CREATE DATABASE {copy} TEMPLATE {template}"))
        engine.dispose()
        return _on_database(server_url, copy)


def _on_database(server_url: str, name: str) -> str:
    return sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def migrated_databases(tmp_path_factory) -> MigratedDatabases:
    return MigratedDatabases(tmp_path_factory.mktemp("migrated"))


@pytest.fixture(params=DATABASES)
def db(request, migrated_databases) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, and PostgreSQL when `make test` provides one."""
    with contextlib.suppress(RuntimeError):  # none yet
        get_engine().dispose()  # the last test's connections closed before its database goes
    if request.param == "postgresql":
        url = migrated_databases.postgresql(os.environ["ASSAY_TEST_POSTGRES_URL"])
    else:
        url = migrated_databases.sqlite()
    statement_clock.start(init_engine(url))
    yield url
    # A webhook still being applied would write into the next test's database.
    assert applier.wait_idle(30), "a webhook drain was still running 30 s after the test"


@pytest.fixture
def session(db):
    with new_session() as session:
        yield session


@pytest.fixture
def assay_api(db):
    """Assay's API (webhooks, reports, health) served on loopback; vendors are told its URL."""
    settings = get_settings()
    previous = settings.public_url
    with serving(build_api(), probe="/api/health") as url:
        settings.public_url = url
        yield url
    settings.public_url = previous


def connect_screen(session, **overrides) -> Integration:
    """Save a CoderPad Screen connection to the sandbox through the service; fields can be overridden."""
    values = {
        "vendor": "coderpad_screen",
        "name": "CoderPad Screen",
        "region": "sandbox",
        "custom_base_url": "",
        "api_key": SCREEN_KEY,
        **overrides,
    }
    return save_integration(session=session, **values)


def connect_pads(session) -> Integration:
    """A CoderPad Interview connection to the sandbox: live-interview pads, made per interview."""
    return save_integration(
        session=session,
        vendor="coderpad_interview",
        name="CoderPad Interview",
        region="sandbox",
        custom_base_url="",
        api_key=IMITATIONS["coderpad_interview"].DEMO_KEY,
    )


def interview_in_two_days(session, application_id: int) -> Interview:
    """An interview with Grace Hopper booked for the candidate two days on (its room sent, if the
    stage has a live-interview link)."""
    return interviews.schedule_interview(
        session=session,
        application_id=application_id,
        scheduled_for=utcnow() + datetime.timedelta(days=2),
        interviewers="Grace Hopper",
        actor=SYSTEM,
    )


def link_pads(session, stage_id: int) -> tuple[Integration, str]:
    """Interviews booked in the stage get a pad from a CoderPad Interview template, through a new
    connection; that connection and the template's name."""
    pads = connect_pads(session)
    template = next(t for t in list_vendor_tests(session=session, integration_id=pads.id) if t.live_interview)
    plans.set_live_interview_template(
        session=session,
        stage_id=stage_id,
        integration_id=pads.id,
        template_id=template.id,
        template_name=template.name,
    )
    return pads, template.name


@pytest.fixture
def screen(session, sandbox) -> Integration:
    """A CoderPad Screen connection to the sandbox."""
    return connect_screen(session)


def job_sending(
    session, integration: Integration, title: str, *, test_index: int = 0, **stage_settings
) -> Stage:
    """A job whose plan is Applied -> the connection's test at ``test_index`` (as the vendor lists them).

    ``stage_settings`` (``deadline_days``...) go to ``plans.add_assessment_stage``.
    """
    test = list_vendor_tests(session=session, integration_id=integration.id)[test_index]
    job = plans.create_job(session=session, title=title, stage_names=["Applied"])
    return plans.add_assessment_stage(
        session=session,
        job_id=job.id,
        name=f"{registry.VENDORS[integration.vendor].display_name} test",
        integration_id=integration.id,
        vendor_test_id=test.id,
        vendor_test_name=test.name,
        **stage_settings,
    )


def vendor_test_stages(
    session, vendor: str, *job_titles: str, options: dict | None = None, **stage_settings
) -> tuple[Integration, list[Stage]]:
    """A connection to the vendor's sandbox, and per title a job whose plan is Applied -> its first test.

    ``stage_settings`` (``deadline_days``...) go to ``plans.add_assessment_stage``.
    """
    name = registry.VENDORS[vendor].display_name
    integration = save_integration(
        session=session,
        vendor=vendor,
        name=name,
        region="sandbox",
        custom_base_url="",
        api_key=IMITATIONS[vendor].DEMO_KEY,
        options=options,
    )
    stages = [job_sending(session, integration, title, **stage_settings) for title in job_titles]
    return integration, stages


def codesignal_rooms_in_two_jobs(session) -> list[int]:
    """Ada applied to two jobs whose Applied stages both make their interviews' rooms from one
    CodeSignal live-interview template; her two applications' ids."""
    codesignal, stages = vendor_test_stages(session, "codesignal", "Backend", "Frontend")
    template = next(
        t for t in list_vendor_tests(session=session, integration_id=codesignal.id) if t.live_interview
    )
    applications = []
    for stage in stages:
        application = pipeline.add_application(
            session=session, job_id=stage.job_id, name="Ada", email="ada@example.com", actor=SYSTEM
        )
        plans.set_live_interview_template(
            session=session,
            stage_id=application.stage_id,
            integration_id=codesignal.id,
            template_id=template.id,
            template_name=template.name,
        )
        applications.append(application.id)
    return applications


def sent_with_a_reminder(session) -> AssessmentAttempt:
    """Ada, sent a HackerRank test due in a day, with a reminder 20 hours before its deadline."""
    _hackerrank, (stage,) = vendor_test_stages(session, "hackerrank", "Reminded", deadline_days=1)
    plans.configure_stage(
        session=session,
        stage_id=stage.id,
        send_automatically=True,
        gating="all",
        deadline_days=1,
        reminder_hours=20,
    )
    application = pipeline.add_application(
        session=session, job_id=stage.job_id, name="Ada", email="ada@example.com", actor=SYSTEM
    )
    moved = pipeline.move_application(
        session=session, application_id=application.id, stage_id=stage.id, actor=SYSTEM
    )
    return session.get(AssessmentAttempt, moved.attempt_id)


@dataclasses.dataclass
class Pipeline:
    job: Job
    applied: Stage
    assessment: Stage
    onsite: Stage
    application: Application
    integration: Integration


@pytest.fixture
def pipeline_with_assessment(session, screen) -> Pipeline:
    """A job whose plan is Applied -> CoderPad assessment -> Onsite, with one applicant."""
    job = plans.create_job(session=session, title="Backend Engineer", stage_names=["Applied", "Onsite"])
    applied, onsite = plans.stages_of(session, job.id)
    campaign = list_vendor_tests(session=session, integration_id=screen.id)[0]
    assessment = plans.add_assessment_stage(
        session=session,
        job_id=job.id,
        name="CoderPad assessment",
        integration_id=screen.id,
        vendor_test_id=campaign.id,
        vendor_test_name=campaign.name,
        after_stage_id=applied.id,
    )
    application = pipeline.add_application(
        session=session, job_id=job.id, name="Ada Lovelace", email="ada@example.com", actor=SYSTEM
    )
    return Pipeline(job, applied, assessment, onsite, application, screen)


def enter_stage(session, stage: Stage, *, name: str = "Ada", email: str = "ada@example.com") -> int:
    """A new applicant to the stage's job, moved into the stage; the id of the attempt that made."""
    application = pipeline.add_application(
        session=session, job_id=stage.job_id, name=name, email=email, actor=SYSTEM
    )
    return pipeline.move_application(
        session=session, application_id=application.id, stage_id=stage.id, actor=SYSTEM
    ).attempt_id


def finished_in_stage(session, sandbox: Sandbox, stage: Stage, vendor: str) -> AssessmentAttempt:
    """Ada, in the stage, sent its test, which she takes and finishes; the attempt once synced."""
    attempt = session.get(AssessmentAttempt, enter_stage(session, stage))
    assessments.send_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)
    session.refresh(attempt)
    sandbox.act(attempt.vendor_attempt_id, "start", vendor=vendor)
    sandbox.act(attempt.vendor_attempt_id, "submit", vendor=vendor)
    sync.sync_integration(session=session, integration_id=attempt.integration_id)
    session.refresh(attempt)
    return attempt


def taken_at_vendor(session, sandbox: Sandbox, p: Pipeline) -> AssessmentAttempt:
    """Ada moved into the assessment stage and sent its test, which she takes and submits at the
    vendor; Assay has not heard of it yet (no sweep, the webhook left to the caller)."""
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    assessments.send_assessment(session=session, attempt_id=moved.attempt_id, actor=SYSTEM)
    attempt = session.get(AssessmentAttempt, moved.attempt_id)
    sandbox.start(attempt.vendor_attempt_id)
    sandbox.submit(attempt.vendor_attempt_id)
    return attempt


def send_test(session, stage: Stage, application: Application) -> AssessmentAttempt:
    """Move the application into the assessment stage and send its test; the attempt, as sent."""
    moved = pipeline.move_application(
        session=session, application_id=application.id, stage_id=stage.id, actor=SYSTEM
    )
    assessments.send_assessment(session=session, attempt_id=moved.attempt_id, actor=SYSTEM)
    return session.get(AssessmentAttempt, moved.attempt_id)


def retaken(session, p: Pipeline, first: AssessmentAttempt) -> AssessmentAttempt:
    """A re-take of ``first`` (finished) in the pipeline's assessment stage, sent; the attempt, as sent."""
    second = assessments.create_attempt(
        session,
        application=session.get(Application, first.application_id),
        integration_id=first.integration_id,
        vendor_test_id=first.vendor_test_id,
        vendor_test_name=first.vendor_test_name,
        actor=SYSTEM,
        stage=p.assessment,
        retakes=first,
    )
    session.commit()
    assessments.send_assessment(session=session, attempt_id=second.id, actor=SYSTEM)
    return session.get(AssessmentAttempt, second.id)


def scored(session, p: Pipeline, attempt: AssessmentAttempt, score: float) -> None:
    """The vendor's word that ``attempt`` was completed at ``score`` percent, applied."""
    status = AttemptStatus(
        vendor_attempt_id=attempt.vendor_attempt_id,
        progress=Progress.COMPLETED,
        raw_status="completed",
        result=AssessmentResult(score_percent=score),
    )
    assessments.apply_vendor_status(
        session=session, integration_id=p.integration.id, status=status, actor=SYSTEM
    )


def go_services_sent(session, p: Pipeline) -> assessments.SendOutcome:
    """CoderPad's Go Services (104) sent to the pipeline's candidate as a one-off, outside the plan."""
    return attempt_actions.send_one_off(
        session=session,
        application_id=p.application.id,
        integration_id=p.integration.id,
        vendor_test_id="104",
        vendor_test_name="Go Services",
        actor=SYSTEM,
    )


def sent_another_test(session, p: Pipeline, vendor_test_id: str, vendor_test_name: str) -> AssessmentAttempt:
    """The pipeline's candidate moved into the assessment stage, given another test than the
    stage's ("Change test") before it is sent; the attempt, as sent."""
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    attempt_actions.change_test(
        session=session,
        attempt_id=moved.attempt_id,
        integration_id=p.integration.id,
        vendor_test_id=vendor_test_id,
        vendor_test_name=vendor_test_name,
        actor=SYSTEM,
    )
    assessments.send_assessment(session=session, attempt_id=moved.attempt_id, actor=SYSTEM)
    return session.get(AssessmentAttempt, moved.attempt_id)


def failed_at_the_vendor(session, p: Pipeline) -> AssessmentAttempt:
    """The pipeline's candidate sent its test, which the vendor then reports failed for good
    (a proctoring stop): the failure a retry cannot change."""
    attempt = send_test(session, p.assessment, p.application)
    failed = AttemptStatus(attempt.vendor_attempt_id, Progress.ERROR, "proctor_flagged")
    assessments.apply_vendor_status(
        session=session, integration_id=p.integration.id, status=failed, actor=WEBHOOK
    )
    session.refresh(attempt)
    return attempt


def send_to_applicants(session, stage: Stage, count: int) -> list[AssessmentAttempt]:
    """``count`` new applicants (c0@example.com, ...) to the stage's job, each sent its test."""
    applicants = [
        pipeline.add_application(
            session=session, job_id=stage.job_id, name=f"C{n}", email=f"c{n}@example.com", actor=SYSTEM
        )
        for n in range(count)
    ]
    return [send_test(session, stage, application) for application in applicants]


def store_webhook(session, integration: Integration, body: dict) -> None:
    """Store a vendor's delivery the way the webhook endpoint does, with the connection's token."""
    token = urllib.parse.parse_qs(urllib.parse.urlparse(webhook_url(integration)).query)["token"][0]
    receipt = webhooks.receive(
        session=session,
        vendor=integration.vendor,
        integration_id=integration.id,
        token=token,
        headers={},
        body=json.dumps(body).encode(),
    )
    assert receipt.status_code == 200 and receipt.delivery_id is not None


def coodesh_result(attempt: AssessmentAttempt, **changes) -> dict:
    """Coodesh's "finished" delivery (tests/fixtures/coodesh) for the attempt, ``changes`` over it."""
    body = json.loads(
        (pathlib.Path(__file__).parent / "fixtures" / "coodesh" / "webhook_finished.json").read_text()
    )
    body.update({"attempt_id": attempt.vendor_attempt_id, "callback_url": "", **changes})
    return body


def start_with_webhooks(session, sandbox: Sandbox, integration: Integration, attempts) -> None:
    """Each candidate starts the CoderPad Screen test; its "status changed" delivery is stored
    (the sandbox's own webhooks dropped, so the test decides when they are applied)."""
    for attempt in attempts:
        sandbox.start(attempt.vendor_attempt_id)
        store_webhook(
            session, integration, {"event": "test.status_changed", "id": int(attempt.vendor_attempt_id)}
        )


def pytest_collection_modifyitems(config, items):
    """Browser tests last: they start the app and Chromium once, and leave Playwright's loop running.

    Among them those starting an app of their own (production mode, `make run`) come first, each
    stopped before the demo app starts: all build the same ``.web-tests`` folder, whose settings
    name the serving port.

    ``ASSAY_TEST_SHARD=k/n`` keeps the k-th of n shares of the tests (see ``_shard``).
    """
    if shard := os.environ.get("ASSAY_TEST_SHARD"):
        k, n = (int(part) for part in shard.split("/"))
        kept = _shard(items, n)[k - 1]
        config.hook.pytest_deselected(items=[i for i in items if i.nodeid not in kept])
        items[:] = [i for i in items if i.nodeid in kept]

    def order(item) -> tuple[bool, bool]:
        browser = item.get_closest_marker("browser") is not None
        return browser, item.get_closest_marker("own_app") is None

    items.sort(key=order)


DURATIONS = pathlib.Path(__file__).with_name("durations.json")


def _shard(items: list[pytest.Item], n: int) -> list[set[str]]:
    """The tests dealt into ``n`` shares of about equal running time (their node ids), for as many
    pytest processes side by side (scripts/test.sh), every test in exactly one: a new test file
    needs no list updated.

    A file's time is the one tests/durations.json measured (``scripts/test_durations.py`` writes
    it from a whole run); a file it does not know yet counts its size in bytes at the median
    seconds per byte of the measured files of its kind (browser walks or not). A file longer than
    half a share (the fault matrix today) is dealt a test function at a time, each its part of the
    file's time by its number of tests. The largest are dealt first, each to the lightest share so far.
    """
    root = pathlib.Path(__file__).parent.parent
    measured = json.loads(DURATIONS.read_text()) if DURATIONS.exists() else {}
    files: dict[pathlib.Path, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(item.path, []).append(item)
    walks = {path for path, tests in files.items() if tests[0].get_closest_marker("browser")}

    def rate(walk: bool) -> float:
        known = sorted(
            measured[str(p.relative_to(root))] / p.stat().st_size
            for p in files
            if (p in walks) == walk and str(p.relative_to(root)) in measured
        )
        return known[len(known) // 2] if known else 1.0

    rates = {True: rate(True), False: rate(False)}
    seconds = {
        path: measured.get(str(path.relative_to(root)), path.stat().st_size * rates[path in walks])
        for path in files
    }
    half_a_share = sum(seconds.values()) / n / 2
    units: list[tuple[float, pathlib.Path, list[str]]] = []  # (seconds, file, node ids)
    for path, tests in files.items():
        if seconds[path] <= half_a_share:
            units.append((seconds[path], path, [t.nodeid for t in tests]))
            continue
        functions: dict[str, list[str]] = {}
        for test in tests:
            functions.setdefault(getattr(test, "originalname", test.name), []).append(test.nodeid)
        for ids in functions.values():
            units.append((seconds[path] * len(ids) / len(tests), path, ids))
    shares: list[set[str]] = [set() for _ in range(n)]
    weights = [0.0] * n
    for took, _path, ids in sorted(units, key=lambda u: (-u[0], str(u[1]), u[2][0])):
        lightest = weights.index(min(weights))
        shares[lightest].update(ids)
        weights[lightest] += took
    return shares


@pytest.fixture(autouse=True)
def no_errors_logged(caplog):
    """Every test fails if the code under test logged an ERROR."""
    caplog.set_level(logging.INFO)
    yield
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert not errors, f"logged errors: {[r.getMessage() for r in errors]}"


def kept_for_matching(session, integration: Integration, vendor_attempt_id: str, email: str | None = None):
    """A completed result the vendor sent for an attempt Assay does not know: kept for matching."""
    status = AttemptStatus(vendor_attempt_id, Progress.COMPLETED, "completed", candidate_email=email)
    return matching.record(
        session=session, integration_id=integration.id, status=status, outcome=assessments.Applied.UNKNOWN
    )


def at_once(count: int, does: Callable) -> list:
    """``does(own_session)`` asked by ``count`` colleagues at the same moment, each in a request
    (thread and session) of its own: what each returned, or the error it raised, as they finished."""
    answers: list = []
    start = threading.Barrier(count)

    def colleague() -> None:
        start.wait()
        with new_session() as own:
            try:
                answers.append(does(own))
            except Exception as err:
                answers.append(err)

    colleagues = [threading.Thread(target=colleague) for _ in range(count)]
    for thread in colleagues:
        thread.start()
    for thread in colleagues:
        thread.join(60)
    return answers


# How long a colleague's one statement runs before it is taken to wait for a lock (SQLite's busy wait).
_WAITING_AFTER_S = 1.0


@contextlib.contextmanager
def a_colleague_meanwhile(
    session, looks: Callable[[sa.orm.ORMExecuteState], bool], does: Callable
) -> Iterator[None]:
    """Another worker's request, started just after ``session`` ran the first statement ``looks``
    picks out (a lookup about to be acted on): the race two recruiters acting at once run, made
    certain. ``does(own_session)`` runs in a thread of its own, waited for and its error raised on
    exit. The colleague is waited for until done or waiting for ``session``'s locks, 30 seconds at
    most: one given a fixed second on a loaded machine went second (CI194, CI229, 410bc13's landing).
    On PostgreSQL the wait is seen (``pg_blocking_pids``). On SQLite only a session holding a write
    transaction can be waited for (WAL: readers never wait), and a colleague a second into one
    statement is taken to be waiting (its busy timeout)."""
    colleague: list[threading.Thread] = []
    failed: list[BaseException] = []

    def run() -> None:
        with new_session() as own:
            try:
                does(own)
            except BaseException as err:
                failed.append(err)

    def after_the_look(state):
        if colleague or not looks(state):
            return None
        result = state.invoke_statement()
        # A lookup's rows are read now: what the colleague writes is not seen (an UPDATE's count is known).
        rows = result.freeze() if state.is_select else lambda: result
        colleague.append(threading.Thread(target=run))
        waits = _a_wait_for_the_locks_of(state.session.connection(), colleague[0])
        colleague[0].start()
        until = time.monotonic() + 30.0
        while colleague[0].is_alive() and time.monotonic() < until and not waits():
            colleague[0].join(0.02)
        return rows()

    sa.event.listen(session, "do_orm_execute", after_the_look)
    try:
        yield
    finally:
        sa.event.remove(session, "do_orm_execute", after_the_look)
        for thread in colleague:
            thread.join(30)
    assert colleague, "the statement the colleague was to follow never ran"
    if failed:
        raise failed[0]


def _a_wait_for_the_locks_of(ours: sa.Connection, colleague: threading.Thread) -> Callable[[], bool]:
    """Whether ``colleague`` now waits for a lock ``ours`` holds, as far as the database lets it be seen."""
    if ours.dialect.name == "postgresql":
        pid = ours.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        return lambda: _someone_waits_for(pid)
    if not ours.connection.dbapi_connection.in_transaction:
        return lambda: False  # no write transaction: in WAL mode nobody waits for a reader

    return lambda: statement_clock.running_for(colleague) >= _WAITING_AFTER_S


def _someone_waits_for(backend_pid: int) -> bool:
    """Whether a connection waits for a lock the backend ``backend_pid`` holds."""
    with get_engine().connect() as watcher:
        return watcher.execute(
            sa.text(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE :ours = ANY(pg_blocking_pids(pid)))"
            ),
            {"ours": backend_pid},
        ).scalar()


def a_colleague_adding(job_id: int, name: str, email: str, told: list[str]) -> Callable:
    """For ``a_colleague_meanwhile``: the colleague adds the person to the job; a refusal's words go to ``told``."""

    def adds(own) -> None:
        try:
            pipeline.add_application(session=own, job_id=job_id, name=name, email=email, actor=SYSTEM)
        except UserError as err:
            told.append(str(err))

    return adds


def selects(entity, *values) -> Callable[[sa.orm.ORMExecuteState], bool]:
    """For ``a_colleague_meanwhile``: a SELECT of ``entity`` with each of ``values`` among its parameters."""

    def picks(state) -> bool:
        if not state.is_select or entity not in {d["entity"] for d in state.statement.column_descriptions}:
            return False
        params = state.statement.compile().params.values()
        return all(value in params for value in values)

    return picks


def reads(entity) -> Callable[[sa.orm.ORMExecuteState], bool]:
    """For ``a_colleague_meanwhile``: any SELECT of ``entity``'s rows or columns (``session.get``'s
    too, whose key ``selects`` cannot see)."""
    return lambda state: (
        state.is_select and entity in {d["entity"] for d in state.statement.column_descriptions}
    )


def rejected_by_a_recruiter(session, application_id: int) -> review.Rejection:
    """Rita, a recruiter, rejects the candidate (a rejection is always a person's)."""
    recruiter = session.exec(select(User).where(User.email == "rita@example.com")).first()
    if recruiter is None:
        recruiter, _ = accounts.create_user(
            session=session, email="rita@example.com", name="Rita", role=Role.RECRUITER
        )
    return review.reject(
        session=session,
        application_id=application_id,
        reason="Other",
        note="",
        expected_version=session.get(Application, application_id).decision_version,
        actor=user(recruiter.id, recruiter.name),
    )


def add_go_services(session, p: Pipeline) -> None:
    """The pipeline's assessment stage asks for the sandbox's Go Services (104) too."""
    plans.add_stage_test(
        session=session,
        stage_id=p.assessment.id,
        integration_id=p.integration.id,
        vendor_test_id="104",
        vendor_test_name="Go Services",
    )


def both_tests_sent(session, p: Pipeline) -> tuple[AssessmentAttempt, AssessmentAttempt]:
    """Ada moved into the two-test stage (``two_test_stage``), which sends both; its two attempts."""
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    first, second = (session.get(AssessmentAttempt, i) for i in moved.attempt_ids)
    return first, second


def two_test_stage(session, p: Pipeline, gating: Gating) -> None:
    """The pipeline's assessment stage asks for Go Services (104) too, sends both on entry, and is
    done with all of them or any one (``gating``)."""
    add_go_services(session, p)
    plans.configure_stage(
        session=session, stage_id=p.assessment.id, send_automatically=True, gating=gating, deadline_days=None
    )
