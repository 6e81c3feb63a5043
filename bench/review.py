"""The review page's read as a job grows: does it stay linear in the results it ranks?

What it measures: ``review.results(session, job_id)`` -- the read ``ReviewState`` runs on
page load and on every change: every finished attempt of the job with which one counts
and its percentile among the job's candidates for the same test -- on two migrated
SQLite files made by ``benchlib.build_big_job`` (the board bench's job: five stages, a
CoderPad assessment whose attempts are in every state), one with ``--small`` and one with
``--large`` applications. The two reads run alternately and the medians are compared.

Prints ``finished_<n>=`` (finished attempts ranked) and ``review_ms_<n>=`` for each size,
then ``review_scaling`` = (time ratio) / (finished ratio): 1.0 is linear, and a read
that compares every result with every other approaches the size ratio itself.

Goal: ``review_scaling <= 1.5``.

Run: ``.venv/bin/python bench/review.py [--small 1000] [--large 10000] [--repeats 9]``
(about 20 s).
"""

from __future__ import annotations

import argparse
import atexit
import os
import pathlib
import shutil
import sys
import tempfile

# Settings (and the master key file) are read once per process: a scratch data dir first.
if "ASSAY_DATA_DIR" not in os.environ:
    os.environ["ASSAY_DATA_DIR"] = tempfile.mkdtemp(prefix="assay-bench-review-")
    atexit.register(shutil.rmtree, os.environ["ASSAY_DATA_DIR"], ignore_errors=True)
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from benchlib import build_big_job, emit, interleaved_medians

from dashboard.services import review
from models import get_engine, init_engine, new_session


def read(url: str, job_id: int) -> list[review.ResultRow]:
    init_engine(url)
    with new_session() as session:
        return review.results(session, job_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="assay-bench-review-") as tmp:
        jobs = {}
        for size in (args.small, args.large):
            url = f"sqlite:///{tmp}/review-{size}.db"
            jobs[size] = (url, build_big_job(url, size).job_id)
        finished = {size: len(read(url, job_id)) for size, (url, job_id) in jobs.items()}
        medians = interleaved_medians(
            {str(size): (lambda u=url, j=job_id: read(u, j)) for size, (url, job_id) in jobs.items()},
            repeats=args.repeats,
        )
        get_engine().dispose()
    for size in (args.small, args.large):
        emit(f"finished_{size}", finished[size])
        emit(f"review_ms_{size}", medians[str(size)])
    time_ratio = medians[str(args.large)] / medians[str(args.small)]
    emit("review_scaling", time_ratio / (finished[args.large] / finished[args.small]))


if __name__ == "__main__":
    main()
