"""How an id written in an imported file is matched to the ids careerconv already knows: the one rule for the
employee ids and the coach ids of a roster import and of a history import.

People write an id as they see it elsewhere: ``e0010`` for the roster's ``E0010``, ``0003`` for ``E0003`` (an
HR system that shows the number alone), ``123`` for ``00123`` (Excel stores an id of digits as a number and drops
its zeros). An id is read as a known id when it is that id, or else when exactly one known id is

1. the same but for case (``e0010`` is ``E0010``), or else
2. for a value of digits alone, the same number with other leading zeros, either way, or with a prefix (``0003``
   and ``3`` are ``E0003``; ``123`` is ``00123``, as an Excel workbook stores it, and ``00123`` is ``123``, as the
   next CSV of the same system writes what a workbook stored first). The known id keeps its spelling. A value
   with a prefix is matched but for case only (``E3`` is not ``E0003``: a new ``E3`` beside ``E0003`` is no one's
   misspelling).

When several known ids fit (``0003`` beside ``E0003`` and ``C0003``), which one is meant is not guessed:
:meth:`KnownIds.match` raises :class:`AmbiguousId` naming them. A value that fits none is no known id (None).

An id matched otherwise than as it is written names someone on the roster only where the row's name is theirs
(:func:`same_name`: the same words in any order, case, accents and spacing aside): a new hire ``46`` "José Pérez" is
not ``E0046`` "José Álvarez" for the first name they share. A row without a name (a history file names no one) is
read as theirs only for a match but for case (:func:`confirmed`): a number alone (``7``, ``0007`` for ``E0007``) may
be a typo or another system's number, and nothing tells whose it is.

A value that is no known id may still be one erased from the roster: :meth:`KnownIds.spellings` gives the ids a value
of digits alone would be in the known ids' shapes, and :func:`number_forms` what of an id an erased list keeps to
know it again written otherwise when no known id is left to learn the shapes from (``61``, ``0061``, ``e61`` for
``E0061``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from .lost_letters import written_by_excel_csv

# An id that ends in its number: a prefix of anything but digits (``E``, ``EMP-``), then the digits.
_NUMBERED = re.compile(r"(\D*)(\d+)")

# How a value was matched, as the notes and refusals say it.
CASE = "case"
ZEROS = "leading zeros"  # the value lacks the known id's zeros (123 for 00123)
EXTRA_ZEROS = "extra leading zeros"  # the value has zeros the known id lacks (00123 for 123)
PREFIX = "prefix"


@dataclass(frozen=True)
class IdMatch:
    """A value read as a known id: ``id`` as it is known (the roster's spelling) and ``how`` (None: the same)."""

    value: str
    id: str
    how: str | None = None


class AmbiguousId(ValueError):
    """More than one known id fits a value; ``candidates`` lists them, sorted."""

    def __init__(self, value: str, candidates: Iterable[str]):
        self.value = value
        self.candidates = sorted(candidates)
        super().__init__(f"could be any of {', '.join(self.candidates)}, which it matches but for case, leading "
                         "zeros or a prefix: which one is meant is not guessed; write the id as the roster does")


def _number(value: str) -> tuple[str, str] | None:
    """An id's prefix (case folded) and number (without leading zeros); None when it does not end in one."""
    found = _NUMBERED.fullmatch(value)
    if found is None:
        return None
    return found.group(1).casefold(), found.group(2).lstrip("0") or "0"


class KnownIds:
    """The ids a value may be read as (the roster's, and a roster file's own); indexes are made on first need, so
    a file whose ids are all written as known costs one set lookup per value."""

    def __init__(self, ids: Iterable[str]):
        self.ids = set(ids)
        self._folded: dict[str, set[str]] | None = None
        self._numbered: dict[str, list[tuple[str, str, str]]] | None = None
        self._shapes: set[tuple[str, int]] = set()  # (prefix as written, number of digits) of the known ids

    def __contains__(self, value: object) -> bool:
        """Whether ``value`` is a known id or fits one or several (:meth:`match`)."""
        if not isinstance(value, str):
            return False
        try:
            return self.match(value) is not None
        except AmbiguousId:
            return True

    def _index(self) -> None:
        self._folded, self._numbered = {}, {}
        for known in self.ids:
            self._folded.setdefault(known.casefold(), set()).add(known)
            number = _number(known)
            if number is not None:
                prefix, digits = number
                written = _NUMBERED.fullmatch(known)
                self._numbered.setdefault(digits, []).append((prefix, written.group(2), known))
                self._shapes.add((written.group(1), len(written.group(2))))

    def match(self, value: str) -> IdMatch | None:
        """The known id ``value`` is read as (see the module docstring), None when it fits none.

        Raises
        ------
        AmbiguousId
            Several known ids fit; which one is meant is not guessed.
        """
        if value in self.ids:
            return IdMatch(value, value)
        if self._folded is None:
            self._index()
        same_but_case = self._folded.get(value.casefold(), set())
        if len(same_but_case) > 1:
            raise AmbiguousId(value, same_but_case)
        if same_but_case:
            return IdMatch(value, next(iter(same_but_case)), CASE)
        if not (value.isascii() and value.isdigit()):
            return None
        digits = value.lstrip("0") or "0"
        fits = {known: _how_numbers_differ(known_prefix, known_digits, value)
                for known_prefix, known_digits, known in self._numbered.get(digits, ())}
        if len(fits) > 1:
            raise AmbiguousId(value, fits)
        if fits:
            known, how = next(iter(fits.items()))
            return IdMatch(value, known, how)
        return None

    def spellings(self, value: str) -> list[str]:
        """The ids a value of digits alone would be in each shape of the known ids (each prefix and number of
        digits they are written with: ``61`` and ``0061`` would be ``E0061`` beside ``E0001``), other than the value
        itself, sorted; none for a value that is a known id or not digits alone. For telling a value that is no
        known id from one that was erased (no longer known): ``61`` after ``E0061`` was erased."""
        if value in self.ids or not (value.isascii() and value.isdigit()):
            return []
        if self._folded is None:
            self._index()
        digits = value.lstrip("0") or "0"
        return sorted({prefix + digits.zfill(width) for prefix, width in self._shapes
                       if len(digits) <= width} - {value})


def _how_numbers_differ(known_prefix: str, known_digits: str, value: str) -> str:
    """How a value of digits alone differs from a known id of the same number (not the value itself): by the known
    id's prefix, or by leading zeros either way (the value lacks them, or has more: one rule both ways, so a
    roster first imported from a workbook, ``1``, and one first imported from CSV, ``00001``, each match the
    other system's next export; found by a hostile test: workbook first, then CSV, and everyone was added twice)."""
    if known_prefix:
        return PREFIX
    return ZEROS if len(known_digits) > len(value) else EXTRA_ZEROS


def number_forms(employee_id: str) -> set[str]:
    """The forms by which an id is known again written otherwise (:func:`looked_up_as`): its number alone without
    leading zeros (``61`` for ``E0061`` and ``0061``), and, when it has a prefix, the prefix case folded with the
    number (``e:61``); none for an id that does not end in digits. For an erased id: its shape is not kept, so these
    are what tells ``61``, ``0061``, ``e61`` or ``E061`` from someone new."""
    number = _number(employee_id)
    if number is None:
        return set()
    prefix, digits = number
    return {digits, f"{prefix}:{digits}"} if prefix else {digits}


def looked_up_as(value: str) -> str | None:
    """The one of :func:`number_forms` a value written otherwise is looked up by: a value of digits alone by its
    number (``0061`` as ``61``: it may have lost a prefix and zeros), one with a prefix by prefix and number (``e61``
    as ``e:61``: a prefix is another id's only in the same letters); None for a value that does not end in digits."""
    number = _number(value)
    if number is None:
        return None
    prefix, digits = number
    return f"{prefix}:{digits}" if prefix else digits


def _name_words(name: object) -> list[str]:
    """A name's words, sorted, case and accents aside (``Pérez, José`` and ``jose  perez`` are one)."""
    text = unicodedata.normalize("NFKD", str(name or "")).casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return sorted(re.findall(r"[^\s,]+", text))


def same_name(known: object, written: object) -> bool:
    """Whether a row's name is the name someone is known by: the same words in any order, case, accents, commas and
    spacing aside (``Álvarez José`` is ``José Álvarez``), or that name as an Excel "CSV" writes it, with ``?`` for
    the letters Windows-1252 lacks (``?ukasz Nowak`` for ``Łukasz Nowak``: :mod:`careerconv.records.lost_letters`).
    A word in common is not enough: ``José Pérez`` is not ``José Álvarez``, nor a new ``Ana Costa`` the ``Ana
    Silva`` she shares a first name with (found by a hostile test: a new hire took over an existing employee's id,
    name and conversations)."""
    if isinstance(known, str) and isinstance(written, str) and written_by_excel_csv(known, written):
        return True
    return _name_words(known) == _name_words(written)


def confirmed(found: IdMatch, known_name: object, written_name: object) -> bool:
    """Whether a value read as a known id otherwise than it is written (``found``) names the person known by
    ``known_name``: beside a name (``written_name``), when it is theirs (:func:`same_name`); without one, only when
    it was matched but for case, since a number without its prefix or zeros (``7``, ``0007`` for ``E0007``) may be a
    typo or another system's number that lands on someone else (found by a hostile test: a history's ``7`` put its
    ratings on E0007's page). An id as it is written needs no name."""
    if found.how is None:
        return True
    if written_name is None or str(written_name).strip() == "":
        return found.how == CASE
    return same_name(known_name, written_name)


def matched_note(column: str, matches: Iterable[IdMatch], shown: int = 5) -> str | None:
    """The note on the values of ``column`` (as the file's header names it) read as a known id written otherwise:
    ``'Manager ID': read 2 value(s) as the id they match, as the roster writes it: e0010 as E0010 (case), ...``;
    None when there is none."""
    found = list({m.value: m for m in matches if m.how}.values())
    if not found:
        return None
    listed = "; ".join(f"{how}: " + ", ".join(f"{m.value} as {m.id}" for m in found[:shown] if m.how == how)
                       for how in dict.fromkeys(m.how for m in found[:shown]))
    return (f"{column!r}: read {len(found)} value(s) as the one employee id each matches but for case, leading "
            f"zeros (Excel stores ids of digits as numbers) or a prefix, and stored that id as the roster writes "
            f"it ({listed}" + (f"; and {len(found) - shown} more" if len(found) > shown else "") + ")")
