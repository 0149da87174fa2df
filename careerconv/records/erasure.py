"""Erase everything held about one employee, everywhere, and say what was done.

:func:`erase_employee` works in four passes:

0. **Leftovers of killed processes** go first: every temp file in the data
   folder (derived tables, record folders, the root) and lock files of older
   versions named by a hash of an id (:meth:`Store.sweep_temp_files`).
1. **What is theirs** goes whole: their roster row (through the store), their
   conversation and check-in folders (records, summaries), their reports
   folder ``<reports>/<employee_id>/``, and any file or folder whose name
   carries their id.
2. **Mentions elsewhere** are cleaned: every other file under the data and
   reports folders is read as its readers would read it
   (:mod:`careerconv.records.decoded_text`: Parquet by its values, PDF by the text a
   PDF reader extracts, workbooks by their cells, HTML with entities decoded)
   and searched for the id (as a whole word, so ``E001`` does not match
   ``E0010``), their full name and their email (both ignoring case; the
   name is a mention only where written as a name, each word the roster
   capitalises with a capital: "will may" may be words, and is left as
   written and listed, :class:`Mentions`).
   Records of *other* employees get each mention in free text replaced by
   ``[removed]`` (and ``coach_id`` set to ``erased`` where they were the coach),
   validated and saved through the store; CSV, Parquet and workbook files in
   the data folder lose the rows that mention them; other JSON loses the keys
   and text that mention them; generated files (HTML, PDF, notebooks, images,
   calendars, and every workbook in the reports folder: a coachee's report
   saying "Your coach: <name>", an HR workbook) that mention them are deleted
   and listed to be regenerated; temp files that mention them, or cannot be
   read, are deleted. The derived tables are then brought up to date, which
   drops their rows and their entry in the manifest (tables written straight
   in, with no record behind them, lose their rows first:
   :meth:`~careerconv.records.store.Store.remove_written_rows`).
3. **A check**: every file under the data and reports folders is read again
   the same way (never as raw bytes where the format has a decoder) and any
   that still mentions them, holds their name in other capitals (a possible
   mention; in another person's record, by field), or whose kind could not
   be decoded, is listed in
   the receipt as needing a person to look at it. The receipt says how many
   files of each kind were read, and how. A possible mention a person looked
   at and found not to be them (``careerconv erase --looked-at PLACE``, for a
   place the last receipt listed and the text it listed there:
   :mod:`careerconv.records.looked_at`) is left as written and named on the
   receipt with who looked at it and when, and keeps the erasure incomplete
   no longer.

The reports folders are the one named (``careerconv erase --reports DIR``, by
default ``reports/`` beside the data folder) and every one on the data
folder's list of reports folders (:mod:`careerconv.records.kept_elsewhere`,
``reports-folders.json``: a records service puts its own there when it
starts). One on the list that is not there is listed in the receipt as
something a person must look at. The list is not trusted for being there
(it can be edited by hand): a listed folder is cleaned only when it holds
the mark the service leaves in its reports folder
(:func:`careerconv.records.kept_elsewhere.is_marked_reports_folder`), and
then only careerconv's own files in it are changed or deleted (an
employee's reports, by the names careerconv gives them, in their folder named
with their id in any case (:func:`their_report_folders`), index pages, a
batch's shard indexes, the HR page: :func:`careerconv_writes`); any other
file in their folder, or that mentions them, is left as it is and listed by
the final check. A listed folder without the
mark, or that holds the data folder, is left as it is and listed for a
person to look at; one that is the data folder or inside it is left out,
the data folder keeping its own rules. The folder named with ``--reports``
is the operator's own choice: every file in it is read and cleaned as
above (careerconv's output there may have names the operator chose, such
as ``hr-report --xlsx FILE``), and a folder in it named with their id goes
whole, the receipt naming its files; except files inside the data folder,
which keep the data folder's rules, and unless it holds the mark: a marked
folder follows the rules of a marked folder however it is named. When the
folder named is not there (the default beside the data folder, before any
report was written), the receipt says it was not searched.

Someone who is still the coach of employees on the roster cannot be erased:
those employees need a new coach first (import a roster that says so).

At the end the id is recorded as erased, without keeping it: a salted hash of
it and the day (:class:`careerconv.records.store.ErasedIds`, in
``erased.json``), and, until an erasure of theirs finds nothing left, hashes
of their name and email, by which an erasure run again once their roster row
is gone finds the text to search for (:mod:`careerconv.records.erased_names`).
Importing a roster or history that names the id again (last month's HR export)
refuses those rows, naming the day, until they are added
again on purpose (``careerconv import roster --allow-erased``), which takes
the id off the list.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, NamedTuple

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import schema
from .kept_elsewhere import is_marked_reports_folder, list_paths, recorded_reports_folders, \
    reports_folder_mark_problem
from .case_blind import case_blind
from .erased_names import found_again, name_capitals, name_form, written_as_a_name
from .looked_at import PATH, TEXT, Judge, marks
from .decoded_text import KINDS, READ_AS, DecodedText, decode_bytes, decoded_text, \
    temp_target_name, value_pieces
from .schema import (
    CADENCE_MONTHS, CHECKIN_ID, COACH_ID, COACH_RATING, CONVERSATION_ID, DATE, EMPLOYEE_ID, ITEM_ID, SELF_RATING,
    STATUS,
)
from .spreadsheet import decode_plain_text
from .store import (RECORD_KINDS, NotFound, NotRebuildable, Store, atomic_write_bytes, is_data_file, is_temp_file,
                    listing)

REMOVED = "[removed]"
POSSIBLE = "possible mention, left as written"
LOOKED_AT = "possible mention looked at, left as written"
_NAME = "name"  # the group of Mentions' patterns that finds the name
ERASED_COACH_ID = "erased"
# Files careerconv (or a notebook) makes from the data: deleted and listed to be regenerated when they mention
# someone. Calendars too: their event UIDs are hashes of the employee id.
GENERATED_SUFFIXES = {".html", ".htm", ".ipynb", ".pdf", ".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp", ".ics"}
# Kinds of decoded file that are generated output whatever their name (careerconv never edits a PDF).
GENERATED_KINDS = {"PDF"}
TEXT_SUFFIXES = {".txt", ".md", ".log"}
# Fields of a record that hold ids, dates and codes rather than text a person wrote.
_STRUCTURAL_KEYS = {"schema_version", "kind", CONVERSATION_ID, CHECKIN_ID, EMPLOYEE_ID, ITEM_ID,
                    "question_set", "question_set_version", STATUS, DATE, "due", "next_due", "completed_at",
                    "mode", "every_weeks", "rank", "dream_rank", SELF_RATING, COACH_RATING, "chosen",
                    CADENCE_MONTHS, "sections"}


# Scripts written without spaces between words, or with particles joined to a name (田中さん, 김민수님):
# a name in them has no word boundary to look for.
_UNSPACED_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN",
                     "YI ", "HALFWIDTH KATAKANA", "HALFWIDTH HANGUL")


def _unspaced(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith(_UNSPACED_SCRIPTS)


def _without_format_characters(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def old_lock_name(employee_id: str) -> str:
    """The name older versions gave an employee's lock file: a hash of the id that anyone can recompute."""
    return hashlib.sha256(f"employee:{employee_id}".encode("utf-8")).hexdigest()[:20]


# Texts at least this long are first looked at case-blind (:meth:`Mentions._cannot_match`).
_LONG_TEXT = 4096


class Mentions:
    """Finds the ways a file can mention one person: id, full name, email, and hashes of the id.

    The id matches as a whole word (letters, digits and ``_`` on either side
    make it part of another word). Name and email match ignoring case and, for
    the name, with any run of spaces between its parts, in NFC or NFD form,
    with or without invisible format characters (zero-width joiners); a name
    in a script written without spaces (Chinese, Japanese, Thai, and Korean,
    where particles join names) matches inside longer text. The hash of the id
    that older versions named lock files by (:func:`old_lock_name`) is
    searched for too: it gives the id back to anyone who hashes candidates.

    A name that is also words ("Will May", "Rose Hill") is a mention only
    where it is written as a name
    (:func:`careerconv.records.erased_names.written_as_a_name`: each word the
    roster capitalises starts with a capital; "Will May", "WILL MAY", "Will
    May's"). Where it matches only ignoring case ("in spring will May or
    June", or a coach's hurried "talked to will may") the text cannot tell
    the words from the name: it is not a mention, so it is neither replaced
    nor makes a row theirs, and :meth:`possible` finds it for the receipt to
    list for a person to look at.

    An id without a letter (``5``, ``1042``, ``2024-01-02``: HR systems that
    number people) is found as a word like any other, but replaced
    (:meth:`replace`) only where it is the whole text: inside a text it
    cannot be told from a number or a date ("Read 5 books"), and rewriting
    it changed other people's records. Such a text is left as it was and
    listed by the final check for a person to look at. A number, a date or
    a boolean in a typed file is never an id (:meth:`in_value`): careerconv
    writes every id as text.
    """

    def __init__(self, employee_id: str, name: str | None = None, email: str | None = None,
                 other_ids: Iterable[str] = ()):
        self.employee_id = employee_id
        self.name = (name or "").strip() or None
        self.email = (email or "").strip() or None
        self.capitals: list[bool] = []  # which words of the name the roster capitalises (none: no name searched)
        self.letterless = letterless = not any(ch.isalpha() for ch in employee_id)
        # An id without a letter is not the digits of a decimal number either (5 in 0.5 or 5.25; a comma may be a
        # CSV's separator, so 1,5 is still read as a mention).
        decimal = (r"(?<![0-9]\.)", r"(?!\.[0-9])") if letterless else ("", "")
        parts = [rf"(?<![A-Za-z0-9_]){decimal[0]}{re.escape(employee_id)}(?![A-Za-z0-9_]){decimal[1]}"]
        # What a text must hold, case-blind (:func:`.case_blind.case_blind`), for the pattern to find anything in it
        # but the id: each word of a form of the name, or the email, or the old lock name.
        needed: list[list[str]] = [[old_lock_name(employee_id)]]
        if self.name and len(self.name) >= 2:
            forms = {unicodedata.normalize(f, self.name) for f in ("NFC", "NFD")}
            forms |= {_without_format_characters(f) for f in forms}
            names = []
            for form in sorted(f for f in forms if f.strip()):
                needed.append(form.split())
                words = [re.escape(w) for w in form.split()]
                lead = "" if _unspaced(form.strip()[0]) else r"(?<!\w)"
                tail = "" if _unspaced(form.strip()[-1]) else r"(?!\w)"
                names.append(lead + r"(?i:" + r"\s+".join(words) + ")" + tail)
            # One group, to tell a name found (then written as a name, or only ignoring case) from an id or email.
            parts.append(f"(?P<{_NAME}>" + "|".join(names) + ")")
            self.capitals = name_capitals(self.name)
        if self.email:
            parts.append(r"(?i:" + re.escape(self.email) + ")")
            needed.append([self.email])
        # None where the case-blind form cannot be made (then every pattern runs)
        self._needed_blind = None if case_blind("") is None else \
            [[case_blind(word) for word in words] for words in needed]
        parts.append(r"(?i:" + old_lock_name(employee_id) + ")")
        self.pattern = re.compile("|".join(parts))
        # Such an id is replaced only where it is the whole text (a JSON value "5"), never inside one.
        self.text_pattern = re.compile("|".join([rf"\A{re.escape(employee_id)}\Z", *parts[1:]])) if letterless \
            else self.pattern
        self.untyped_pattern = re.compile("|".join(parts[1:])) if letterless else self.pattern
        # Other people's ids that contain this one as a word (E001-2 holds E001): never a mention.
        id_alone = re.compile(parts[0])
        longer = sorted({o for o in other_ids if o != employee_id and id_alone.search(o)}, key=len, reverse=True)
        self.protected = re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(map(re.escape, longer)) + r")(?![A-Za-z0-9_])") \
            if longer else None

    def _cannot_match(self, text: str) -> bool:
        """True when no pattern of these mentions can match in ``text``: it holds neither the id nor, case-blind, every
        word of a form of the name, the email or the old lock name. Only a long text is looked at so (a page, a
        notebook): the patterns take longer there than the look, and less time on a short one (a record's field)."""
        if self._needed_blind is None or len(text) < _LONG_TEXT or self.employee_id in text:
            return False
        blind = case_blind(text)
        return not any(all(word in blind for word in words) for words in self._needed_blind)

    def _found(self, text: str, pattern: re.Pattern | None = None) -> list[re.Match]:
        """Every match of ``pattern``, the name's ignoring case too, but inside another person's longer id."""
        if self._cannot_match(text):
            return []
        found = list((pattern or self.pattern).finditer(text))
        if found and self.protected is not None:
            spans = [m.span() for m in self.protected.finditer(text)]
            found = [m for m in found if not any(a <= m.start() and m.end() <= b for a, b in spans)]
        return found

    def _only_ignoring_case(self, match: re.Match) -> bool:
        return match.group(_NAME) is not None and not written_as_a_name(match.group(0), self.capitals)

    def _matches(self, text: str, pattern: re.Pattern | None = None) -> list[re.Match]:
        """The mentions: the matches of ``pattern`` less the name written only ignoring case."""
        found = self._found(text, pattern)
        return [m for m in found if not self._only_ignoring_case(m)] if self.capitals else found

    def search(self, text: str) -> bool:
        """True when ``text`` mentions the person."""
        if self.protected is None and not self.capitals:
            return not self._cannot_match(text) and self.pattern.search(text) is not None
        return bool(self._matches(text))

    def mentions_and_possible(self, text: str) -> tuple[bool, bool]:
        """Whether ``text`` mentions them (:meth:`search`), and whether it holds a possible mention (:meth:`possible`),
        in one reading of the text."""
        loose = [self._only_ignoring_case(m) if self.capitals else False for m in self._found(text)]
        return not all(loose) if loose else False, any(loose)

    def possible(self, text: str) -> int:
        """How many times ``text`` holds their name written only ignoring case ("will may" for Will May): maybe
        them, maybe words; left as written, for a person to look at."""
        return sum(map(self._only_ignoring_case, self._found(text))) if self.capitals else 0

    def in_value(self, value: Any) -> bool:
        """Whether one typed value (a table cell, a JSON value) mentions them. Only text can: careerconv writes every
        id as text, so a number, a date or a boolean is never an id (a rating of 5 is not employee ``5``)."""
        return isinstance(value, str) and self.search(value)

    def claims(self, text: str, typed: bool = True) -> bool:
        """Whether a text makes what holds it theirs (a table row, a JSON key, a list item): it mentions them, except
        that an id without a letter counts only as the whole text (a cell ``5``; a row "Read 5 books" is kept,
        and its file listed by the final check). In a file without types (a CSV, ``typed=False``) a cell ``5``
        may as well be a rating: only their name or email claims a row there."""
        return bool(self._matches(text, self.text_pattern if typed else self.untyped_pattern))

    def fullmatch(self, text: str) -> bool:
        """True when ``text`` is nothing but a mention (an id, the name or the email)."""
        return any(m.span() == (0, len(text)) for m in self._matches(text))

    def replace(self, text: str) -> tuple[str, int]:
        """``text`` with each mention replaced by ``[removed]``, and how many there were (an id without a letter
        is not replaced: see the class's docstring)."""
        found = self._matches(text, self.text_pattern)
        if not found:
            return text, 0
        pieces, last = [], 0
        for m in found:
            pieces += [text[last:m.start()], REMOVED]
            last = m.end()
        pieces.append(text[last:])
        return "".join(pieces), len(found)


@dataclass
class ReceiptLine:
    """One file or folder that was removed or changed."""

    path: Path
    action: str
    detail: str = ""
    where: str = ""  # a possible mention's field: in a record (``follow_up.note``), or a file's text or path


@dataclass
class Receipt:
    """What :func:`erase_employee` removed and changed; print it with ``str()``."""

    employee_id: str
    data_dir: Path
    reports_dir: Path
    searched_for: list[str]
    lines: list[ReceiptLine] = field(default_factory=list)
    regenerate: list[Path] = field(default_factory=list)
    leftovers: list[ReceiptLine] = field(default_factory=list)
    files_checked: int = 0
    # The final check: how many files of each kind (careerconv.records.decoded_text.KINDS) were read, and which
    # file name endings were read as raw text.
    kinds_checked: Counter = field(default_factory=Counter)
    read_raw: Counter = field(default_factory=Counter)
    # The other reports folders searched: those on the data folder's list (careerconv.records.kept_elsewhere), such
    # as the records service's own.
    other_reports: list[Path] = field(default_factory=list)
    erased_on: str | None = None  # the day they were erased before, when this erasure finished what was left
    # how to say that possible mentions were looked at, when not with the command (through the records service)
    looked_at_said_as: str | None = None
    # The folders deleted: shown with a '/' like the folders that are there (a file without an ending is not one).
    folders: set[Path] = field(default_factory=set)
    reports_dir_there: bool = True  # the reports folder named first was there to search (the default may not be)
    # Files of other people the final check listed, counted and not named (:meth:`without_others`).
    others_left: int = 0
    # Possible mentions a person looked at and found not to be them (careerconv.records.looked_at): left as written,
    # and no longer listed.
    looked_at: list[ReceiptLine] = field(default_factory=list)

    @property
    def reports_dirs(self) -> list[Path]:
        """Every reports folder searched, the one named first."""
        return [self.reports_dir, *self.other_reports]

    @property
    def files_left(self) -> int:
        """How many files the final check lists (:attr:`leftovers` may list one file's fields one by one)."""
        return len({item.path for item in self.leftovers}) + self.others_left

    @property
    def complete(self) -> bool:
        """True when the final check found no file that still mentions the person, or may."""
        return not self.leftovers and not self.others_left

    def show(self, path: Path) -> str:
        for label, root in (("data", self.data_dir), ("reports", self.reports_dir),
                            *((str(folder), folder) for folder in self.other_reports)):
            try:
                rel = path.relative_to(root)
            except ValueError:
                continue
            if rel == Path("."):
                return f"{label}/"
            return f"{label}/{rel.as_posix()}" + ("/" if path in self.folders or path.is_dir() else "")
        return str(path)

    def place(self, line: ReceiptLine) -> str:
        """Where a possible mention is, as ``--looked-at`` takes it:
        ``data/conversations/E002/….json:dreams[0].text``, ``data/notes.txt:text``."""
        return f"{self.show(line.path)}:{line.where}"

    def of_another_at(self, place: str) -> bool:
        """Whether a place as :meth:`place` writes it (``data/conversations/E002/….json:follow_up.note``) is in a
        file of someone other than the person (:meth:`of_another`)."""
        shown = place.rpartition(":")[0] or place
        for label, root in (("data", self.data_dir), ("reports", self.reports_dir)):
            if shown == label or shown.startswith(f"{label}/"):
                return self.of_another(root / shown[len(label) + 1:])
        return self.of_another(Path(shown))  # in another reports folder, shown by its own path

    def add(self, path: Path, action: str, detail: str = "", folder: bool = False) -> None:
        """Add a line; ``folder``: ``path`` was a folder (deleted now, so the receipt cannot tell by looking)."""
        self.lines.append(ReceiptLine(path, action, detail))
        if folder:
            self.folders.add(path)

    def without_others(self) -> "Receipt":
        """This receipt as one who may read no one's records may read it (an operator of the hub): the files of
        other people that mentioned them (their records, their reports) are counted, not named, since naming
        them says whose record talked about the person (found by a hostile test of the hub: "data/checkins/
        E0012/E0012-ci-20261003.json replaced 1 mention(s)")."""
        def others(items: list, path_of) -> tuple[list, int]:
            kept = [item for item in items if not self.of_another(path_of(item))]
            return kept, len(items) - len(kept)

        lines, changed = others(self.lines, lambda line: line.path)
        regenerate, deleted = others(self.regenerate, lambda path: path)
        leftovers = [item for item in self.leftovers if not self.of_another(item.path)]
        left = len({item.path for item in self.leftovers}) - len({item.path for item in leftovers})
        looked_at = [item for item in self.looked_at if not self.of_another(item.path)]
        if changed:
            lines.append(ReceiptLine(self.data_dir, f"changed or deleted {changed} file(s) of other people that "
                                     "mentioned them", "not named here, since they are other people's records"))
        if deleted:
            regenerate.append(Path(f"{deleted} page(s) of other people (their conversation summaries or "
                                   "progress reports), not named here"))
        return dataclasses.replace(self, lines=lines, regenerate=regenerate, leftovers=leftovers,
                                   others_left=self.others_left + left, looked_at=looked_at)

    def of_another(self, path: Path) -> bool:
        """Whether ``path`` is a record or summary (``<data>/conversations|checkins/<id>/…``) or a progress
        report (``<reports>/<id>/progress-…``) of someone other than the person."""
        mine = self.employee_id.casefold()
        in_reports = lambda p: len(p) >= 2 and p[-1].startswith("progress-")  # noqa: E731
        for root, of_person in ((self.data_dir, lambda p: len(p) >= 3 and p[0] in ("conversations", "checkins")),
                                *((folder, in_reports) for folder in self.reports_dirs)):
            try:
                parts = Path(path).relative_to(root).parts
            except ValueError:
                continue
            if of_person(parts):
                return parts[1 if root == self.data_dir else 0].casefold() != mine
        return False

    def checked(self) -> str:
        """``Checked N files …: a Parquet, b JSON, …`` and how each kind was read."""
        counts = self.kinds_checked
        shown = ["Parquet", "JSON", "HTML", "PDF", "workbook", "text"] + \
            [k for k in ("archive", "empty") if counts[k]]
        parts = [f"{counts[k]} {k + ('s' if k == 'workbook' and counts[k] != 1 else '')}" for k in shown]
        raw = ", ".join(f"{n} {suffix}" for suffix, n in sorted(self.read_raw.items()))
        parts.append(f"{counts['other']} other (read as raw text{': ' + raw if raw else ''})")
        how = "; ".join(f"{k}: {READ_AS[k]}" for k in KINDS if counts[k] and k not in ("empty",))
        line = f"Checked {self.files_checked} files under the data and reports folders: {', '.join(parts)}."
        return line + (f"\n  Read as: {how}." if how else "")

    def __str__(self) -> str:
        first = f"Erased employee {self.employee_id}." if self.erased_on is None else \
            f"{self.employee_id} was erased from {self.data_dir} on {self.erased_on}; this erasure looked again for " \
            "what was left of them."
        missing = "" if self.reports_dir_there else " (not there, so not searched: no report was written there " \
            "yet; reports written elsewhere are searched when that folder is named with --reports)"
        out = [first,
               f"  data folder:    {self.data_dir}",
               f"  reports folder: {self.reports_dir}{missing}"]
        out += [f"  reports folder: {folder} (on the data folder's list of reports folders)"
                for folder in self.other_reports]
        out += [f"  searched for:   {', '.join(self.searched_for)}", ""]
        width = max([len(self.show(line.path)) for line in self.lines] + [10])
        for line in self.lines:
            detail = f" ({line.detail})" if line.detail else ""
            out.append(f"  {self.show(line.path):<{width}}  {line.action}{detail}")
        if not self.lines:
            out.append("  nothing held about them was found")
        if self.regenerate:
            out += ["", "Deleted because they mentioned the employee; regenerate them:"]
            out += [f"  {self.show(p)}" for p in self.regenerate]
        out += ["", self.checked()]
        if not self.complete:
            out.append(f"{self.files_left} file(s) still mention the employee, or may, and need a person to "
                       "look at them:")
            out += [f"  {POSSIBLE}: {self.show(item.path)}, {item.detail}" if item.action == POSSIBLE else
                    f"  {self.show(item.path)}: {item.detail}" for item in self.leftovers]
            if self.others_left:
                out.append(f"  {self.others_left} file(s) of other people: someone who may read their records must "
                           "look at them (`careerconv erase` on the data folder names them)")
            if any(item.action == POSSIBLE for item in self.leftovers):
                out.append("  (a possible mention is their name in other capitals than the roster's, such as all in "
                           "lower case: it may be them, or words spelled the same, so it was left as written; where "
                           "it is them, edit it by hand and erase again)")
                out += self._how_to_say_looked_at()
        else:
            out.append("Of these, none mentions the employee.")
        if self.looked_at:
            out += ["", f"{len(self.looked_at)} possible mention(s) a person looked at and found not to be them, left "
                        "as written:"]
            out += [f"  {self.show(item.path)}, {item.where}: {item.detail}" for item in self.looked_at]
        return "\n".join(out)

    def _how_to_say_looked_at(self) -> list[str]:
        """How to say that the possible mentions listed were looked at, and are words, not the person."""
        places = [self.place(item) for item in self.leftovers if item.action == POSSIBLE]
        how = self.looked_at_said_as or f"careerconv erase --employee {self.employee_id} --looked-at PLACE [PLACE ...]"
        return ["  Where one is words, not them, say that you looked at it and erase again:",
                f"    {how}",
                "  each PLACE one of these (one whose text changes since is listed again):",
                *(f"    {place}" for place in places)]


@dataclass
class ErasurePlan:
    """What is held about one employee, found before anything is removed."""

    employee_id: str
    name: str | None
    email: str | None
    on_roster: bool
    conversations: int
    checkins: int
    report_files: int
    in_derived: bool = False  # the derived tables hold rows of theirs
    unfinished: bool = False  # an erasure of theirs started and did not finish (a full disk, a kill)
    erased_on: str | None = None  # the day they were erased before (YYYY-MM-DD): this erasure finishes what is left

    def describe(self) -> str:
        """One line for the confirmation prompt."""
        if self.erased_on is not None and not self.on_roster:
            return (f"{self.employee_id}, erased on {self.erased_on}: what is left of them ({self.conversations} "
                    f"conversation file(s), {self.checkins} check-in file(s), {self.report_files} report file(s))")
        held = [f"roster row{' (' + self.name + ')' if self.name else ''}" if self.on_roster else "no roster row",
                f"{self.conversations} conversation file(s)", f"{self.checkins} check-in file(s)",
                f"{self.report_files} report file(s)"] + (["rows in the derived tables"] if self.in_derived else []) \
            + (["an erasure that did not finish"] if self.unfinished else [])
        return f"{self.employee_id}: " + ", ".join(held)


def _count_files(folder: Path) -> int:
    """How many files are under ``folder``: none when it is not there, and those seen when it goes while they are
    counted (an erasure of theirs under way removes it: found by a hostile test, two erasures of one person at once,
    the second one's plan stopped with "No such file or directory")."""
    return sum(len(files) for _, _, files in os.walk(folder))


def plan_erasure(store: Store, reports_dir: str | os.PathLike, employee_id: str) -> ErasurePlan:
    """Find what is held about ``employee_id`` without changing anything.

    Parameters
    ----------
    store
        The data folder.
    reports_dir
        The reports folder (those on the data folder's list are looked in too: :func:`reports_folders`).
    employee_id
        Who would be erased.

    Returns
    -------
    ErasurePlan
        Their name and email (searched for too) and what files they have.

    Raises
    ------
    ValueError
        A malformed id, or the employee is still the coach of someone on the
        roster (the message lists them).
    NotFound
        Nothing at all is held about the id, and it was never erased (someone erased before has a plan: what is
        left of them, in folders an earlier erasure did not reach, such as a reports folder then unknown).
    """
    employee_id = schema.parse_identifier(employee_id, what="employee id")
    roster = store.roster()
    row = roster[roster[EMPLOYEE_ID] == employee_id]
    coached = roster[(roster[COACH_ID] == employee_id) & (roster[EMPLOYEE_ID] != employee_id)]
    if len(coached):
        ids = ", ".join(coached[EMPLOYEE_ID].head(10)) + (" ..." if len(coached) > 10 else "")
        raise ValueError(f"{employee_id} is still the coach of {len(coached)} employee(s) on the roster ({ids}); "
                         "import a roster that gives them another coach, then erase")
    name = email = None
    if len(row):
        name = row.iloc[0]["name"]
        email = row.iloc[0]["email"] if not pd.isna(row.iloc[0]["email"]) else None
    conv_dir = store.employee_dir("conversation", employee_id)
    ci_dir = store.employee_dir("checkin", employee_id)
    others = {*roster[EMPLOYEE_ID], *roster[COACH_ID]}
    own_reports = [own for folder in reports_folders(store, reports_dir).cleaned
                   for own in their_report_folders(folder, employee_id, others)]
    plan = ErasurePlan(employee_id, name, email or None, bool(len(row)), _count_files(conv_dir),
                       _count_files(ci_dir), sum(_count_files(folder) for folder in own_reports),
                       store.derived_holds(employee_id), store.erased_ids().is_unfinished(employee_id),
                       store.erased_ids().erased_on(employee_id))
    held = plan.on_roster or conv_dir.exists() or ci_dir.exists() or plan.report_files or plan.in_derived \
        or any(folder.exists() for folder in own_reports) or plan.unfinished
    if not held and plan.erased_on is None:
        raise NotFound(f"employee {employee_id!r} is not on the roster and nothing is held about them"
                       f"{store.case_hint(employee_id)}; nothing was erased")
    return plan


def erase_employee(store: Store, reports_dir: str | os.PathLike, employee_id: str,
                   looked_at: Iterable[dict] = (), waiting: Callable[[], None] | None = None) -> Receipt:
    """Remove one employee from every file, derived table, cache, report and temp file.

    One erasure runs at a time in a data folder (:func:`one_erasure_at_a_time`): one under way is waited for,
    however long it takes, and this one then finds what that one left.

    Parameters
    ----------
    store
        The data folder.
    reports_dir
        The reports folder; those on the data folder's list of reports folders
        (:mod:`careerconv.records.kept_elsewhere`: the records service's own) are cleaned too.
    employee_id
        Who to erase.
    looked_at
        Possible mentions the last erasure of theirs listed that a person has looked at and found not to be them
        (:func:`looked_at_marks`): left as written and not listed, for the text that erasure listed.
    waiting
        Called once, before waiting, when another erasure in the data folder is under way.

    Returns
    -------
    Receipt
        Every file removed or changed, pages to regenerate, how many files of
        each kind the final check read, and any file it still found
        mentioning them or could not decode, or a listed reports folder that
        is not there (``receipt.complete`` is False then).

    Raises
    ------
    ValueError
        A malformed id, or they are still someone's coach (nothing is changed).
    NotFound
        Nothing is held about the id (nothing is changed).
    """
    with one_erasure_at_a_time(store, waiting):
        return _erase_alone(store, reports_dir, employee_id, looked_at)


@contextlib.contextmanager
def one_erasure_at_a_time(store: Store, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the data folder's erasure lock while inside, so that no other erasure runs meanwhile: each rewrites
    files the others rewrite too (found by a hostile test, two erasures at once: one wrote back into a shared CSV and
    notes the rows and text the other had just removed, one stopped on a report the other had just deleted, and
    one lost the temp file of its write to the other's sweep). One under way is waited for however long it takes
    (on a big data folder, minutes); ``waiting`` is called first, to say so. A killed erasure lets go of it."""
    lock = store.lock("erasure")
    try:
        lock.acquire(timeout=0)
    except TimeoutError:  # filelock.Timeout: another erasure holds it
        if waiting is not None:
            waiting()
        lock.acquire(timeout=-1)
    try:
        yield
    finally:
        lock.release()


def _erase_alone(store: Store, reports_dir: str | os.PathLike, employee_id: str, looked_at: Iterable[dict]) -> Receipt:
    """:func:`erase_employee`, with no other erasure under way."""
    reports, missing, left_out = reports_folders(store, reports_dir)
    plan = plan_erasure(store, reports[0], employee_id)
    eid = plan.employee_id
    roster = store.roster()
    known_ids = {*roster[EMPLOYEE_ID], *roster[COACH_ID], *store.employees_with_records()}
    # Someone erased before, whose roster row is gone: their name and email as the first erasure kept them (hashed).
    kept = store.erased_ids().known_as_of(eid) if plan.erased_on and not plan.on_roster else {}
    name, email = (plan.name, plan.email) if not kept else _found_again(store, reports, kept)
    namesakes = _namesakes(roster, eid, name)
    # A name someone else on the roster has too names no one: their rows, reports and lines would go too.
    mentions = Mentions(eid, None if namesakes else name, email, other_ids=known_ids)
    again = " (found again: an earlier erasure of theirs kept a hash of it)" if kept else ""
    if not name:
        name_searched = ["not their name (an earlier erasure of theirs kept a hash of it, and no file holds it)"] \
            if "name" in kept else []
    elif namesakes:
        name_searched = [f"not their name ({', '.join(namesakes)} on the roster has the same name, so a file "
                         f"naming {name!r} may be about them; look at such files by hand)"]
    else:
        name_searched = [f"their name{again}"]
    the_id = "the id" if any(ch.isalpha() for ch in eid) else \
        "the id, in text only (a number in a table or a record is a number: careerconv writes ids as text)"
    searched = [the_id, *name_searched] + ([f"their email{again}"] if email else []) \
        + ["the hash of the id older lock files were named by"]
    receipt = Receipt(eid, store.root, reports[0], searched, other_reports=reports[1:],
                      erased_on=None if plan.on_roster else plan.erased_on, reports_dir_there=reports[0].is_dir())
    for folder in missing:
        receipt.leftovers.append(ReceiptLine(folder, "not there", f"{_LIST}, but there is no folder there (moved, or "
                                 "on a disk not mounted?): reports about them may be wherever it is now; erase again "
                                 "with --reports naming it, or, if it is gone for good, take it off that list"))
    for item in left_out:
        if item.covered:
            receipt.add(item.folder, "left out as a reports folder", item.why)
        else:
            receipt.leftovers.append(ReceiptLine(item.folder, "left as it is", item.why))

    # 0. leftovers of killed processes, before anything reads the folders
    _sweep_temp_files(store, eid, receipt)

    # 1. what is theirs
    with store.lock(f"employee:{eid}"):  # no autosave of theirs lands between reading and removing
        # First on the erased list (Store.erased_ids): an import while the rest is erased refuses them, so an old
        # roster read meanwhile cannot bring them back once the row is gone. Marked unfinished there until the
        # end, so that an erasure stopped halfway (a full disk) is finished by running it again. Someone erased
        # before keeps the day they were erased.
        store.mark_erased(eid, dt.date.fromisoformat(plan.erased_on) if plan.erased_on and not plan.on_roster
                          else None, name=plan.name, email=plan.email)
        with _finished_by_running_again(eid):
            _remove_own_files(store, plan, receipt)
    erased = store.erased_ids()
    judge = Judge(erased, erased.possible_mentions_of(eid), list(looked_at))
    with _finished_by_running_again(eid):
        _erase_mentions(store, reports, plan, mentions, receipt, known_ids, judge)
        # The hashes of their name and email stay until nothing of them is left (found by a hostile test: run again
        # once their roster row was gone, an erasure searched by id alone), and so do the possible mentions listed.
        store.finish_erasure(eid, complete=receipt.complete, possible_mentions=judge.to_keep(), read_before=judge.kept)
    return receipt


def looked_at_marks(store: Store, employee_id: str, places: Iterable[str], by: str, asked_as: str = "--looked-at",
                    reports_dir: str | os.PathLike | None = None) -> list[dict]:
    """What says that a person (``by``) looked at the possible mentions at ``places`` now, and found them not to be
    ``employee_id``, for :func:`erase_employee`: each place as its last receipt lists it
    (``data/conversations/E002/E002-20260301.json:follow_up.note``, :meth:`Receipt.place`); ``asked_as``: how the
    places were given, for the messages. ``reports_dir``: asked by one who reads no one's records (an operator of
    the hub, whose receipt does not name other people's files: :meth:`Receipt.without_others`), the erasure's
    reports folder: a place in another person's record or report is refused, and not named among those allowed.

    Raises
    ------
    ValueError
        A place the last erasure of theirs did not list (or none was listed), or another person's: the message names
        those allowed.
    """
    employee_id = schema.parse_identifier(employee_id, what="employee id")
    erased = store.erased_ids()
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    hidden = None
    if reports_dir is not None:
        folders = reports_folders(store, reports_dir).cleaned
        hidden = Receipt(employee_id, store.root, folders[0], [], other_reports=folders[1:]).of_another_at
    return marks(erased, erased.possible_mentions_of(employee_id), employee_id, (p.strip() for p in places), by,
                 now, asked_as, hidden)


@contextlib.contextmanager
def _finished_by_running_again(employee_id: str) -> Iterator[None]:
    """Word a refusal of the disk (full, read-only) met halfway through an erasure: it did not finish, what is
    erased stays erased, and running it again finishes it."""
    try:
        yield
    except OSError as exc:
        again = type(exc)(f"the erasure of {employee_id} did not finish ({exc}); what is erased so far stays erased, "
                          f"and `careerconv erase --employee {employee_id} --yes` run again finishes it")
        again.errno = exc.errno
        raise again from exc


def _remove_own_files(store: Store, plan: ErasurePlan, receipt: Receipt) -> None:
    """Pass 1, under the employee's lock: their roster row and their record folders."""
    eid = plan.employee_id
    if plan.on_roster:
        _remove_roster_row(store, eid, receipt)
    for kind in RECORD_KINDS:
        folder = store.employee_dir(kind, eid)
        if folder.exists():
            n = _count_files(folder)
            shutil.rmtree(folder)
            receipt.add(folder, "deleted", f"{n} file(s)", folder=True)


def _erase_mentions(store: Store, reports: list[Path], plan: ErasurePlan, mentions: Mentions,
                    receipt: Receipt, known_ids: set[str], judge: Judge) -> None:
    """Their reports folder in each reports folder, passes 2 and 3, the derived tables and the final check."""
    eid = plan.employee_id
    # the erased list holds salted hashes, no id; the lists of access logs and reports folders, paths
    handled = {store.roster_path, store.erased_path, *list_paths(store)}
    # The folder named first is cleaned file by file, as the operator's own, unless it holds the mark of a records
    # service's reports folder: a marked folder follows the marked rules however it is named (found by a hostile
    # test: passed with --reports, a marked folder lost a README and an archive a person kept there, which the same
    # folder reached through the data folder's list kept and listed).
    ordinary = None if is_marked_reports_folder(reports[0]) else reports[0]
    for own_reports in (own for folder in reports for own in their_report_folders(folder, eid, known_ids)):
        if own_reports.is_symlink():
            # A link named after them: the link goes, what it points at is not theirs to delete here (found: the
            # reports it led to were deleted outside every reports folder, and rmdir on the link stopped the
            # erasure on every run).
            own_reports.unlink()
            receipt.add(own_reports, "deleted", "a link named after them (what it pointed at is left as it is)")
        elif own_reports.is_dir() and not _holds_a_root(own_reports, store.root, *reports):
            _erase_own_reports(own_reports, receipt,
                               whole=own_reports.parent == ordinary and _named_with(mentions, own_reports.name))

    # 2. mentions in other employees' records, through the store
    for kind in RECORD_KINDS:
        base = store.records_dir(kind)
        if not base.is_dir():
            continue
        # Listed as they are now: another erasure may remove someone's folder between one look and the next.
        for emp_dir in sorted(Path(e.path) for e in listing(base) if e.is_dir() and not e.name.startswith(".")):
            for path in sorted(Path(e.path) for e in listing(emp_dir) if is_data_file(e.name)):
                handled.add(path)
                _scrub_record(store, kind, emp_dir.name, path, mentions, receipt, judge)

    # 3. everything else under the data and reports folders
    reads = _Reads(mentions)
    for root in _roots(store.root, reports):
        _remove_named_folders(root, mentions, receipt, store, reports, ordinary)
    for root in _roots(store.root, reports):
        for path in _walk(root):
            if path in handled or store.is_derived_file(path) or not path.exists():
                continue
            _sweep_file(store, reports, ordinary, path, mentions, receipt, reads)

    if store.derived_dir.is_dir():
        # Tables written straight in (no record behind them) lose their rows here; a refresh would never.
        try:
            written = store.remove_written_rows(eid)
            report = store.refresh()
        except NotRebuildable as exc:
            raise exc.then(
                f"The erasure of {eid} is not finished: their roster row, record files and the mentions it found are "
                "gone; the derived tables are not brought up to date, nor the access logs and the hub, and no receipt "
                f"was printed. Once the tables can be read, `careerconv erase --employee {eid} --yes` finishes "
                "it") from None
        receipt.add(store.derived_dir, "derived tables brought up to date",
                    f"{report.employees_changed} employee(s) re-read, {report.buckets_rewritten} part(s) rewritten"
                    + (f", {written} row(s) of theirs removed from the tables written straight in" if written else "")
                    + "; their rows and manifest entry are gone")
    _final_check(store, reports, mentions, receipt, reads, judge)


# ---------------------------------------------------------------------------- helpers


def _namesakes(roster: pd.DataFrame, employee_id: str, name: str | None) -> list[str]:
    """The other employees on the roster whose name is ``name`` in any case, spacing or Unicode form
    (:func:`careerconv.records.erased_names.name_form`)."""
    if not name or not (form := name_form(name)):
        return []
    others = roster[roster[EMPLOYEE_ID] != employee_id]
    return sorted(eid for eid, other in zip(others[EMPLOYEE_ID], others["name"])
                  if isinstance(other, str) and name_form(other) == form)


def _found_again(store: Store, reports: list[Path], kept: dict) -> tuple[str | None, str | None]:
    """The name and email an earlier erasure kept hashes of (:mod:`careerconv.records.erased_names`), as the files
    under the data and reports folders write them (None for one no file holds)."""
    skipped = {store.erased_path, *list_paths(store)}

    def texts() -> Iterator[str]:
        for root in _roots(store.root, reports):
            for path in _walk(root):
                if path in skipped or store.locks_dir in path.parents:
                    continue
                try:
                    text = decoded_text(path).text
                except OSError:
                    continue  # gone since listed, or unreadable: the final check says so
                yield text
    return found_again(store.erased_ids(), kept, texts())


def _roots(data: Path, reports: list[Path]) -> list[Path]:
    """The folders to walk: the data folder and each reports folder, less any inside another (walked with it)."""
    folders = [folder for folder in dict.fromkeys([data, *reports]) if folder.is_dir()]
    return [folder for folder in folders if not any(other in folder.parents for other in folders)]


@dataclass(frozen=True)
class LeftOut:
    """A folder on the data folder's list of reports folders that an erasure leaves as it is, and why."""

    folder: Path
    why: str
    covered: bool  # it is the data folder or inside it, which the erasure cleans by the data folder's own rules


class ReportsFolders(NamedTuple):
    """The reports folders of an erasure (:func:`reports_folders`)."""

    cleaned: list[Path]  # the one named first, then the listed ones proven to be careerconv's
    missing: list[Path]  # listed, and not there
    left_out: list[LeftOut]  # listed, and not cleaned as a reports folder


_LIST = "the data folder's list of reports folders (reports-folders.json) names it"


def reports_folders(store: Store, reports_dir: str | os.PathLike) -> ReportsFolders:
    """The reports folders an erasure cleans: ``reports_dir``, then those on the data folder's list
    (:func:`careerconv.records.kept_elsewhere.recorded_reports_folders`) that are careerconv reports folders, each
    once, resolved (links followed); those on the list that are not there; and those it leaves out: one without the
    mark a records service leaves in its reports folder
    (:func:`careerconv.records.kept_elsewhere.is_marked_reports_folder`: found by a hostile test, a folder standing
    for /etc was cleaned as a reports folder), and one that is, holds or is inside the data folder (found: with the
    data folder on the list, a workbook in it was deleted whole as a generated file, losing another person's row).

    Raises
    ------
    ValueError
        The data folder's list of reports folders is damaged, or ``reports_dir`` holds the data folder.
    """
    data = store.root.resolve()
    folders, missing, left_out = [Path(reports_dir).resolve()], [], []
    if folders[0] in data.parents:
        # found by a hostile test: --reports naming the folder that holds the data folder cleaned that whole folder
        # as careerconv's own (another application's key deleted, a shared workbook deleted whole)
        raise ValueError(f"the reports folder {folders[0]} holds the data folder {data}: name the reports folder "
                         "itself (by default reports/ beside the data folder); nothing was erased")
    seen = set(folders)
    for folder in recorded_reports_folders(store):
        folder = folder.resolve()
        if folder in seen:
            continue
        seen.add(folder)
        if not folder.is_dir():
            missing.append(folder)
        elif folder == data or data in folder.parents:
            where = "is the data folder" if folder == data else "is inside the data folder"
            left_out.append(LeftOut(folder, f"{_LIST}, but it {where}, whose files keep the data folder's own rules "
                                            "(take it off that list)", covered=True))
        elif folder in data.parents:
            left_out.append(LeftOut(folder, f"not a careerconv reports folder: left as it is ({_LIST}, but it holds "
                                            "the data folder; erase again with --reports naming it if reports about "
                                            "them are in it, and take it off that list)", covered=False))
        elif (unmarked := reports_folder_mark_problem(folder)) is not None:
            left_out.append(LeftOut(folder, f"not a careerconv reports folder: left as it is ({_LIST}, but "
                                            f"{unmarked})", covered=False))
        else:
            folders.append(folder)
    return ReportsFolders(folders, missing, left_out)


def their_report_folders(folder: Path, employee_id: str, other_ids: Iterable[str] = ()) -> list[Path]:
    """What in the reports folder ``folder`` is the employee's report folder: ``<id>/``, or the id in another case
    (``e0004/`` for E0004, as a case-insensitive file system or a person by hand names it; found by a hostile test:
    such a folder was neither cleaned nor listed), unless that other case is someone else's id in ``other_ids``."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    folded = employee_id.casefold()
    taken = set(other_ids) - {employee_id}
    return [folder / name for name in names if name.casefold() == folded and (name == employee_id or name not in taken)]


def _in_a_report_folder_of_theirs(store: Store, reports: list[Path], path: Path, employee_id: str) -> bool:
    """Whether ``path`` is in the employee's report folder in a reports folder, named with their id in any case."""
    folder = _reports_folder_of(store, reports, path)
    parts = path.relative_to(folder).parts if folder is not None else ()
    return len(parts) >= 2 and parts[0].casefold() == employee_id.casefold()


def _walk(root: Path):
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if not path.is_symlink():
                yield path


def _reports_folder_of(store: Store, reports: list[Path], path: Path) -> Path | None:
    """The innermost reports folder ``path`` is in; None when it is in none, or in the data folder (whose files keep
    its own rules wherever the data folder is)."""
    if store.root in path.parents:
        return None
    return max((folder for folder in reports if folder in path.parents), key=lambda f: len(f.parts), default=None)


def _left_to_others(store: Store, reports: list[Path], ordinary: Path | None, path: Path) -> bool:
    """Whether ``path`` is in a marked reports folder (any but ``ordinary``, the one named when it is not marked) and
    is not careerconv's: an erasure leaves it as it is (the final check lists it when it mentions them)."""
    folder = _reports_folder_of(store, reports, path)
    return folder is not None and folder != ordinary and not careerconv_writes(path.relative_to(folder))


def _is_temp(path: Path) -> bool:
    return is_temp_file(path.name)


def _swept_by_store(store: Store, eid: str, path: Path) -> bool:
    """A temp file where :meth:`Store.sweep_temp_files` looks: the root, derived tables, record folders."""
    record_bases = {store.records_dir(kind) for kind in RECORD_KINDS}
    return path.parent == store.root or store.derived_dir in path.parents or path.parent.parent in record_bases


def _sweep_temp_files(store: Store, eid: str, receipt: Receipt) -> None:
    """Remove what killed processes left in the data folder (every temp file, old hashed lock files)."""
    own = {store.employee_dir(kind, eid) for kind in RECORD_KINDS}
    record_bases = {store.records_dir(kind) for kind in RECORD_KINDS}
    others, locks = 0, 0
    for path in store.sweep_temp_files():
        if path.parent == store.locks_dir:
            locks += 1
        elif path.parent.parent in record_bases and path.parent not in own:
            others += 1  # named after someone else: counted, not listed
        else:
            receipt.add(path, "deleted leftover temp file", "left by an interrupted write")
    if others:
        receipt.add(store.root, f"deleted {others} leftover temp file(s) in other employees' record folders",
                    "left by interrupted saves")
    if locks:
        receipt.add(store.locks_dir, f"deleted {locks} lock file(s) of an older version",
                    "named by a hash of an id; locks are now a fixed set of stripes named after no one")


def _remove_roster_row(store: Store, eid: str, receipt: Receipt) -> None:
    removed = store.remove_employees([eid])
    receipt.add(store.roster_path, "removed their row", f"{removed} row(s)")


def _scrub_value(value: Any, mentions: Mentions, counts: dict[str, int]) -> Any:
    """A record with mentions in its text replaced; ``counts`` tallies ``text`` and ``coach``."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in _STRUCTURAL_KEYS:
                out[k] = v
            elif k == COACH_ID:
                out[k] = v
                if v == mentions.employee_id:
                    out[k] = ERASED_COACH_ID
                    counts["coach"] += 1
            else:
                out[k] = _scrub_value(v, mentions, counts)
        return out
    if isinstance(value, list):
        return [_scrub_value(v, mentions, counts) for v in value]
    if isinstance(value, str):
        text, n = mentions.replace(value)
        counts["text"] += n
        return text
    return value


def _possible_fields(value: Any, mentions: Mentions, where: str = "") -> Iterator[tuple[str, str]]:
    """Where a record holds their name written only ignoring case (:meth:`Mentions.possible`), and the text there:
    ``dreams[2].text``, ``follow_up.note``; in the fields :func:`_scrub_value` cleans, in order."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k not in _STRUCTURAL_KEYS and k != COACH_ID:
                yield from _possible_fields(v, mentions, f"{where}.{k}" if where else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _possible_fields(v, mentions, f"{where}[{i}]")
    elif isinstance(value, str) and mentions.possible(value):
        yield where, value


def _sort_possible(receipt: Receipt, judge: Judge, mentions: Mentions, path: Path, where: str, texts: list[str],
                   detail: str, record: bool = False, derived: bool = False) -> None:
    """Put a possible mention at ``path`` (in its field ``where``, in ``texts``) on the receipt: with those a person
    looked at (:class:`careerconv.records.looked_at.Judge`), else listed for a person to look at. ``derived``: in a
    derived table, looked at when its texts are those of records' fields looked at."""
    line = ReceiptLine(path, LOOKED_AT, "", where)
    if derived and judge.texts_looked_at(texts):
        line.detail = "a derived table, holding only text of records' fields looked at"
        receipt.looked_at.append(line)
        return
    place = receipt.place(line)
    shown = not mentions.search(place) and not mentions.possible(place)
    entry = judge.looked_at(place, texts, shown, record)
    if entry is not None:
        line.detail = f"looked at by {entry.get('by', 'someone')}, {entry.get('on', 'on a day not kept')}"
        receipt.looked_at.append(line)
        return
    changed = judge.changed_since(place)
    if changed is not None:
        detail += f" (its text changed since {changed.get('by', 'someone')} looked at it, {changed.get('on', '')})"
    receipt.leftovers.append(ReceiptLine(path, POSSIBLE, detail, where))


def _scrub_record(store: Store, kind: str, owner: str, path: Path, mentions: Mentions, receipt: Receipt,
                  judge: Judge) -> None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return  # removed since it was listed (another erasure, of its owner): nothing of them there
    except OSError as exc:
        receipt.leftovers.append(ReceiptLine(path, "unreadable", f"could not be read: {exc}"))
        return
    decoded = decode_bytes(path.name, data)
    if not any(mentions.mentions_and_possible(decoded.text)):
        return
    try:
        record = store.load_checkin(owner, path.stem) if kind == "checkin" else \
            store.load_conversation(owner, path.stem)
    except NotFound:
        return  # removed since it was read
    except (schema.ValidationError, ValueError) as exc:
        receipt.leftovers.append(ReceiptLine(path, "damaged", f"a damaged record that mentions them; fix or "
                                                              f"delete it by hand ({str(exc).splitlines()[0]})"))
        return
    counts = {"text": 0, "coach": 0}
    scrubbed = _scrub_value(record, mentions, counts)
    # Left as written, and listed field by field: the person erasing looks at each (found by a hostile tester:
    # "in spring will May or June" in another person's note lost its words when Will May was erased), unless they
    # have looked at it already, as it is once scrubbed.
    for where, text in _possible_fields(scrubbed, mentions):
        _sort_possible(receipt, judge, mentions, path, where, [text], where, record=True)
    if not counts["text"] and not counts["coach"]:
        return
    try:
        # Scrubbed again from what is stored under the lock, so an autosave since the read is kept.
        store.rewrite_record(kind, owner, path.stem,
                             lambda current: _scrub_value(current, mentions, {"text": 0, "coach": 0}))
    except NotFound:
        return  # removed since it was read: nothing of theirs is left there
    except schema.ValidationError as exc:
        receipt.leftovers.append(ReceiptLine(path, "not changed", "removing the mentions would make the record "
                                                                  f"invalid: {exc.problems[0].message}"))
        return
    done = []
    if counts["text"]:
        done.append(f"replaced {counts['text']} mention(s) in its text with {REMOVED}")
    if counts["coach"]:
        done.append(f"coach id set to {ERASED_COACH_ID!r}")
    receipt.add(path, "; ".join(done))


def _possible_pieces(path: Path, decoded: DecodedText, mentions: Mentions) -> list[str]:
    """The pieces of a file's text (:class:`careerconv.records.decoded_text.DecodedText`) that hold a possible
    mention, read again when :class:`_Reads` kept the file's reading without them."""
    pieces = decoded.pieces or decoded_text(path).pieces
    return [piece for piece in pieces if mentions.possible(piece)]


class _Reads:
    """Reads each file as its readers would, once: the final check decodes again only files changed since."""

    def __init__(self, mentions: Mentions):
        self.mentions = mentions
        self._seen: dict[Path, tuple[tuple[int, int, int], DecodedText, bool, bool]] = {}

    def read(self, path: Path) -> tuple[DecodedText, bool, bool]:
        """How ``path`` reads (its text left out when it was read before), whether it mentions them, and whether it
        holds their name written only ignoring case (:meth:`Mentions.possible`).

        Raises
        ------
        OSError
            The file cannot be read.
        """
        st = path.stat()
        key = (st.st_ino, st.st_size, st.st_mtime_ns)
        seen = self._seen.get(path)
        if seen is not None and seen[0] == key:
            return seen[1], seen[2], seen[3]
        decoded = decoded_text(path)
        mentioned, possible = self.mentions.mentions_and_possible(decoded.text)
        self._seen[path] = (key, dataclasses.replace(decoded, pieces=()), mentioned, possible)
        return decoded, mentioned, possible


def _sweep_file(store: Store, reports: list[Path], ordinary: Path | None, path: Path, mentions: Mentions,
                receipt: Receipt, reads: _Reads) -> None:
    if store.locks_dir in path.parents:
        return  # empty stripe files named after no one (the old hashed ones went in pass 0)
    if _is_temp(path) and _swept_by_store(store, mentions.employee_id, path):
        return  # a write in progress now (pass 0 removed the leftovers under the writer's lock); checked at the end
    if _left_to_others(store, reports, ordinary, path):
        return  # not careerconv's, in a listed reports folder; listed by the final check when it mentions them
    root = store.root if store.root in path.parents else next(r for r in reports if r in path.parents)
    # A path that carries an id without a letter may be a year's or a count's (reports/2025/board-pack.txt): such
    # a file is not deleted for its path, and the final check lists it for a person to look at.
    named = mentions.search(path.relative_to(root).as_posix()) and not mentions.letterless
    try:
        decoded, in_content, _ = reads.read(path)
    except FileNotFoundError:
        return  # a temp file renamed into place, or removed, since the folder was listed
    except OSError as exc:
        receipt.leftovers.append(ReceiptLine(path, "unreadable", f"could not be read: {exc}"))
        return
    mentioned = named or in_content
    if _is_temp(path):
        # Nothing reads a temp file; one that mentions them, or whose content cannot be decoded, goes.
        if mentioned or not decoded.complete:
            path.unlink(missing_ok=True)
            receipt.add(path, "deleted leftover temp file",
                        "it mentioned them" if mentioned else f"its content could not be read: {decoded.problem}")
        return
    suffix = path.suffix.lower()
    generated = suffix in GENERATED_SUFFIXES or decoded.kind in GENERATED_KINDS or \
        (_reports_folder_of(store, reports, path) is not None and decoded.kind not in ("text", "JSON"))
    if named:
        path.unlink()
        receipt.add(path, "deleted", "its name carries the id")
        if generated:
            receipt.regenerate.append(path)
        return
    if not mentioned:
        return  # one that could not be decoded is reported by the final check
    with store.sweep_lock(path) or contextlib.nullcontext():  # its temp file is not a leftover to a sweep meanwhile
        _rewrite_mentions(path, decoded, suffix, generated, mentions, receipt)


def _rewrite_mentions(path: Path, decoded: DecodedText, suffix: str, generated: bool, mentions: Mentions,
                      receipt: Receipt) -> None:
    """Pass 3 on a file that mentions them: rows removed, text replaced, a generated file deleted, or listed."""
    if decoded.kind == "Parquet":
        _sweep_parquet(path, mentions, receipt)
    elif generated:
        path.unlink()
        receipt.add(path, "deleted", "generated; regenerate it")
        receipt.regenerate.append(path)
    elif decoded.kind == "workbook" and suffix in (".xlsx", ".xlsm"):
        _sweep_workbook(path, mentions, receipt)
    elif suffix in (".csv", ".tsv"):
        _sweep_csv(path, path.read_bytes(), mentions, receipt)
    elif decoded.kind == "JSON" and suffix not in (".jsonl", ".ndjson"):
        _sweep_json(path, path.read_bytes(), mentions, receipt)
    elif suffix in TEXT_SUFFIXES:
        text, encoding = decode_plain_text(path.read_bytes())
        cleaned, n = mentions.replace(text)
        atomic_write_bytes(path, cleaned.encode(encoding))
        receipt.add(path, f"replaced {n} mention(s) with {REMOVED}")
    else:
        receipt.leftovers.append(ReceiptLine(path, "not changed", "mentions them, but careerconv does not know "
                                                                  "how to edit this kind of file; edit it by hand"))


def _sweep_csv(path: Path, data: bytes, mentions: Mentions, receipt: Receipt) -> None:
    text, encoding = decode_plain_text(data)
    first = text.splitlines()[0] if text else ""
    delimiter = max((",", ";", "\t"), key=first.count)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not rows:
        return
    header, body = rows[0], rows[1:]
    if any(mentions.search(c) for c in header):
        receipt.leftovers.append(ReceiptLine(path, "not changed", "its header row mentions them; edit it by hand"))
        return
    kept = [r for r in body if not any(mentions.claims(c, typed=False) for c in r)]
    if len(kept) == len(body):
        return  # only a number that may be the id (one without a letter): the final check lists the file
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n" if "\r\n" in text else "\n")
    writer.writerows([header, *kept])
    atomic_write_bytes(path, buf.getvalue().encode(encoding))
    receipt.add(path, "removed rows", f"{len(body) - len(kept)} row(s)")


def _sweep_workbook(path: Path, mentions: Mentions, receipt: Receipt) -> None:
    """Remove the rows of every sheet that mention them (a workbook in the data folder: an import's source)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        receipt.leftovers.append(ReceiptLine(path, "not changed", f"mentions them but cannot be opened ({exc}); "
                                                                  "edit it by hand"))
        return
    removed = 0
    for sheet in book.worksheets:
        hits = [row[0].row for row in sheet.iter_rows()
                if any(isinstance(cell.value, str) and mentions.claims(cell.value) for cell in row)]
        if sheet.min_row in hits and sheet.max_row > sheet.min_row:
            receipt.leftovers.append(ReceiptLine(path, "not changed", f"the header row of sheet {sheet.title!r} "
                                                                      "mentions them; edit it by hand"))
            return
        for row in reversed(hits):
            sheet.delete_rows(row)
        removed += len(hits)
    buf = io.BytesIO()
    book.save(buf)
    atomic_write_bytes(path, buf.getvalue())
    receipt.add(path, "removed rows", f"{removed} row(s)")


def _scrub_json(value: Any, mentions: Mentions) -> tuple[Any, int]:
    if isinstance(value, dict):
        total, out = 0, {}
        for k, v in value.items():
            if mentions.claims(str(k)):
                total += 1
                continue
            out[k], n = _scrub_json(v, mentions)
            total += n
        return out, total
    if isinstance(value, list):
        total, out = 0, []
        for v in value:
            if isinstance(v, str) and mentions.fullmatch(v):
                total += 1
                continue
            nv, n = _scrub_json(v, mentions)
            out.append(nv)
            total += n
        return out, total
    if isinstance(value, str):
        return mentions.replace(value)
    return value, 0


def _sweep_json(path: Path, data: bytes, mentions: Mentions, receipt: Receipt) -> None:
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        receipt.leftovers.append(ReceiptLine(path, "not changed", "mentions them but is not valid JSON"))
        return
    cleaned, n = _scrub_json(value, mentions)
    atomic_write_bytes(path, json.dumps(cleaned, ensure_ascii=False, indent=1).encode("utf-8"))
    receipt.add(path, "removed mentions", f"{n} key(s)/text(s)")


def _row_mask(table: pa.Table, test: Callable[[str], bool]) -> list[bool]:
    """Per row, whether any value of any column (nested ones flattened) passes ``test``."""
    mask = [False] * table.num_rows
    for column in table.columns:
        plain = pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
        for i, value in enumerate(column.to_pylist()):
            if value is None or mask[i]:
                continue
            if test(value) if plain else any(test(piece) for piece in value_pieces(value)):
                mask[i] = True
    return mask


def _sweep_parquet(path: Path, mentions: Mentions, receipt: Receipt) -> None:
    try:
        table = pq.read_table(path)
    except Exception:  # damaged: the final check reports it
        return
    if any(mentions.search(name) for name in table.column_names):
        receipt.leftovers.append(ReceiptLine(path, "not changed", "a column name mentions them; edit it by hand"))
        return
    mask = _row_mask(table, mentions.claims)
    n = sum(mask)
    if not n:
        return
    kept = table.filter(pa.array([not m for m in mask]))
    buf = io.BytesIO()
    pq.write_table(kept, buf, compression="zstd")
    atomic_write_bytes(path, buf.getvalue())
    receipt.add(path, "removed rows", f"{n} row(s)")


def _remove_named_folders(root: Path, mentions: Mentions, receipt: Receipt, store: Store, reports: list[Path],
                          ordinary: Path | None) -> None:
    """Delete each folder under ``root`` named with them (:func:`_named_with`), whole, naming the files that went.
    Never one that is or holds the data or reports folder (found: erasing an employee whose id is ``data`` deleted
    the data folder inside the reports folder), nor one in a marked reports folder (any but ``ordinary``, the one
    named when it is not marked: careerconv writes no such folder there; their own, ``<id>/``, loses its reports
    alone, :func:`_erase_own_reports`)."""
    for folder, dirs, _files in os.walk(root, topdown=True):
        for name in list(dirs):
            path = Path(folder) / name
            if _named_with(mentions, name) and not _holds_a_root(path, store.root, *reports) \
                    and _reports_folder_of(store, reports, path) in (None, ordinary):
                files = _files_in(path)
                shutil.rmtree(path)
                receipt.add(path, "deleted", f"folder named with the id, {len(files)} file(s){_named(files)}",
                            folder=True)
                dirs.remove(name)


def _named_with(mentions: Mentions, name: str) -> bool:
    """Whether a folder called ``name`` (outside a marked reports folder) is deleted whole: its name carries their id,
    name or email; never for an id without a letter (``2025`` may be a year's archive: the files in it whose path
    carries the id are then looked at one by one, :func:`_sweep_file`)."""
    return not mentions.letterless and mentions.search(name)


def _files_in(folder: Path) -> list[str]:
    """The files under ``folder`` (links not followed), by their paths there."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def _named(files: list[str], most: int = 10) -> str:
    """``: a, b, c`` for a receipt's line (the first ``most``, then how many more), or nothing for no file."""
    if not files:
        return ""
    more = f" and {len(files) - most} more" if len(files) > most else ""
    return ": " + ", ".join(files[:most]) + more


def _holds_a_root(folder: Path, *roots: Path) -> bool:
    """Whether ``folder`` is one of ``roots`` or holds one (deleting it would delete a whole folder of data)."""
    folder = folder.resolve()
    return any(folder == root.resolve() or folder in root.resolve().parents for root in roots)


# careerconv's files of one employee's report (careerconv.surfaces.report.paths.report_paths, which records may not
# import): progress-<day>.ipynb, .html, .pdf, .error.ipynb and the hidden .progress-<day>.fingerprint, in
# <reports>/<employee id>/. Only these names: found by a hostile test, any progress-<day>.<anything> a person left in a
# listed reports folder (a coach's progress-2026-10-01.docx) was deleted as careerconv's.
_REPORT_FILE = re.compile(r"progress-[0-9]{4}-[0-9]{2}-[0-9]{2}\.(?:ipynb|html|pdf|error\.ipynb)"
                          r"|\.progress-[0-9]{4}-[0-9]{2}-[0-9]{2}\.fingerprint")
# careerconv's files at the top of a reports folder: a batch's index page, a shard's index (its JSON and page:
# careerconv.surfaces.report.shards.shard_index_paths), and the HR page hr-report writes there by default.
_TOP_FILE = re.compile(r"index-[0-9]{4}-[0-9]{2}-[0-9]{2}(\.html|\.shard-[0-9]+-of-[0-9]+\.(json|html))"
                       r"|hr-analytics-[0-9]{4}-[0-9]{2}-[0-9]{2}\.html")


def careerconv_writes(relative: Path) -> bool:
    """Whether careerconv writes a file at ``relative`` in a reports folder (or a temp file on its way there): one of
    an employee's reports, ``<id>/progress-<day>.{html,ipynb,pdf,error.ipynb}`` or its hidden fingerprint, an index
    page, a shard's index, or the HR page."""
    parts = relative.parts
    name = temp_target_name(parts[-1]) if parts else ""
    if len(parts) == 2:
        return _REPORT_FILE.fullmatch(name) is not None
    return len(parts) == 1 and _TOP_FILE.fullmatch(name) is not None


def _erase_own_reports(folder: Path, receipt: Receipt, whole: bool = False) -> None:
    """Delete the employee's reports in their report folder (and the folder when nothing else is left in it);
    anything else put there is looked at as any other file is. ``whole``: the folder goes with everything in it (it
    is named with their id in a reports folder that is not marked, :func:`_remove_named_folders`), and the receipt
    names the other files that went with their reports."""
    reports = [p for p in folder.iterdir() if p.is_file() and _REPORT_FILE.fullmatch(p.name)]
    if whole:
        others = [name for name in _files_in(folder) if (folder / name) not in reports]
        shutil.rmtree(folder)
        detail = f"{len(reports)} file(s)" if not others else \
            f"{len(reports) + len(others)} file(s): their {len(reports)} report file(s), and {len(others)} other " \
            f"file(s) deleted with the folder, as it is named with the id{_named(others)}"
        receipt.add(folder, "deleted", detail, folder=True)
        return
    for path in reports:
        path.unlink()
    others = any(folder.iterdir())
    if not others:
        folder.rmdir()
    if reports or not others:
        receipt.add(folder, "deleted", f"{len(reports)} file(s)" + (" (their reports; the other files in it are "
                                                                     "listed on their own)" if others else ""),
                    folder=True)


def _final_check(store: Store, reports: list[Path], mentions: Mentions, receipt: Receipt, reads: _Reads,
                 judge: Judge) -> None:
    """Read every file under the data and reports folders as its readers would; list any that mentions them, or
    may (unless a person looked at that possible mention already)."""
    flagged = {item.path for item in receipt.leftovers}
    records_looked_at = {item.path for item in receipt.looked_at}  # by field, in pass 2
    for root in _roots(store.root, reports):
        for path in _walk(root):
            try:
                decoded, in_content, possible = reads.read(path)
            except FileNotFoundError:
                continue  # a temp file renamed into place, or removed, since the folder was listed
            except OSError as exc:
                receipt.files_checked += 1
                receipt.kinds_checked["other"] += 1
                receipt.read_raw[path.suffix.lower() or "(no ending)"] += 1
                if path not in flagged:
                    receipt.leftovers.append(ReceiptLine(path, "unreadable", f"could not be read: {exc}"))
                continue
            receipt.files_checked += 1
            receipt.kinds_checked[decoded.kind] += 1
            if decoded.kind == "other":
                receipt.read_raw[Path(temp_target_name(path.name)).suffix.lower() or "(no ending)"] += 1
            if path in flagged:
                continue
            why = None
            if mentions.search(path.relative_to(root).as_posix()):
                why = "its path carries the id"
            elif _in_a_report_folder_of_theirs(store, reports, path, mentions.employee_id):
                why = (f"in their report folder, named with their id in another case ({path.parent.name}/); "
                       "careerconv did not write this file: look at it")
            elif in_content and mentions.letterless and not mentions.claims(decoded.text, typed=False):
                why = (f"holds {mentions.employee_id} as a word (read as {decoded.kind}: {decoded.how}); an id without "
                       "a letter cannot be told there from a number (a count, a rating, a day): look at it")
            elif in_content:
                why = f"still mentions them (read as {decoded.kind}: {decoded.how})"
                if path == store.roster_path:
                    why += " (another employee with the same name, or them as a coach?)"
            elif possible or mentions.possible(path.relative_to(root).as_posix()):
                derived = store.is_derived_file(path)
                where = TEXT if possible else PATH
                texts = _possible_pieces(path, decoded, mentions) if possible else [path.relative_to(root).as_posix()]
                if path in records_looked_at and possible and judge.texts_looked_at(texts):
                    continue  # a record whose possible mentions were each looked at, field by field
                _sort_possible(receipt, judge, mentions, path, where, texts,
                               f"in its {where} (read as {decoded.kind}"
                               f"{'; a derived table, made again from the records' if derived else ''})",
                               derived=derived)
            elif not decoded.complete:
                why = f"may mention them: {decoded.how}"
            if why:
                receipt.leftovers.append(ReceiptLine(path, "still there", why))
