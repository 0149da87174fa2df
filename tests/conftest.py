"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from careerconv import config

os.environ.setdefault("MPLBACKEND", "Agg")

SAMPLE = config.SAMPLE_DATA_DIR


@pytest.fixture
def sample_data(tmp_path: Path) -> Path:
    """A private copy of the committed sample organisation (careerconv/sample), safe to change."""
    if not (SAMPLE / "roster.csv").exists():
        pytest.fail("careerconv/sample is missing: regenerate it as careerconv/sample/README.md says")
    target = tmp_path / "data"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("derived", ".locks"))
    return target


@pytest.fixture
def small_org(tmp_path: Path) -> Path:
    """The small hand-built organisation of tests/orgs.py (six people; Ada has a conversation and a check-in)."""
    from orgs import make_small_org  # after MPLBACKEND is set above

    root = tmp_path / "org"
    make_small_org(root)
    return root
