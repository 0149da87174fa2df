"""One open record being edited: compare-and-swap saves, and what happens when one is refused.

Every conversation draft and check-in draft open in the app is an
:class:`EditSession`. It owns the record's :class:`~careerconv.surfaces.app.autosave.Autosaver`
and is the only way the app writes that record:

* a save carries the revision the store returned last. The revision is read
  when the write starts, inside the one save that runs at a time (a lock), so a
  debounced snapshot, one queued behind a running save, or a save that
  completes the record never carries a stale one, and two never run at once;
* when the store refuses a save because the record changed elsewhere
  (:class:`~careerconv.records.store.Conflict`), was deleted elsewhere (``current`` is
  None) or the person left the roster (:class:`~careerconv.records.store.NotOnRoster`),
  autosave pauses, the status line says ``Not saved: changed elsewhere`` and the
  :class:`~careerconv.surfaces.app.conflict_panel.ConflictPanel` asks the coach to
  choose: take theirs, keep mine as a separate copy (a new draft), or merge
  field by field (:mod:`careerconv.surfaces.app.conflicts`) and save on top of their
  revision - a compare-and-swap that can be refused again, and is then shown
  again. Nothing is overwritten without the coach's choice;
* a save the records service refuses for good (:func:`~careerconv.records.store.refused_for_good`: the
  person moved to another coach's team, :class:`~careerconv.records.store.MovedAway`; the record is read-only
  to this coach or gone) is never tried again: autosave stops, the panel says why and shows what was typed
  since the last save, to copy, and ``on_withdrawn`` takes the person's history off the screen when the person
  is no longer this coach's to read;
* when the other save changed no field the coach could see (two tabs open and
  the other one only saved the time spent in a section), the two versions are
  merged without asking: theirs loses nothing, and each section keeps the
  longer time;
* a session opened by a reload (``follow`` seconds) takes in a version saved
  elsewhere that changed fields while the coach has changed none here: it
  looks at the record's file every second (:data:`FOLLOW_EVERY`, a ``stat``;
  the record is read only when the file changed) and opens that version in the
  editors (``on_open`` with no notice). The page closed by the reload had its
  last typing saved by the old kernel when it was hidden, and that save can
  land after the new page showed the version before it. Other sessions keep
  the version they opened until the coach's save shows the conflict box.

The app tells the session how to read the editors (``snapshot``), how to open
a record (``on_open``: after a choice the editors show the version kept) and
how to leave (``on_leave``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from typing import Callable, Mapping

import ipywidgets as widgets

from careerconv.records import schema
from careerconv.records.schema import EMPLOYEE_ID, KIND_WORDS, RECORD_ID_KEYS, STATUS, record_kind
from careerconv.records.store import (Conflict, MovedAway, NotFound, NotOnRoster, Store, disk_refused,
                                      refused_for_good)
from .autosave import Autosaver, SavingPaused, SaveStatus
from .conflict_panel import ConflictPanel, who_and_when
from .conflicts import BOTH, MINE, THEIRS, as_new_copy, differences, merge, record_text
from .scheduling import Scheduler
from .timers import Clock, system_clock

log = logging.getLogger("careerconv.surfaces.app")

FOLLOW_EVERY = 1.0  # seconds between looks at the open record's file (saved elsewhere since?)
FOLLOW_AFTER_RELOAD = 30.0  # seconds a session opened by a reload takes in what the closed page saved
CHANGED, DELETED, OFF_ROSTER = "changed elsewhere", "deleted elsewhere", "no longer on the roster"
DAMAGED = "damaged on disk"  # its file cannot be read: cut short or garbled by something other than careerconv
MOVED, REFUSED = "moved to another coach's team", "refused by the records service"  # both for good: never retried


class ConflictOpen(RuntimeError):
    """Leaving or completing a record while its conflict is not resolved (nothing was saved or lost)."""


def save_record(store: Store, record: dict, kind: str | None = None) -> dict:
    """Create or compare-and-swap one record through the store (``save_conversation`` / ``save_checkin``)."""
    kind = kind or record_kind(record)
    return store.save_checkin(record) if kind == "checkin" else store.save_conversation(record)


def create_record(store: Store, record: dict) -> dict:
    """Create a new record: any id, revision and save stamp are dropped, and the store allocates the id.

    Raises
    ------
    careerconv.records.store.NotOnRoster
        If the person is not on the roster (nothing is written).
    careerconv.records.schema.ValidationError
        If the record is not valid.
    """
    kind = record_kind(record)
    return save_record(store, schema.as_new_record(record, kind), kind)


def _fields(n: int) -> str:
    return f"{n} field" if n == 1 else f"{n} fields"


def is_locked(record: dict | None) -> bool:
    """True for a completed record (merging on top of it is not offered)."""
    return record is not None and record.get(STATUS) == "completed"


class EditSession:
    """The save path of one open record, and its conflict panel.

    Parameters
    ----------
    store
        Where the record lives.
    record
        The record as the store returned it (with its revision).
    snapshot
        Builds the record from the editors now (the coach's version).
    on_open
        ``on_open(record, notice)``: show this record in the editors (after a
        choice), with a sentence saying what happened.
    on_leave
        ``on_leave(notice)``: close the record without saving (the coach
        discarded their version, or the person left the roster).
    scheduler, clock, delay, max_wait, background, on_status
        Passed to the :class:`~careerconv.surfaces.app.autosave.Autosaver`.
    on_error
        Shows a save error that is not a conflict (disk full, invalid record).
    guard
        ``guard(callback, context)`` wraps the panel's callbacks.
    labels
        Returns ``field key -> label`` for the merge view (question wording,
        action item texts).
    person
        The person's name, for messages.
    follow
        For this many seconds from now, look at the stored record every
        :data:`FOLLOW_EVERY` seconds and open a version saved elsewhere while
        the coach changed nothing here (see :meth:`saved_elsewhere`); 0: never.
    on_withdrawn
        Called once when the person turns out to be in another coach's team now (or their records are refused
        to this coach): the screen takes their history away.
    """

    def __init__(self, store: Store, record: dict, *, snapshot: Callable[[], dict],
                 on_open: Callable[[dict, str], None], on_leave: Callable[[str], None], scheduler: Scheduler,
                 clock: Clock = system_clock, delay: float = 1.0, max_wait: float = 5.0, background: bool = True,
                 on_status: Callable[[SaveStatus], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None,
                 guard: Callable = lambda fn, context=None: fn, labels: Callable[[], Mapping[str, str]] | None = None,
                 person: str = "", follow: float = 0.0, on_withdrawn: Callable[[], None] | None = None):
        self.store = store
        self.kind = record_kind(record)
        self.what = KIND_WORDS[self.kind]
        self.id_key = RECORD_ID_KEYS[self.kind]
        self.current = record  # the newest version this session knows the store holds (the base of its next save)
        self.snapshot = snapshot
        self.on_open, self.on_leave, self.on_error = on_open, on_leave, on_error
        self.labels = labels or (lambda: {})
        self.person = person
        self.problem: Exception | None = None  # a Conflict, NotOnRoster or a refusal for good
        self.on_withdrawn = on_withdrawn
        self.conflicts = 0  # refusals shown to the coach (one per refused save)
        self.closed = False
        self._choices: dict[str, str] = {}
        self._lock = threading.Lock()  # one write at a time, whoever starts it
        self.autosaver = Autosaver(self._write, scheduler=scheduler, clock=clock, delay=delay, max_wait=max_wait,
                                   background=background, on_status=on_status, on_error=self._failed)
        self._guard = guard
        self._panel: ConflictPanel | None = None
        # Holds the panel once there is something to say.
        self.widget = widgets.VBox(layout=widgets.Layout(width="100%"))
        self._scheduler = scheduler
        self._seen = self._file_state()  # the record's file as this session last read or wrote it
        self._clock = clock
        self._follow_until = clock() + dt.timedelta(seconds=follow)
        self._follow_handle = scheduler.call_later(FOLLOW_EVERY, self._follow) if follow > 0 else None

    @property
    def me(self) -> str:
        """Who this app saves as, as ``saved_by`` records it (the store's ``actor``; "" when it does not say)."""
        return getattr(self.store, "actor", "")

    @property
    def panel(self) -> ConflictPanel:
        """The conflict box (built on first use: most sessions never need it)."""
        if self._panel is None:
            self._panel = ConflictPanel(self.what, guard=self._guard, on_take_theirs=self.take_theirs,
                                        on_keep_mine=self.keep_mine, on_merge=self.open_merge,
                                        on_save_merge=self.save_merge, on_leave=self.leave, me=self.me)
            self.widget.children = (self._panel.widget,)
        return self._panel

    @property
    def problem_text(self) -> str:
        """Why saving is refused ("this conversation was changed elsewhere"), or "" when it is not."""
        if self.problem is None:
            return ""
        reason = self._reason(self.problem)
        if reason == OFF_ROSTER:
            return f"{self.person or 'this person'} is {reason}"
        if reason == MOVED:
            return f"{self.person or 'this person'} {reason}"
        return f"this {self.what} was {reason}"

    @property
    def record_id(self) -> str:
        return self.current[self.id_key]

    # ------------------------------------------------------------------ saving
    def changed(self, snapshot: dict, *, quiet: bool = False) -> None:
        """The editors changed: save ``snapshot`` after the debounce (kept, not saved, while a conflict is open;
        while nothing can be saved for good, the panel's text to copy follows the typing)."""
        self.autosaver.changed(snapshot, quiet=quiet)
        if self.problem is not None and not quiet and self._reason(self.problem) in (OFF_ROSTER, MOVED, REFUSED):
            self.panel.show_typed(self._typed_since_saved(snapshot))

    def flush(self) -> dict | None:
        """Save what is pending now (see :meth:`Autosaver.flush`); a refusal opens the panel and is raised."""
        return self.autosaver.flush()

    def save_now(self, record: dict) -> dict | None:
        """Save ``record`` at once, after anything pending (completing it).

        Returns
        -------
        dict or None
            The stored record, or None when the store refused it as changed
            elsewhere (the panel shows it; nothing was written).

        Raises
        ------
        Exception
            Any other error of the store (invalid record, disk full).
        """
        if self.problem is not None:
            return None
        try:
            self.autosaver.flush()
            return self._write(record)
        except SavingPaused:  # a save running in the background was just refused: the panel shows it
            return None
        except Exception as exc:
            if not isinstance(exc, (Conflict, NotOnRoster)) and not refused_for_good(exc):
                raise
            if self.problem is not exc:
                self._open_problem(exc)
            return None

    def close(self, flush: bool = True) -> None:
        """Stop saving (after a last save by default).

        Raises
        ------
        ConflictOpen
            With ``flush`` while a conflict is open: the coach must choose first.
        OSError
            With ``flush`` when the disk refused the last save (full, read-only): the session stays open with
            what is typed, and saves it again (see :class:`Autosaver`).
        """
        if self.closed:
            return
        if flush and self.problem is not None:
            raise ConflictOpen(f"{self.problem_text} and your latest changes are not saved: choose what to do in "
                               "the box at the top first")
        if flush:
            self.save_before_closing()
        self.autosaver.close(flush=flush)
        self.closed = True

    def save_before_closing(self) -> None:
        """Save what is pending, before the record is closed.

        Raises
        ------
        OSError
            When the disk refused the save (full, read-only): closing now would drop what is typed. Any other
            failure (a conflict, an invalid record) was shown already and does not keep the record open.
        """
        try:
            self.autosaver.flush()
        except Exception as exc:
            if disk_refused(exc):
                raise

    def _save(self, record: dict) -> dict:
        return getattr(self.store, f"save_{self.kind}")(record)

    def _write(self, snapshot: dict) -> dict:
        """The autosaver's save: the snapshot on top of the newest revision known (never a stale one)."""
        with self._lock:
            base = self.current
            try:
                stored = self._save({**snapshot, self.id_key: base[self.id_key], "revision": base["revision"]})
            except Conflict as exc:
                stored = self._merge_quietly(snapshot, base, exc)
            self.current = stored
            self._seen = None  # read the file once more: was anything saved right after this?
            return stored

    def _merge_quietly(self, snapshot: dict, base: dict, exc: Conflict) -> dict:
        """Save on top of a version that changed no field since ``base`` (only time spent); else raise ``exc``."""
        theirs = exc.current
        if theirs is None or is_locked(theirs) or any(d.theirs_changed for d in differences(snapshot, theirs, base)):
            raise exc
        merged = merge(snapshot, theirs, {}, base)
        return self._save({**merged, self.id_key: theirs[self.id_key], "revision": theirs["revision"]})

    # ------------------------------------------------------------------ saved elsewhere, nothing typed here
    def _file_state(self) -> tuple | None:
        """The record file's identity, size and time; None when it cannot be looked at (a hub's data folder is
        behind HTTP: following saves made elsewhere is left to the conflict box there)."""
        record_path = getattr(self.store, "record_path", None)
        if record_path is None:
            return None
        try:
            st = os.stat(record_path(self.kind, self.current[EMPLOYEE_ID], self.record_id))
        except (OSError, ValueError, KeyError):
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def saved_elsewhere(self) -> dict | None:
        """The version the store holds, if it should replace the one shown: saved elsewhere since this session
        last read or wrote the record, changing fields the coach can see, while the coach changed none here.

        Cheap when nothing happened (one ``stat``). Returns None while a save of this session runs, while a
        conflict is open, when the coach changed something here too (their next save shows the conflict box,
        as always), or when the record was completed or deleted elsewhere (the same).
        """
        if self.closed or self.problem is not None:
            return None
        state = self._file_state()
        if state is None or state == self._seen:
            return None
        if not self._lock.acquire(blocking=False):
            return None  # a save is being written: look again next time
        try:
            if self.autosaver.has_unsaved and self.autosaver.pending is None:
                return None  # a save was handed to the worker and not finished: look again next time
            self._seen = state
            try:
                theirs = getattr(self.store, f"load_{self.kind}")(self.current[EMPLOYEE_ID], self.record_id)
            except NotFound:
                return None
            if theirs.get("revision", 0) <= self.current.get("revision", 0) or is_locked(theirs):
                return None
            diffs = differences(self.snapshot(), theirs, self.current)
            if not diffs or any(d.mine_changed for d in diffs):
                return None
            return theirs
        finally:
            self._lock.release()

    def _follow(self) -> None:
        self._follow_handle = None
        if self.closed or self._clock() > self._follow_until:
            return
        newer = self._guard(self.saved_elsewhere, f"Could not look for a newer version of this {self.what}")()
        if newer is not None:
            log.info("%s %s follows revision %s saved elsewhere", self.what, self.record_id, newer["revision"])
            self._finish(newer, "")
            return
        if not self.closed:
            self._follow_handle = self._scheduler.call_later(FOLLOW_EVERY, self._follow)

    # ------------------------------------------------------------------ refusals
    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, (Conflict, NotOnRoster)) or refused_for_good(exc):
            self._open_problem(exc)
        elif self.on_error is not None:
            self.on_error(exc)

    @staticmethod
    def _reason(exc: BaseException) -> str:
        if isinstance(exc, NotOnRoster):
            return OFF_ROSTER
        if isinstance(exc, MovedAway):
            return MOVED
        if not isinstance(exc, Conflict):
            return REFUSED
        if exc.damaged:
            return DAMAGED
        return DELETED if exc.current is None else CHANGED

    def _open_problem(self, exc: Exception) -> None:
        self.problem = exc
        self.conflicts += 1
        reason = self._reason(exc)
        self.autosaver.pause(reason)
        log.info("save of %s %s refused: %s", self.what, self.record_id, reason)  # never the content
        mine = self.snapshot()
        if reason == OFF_ROSTER:
            self.panel.show_not_on_roster(self.person or "This person", record_text(mine, self.labels()))
        elif reason in (MOVED, REFUSED):
            self.autosaver.close(flush=False)  # refused for good: no timer, no exit save tries it again
            if reason == MOVED:
                self.panel.show_moved_away(self.person or "This person", exc.coach_name, exc.moved_on,
                                           self._typed_since_saved(mine), coach_of_nobody=exc.coach_of_nobody)
            else:
                self.panel.show_refused(str(exc), self._typed_since_saved(mine))
            if self.on_withdrawn is not None:
                self.on_withdrawn()
        elif reason == DELETED:
            self.panel.show_deleted(record_text(mine, self.labels()))
        elif reason == DAMAGED:
            self.panel.show_damaged(exc.damaged, record_text(mine, self.labels()))
        else:
            theirs = exc.current
            diffs = [] if is_locked(theirs) else differences(mine, theirs, self.current, self.labels())
            self.panel.show_changed(theirs, self.current.get("revision"), n_fields=len(diffs),
                                    completed=is_locked(theirs))

    def _typed_since_saved(self, mine: dict) -> str:
        """The fields the coach changed since the last save, as text to copy ("" when none)."""
        changed = [d for d in differences(mine, self.current, self.current, self.labels()) if d.mine_changed]
        return "\n\n".join(f"{d.label}:\n{d.mine_text}" for d in changed)

    def _theirs(self) -> dict:
        if not isinstance(self.problem, Conflict) or self.problem.current is None:
            raise ConflictOpen(f"there is no other version of this {self.what} to take")
        return self.problem.current

    def _finish(self, record: dict, notice: str) -> None:
        self.problem = None
        self.autosaver.close(flush=False)
        self.closed = True
        if self._panel is not None:
            self._panel.hide()
        self.on_open(record, notice)

    # ------------------------------------------------------------------ the coach's choices
    def take_theirs(self) -> dict:
        """Open the stored version; the coach's unsaved changes are dropped (their choice)."""
        theirs = self._theirs()
        self._finish(theirs, f"You took their version ({who_and_when(theirs, self.me)}). What you had typed since your "
                             "last save was dropped.")
        return theirs

    def keep_mine(self) -> dict | None:
        """Save the coach's version as a new draft (new id) and open it; the other version stays as it is.

        Returns
        -------
        dict or None
            The new draft; None if the person is no longer on the roster (the panel says so).
        """
        theirs = self.problem.current if isinstance(self.problem, Conflict) else None
        copy = as_new_copy(self.snapshot())
        try:
            stored = create_record(self.store, copy)
        except NotOnRoster as exc:
            self._open_problem(exc)
            return None
        other = (f" The other version ({theirs[self.id_key]}, {who_and_when(theirs, self.me)}) is unchanged."
                 if theirs is not None else "")
        self._finish(stored, f"Your version is saved as a separate draft, {stored[self.id_key]}, and is open "
                             f"now.{other}")
        return stored

    def open_merge(self) -> None:
        """Show the merge view: every differing field with both versions."""
        theirs = self._theirs()
        self.panel.show_merge(differences(self.snapshot(), theirs, self.current, self.labels()), self._choices)

    def save_merge(self, choices: Mapping[str, str]) -> dict | None:
        """Save theirs plus the fields chosen from mine on top of their revision.

        Returns
        -------
        dict or None
            The stored record; None when it was refused again (the panel shows
            the newer version, with these choices kept where they still apply).
        """
        theirs = self._theirs()
        mine = self.snapshot()
        merged = merge(mine, theirs, choices, self.current)
        sides = [choices.get(d.key, d.suggested) for d in differences(mine, theirs, self.current)]
        self._choices = dict(choices)
        with self._lock:
            try:
                stored = self._save({**merged, self.id_key: theirs[self.id_key], "revision": theirs["revision"]})
            except (Conflict, NotOnRoster) as again:
                self.current = theirs  # what the coach merged against: the base of the next comparison
                self._open_problem(again)
                if isinstance(again, Conflict) and again.current is not None and not is_locked(again.current):
                    self.panel.show_merge(differences(mine, again.current, theirs, self.labels()), self._choices,
                                          again=True)
                return None
            self.current = stored
        mine_n, theirs_n, both_n = sides.count(MINE), sides.count(THEIRS), sides.count(BOTH)
        both = f", {_fields(both_n)} with the changes of both" if both_n else ""
        self._finish(stored, f"Merged and saved as revision {stored['revision']}: {_fields(mine_n)} from your "
                             f"version, {_fields(theirs_n)} from theirs{both}, everything else as it was.")
        return stored

    def leave(self) -> None:
        """Close without saving: the coach discards their version (deleted elsewhere, or the person was erased)."""
        reason = self._reason(self.problem) if self.problem is not None else ""
        self.problem = None
        self.autosaver.close(flush=False)
        self.closed = True
        if reason == OFF_ROSTER:
            notice = f"Nothing was saved for {self.person or 'this person'}: they are no longer on the roster."
        elif reason == MOVED:
            notice = (f"Nothing more was saved for {self.person or 'this person'}: they are in another coach's "
                      "team now.")
        elif reason == REFUSED:
            notice = f"Nothing more was saved of this {self.what}: the records service refused it."
        elif reason == DAMAGED:
            notice = f"Your version was discarded; the {self.what}'s damaged file was left as it is."
        else:
            notice = f"Your version was discarded; the {self.what} had been deleted elsewhere."
        self.on_leave(notice)

    def rescue(self) -> dict | None:
        """At kernel exit with a conflict open: keep the coach's version as a separate draft (never overwrite).

        Nothing is saved for a person no longer on the roster, nor when nothing was typed here since this session
        last saved or read the record (only its timers ran: a page left open, or closed without its kernel
        hearing of it, while the record was discarded, completed or changed elsewhere). Returns the new draft,
        or None.
        """
        if not isinstance(self.problem, Conflict):
            return None
        # Nothing of the coach's would be kept but time, unless the stored file is damaged: then this is the copy.
        if not self.problem.damaged and not differences(self.snapshot(), self.current):
            log.info("nothing typed in the %s %s since it was last saved here: no copy kept at exit", self.what,
                     self.record_id)
            self.problem = None
            self.autosaver.close(flush=False)
            self.closed = True
            return None
        try:
            stored = create_record(self.store, as_new_copy(self.snapshot()))
        except NotOnRoster:
            return None
        log.warning("kept an unresolved %s as the separate draft %s at exit", self.what, stored[self.id_key])
        self.problem = None
        self.autosaver.close(flush=False)
        self.closed = True
        return stored
