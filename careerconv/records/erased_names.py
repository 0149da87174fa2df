"""The name and email of someone erased, kept as salted hashes until their erasure is complete, and found again.

An erasure searches every file for the person's id, name and email; the name and email come from their roster row,
which the first erasure removes. When that erasure leaves something (a reports folder not mounted, a disk that filled
up), running it again knows only the id, and a file naming them by name or email alone (a coachee's report saying
"Your coach: Dana Fox") would be neither cleaned nor listed. So the first erasure keeps, beside the hash of the id in
``erased.json`` (:class:`careerconv.records.store.ErasedIds`), hashes of the name and email in one form
(:func:`name_form`, :func:`email_form`), keyed with the folder's salt, never their text; the next erasure reads every
file and finds the text whose form hashes the same (:func:`found_again`), then searches for it as the first did.
The hashes go when an erasure finds nothing of them left.

A name in a script written without spaces (Chinese, Japanese, Thai) has no words to cut a text into: it is found
again only where it stands apart (its own cell, between spaces).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Protocol

_EMAIL = re.compile(r"[^\s<>()\[\],;:\"'`]+@[^\s<>()\[\],;:\"'`]+")
_EDGES = re.compile(r"^\W+|\W+$")


class _Hashes(Protocol):
    def text_hash(self, kind: str, text: str) -> str: ...


def name_form(name: str) -> str:
    """A name as its hash is made of: NFC, without invisible format characters, case-folded, one space between
    words (as :class:`careerconv.records.erasure.Mentions` matches a name)."""
    text = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch) != "Cf")
    return " ".join(text.casefold().split())


def email_form(email: str) -> str:
    """An email as its hash is made of: case-folded, without spaces around it."""
    return email.strip().casefold()


def kept_hashes(erased: _Hashes, name: str | None, email: str | None) -> dict:
    """What ``erased.json`` keeps of a name and an email (none for what is empty): their hashes, and how many words
    the name has (to cut a text into pieces of that many words)."""
    kept: dict = {}
    if name and (form := name_form(name)):
        kept.update(name=erased.text_hash("name", form), name_words=len(form.split()))
    if email and (form := email_form(email)):
        kept["email"] = erased.text_hash("email", form)
    return kept


def found_again(erased: _Hashes, kept: dict, texts: Iterable[str]) -> tuple[str | None, str | None]:
    """The name and email whose hashes are ``kept`` (:func:`kept_hashes`), as the first of ``texts`` that holds each
    writes it (None for one no text holds): every run of as many words as the name has is tried (without the
    punctuation around it: "(Dana Fox)."), and every word with an ``@`` in it."""
    name_hash, email_hash = kept.get("name"), kept.get("email")
    words = kept.get("name_words")
    name = email = None
    for text in texts:
        if email_hash and email is None:
            email = next((m.group(0).rstrip(".") for m in _EMAIL.finditer(text)
                          if erased.text_hash("email", email_form(m.group(0).rstrip("."))) == email_hash), None)
        if name_hash and name is None and isinstance(words, int) and words > 0:
            name = _name_in(erased, name_hash, words, text)
        if (name or not name_hash) and (email or not email_hash):
            break
    return name, email


def _name_in(erased: _Hashes, name_hash: str, words: int, text: str) -> str | None:
    spans = [m.span() for m in re.finditer(r"\S+", text)]
    for i in range(len(spans) - words + 1):
        piece = text[spans[i][0]:spans[i + words - 1][1]]
        for candidate in dict.fromkeys((piece, _EDGES.sub("", piece))):
            if candidate and erased.text_hash("name", name_form(candidate)) == name_hash:
                return candidate
    return None
