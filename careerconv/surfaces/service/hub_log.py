"""The hub's own log (``jupyterhub.log``): what the hub, its proxy, the records service and the coaches' servers
print, naming an erased person only by their pseudonym.

JupyterHub names a coach by their login, which is their id (``200 GET /hub/user/e0020/``, ``User logged in:
e0020``, its spawner's lines), configurable-http-proxy writes the address of a request it cannot forward
(``/user/e0020/…``), and a crash's traceback may hold an employee's id. Found by a hostile tester: after ``careerconv
erase E0020`` the hub's log still named them in clear, and every line written afterwards too. So:

* every line reaches the file through one writer (:class:`HubLog`, run by
  :mod:`careerconv.surfaces.commands.hub_log_writer`, which reads the hub's output, its children's with it), which
  names every person on the data folder's list of erased people by their pseudonym
  (:meth:`careerconv.surfaces.service.pseudonyms.ErasedList.named_by_pseudonyms`; the list is read again only when
  its file changed);
* an erasure rewrites the lines already written (:meth:`HubLog.forget`, :func:`forget_in_hub_logs`): the id, where it
  stands as a word, becomes the pseudonym an access log names them by, each other line is kept byte for byte; the
  log is copied into a new file beside it and renamed over it, under the lock the writer takes for each line, so a
  kill at any moment leaves the old log or the new one, whole, and no line is lost
  (:mod:`careerconv.surfaces.service.log_files`).

The writer puts the log on the data folder's list of hub logs (:mod:`careerconv.records.kept_elsewhere`) and begins
it with the line :data:`MARK`; since the list can be edited by hand, an erasure rewrites only a file that begins
with it (any other is left as it is and named on the receipt).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO, Callable, TextIO

from careerconv.records.kept_elsewhere import HUB_LOGS, none_followed, recorded_hub_logs
from careerconv.records.store import Store
from .access_log import LogErasure, forgotten_in
from .log_files import LockedAppender, NotThatLog, rewrite_whole
from .hub_state import logins_of
from .pseudonyms import ErasedList, id_as_word, login_as_words, pseudonym_of

MARK = b"careerconv hub log: an erased person is named here only by their pseudonym (careerconv erase)\n"
LONGEST_LINE = 1 << 20  # bytes; a longer line (output without a line end) is written in pieces of this size


class NotAHubLog(NotThatLog):
    """A file named as a hub log that does not begin with :data:`MARK`: it is left as it is."""


class HubLog:
    """The hub's log file at ``path``, about the data folder ``store`` (None: no one is erased); ``coach_logins``
    (login -> roster coach id) are the hub's logins that are not ids (``CAREERCONV_HUB_COACH_LOGINS``)."""

    def __init__(self, path: str | os.PathLike, store: Store | None = None,
                 coach_logins: dict[str, str] | None = None):
        self.path = Path(path)
        self.erased = ErasedList(store, coach_logins)
        self._appender = LockedAppender(self.path)

    def append(self, line: bytes) -> bytes:
        """Add ``line`` (a line of output with its end, or the last piece of it) naming every erased person by their
        pseudonym, and :data:`MARK` first when the file is new or empty; return what was written."""
        def text(size: int) -> bytes:
            # read under the lock: an erasure lists them before it rewrites the log, so a line is either in the file
            # it rewrites or written after they are on the list
            named = self.erased.named_by_pseudonyms(line.decode("utf-8", errors="surrogateescape"))
            return (MARK if size == 0 else b"") + named.encode("utf-8", errors="surrogateescape")
        return self._appender.append(text)

    def copy_lines(self, output: BinaryIO, problems: TextIO | None = None) -> int:
        """Append every line read from ``output`` (a pipe the hub and its children print to) until it ends; return
        how many lines could not be written.

        A line that cannot be written (a full disk, the log's folder taken away) is left out and the reading goes
        on: the hub, its proxy and the coaches' servers print into this pipe, and one that met a closed pipe would
        fail (the proxy ends on it). The first such failure, and the count at the end, are said on ``problems``.
        """
        lost = 0
        while line := output.readline(LONGEST_LINE):
            try:
                self.append(line)
            except OSError as exc:
                if not lost and problems is not None:
                    print(f"careerconv: cannot write the hub's log {self.path} ({exc}); its lines are left out "
                          "until it can be written", file=problems, flush=True)
                lost += 1
        if lost and problems is not None:
            print(f"careerconv: {lost} line(s) of the hub's output could not be written to {self.path}",
                  file=problems, flush=True)
        return lost

    def mark(self) -> None:
        """Begin the log with :data:`MARK` when it does not yet (a log of a hub before this writer); a missing or
        empty log gets it with its first line."""
        try:
            rewrite_whole(self.path, _first_line_marked(), _check_not_marked)
        except (FileNotFoundError, _Marked):
            pass

    def forget(self, employee_id: str, pseudonym: str, logins: list[str] = ()) -> int:
        """Replace ``employee_id`` and each of their hub ``logins`` that is not their id (in any case, where it stands
        as a word: :func:`~careerconv.surfaces.service.pseudonyms.id_as_word`, a login URL-encoded too) with
        ``pseudonym`` in every line; return the lines changed (none changed: the file is left as it is).

        Raises
        ------
        FileNotFoundError
            There is no file at :attr:`path`.
        NotAHubLog
            The file does not begin with :data:`MARK`; it is as it was.
        OSError
            It cannot be read or replaced (the message names the file and why; the log is as it was).
        """
        words = [id_as_word(employee_id), *(word for login in logins for word in login_as_words(login))]

        def rewrite(line: bytes) -> bytes:
            text = line.decode("utf-8", errors="surrogateescape")
            new = text
            for word in words:
                new = word.sub(pseudonym, new)
            return line if new == text else new.encode("utf-8", errors="surrogateescape")
        return rewrite_whole(self.path, rewrite, _check_marked)


class _Marked(Exception):
    """The log begins with :data:`MARK` already."""


def _check_not_marked(path: Path, fd: int, settled: bool) -> None:
    if os.pread(fd, len(MARK), 0) == MARK:
        raise _Marked


def _check_marked(path: Path, fd: int, settled: bool) -> None:
    if os.pread(fd, len(MARK), 0) != MARK:
        raise NotAHubLog(f"{path}: not a careerconv hub log (it does not begin with the line careerconv's writer "
                         "of the hub's log begins it with); if it is not one, take it off the data folder's list "
                         "hub-logs.json")


def _first_line_marked() -> Callable[[bytes], bytes]:
    """A rewrite that puts :data:`MARK` before the first line it is given, and leaves every other line as it is."""
    first = [True]

    def rewrite(line: bytes) -> bytes:
        if not first[0]:
            return line
        first[0] = False
        return MARK + line
    return rewrite


class HubLogErasure(LogErasure):
    """What :func:`forget_in_hub_logs` did to each hub log; print it with ``str()`` (a part of the receipt)."""

    title = "Hub logs (what the hub, its proxy and servers print)"
    where = "in every line, those written from now on too"


def forget_in_hub_logs(store: Store, employee_id: str) -> HubLogErasure:
    """Name ``employee_id``, just erased from ``store``, by their pseudonym in each hub log on the data folder's list
    (:meth:`HubLog.forget`). A log that is missing, is not a hub log, or cannot be read or replaced is listed in the
    result with why (:attr:`HubLogErasure.complete` is False).

    Raises
    ------
    ValueError
        ``employee_id`` is not on the folder's list of erased people, or the list of hub logs is damaged.
    """
    result = HubLogErasure(employee_id, pseudonym_of(store, employee_id), none=none_followed(store, HUB_LOGS))
    logins = [login for login in logins_of(store, employee_id) if login.casefold() != employee_id.casefold()]
    for path in recorded_hub_logs(store):
        result.logs.append(forgotten_in(path, lambda: HubLog(path).forget(employee_id, result.pseudonym, logins),
                                        missing_holds_nothing=False,
                                        elsewhere="put it back where it was (mount its disk), or",
                                        listed_in="hub-logs.json"))
    return result
