"""The data folder's list of the access logs kept about it: ``access-logs.json``.

A records service (``careerconv hub``, or any JupyterHub deployment of
:mod:`careerconv.surfaces.service.server`) writes an access log that names the
people whose records were read or written. That log lives outside the data
folder (the hub keeps it in its own state folder), so a command run on the data
folder alone, ``careerconv erase``, would not know it is there. The service
adds its log to this list when it starts, and ``careerconv erase`` rewrites
every log on it, so an erasure on the command line reaches the hub's log without
the operator having to remember where it is.

The file holds absolute paths only, never an id::

    {"version": 1, "access_logs": ["/srv/careers/hub-state/access-log.jsonl"]}

A log moved or removed for good is taken off the list by editing the file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .store import Store, atomic_write_bytes

ACCESS_LOGS_FILE = "access-logs.json"
_SHAPE = '{"version": 1, "access_logs": ["/absolute/path/of/a/log.jsonl", ...]}'


def list_path(store: Store) -> Path:
    """Where the list is kept in ``store``'s data folder."""
    return store.root / ACCESS_LOGS_FILE


def recorded_access_logs(store: Store) -> list[Path]:
    """The access logs kept about ``store``'s data folder, in the order they were added (none when there is no list).

    Raises
    ------
    ValueError
        The list cannot be read or is not as careerconv writes it (the message names the file and its shape).
    """
    path = list_path(store)
    try:
        raw = json.loads(path.read_bytes())
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read the list of access logs ({exc}); it should read {_SHAPE}") from None
    logs = raw.get("access_logs") if isinstance(raw, dict) else None
    if not isinstance(logs, list) or not all(isinstance(p, str) and os.path.isabs(p) for p in logs):
        raise ValueError(f"{path}: not a list of access logs as careerconv writes it; it should read {_SHAPE}")
    return [Path(p) for p in logs]


def record_access_log(store: Store, log: str | os.PathLike) -> Path:
    """Add ``log`` (made absolute) to the list, when it is not on it yet; return the list's path.

    Read-modify-write under the roster lock (the lock the data folder's other small lists, such as the erased
    ids, are changed under), so two services starting at once both stay on it.
    """
    log = Path(log).resolve()
    with store.lock("roster"):
        logs = recorded_access_logs(store)
        if log not in logs:
            data = {"version": 1, "access_logs": [str(p) for p in [*logs, log]]}
            atomic_write_bytes(list_path(store), json.dumps(data, indent=1).encode("utf-8"))
    return list_path(store)
