"""A six-person organisation cut from the committed sample, for report batch tests that run kernels.

Small on purpose: the batch tests start Jupyter kernels (and Dask workers),
and a six-report batch exercises everything a big one does (several shards,
several workers, one employee per report) in seconds.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from careerconv.records import config

SAMPLE = config.SAMPLE_DATA_DIR
AS_OF = "2026-10-01"
# E0007 has a plan with horizons ahead, on track and behind; E0006 has never had a conversation.
SIX = ("E0002", "E0003", "E0006", "E0007", "E0010", "E0013")


def make_six_person_org(root: Path) -> list[str]:
    """Copy the roster rows and record folders of :data:`SIX` from the sample into ``root``; return their ids."""
    root.mkdir(parents=True)
    lines = (SAMPLE / "roster.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [lines[0]] + [line for line in lines[1:] if line.split(",", 1)[0] in SIX]
    assert len(kept) == 1 + len(SIX), "careerconv/demo/sample changed: pick six people who are in it"
    (root / "roster.csv").write_text("".join(kept), encoding="utf-8")
    for folder in ("conversations", "checkins"):
        for eid in SIX:
            if (SAMPLE / folder / eid).is_dir():
                shutil.copytree(SAMPLE / folder / eid, root / folder / eid)
    return list(SIX)


def without_generated_time(page: str) -> str:
    """A day's index page without the time it was made ("made 6 Dec 2026, 09:17 UTC")."""
    return re.sub(r" · made \d{1,2} \w{3} \d{4}, \d\d:\d\d [^<\s]+", " · made <time>", page)
