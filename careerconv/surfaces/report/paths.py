"""Where one employee's progress report of one day is written: the one rule for its file names.

``<reports>/<employee id>/progress-<as_of>.{ipynb,html,pdf}``, the notebook of a failed run beside them
(``.error.ipynb``) and the hidden fingerprint of the data it was made from. The batch runner writes them, the
index pages link them, and a merged index of shards links them by this rule, never by what a shard's index file
says.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from careerconv.records import schema

__all__ = ["ReportPaths", "report_paths"]


@dataclass(frozen=True)
class ReportPaths:
    """Where one employee's report of one day is written."""

    folder: Path
    ipynb: Path
    html: Path
    pdf: Path
    error_ipynb: Path
    stamp: Path


def report_paths(reports_dir: str | os.PathLike, employee_id: str, as_of: dt.date) -> ReportPaths:
    """The files of one report: ``<reports>/<employee>/progress-<as_of>.{ipynb,html,pdf}``.

    Raises
    ------
    ValueError
        If ``employee_id`` is not a valid id (it becomes a folder name).
    """
    schema.parse_identifier(employee_id, what="employee id")
    folder = Path(reports_dir) / employee_id
    stem = f"progress-{as_of.isoformat()}"
    return ReportPaths(folder, folder / f"{stem}.ipynb", folder / f"{stem}.html", folder / f"{stem}.pdf",
                       folder / f"{stem}.error.ipynb", folder / f".{stem}.fingerprint")
