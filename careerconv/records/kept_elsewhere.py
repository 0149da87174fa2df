"""The data folder's lists of what is kept about it elsewhere: access logs, the hub's logs and reports folders.

A records service (``careerconv hub``, or any JupyterHub deployment of
:mod:`careerconv.surfaces.service.server`) writes an access log that names the
people whose records were read or written, and has a reports folder of its own;
both live outside the data folder (the hub keeps them in its own state folder),
so a command run on the data folder alone, ``careerconv erase``, would not know
they are there. Nor would it know the hub's own log (``jupyterhub.log``: what the hub, its proxy, the service and the
coaches' servers print), which names coaches by their login, their id. The service adds its log and its reports
folder to these lists when it starts, the writer of the hub's log
(:mod:`careerconv.surfaces.commands.hub_log_writer`) that log, and ``careerconv erase`` rewrites every log and
cleans every reports folder on them, so an erasure on the command line reaches the hub's without the operator having
to remember where they are.

Each list is a file in the data folder holding absolute paths only, never an id, and the data folder it was written
for (resolved, links followed)::

    access-logs.json      {"version": 1, "data_folder": "/srv/careers/data",
                           "access_logs": ["/srv/careers/hub-state/access-log.jsonl"]}
    hub-logs.json         {"version": 1, "data_folder": "/srv/careers/data",
                           "hub_logs": ["/srv/careers/hub-state/jupyterhub.log"]}
    hub-states.json       {"version": 1, "data_folder": "/srv/careers/data", "hub_states": ["/srv/careers/hub-state"]}
    reports-folders.json  {"version": 1, "data_folder": "/srv/careers/data",
                           "reports_folders": ["/srv/careers/hub-state/reports"]}

A log or folder moved or removed for good is taken off its list by editing the file.

**A list is followed only from the data folder it was written for** (found by a tester: a copy of a data folder,
``cp -r data data-copy``, kept the original's lists, and ``careerconv --data data-copy erase`` rewrote the original's
access log, hub log and hub state and deleted reports in the original's reports folder). Read from any other folder
(a copy, a backup restored beside the original, a folder moved), a list names nothing (:func:`recorded`) and is
reported instead (:func:`not_followed`, :func:`not_followed_notice`: ``careerconv erase`` says so). A folder that
was moved gets its lists back when its records service or hub starts: :func:`record` writes the list anew for the
folder it serves, naming only what that service adds (what the list named for the other folder is not adopted, since
a service started on a copy must not reach the original's; it is logged as a warning). A list without a data folder
(written by a careerconv before this rule) is followed as before: every one was written by a service for the folder
it served, and the next start of that service writes the folder in (:func:`record`).

Since the lists can be edited by hand, nothing on them is trusted for being there: a reports folder is cleaned only
when it holds the mark the service leaves when it lists it (:data:`REPORTS_FOLDER_MARK`,
:func:`is_marked_reports_folder`), and an access log is rewritten only when it reads as one
(:mod:`careerconv.surfaces.service.access_log`).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from .store import Store, atomic_write_bytes


@dataclass(frozen=True)
class PathList:
    """One list: its file in the data folder and the key its paths are kept under."""

    file: str
    key: str

    @property
    def shape(self) -> str:
        return f'{{"version": 1, "{FOLDER_KEY}": "/absolute/data/folder", "{self.key}": ["/absolute/path", ...]}}'

    @property
    def words(self) -> str:
        """What the list names, in words: ``access logs``."""
        return self.key.replace("_", " ")


FOLDER_KEY = "data_folder"  # the data folder a list was written for: only that folder follows it
ACCESS_LOGS = PathList("access-logs.json", "access_logs")
HUB_LOGS = PathList("hub-logs.json", "hub_logs")
REPORTS_FOLDERS = PathList("reports-folders.json", "reports_folders")
HUB_STATES = PathList("hub-states.json", "hub_states")  # the hub's own state folders (its users, groups, homes)
# The file a records service leaves in its reports folder when it lists it: what proves a listed folder is a
# careerconv reports folder (found by a hostile test: a folder standing for /etc, put on the list by hand, was
# cleaned as one, and its VPN key, E0005.conf and every file naming the person deleted). It names no one.
REPORTS_FOLDER_MARK = ".careerconv-reports-folder.json"
_MARK_TEXT = b'{"version": 1, "careerconv": "reports folder"}\n'
KINDS = (ACCESS_LOGS, HUB_LOGS, REPORTS_FOLDERS, HUB_STATES)
_log = logging.getLogger(__name__)


def list_path(store: Store, kind: PathList = ACCESS_LOGS) -> Path:
    """Where the list ``kind`` is kept in ``store``'s data folder."""
    return store.root / kind.file


def list_paths(store: Store) -> set[Path]:
    """Every list's file in ``store``'s data folder (paths, never an id)."""
    return {list_path(store, kind) for kind in KINDS}


@dataclass(frozen=True)
class Listed:
    """One list as its file holds it: the data folder it was written for (None: a list written before lists named
    it) and its paths, in the order they were added."""

    written_for: Path | None
    paths: list[Path]

    def followed_from(self, store: Store) -> bool:
        """Whether ``store``'s data folder follows this list: it was written for that folder, or names none."""
        return self.written_for is None or self.written_for == store.root


def listed(store: Store, kind: PathList) -> Listed:
    """The list ``kind`` of ``store``'s data folder as its file holds it, whichever folder it was written for (an
    empty one when there is no list).

    Raises
    ------
    ValueError
        The list cannot be read or is not as careerconv writes it (the message names the file and its shape).
    """
    path = list_path(store, kind)
    try:
        raw = json.loads(path.read_bytes())
    except FileNotFoundError:
        return Listed(None, [])
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read the list of {kind.words} ({exc}); it should read {kind.shape}") \
            from None
    paths = raw.get(kind.key) if isinstance(raw, dict) else None
    folder = raw.get(FOLDER_KEY) if isinstance(raw, dict) else None
    if not isinstance(paths, list) or not all(isinstance(p, str) and os.path.isabs(p) for p in paths) \
            or not (folder is None or (isinstance(folder, str) and os.path.isabs(folder))):
        raise ValueError(f"{path}: not a list of {kind.words} as careerconv writes it; it should read {kind.shape}")
    return Listed(None if folder is None else Path(folder), [Path(p) for p in paths])


def recorded(store: Store, kind: PathList) -> list[Path]:
    """The paths on the list ``kind`` of ``store``'s data folder, in the order they were added; none when there is
    no list, or when it was written for another data folder (:func:`not_followed` says which).

    Raises
    ------
    ValueError
        The list cannot be read or is not as careerconv writes it (the message names the file and its shape).
    """
    found = listed(store, kind)
    return found.paths if found.followed_from(store) else []


def record(store: Store, kind: PathList, place: str | os.PathLike) -> Path:
    """Add ``place`` (made absolute) to the list ``kind``, written for ``store``'s data folder, when it is not on it
    yet; return the list's path.

    A list written for another data folder (this one is a copy of it, or was moved here) is written anew naming
    ``place`` alone: its paths are that folder's, and a warning names them (a service started on a copy must not
    reach the original's logs). A list that names no data folder (an older careerconv's) is kept, and names this
    one from now on.

    Read-modify-write under the roster lock (the lock the data folder's other small lists, such as the erased
    ids, are changed under), so two services starting at once both stay on it.
    """
    place = Path(place).resolve()
    with store.lock("roster"):
        found = listed(store, kind)
        paths = found.paths
        if not found.followed_from(store):
            dropped = [str(p) for p in paths if p != place]
            _log.warning("%s was written for the data folder %s, not this one (%s): it is written anew for this one, "
                         "naming %s%s", list_path(store, kind), found.written_for, store.root, place,
                         f"; what it named there is no longer on it: {', '.join(dropped)}" if dropped else "")
            paths = []
        if place not in paths or found.written_for != store.root:
            kept = [str(p) for p in dict.fromkeys([*paths, place])]
            data = {"version": 1, FOLDER_KEY: str(store.root), kind.key: kept}
            atomic_write_bytes(list_path(store, kind), json.dumps(data, indent=1).encode("utf-8"))
    return list_path(store, kind)


@dataclass(frozen=True)
class NotFollowed:
    """A list in a data folder that was written for another data folder, and so is not followed from this one."""

    file: Path
    kind: PathList
    written_for: Path
    paths: list[Path]


def not_followed(store: Store) -> list[NotFollowed]:
    """The lists of ``store``'s data folder written for another data folder (:func:`recorded` follows none of them).

    Raises
    ------
    ValueError
        A list cannot be read or is not as careerconv writes it.
    """
    found = [(kind, listed(store, kind)) for kind in KINDS]
    return [NotFollowed(list_path(store, kind), kind, item.written_for, item.paths)
            for kind, item in found if not item.followed_from(store) and item.written_for is not None]


def not_followed_notice(store: Store, lists: list[NotFollowed]) -> str:
    """What an erasure says of ``lists`` (:func:`not_followed`): each file, the folder it names, what is on it, that
    nothing on it was touched, and what to do; "" when there are none."""
    if not lists:
        return ""
    others = ", ".join(dict.fromkeys(str(item.written_for) for item in lists))
    out = [f"Lists not followed: this data folder ({store.root}) looks like a copy of {others}: these lists of what "
           "is kept elsewhere were written for that folder, and nothing on them was touched (that folder's hub "
           "logs, hub state and reports are not this folder's):"]
    out += [f"  {item.file}  written for {item.written_for}; its {item.kind.words}: "
            f"{', '.join(map(str, item.paths)) or 'none'}" for item in lists]
    out.append(f"If this folder is a copy, that is right: delete these files from it, and this is no longer said. If "
               f"it was moved here from there, start its hub or records service once (it lists its own anew, for "
               f"this folder), or, where the paths on a file are right for this folder, change its "
               f'"{FOLDER_KEY}" to "{store.root}"; then erase again.')
    return "\n".join(out)


NONE_KEPT = "none is kept about this data folder."  # what a receipt's part says when its list names nothing


def none_followed(store: Store, kind: PathList) -> str:
    """What a part of an erasure's receipt says when nothing on the list ``kind`` is followed from ``store``'s data
    folder: :data:`NONE_KEPT`, unless its list was written for another data folder (this one a copy of it, or moved
    from there): then that none was changed, why, and where the receipt says more (:func:`not_followed_notice`). "None
    is kept" said there stood just above the notice that the list, naming the other folder's, was not followed (found
    reading the receipt of an erasure in a copied data folder).

    Raises
    ------
    ValueError
        The list cannot be read or is not as careerconv writes it.
    """
    found = listed(store, kind)
    if found.followed_from(store):
        return NONE_KEPT
    return (f"none was changed. This data folder has a list of {kind.words} ({kind.file}), but it was made for "
            f"another data folder, {found.written_for} (this one looks like a copy of it), so nothing on it was "
            'touched: see "Lists not followed" at the end of this receipt.')


def recorded_access_logs(store: Store) -> list[Path]:
    """The access logs kept about ``store``'s data folder (:func:`recorded`)."""
    return recorded(store, ACCESS_LOGS)


def record_access_log(store: Store, log: str | os.PathLike) -> Path:
    """Put ``log`` on the data folder's list of access logs (:func:`record`)."""
    return record(store, ACCESS_LOGS, log)


def recorded_hub_logs(store: Store) -> list[Path]:
    """The hub's logs kept about ``store``'s data folder (:func:`recorded`)."""
    return recorded(store, HUB_LOGS)


def record_hub_log(store: Store, log: str | os.PathLike) -> Path:
    """Put ``log``, a hub's own log, on the data folder's list of hub logs (:func:`record`)."""
    return record(store, HUB_LOGS, log)


def record_hub_state(store: Store, folder: str | os.PathLike) -> Path:
    """Put ``folder``, a hub's state folder (its database, groups, passwords, homes:
    :mod:`careerconv.surfaces.service.hub_state`), on the data folder's list of hub states (:func:`record`)."""
    return record(store, HUB_STATES, folder)


def recorded_reports_folders(store: Store) -> list[Path]:
    """The reports folders kept about ``store``'s data folder, besides the one beside it (:func:`recorded`)."""
    return recorded(store, REPORTS_FOLDERS)


def record_reports_folder(store: Store, folder: str | os.PathLike) -> Path:
    """Mark ``folder`` (which must be there) as a careerconv reports folder (:data:`REPORTS_FOLDER_MARK`) and put it
    on the data folder's list of reports folders (:func:`record`)."""
    mark = Path(folder).resolve() / REPORTS_FOLDER_MARK
    if not is_marked_reports_folder(mark.parent):
        atomic_write_bytes(mark, _MARK_TEXT)
    return record(store, REPORTS_FOLDERS, folder)


def is_marked_reports_folder(folder: str | os.PathLike) -> bool:
    """Whether ``folder`` holds the mark a records service leaves in its reports folder (a file, not a link, that
    reads as :func:`record_reports_folder` writes it)."""
    return reports_folder_mark_problem(folder) is None


def reports_folder_mark_problem(folder: str | os.PathLike) -> str | None:
    """Why ``folder`` is not marked as a records service's reports folder (:func:`is_marked_reports_folder`), in words
    that say what to do, or None when it is.

    A mark that is a link is not the service's (found by a hostile test: a link to another folder's mark was reported
    as "does not hold the file", though it was right there); the service, started once, replaces the link with the
    file (:func:`record_reports_folder` writes it whole in its place, never through the link).
    """
    mark = Path(folder) / REPORTS_FOLDER_MARK
    again = "start that service once, which marks it, and erase again; if not, take it off that list"
    try:
        if mark.is_symlink():
            return (f"its {REPORTS_FOLDER_MARK} is a link (to {os.readlink(mark)}), not the file a records service "
                    f"writes there, and a mark copied or linked from another folder proves nothing: if it is a "
                    f"service's reports folder, delete the link, {again}")
        if not mark.exists():
            return f"it does not hold the file {REPORTS_FOLDER_MARK} a records service leaves in its reports folder: " \
                   f"if it is one, {again}"
        if not mark.is_file() or mark.read_bytes() != _MARK_TEXT:
            return (f"its {REPORTS_FOLDER_MARK} is not the file a records service writes there (changed by hand?): if "
                    f"it is a service's reports folder, delete it, {again}")
    except OSError as exc:
        return f"its {REPORTS_FOLDER_MARK} cannot be read ({exc.strerror or exc}): let this account read it, or " \
               "take the folder off that list"
    return None
