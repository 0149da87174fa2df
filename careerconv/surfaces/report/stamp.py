"""The stamp kept beside a report: what it was made from, by which batch, when, and the folders its notebook names.

``<reports>/<employee>/.progress-<as_of>.fingerprint`` (:func:`.paths.report_paths`), four lines of text:

1. the fingerprint of what the report was made from (a later batch skips the report while it is the same);
2. the name of the batch that made it (:attr:`.runner.BatchSettings.batch`);
3. when it was made (ISO 8601, UTC): the day's index says a report made today by another batch was made today,
   not "unchanged" (found: of two batches at once, the one that wrote the index last said so of every report the
   other had made);
4. the folders the kept notebook names in its papermill parameters and metadata (JSON): a report kept after its
   folders moved has its notebook rewritten to name where they are now (found: it named a folder that no longer
   existed, for a reader of the notebook or a re-run of it).

A stamp written by an earlier version has the first line, or the first two, only: what it lacks reads as unknown.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Stamp", "read_stamp", "stamp_text", "made_beside"]

# How far a stamp's time may be ahead of this machine's clock and still be believed (two machines writing one
# reports folder, their clocks a little apart).
CLOCK_SLACK = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Stamp:
    """What a report's stamp says (``batch`` empty, ``made_at`` and ``named`` None where it does not say)."""

    fingerprint: str
    batch: str = ""
    made_at: dt.datetime | None = None
    named: dict[str, str] | None = None


def read_stamp(path: Path) -> Stamp | None:
    """The stamp at ``path``; None when there is none (no report, or one being written right now)."""
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    except (OSError, UnicodeDecodeError):
        return None
    lines += [""] * (4 - len(lines))
    try:
        made_at = dt.datetime.fromisoformat(lines[2]) if lines[2] else None
    except ValueError:
        made_at = None
    if made_at is not None and made_at.tzinfo is None:
        made_at = None  # a time without its zone cannot be compared with today
    try:
        named = json.loads(lines[3]) if lines[3] else None
    except ValueError:
        named = None
    return Stamp(lines[0], lines[1], made_at, named if isinstance(named, dict) else None)


def stamp_text(stamp: Stamp) -> str:
    """The text of ``stamp``, as :func:`read_stamp` reads it."""
    made_at = stamp.made_at.isoformat(timespec="seconds") if stamp.made_at else ""
    named = json.dumps(stamp.named, sort_keys=True, ensure_ascii=False) if stamp.named is not None else ""
    return f"{stamp.fingerprint}\n{stamp.batch}\n{made_at}\n{named}\n"


def made_beside(stamp: Stamp | None, batch: str, started: dt.datetime, now: dt.datetime) -> bool:
    """Whether ``stamp`` says its report was made by a batch other than ``batch`` on the day of ``now`` (this
    machine's calendar) or since ``started`` (a batch running past midnight beside this one, which started at
    ``started``). ``started`` and ``now`` carry their time zone."""
    if stamp is None or stamp.made_at is None or not stamp.batch or stamp.batch == batch:
        return False
    if stamp.made_at > now + CLOCK_SLACK:  # a time still to come says nothing true (a stamp edited, a clock wrong)
        return False
    return stamp.made_at >= started or stamp.made_at.astimezone().date() == now.astimezone().date()
