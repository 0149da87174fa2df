"""Where the coach is in the app, as the page address's fragment (``#employee=E0031&conversation=…``).

The fragment names the employee and the conversation or check-in that is open
(and the section of the conversation), so a reload or a bookmark lands back
there. It is never sent to the server, so the access token in the query string
is untouched. Pure functions: :func:`place_fragment` writes a :class:`Place`,
:func:`parse_place` reads one back and refuses anything it does not know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote

from careerconv.records import schema

KEYS = ("coach", "view", "employee", "conversation", "checkin", "step")
VIEWS = ("person", "team")
NEW_CHECKIN = "new"  # ``checkin=new``: the person's check-in (their draft, or a new one)
_STEP_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Place:
    """A place in the app.

    Attributes
    ----------
    coach
        The coach chosen on the start screen ("" for all coaches).
    view
        ``"person"`` (find a person) or ``"team"`` (the coach's team).
    employee
        The employee open ("" for none).
    conversation
        The conversation open ("" for none).
    checkin
        The check-in open: its id, :data:`NEW_CHECKIN` for one not saved yet,
        or "" for none.
    step
        The section (or ``finish``) of the open conversation ("" for where it was left).
    """

    coach: str = ""
    view: str = "person"
    employee: str = ""
    conversation: str = ""
    checkin: str = ""
    step: str = ""


def place_fragment(place: Place) -> str:
    """The fragment (without ``#``) naming a place; "" for the bare start screen."""
    parts = []
    for key in KEYS:
        value = getattr(place, key)
        if value and not (key == "view" and value == "person"):
            parts.append(f"{key}={quote(value, safe='')}")
    return "&".join(parts)


def parse_place(fragment: str) -> Place:
    """Read a fragment written by :func:`place_fragment` (a leading ``#`` is allowed).

    Raises
    ------
    ValueError
        Naming the part that is wrong and what is allowed: an unknown key, an
        id that is not an id, an unknown view, a conversation and a check-in
        at once, or either without an employee.
    """
    text = (fragment or "").lstrip("#").strip()
    if not text:
        return Place()
    values: dict[str, str] = {}
    for key, value in parse_qsl(text, keep_blank_values=True, strict_parsing=False):
        if key not in KEYS:
            raise ValueError(f"the page address names {key!r}; it may name {', '.join(KEYS)}")
        values[key] = value.strip()
    for key in ("coach", "employee", "conversation"):
        if values.get(key):
            schema.parse_identifier(values[key], what=f"{key} id in the page address")
    checkin = values.get("checkin", "")
    if checkin and checkin != NEW_CHECKIN:
        schema.parse_identifier(checkin, what="check-in id in the page address")
    view = values.get("view") or "person"
    if view not in VIEWS:
        raise ValueError(f"the page address asks for the view {view!r}; views are {', '.join(VIEWS)}")
    step = values.get("step", "")
    if step and not _STEP_RE.match(step):
        raise ValueError(f"the page address names the section {step!r}, which is not a section id")
    if values.get("conversation") and checkin:
        raise ValueError("the page address names a conversation and a check-in; it can name one of them")
    if (values.get("conversation") or checkin) and not values.get("employee"):
        raise ValueError("the page address names a conversation or check-in but no employee")
    return Place(coach=values.get("coach", ""), view=view, employee=values.get("employee", ""),
                 conversation=values.get("conversation", ""), checkin=checkin, step=step)
