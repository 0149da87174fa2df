"""deploy/slurm/report-array.sh run as Slurm runs it: bash, with the variables Slurm sets for an array task, and a
stand-in ``careerconv`` on PATH that prints its arguments (found by a hostile test of the batches: ``sbatch
--array=2`` to run the failed shard 2 again exited 2, "the array must start at 1", though deploy/README promised
that running it again makes only what failed)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from test_report_shards import fake_careerconv

SCRIPT = Path(__file__).resolve().parent.parent / "deploy" / "slurm" / "report-array.sh"


@pytest.fixture
def array_task(tmp_path):
    """Run the script as task ``task`` of an array of ``count`` tasks from ``first`` to ``last`` (and ``more``
    variables, such as the SHARDS an operator gives)."""
    path = fake_careerconv(tmp_path / "bin")

    def run(task: int, first: int, last: int, count: int, **more: str) -> subprocess.CompletedProcess:
        slurm = {"SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_MIN": str(first),
                 "SLURM_ARRAY_TASK_MAX": str(last), "SLURM_ARRAY_TASK_COUNT": str(count), "AS_OF": "2026-10-01"}
        return subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=30,
                              env={**path, **slurm, **more})
    return run


def shard_made(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stderr
    args = done.stdout.split()
    return args[args.index("--shard") + 1]


def test_one_failed_shard_runs_again_alone_when_the_number_of_shards_is_given(array_task):
    # sbatch --array=2 --export=ALL,AS_OF=2026-10-01,SHARDS=8
    assert shard_made(array_task(2, 2, 2, 1, SHARDS="8")) == "2/8"


def test_a_part_of_an_array_without_the_number_of_shards_is_refused_saying_how_to_give_it(array_task):
    done = array_task(2, 2, 2, 1)
    assert done.returncode == 2 and done.stdout == ""
    assert "does not say the number of shards" in done.stderr
    assert "sbatch --array=2,5 --export=ALL,AS_OF=2026-10-01,SHARDS=N" in done.stderr


def test_a_stepped_array_is_refused_unless_the_number_of_shards_is_given(array_task):
    # sbatch --array=1-8:2 runs tasks 1, 3, 5 and 7: its last task, 7, is not the number of shards
    done = array_task(3, 1, 7, 4)
    assert done.returncode == 2 and "(tasks 1 to 7, 4 of them) does not say the number of shards" in done.stderr
    assert shard_made(array_task(3, 1, 7, 4, SHARDS="8")) == "3/8"


def test_a_whole_array_still_needs_no_number_of_shards(array_task):
    assert shard_made(array_task(5, 1, 8, 8)) == "5/8"


@pytest.mark.parametrize("shards, task, message", [
    ("eight", 2, "SHARDS must be the whole batch's number of shards, a whole number from 1, not 'eight'"),
    ("0", 1, "a whole number from 1, not '0'"),
    ("8", 9, "array task 9 is not a shard of 8 (shards are numbered 1 to 8)"),
])
def test_a_bad_number_of_shards_is_refused_naming_it(array_task, shards, task, message):
    done = array_task(task, task, task, 1, SHARDS=shards)
    assert done.returncode == 2 and message in done.stderr and done.stdout == ""


def test_an_array_of_task_1_alone_is_refused_unless_the_number_of_shards_is_given(array_task):
    # sbatch --array=1 to run the failed shard 1 again: taken for shard 1/1, it made the whole roster
    done = array_task(1, 1, 1, 1)
    assert done.returncode == 2 and done.stdout == ""
    assert "(tasks 1 to 1, 1 of them) does not say the number of shards" in done.stderr
    assert "SHARDS=N" in done.stderr
    assert shard_made(array_task(1, 1, 1, 1, SHARDS="8")) == "1/8"
    assert shard_made(array_task(1, 1, 1, 1, SHARDS="1")) == "1/1"


def test_task_1_of_an_array_slurm_did_not_describe_is_refused_unless_the_number_of_shards_is_given(tmp_path):
    # an older Slurm sets only SLURM_ARRAY_TASK_ID: task 1 alone says no more than --array=1
    done = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=30,
                          env={**fake_careerconv(tmp_path / "bin"), "SLURM_ARRAY_TASK_ID": "1", "AS_OF": "2026-10-01"})
    assert done.returncode == 2 and "does not say the number of shards" in done.stderr and done.stdout == ""
