"""deploy/kubernetes's Jobs run again (found by a hostile test of the batches: a Job's pod template cannot be
changed, so `kubectl apply` of the next report date onto the finished Job was refused, "field is immutable", and
deploy/README.md did not say to delete it first)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def jobs() -> list[dict]:
    return [yaml.safe_load((DEPLOY / "kubernetes" / name).read_text(encoding="utf-8"))
            for name in ("report-job.yaml", "report-merge-job.yaml")]


def test_both_jobs_go_away_a_day_after_they_finish():
    assert [job["spec"].get("ttlSecondsAfterFinished") for job in jobs()] == [86400, 86400]


def test_the_readme_deletes_exactly_the_two_jobs_before_they_run_again():
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    deleted = re.search(r"^kubectl delete job ([^\n]+?) --ignore-not-found$", readme, flags=re.M)
    assert deleted is not None, "deploy/README.md does not say how to delete the finished Jobs"
    assert deleted.group(1).split() == [job["metadata"]["name"] for job in jobs()]
    assert "field is immutable" in readme  # what kubectl says, so an operator who searches for it finds this
