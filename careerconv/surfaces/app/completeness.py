"""What a conversation still lacks before it can be completed (pure): the method's rules plus what the form asks.

:func:`careerconv.records.schema.missing_for_completion` holds the method's rules
(dreams, skills, targets - none below the skill's rating today - action items,
cadence, follow-up); the app asks it for the rules of completing now, which
conversations completed before them need not meet. The app's form
asks more of each action item - a due date and an owner, since an item nobody
owns by no date is not followed up in the check-ins - so Finish checks that
too, and names the item.
"""

from __future__ import annotations

from careerconv.records import schema
from careerconv.records.dates import human_date


def _item_label(item: dict, position: int) -> str:
    text = " ".join(str(item.get("text") or "").split())
    if len(text) > 60:
        text = text[:57] + "…"
    return f"“{text}”" if text else f"action item {position}"


def action_item_gaps(record: dict) -> list[str]:
    """Each action item the form asks a due date, an owner and a text of, that lacks one.

    Parameters
    ----------
    record
        A conversation record.

    Returns
    -------
    list of str
        E.g. ``["Next steps: give “Draft the outline” a due date"]``; empty when every item is whole.
    """
    gaps = []
    for position, item in enumerate(record.get("action_items") or [], start=1):
        text = str(item.get("text") or "").strip()
        due, owner = item.get("due"), str(item.get("owner") or "").strip()
        if not (text or due or owner):
            continue  # an empty row is ignored
        label = _item_label(item, position)
        if not text:
            when = f" due {human_date(due)}" if due else ""
            missing_text = f"Next steps: say what the action item{when}" + (f" owned by {owner}" if owner else "")
            gaps.append(missing_text + " is")
        if not due:
            gaps.append(f"Next steps: give {label} a due date")
        if not owner:
            gaps.append(f"Next steps: give {label} an owner")
    return gaps


def missing_before_completing(record: dict) -> list[str]:
    """Everything still open before the conversation can be completed (empty list: it can be).

    The method's rules (:func:`careerconv.records.schema.missing_for_completion`) and
    then :func:`action_item_gaps`, in the order of the form.
    """
    method = schema.missing_for_completion(record, completing=True)
    if str(record.get("source", "")).startswith("import"):
        return method
    return method + action_item_gaps(record)
