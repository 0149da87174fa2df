"""Who may do what through the records service: pure rules, no I/O.

A caller is a JupyterHub user. Their role comes from the hub groups they are
in (:data:`ROLE_GROUPS`); the coach they are on the roster comes from their
login (:func:`coach_id_for`). The rules:

* a **coach** reads the records of the people who have them as coach on the
  roster now, including what earlier coaches wrote (a person who moved to
  them brings their history and open plan); they write only records they
  are the coach of (``coach_id``) for people who are theirs now, so a
  former coach's records are read-only to the new one and a former coach
  can neither read nor write anything of a person who moved away;
* **HR** reads the aggregate tables of the HR page (minimum group size, no
  free text) and nobody's records;
* an **operator** imports the roster, erases a person and reads the access
  log, and reads nobody's records either.

Someone in no careerconv group is refused everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

COACH, HR, OPERATOR = "coach", "hr", "operator"
# Hub group -> role (a user may be in several groups and then holds each role).
ROLE_GROUPS = {"coaches": COACH, "hr": HR, "operators": OPERATOR}


class Refused(PermissionError):
    """A request the caller's role does not allow (HTTP 403); nothing was read or written."""


@dataclass(frozen=True)
class Caller:
    """An authenticated hub user as the service sees them.

    Attributes
    ----------
    login
        The hub user name (what ``saved_by`` and the access log record).
    roles
        Any of :data:`COACH`, :data:`HR`, :data:`OPERATOR`.
    coach_id
        Their id on the roster as a coach (None if they are not a coach).
    """

    login: str
    roles: frozenset[str]
    coach_id: str | None = None

    def has(self, role: str) -> bool:
        return role in self.roles


def hub_login(employee_id: str) -> str:
    """The hub login ``careerconv hub`` makes for a person: their roster id in lower case, the form JupyterHub gives a
    user name it is handed (its default ``Authenticator.normalize_username``)."""
    return employee_id.lower()


def roles_from_groups(groups: Iterable[str]) -> frozenset[str]:
    """The careerconv roles of a hub user in these groups (other groups are ignored)."""
    return frozenset(ROLE_GROUPS[g] for g in groups if g in ROLE_GROUPS)


def coach_id_for(login: str, coach_ids: Iterable[str], mapping: Mapping[str, str] | None = None) -> str | None:
    """The roster coach id a hub login stands for.

    Parameters
    ----------
    login
        The hub user name (JupyterHub lower-cases names by default).
    coach_ids
        Every coach id on the roster.
    mapping
        ``login -> coach id`` for organisations whose logins are not their
        roster ids (checked first).

    Returns
    -------
    str or None
        The mapped id, else the one roster id equal to the login ignoring
        case; None when there is none, or when two ids differ only in case
        (the login cannot say which one it is).
    """
    if mapping and login in mapping:
        return mapping[login]
    matches = {c for c in coach_ids if c.casefold() == login.casefold()}
    return next(iter(matches)) if len(matches) == 1 else None


def check_read_person(caller: Caller, employee_id: str, current_coach: str | None, doing: str = "read") -> None:
    """Raise :class:`Refused` unless ``caller`` may read this person's records.

    ``current_coach`` is the person's coach on the roster now (None when they
    are not on it); ``doing`` ("read", "save") is what the refusal says was refused.
    """
    if caller.has(COACH) and caller.coach_id is not None and current_coach == caller.coach_id:
        return
    raise Refused(f"{caller.login} may not {doing} the records of employee {employee_id!r}: "
                  + _why_not(caller, "their coach on the roster"))


def check_write_record(caller: Caller, employee_id: str, current_coach: str | None, record_coach: str | None,
                       stored_coach: str | None = None) -> None:
    """Raise :class:`Refused` unless ``caller`` may create or change this record.

    Parameters
    ----------
    current_coach
        The person's coach on the roster now.
    record_coach
        ``coach_id`` of the record as sent ("" when it names none; None when no record is sent: a discard).
    stored_coach
        ``coach_id`` of the stored record being changed (None for a new one).
    """
    check_read_person(caller, employee_id, current_coach, "save")
    if stored_coach is not None and stored_coach != caller.coach_id:
        raise Refused(f"this record was written by coach {stored_coach!r} before employee {employee_id!r} moved "
                      f"to {caller.login}; it is read-only (start a new record instead)")
    if record_coach is not None and record_coach != caller.coach_id:
        raise Refused(f"{caller.login} may only save records with themselves as coach (coach_id "
                      f"{caller.coach_id!r}), not " + (repr(record_coach) if record_coach else "one naming no coach"))


def check_role(caller: Caller, role: str, what: str) -> None:
    """Raise :class:`Refused` unless ``caller`` holds ``role`` (``what`` names the request)."""
    if not caller.has(role):
        raise Refused(f"{caller.login} may not {what}: {_why_not(caller, _ROLE_WORDS[role])}")


_ROLE_WORDS = {COACH: "a coach", HR: "people in the hub group 'hr'", OPERATOR: "people in the hub group 'operators'"}


def _why_not(caller: Caller, needed: str) -> str:
    held = ", ".join(sorted(caller.roles)) or "none (not in the hub groups coaches, hr or operators)"
    extra = "" if caller.coach_id or not caller.has(COACH) else "; their login matches no coach on the roster"
    return f"only {needed} may (their roles: {held}{extra})"
