"""How a log names an erased person: by the pseudonym the data folder's list of erased people keeps of them.

A pseudonym is :data:`ERASED` and the hash the folder's list keeps of the id (an HMAC-SHA256 of the id, case-folded,
keyed with the folder's own salt in ``erased.json``: :meth:`careerconv.records.store.ErasedIds.hash_of`), so every
log about one folder, the access log (:mod:`careerconv.surfaces.service.access_log`) and the hub's own
(:mod:`careerconv.surfaces.service.hub_log`) alike, names one person by one pseudonym, whoever erased them and how.

In a line of free text (the hub's log, an access log's line damaged by hand) an id is found where it stands as a
word (:func:`id_as_word`): not inside a longer run of letters, digits and ``_``; ``.`` and ``-`` end it, and so does
a URL's escape of a character (``%2F``, ``%2f``: ``%`` and two hex digits), so the ``E0020`` of a record id
``E0020-20261206``, an address ``/user/e0020/`` or that address URL-encoded (``next=%2Fuser%2Fe0020%2Flab``, as
JupyterHub writes where to go after signing in) is found, in any letter case. An address encoded again, as a
parameter of an address that is a parameter itself (``%252Fuser%252Fe0020``: the ``%`` of ``%2F`` escaped as
``%25``), is decoded the same way, up to :data:`ENCODINGS` times over (found by a helper: ``%252FE0005`` was left
naming them). An erasure,
which knows the id, rewrites the lines already written by that rule; a line written later names every person on the
list by their pseudonym at the same places (:meth:`ErasedList.named_by_pseudonyms`), although the list keeps only
hashes: every part of a line an id could be found at by that rule is hashed and looked up.

A coach whose hub login is not their id (``CAREERCONV_HUB_COACH_LOGINS``: ``{"jane.doe": "E0005"}``) is named in the
hub's log by that login: it is found by the same rule, as it is written and as an address writes it (``%40`` for an
``@``: :func:`login_as_words`), and named by the pseudonym of the id it maps to.
"""

from __future__ import annotations

import re
import urllib.parse

from careerconv.records import schema
from careerconv.records.store import ErasedIds, Store

ERASED = "erased:"
# How many times over an address may be URL-encoded for an id in it to be found: an address passed as a parameter of
# an address that is itself a parameter has its "%" escaped again, "/" becoming %2F, %252F, %25252F ...
ENCODINGS = 4
# A URL's escape of one byte, encoded once to ENCODINGS times (e.g. the %2F or %252F of a "/" in an address passed
# as a parameter); fixed widths, each a lookbehind of its own
_ESCAPES = [rf"%{'25' * again}[0-9A-Fa-f]{{2}}" for again in range(ENCODINGS)]
_AFTER_A_WORD = "(?:(?<![A-Za-z0-9_])|" + "|".join(f"(?<={escape})" for escape in _ESCAPES) + ")"  # an id's start
_ID_RUN = re.compile(r"[A-Za-z0-9._-]+")  # where ids may stand: a run of the characters an id is made of
_ESCAPED_RUN = re.compile(r"[0-9A-Fa-f]{2}")  # how a run after a "%" begins when the % escapes a byte
_ENDS = re.compile(r"[.-]")  # inside a run, where an id found as a word may start after, or end before
_CACHE_SIZE = 50_000  # parts of lines looked up, kept while the list does not change


def pseudonym_of(store: Store, employee_id: str) -> str:
    """How a log names ``employee_id`` once they are erased from ``store``'s data folder (see the module docstring).

    Raises
    ------
    ValueError
        ``employee_id`` is not on the list of erased people (erase them first).
    """
    pseudonym = pseudonym_if_erased(store.erased_ids(), employee_id)
    if pseudonym is None:
        raise ValueError(f"{employee_id} is not on the list of people erased from {store.root}; a log names "
                         "only erased people by a pseudonym")
    return pseudonym


def pseudonym_if_erased(erased: ErasedIds, value: str | None) -> str | None:
    """The pseudonym a log names ``value`` by (:func:`pseudonym_of`) when it is an id on the list ``erased``, else
    None (not erased, not an id, or a pseudonym already)."""
    if not isinstance(value, str) or value.startswith(ERASED) or erased.erased_on(value) is None:
        return None
    return ERASED + erased.hash_of(value)


def id_as_word(employee_id: str) -> re.Pattern:
    """``employee_id``, in any case, where it stands as a word in a line of text (see the module docstring)."""
    return re.compile(rf"{_AFTER_A_WORD}{re.escape(employee_id)}(?![A-Za-z0-9_])", re.IGNORECASE)


def login_as_words(login: str) -> list[re.Pattern]:
    """A hub login where it stands as a word (:func:`id_as_word`), as it is written and URL-encoded in an address
    (once to :data:`ENCODINGS` times)."""
    forms = [login]
    for _ in range(ENCODINGS):
        forms.append(urllib.parse.quote(forms[-1], safe=""))
    return [id_as_word(form) for form in dict.fromkeys(forms)]


def _ends_of_escape(run: str) -> list[int]:
    """Where, in a run of id characters that follows a ``%``, the escape that ``%`` begins may end: after its two hex
    digits, or after ``25`` (the escape of that ``%`` when the address was encoded again) and the next two, up to
    :data:`ENCODINGS` times."""
    ends = []
    for again in range(ENCODINGS):
        if not (run.startswith("25" * again) and _ESCAPED_RUN.match(run, 2 * again)):
            break
        ends.append(2 * again + 2)
    return ends


class ErasedList:
    """The list of people erased from ``store`` (None: no one), read again only when its file changed.

    A list that cannot be read (a damaged ``erased.json``, which every command of the store reports) reads as empty:
    a log line is never lost for it, and it then names people as it was written. ``coach_logins`` (login -> roster
    coach id) are the hub logins that are not ids: a login mapped to an erased id is named by that id's pseudonym.
    """

    def __init__(self, store: Store | None, coach_logins: dict[str, str] | None = None):
        self.store = store
        self.coach_logins = dict(coach_logins or {})
        self._read: tuple[tuple, ErasedIds] | None = None  # the list as last read, and its file's version
        self._looked_up: dict[str, str | None] = {}  # a part of a line, case-folded -> its pseudonym, or None
        self._logins: list[tuple[re.Pattern, str]] | None = None  # erased coaches' logins as words, and pseudonyms

    def ids(self) -> ErasedIds:
        """The list as it is now (its file is looked at with one ``stat``)."""
        if self.store is None:
            return ErasedIds()
        try:
            st = self.store.erased_path.stat()
        except FileNotFoundError:
            return ErasedIds()
        version = (st.st_mtime_ns, st.st_size, st.st_ino)
        if self._read is None or self._read[0] != version:
            try:
                self._read = (version, self.store.erased_ids())
            except (schema.ValidationError, OSError):
                return ErasedIds()
            self._looked_up, self._logins = {}, None
        return self._read[1]

    def named_by_pseudonyms(self, text: str) -> str:
        """``text`` with every id on the list, where it stands as a word (:func:`id_as_word`), replaced by its
        pseudonym: the place and form :func:`id_as_word` would find it at, had the id been known; itself when
        it names no one erased (at once when no one is)."""
        erased = self.ids()
        if not erased.days:
            return text
        text = _ID_RUN.sub(lambda run: self._run_named_by_pseudonyms(
            run.group(), erased, escaped=text[run.start() - 1:run.start()] == "%"), text)
        for word, pseudonym in self._erased_logins(erased):
            text = word.sub(pseudonym, text)
        return text

    def pseudonym_of_user(self, login: str | None) -> str | None:
        """The pseudonym of the person the hub login ``login`` is (their id, or a login :attr:`coach_logins` maps to
        an id) once they are erased, else None."""
        erased = self.ids()
        if not erased.days or not isinstance(login, str):
            return None
        mapped = {known.casefold(): coach for known, coach in self.coach_logins.items()}.get(login.casefold())
        return pseudonym_if_erased(erased, login) or pseudonym_if_erased(erased, mapped)

    def _erased_logins(self, erased: ErasedIds) -> list[tuple[re.Pattern, str]]:
        """Each login of :attr:`coach_logins` mapped to an erased id, as words, with that id's pseudonym."""
        if self._logins is None:
            self._logins = [(word, pseudonym) for login, coach in self.coach_logins.items()
                            if (pseudonym := pseudonym_if_erased(erased, coach)) is not None
                            for word in login_as_words(login)]
        return self._logins

    def _run_named_by_pseudonyms(self, run: str, erased: ErasedIds, escaped: bool = False) -> str:
        """A run of id characters with each erased id in it (longest first, from the left) replaced by its
        pseudonym: a part starting at the run's start, after a ``.`` or ``-``, or (``escaped``: the run follows a
        ``%``) after the two hex digits of a URL escape, ending at its end or before a ``.`` or ``-``."""
        after_escape = _ends_of_escape(run) if escaped else []
        starts = sorted({0, *after_escape, *(m.end() for m in _ENDS.finditer(run))})
        ends = [*(m.start() for m in _ENDS.finditer(run)), len(run)]
        out, done = [], 0
        for start in starts:
            if start < done:
                continue
            for end in reversed(ends):
                if end - start > schema.MAX_ID:
                    continue
                if end <= start:
                    break
                pseudonym = self._pseudonym_of_part(run[start:end], erased)
                if pseudonym is not None:
                    out += [run[done:start], pseudonym]
                    done = end
                    break
        return "".join([*out, run[done:]]) if out else run

    def _pseudonym_of_part(self, part: str, erased: ErasedIds) -> str | None:
        key = part.casefold()
        if key not in self._looked_up:
            if len(self._looked_up) >= _CACHE_SIZE:
                self._looked_up = {}
            self._looked_up[key] = pseudonym_if_erased(erased, part) if schema.is_identifier(part) else None
        return self._looked_up[key]
