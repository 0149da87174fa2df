"""How the follow-up states read in the app: the words for an action item's status.

The rules themselves (previous plan, item states, carried-over items, the
latest ratings) are in :mod:`careerconv.followup`.
"""

from __future__ import annotations

STATUS_LABELS = {"open": "Open", "in_progress": "In progress", "done": "Done", "dropped": "Dropped"}


def status_label(status: str) -> str:
    """An action item's status as a person reads it ("In progress"); an unknown status as it is."""
    return STATUS_LABELS.get(status, status)
