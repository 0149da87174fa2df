"""Possible mentions of someone erased that a person looked at and found not to be them.

An erasure leaves the name of the person written in other capitals than the roster's ("in spring will may or june"
for Will May) as it is, and lists it on the receipt as a possible mention, at a place: a field of another person's
record (``data/conversations/E002/E002-20260301.json:follow_up.note``), or the text or path of another file
(``data/notes.txt:text``). While one is listed the erasure is incomplete. The person erasing looks at each; where it
is words, not them, they say so (``careerconv erase --employee ID --looked-at PLACE``), and the erasure that follows
leaves it as it is and completes when nothing else is left.

A place may be said looked at only when the last erasure listed it (:func:`marks`), and the mark holds for the text
that erasure listed: a text changed since, or a new record saying the same, is listed again. What is kept, in
``erased.json`` beside the hashes of the name (:class:`careerconv.records.store.ErasedIds`), is never the text:
per place, a hash of the place and a hash of the place with its text (:meth:`Judge.fingerprint`), keyed with the
folder's salt; the place itself, so that a mistyped one can be told which are allowed, only when it holds no form of
the name (a file whose path holds it is kept as a hash alone); and who said each was looked at, and when. All of it
goes when an erasure finds nothing of them left, with the hashes of the name.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol

TEXT = "text"  # the field of a place that is a file's text
PATH = "path"  # the field of a place that is a file's path


class _Hashes(Protocol):
    def text_hash(self, kind: str, text: str) -> str: ...


def _kept_entries(kept: dict, key: str) -> list[dict]:
    """The entries ``erased.json`` keeps under ``key`` (``listed``, ``looked_at``) for one person: none for a list
    edited by hand into something else, which then lists every possible mention again."""
    entries = kept.get(key)
    return [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []


def place_hash(hashes: _Hashes, place: str) -> str:
    """The hash a place (``<file as the receipt shows it>:<field>``) is kept as."""
    return hashes.text_hash("possible mention place", place)


@dataclass
class Judge:
    """Tells, for one erasure, each possible mention looked at from one to list, and remembers both.

    ``kept`` is what ``erased.json`` keeps of the person
    (:meth:`careerconv.records.store.ErasedIds.possible_mentions_of`); ``marked`` the places said looked at now
    (:func:`marks`), counted as looked at from this erasure on.
    """

    hashes: _Hashes
    kept: dict = field(default_factory=dict)
    marked: list[dict] = field(default_factory=list)
    listed: list[dict] = field(default_factory=list)  # this erasure's, to keep for the next
    seen: list[dict] = field(default_factory=list)  # the looked-at ones this erasure found again
    record_texts: set[str] = field(default_factory=set)  # texts of records' fields found looked at

    def fingerprint(self, place: str, texts: Iterable[str]) -> str:
        """The hash of a place with the text that holds the possible mention there (each piece once)."""
        return self.hashes.text_hash("possible mention", "\0".join([place, *sorted(set(texts))]))

    def looked_at(self, place: str, texts: Iterable[str], shown: bool, record: bool = False) -> dict | None:
        """Who looked at the possible mention in ``texts`` at ``place`` and when (``{"by": …, "on": …}``), or
        None when no one did for this text: it is listed, and kept to be said looked at by the next erasure
        (``shown``: the place holds no form of their name, so it may be kept as it is, to name it in an error).
        ``record``: the place is a field of a record, whose text makes the same text in the record's file and in a
        derived table looked at too (:meth:`texts_looked_at`)."""
        texts = list(texts)
        at, text = place_hash(self.hashes, place), self.fingerprint(place, texts)
        entry = next((e for e in self._marks() if e.get("text") == text), None)
        if entry is None:
            self.listed.append({"place": at, "text": text, **({"shown": place} if shown else {})})
            return None
        if entry not in self.seen:
            self.seen.append(entry)
        if record:
            self.record_texts.update(map(_visible, texts))
        return entry

    def changed_since(self, place: str) -> dict | None:
        """The mark of a place looked at before whose text has changed since (listed again), or None."""
        at = place_hash(self.hashes, place)
        return next((e for e in self._marks() if e.get("place") == at and e not in self.seen), None)

    def _marks(self) -> list[dict]:
        """The marks of places looked at: those said now, then those kept."""
        return [*self.marked, *_kept_entries(self.kept, "looked_at")]

    def texts_looked_at(self, texts: Iterable[str]) -> bool:
        """Whether the possible mentions of a record's file or a derived table, read as a whole (``texts``: each
        text of it holding one), are looked at: each is the text of a record's field looked at in this erasure (a
        derived table is made again from the records, and a record that says the same elsewhere is listed on its
        own)."""
        texts = set(map(_visible, texts))
        return bool(texts) and texts <= self.record_texts

    def to_keep(self) -> dict:
        """What ``erased.json`` keeps for the next erasure: the places this one listed, and the marks it found
        again (a mark whose text is gone is dropped); ``{}`` for none."""
        return {key: value for key, value in (("listed", self.listed), ("looked_at", self.seen)) if value}


def with_kept_since(ours: dict, read_before: dict, now: dict) -> dict:
    """What ``erased.json`` keeps of one person when an erasure of theirs ends with ``ours`` (:meth:`Judge.to_keep`):
    ``ours``, and each entry another erasure of theirs that ran at the same time kept since this one read
    ``read_before`` (in ``now``, what is kept as this one ends, and not in ``read_before``), so that neither a place
    it listed nor a place a person said was looked at is lost; ``{}`` for none."""
    kept = {}
    for key in ("listed", "looked_at"):
        entries = list(ours.get(key, []))
        before = _kept_entries(read_before, key)
        entries += [entry for entry in _kept_entries(now, key) if entry not in before and entry not in entries]
        if entries:
            kept[key] = entries
    return kept


def _visible(text: str) -> str:
    """``text`` as a reader sees it, without invisible format characters (as a file's text is read)."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def marks(hashes: _Hashes, kept: dict, employee_id: str, places: Iterable[str], by: str, on: str,
          asked_as: str = "--looked-at", hidden: Callable[[str], bool] | None = None) -> list[dict]:
    """The marks that say ``places`` were looked at by ``by`` on ``on``, each a place the last erasure of
    ``employee_id`` listed as a possible mention (``kept``: what ``erased.json`` keeps of it), for the text it listed;
    a place looked at before, and not listed since, keeps the mark it has. ``asked_as``: how the places were given
    (the command's option, the service's parameter), for the messages; ``hidden(place)``: a place the one asking
    may not read (another person's record, to an operator of the hub), refused, and not named among those allowed.

    Raises
    ------
    ValueError
        No erasure of theirs listed a possible mention, or a place is not one it listed (a mistyped one) or is
        hidden: the message names those allowed.
    """
    listed = {entry.get("place"): entry for entry in _kept_entries(kept, "listed")}
    before = {entry.get("place") for entry in _kept_entries(kept, "looked_at")}
    places = list(dict.fromkeys(places))
    if not listed and not before:
        raise ValueError(f"{asked_as}: no erasure of {employee_id} has listed a possible mention to look at (it "
                         "lists them on its receipt as 'possible mention, left as written'); erase without "
                         f"{asked_as}, then name the places its receipt lists; nothing was erased")
    others = [place for place in places if hidden is not None and hidden(place)]
    if others:
        raise ValueError(f"{asked_as} {', '.join(others)}: in another person's record or report, which is not yours "
                         "to read here; one who may read it says it was looked at with careerconv erase --looked-at; "
                         "nothing was erased")
    unknown = [place for place in places if place_hash(hashes, place) not in listed.keys() | before]
    if unknown:
        shown = [entry["shown"] for entry in listed.values()
                 if isinstance(entry.get("shown"), str) and not (hidden is not None and hidden(entry["shown"]))]
        hidden_paths = sum(1 for entry in listed.values() if not isinstance(entry.get("shown"), str))
        allowed = ", ".join(shown) + (f"{' and ' if shown else ''}{hidden_paths} file(s) whose path may hold their "
                                      f"name (as the receipt shows it, ending :{PATH})" if hidden_paths else "")
        raise ValueError(f"{asked_as} {', '.join(unknown)}: not a possible mention the last erasure of {employee_id} "
                         f"listed; each is FILE:FIELD as its receipt lists them, one of: {allowed or 'none'}; nothing "
                         "was erased")
    return [{"place": place_hash(hashes, place), "text": listed[place_hash(hashes, place)]["text"], "by": by,
             "on": on} for place in places if place_hash(hashes, place) in listed]
