"""The name and email of someone erased, kept as salted hashes until their erasure is complete, and found again.

An erasure searches every file for the person's id, name and email; the name and email come from their roster row,
which the first erasure removes. When that erasure leaves something (a reports folder not mounted, a disk that filled
up), running it again knows only the id, and a file naming them by name or email alone (a coachee's report saying
"Your coach: Dana Fox") would be neither cleaned nor listed. So the first erasure keeps, beside the hash of the id in
``erased.json`` (:class:`careerconv.records.store.ErasedIds`), hashes of the name and email in one form
(:func:`name_form`, :func:`email_form`), keyed with the folder's salt, never their text; the next erasure reads every
file and finds the text whose form hashes the same (:func:`found_again`), then searches for it as the first did.
The hashes go when an erasure finds nothing of them left.

Finding them again reads every file under the data and reports folders, so it is made to cost little more than
reading them (found by a tester: a second erasure ran for minutes on a reports folder of 2,000 employees): each word
of a text is put in its form once, a run of words is hashed only when its form is as long as the name's
(``name_length``, kept beside the hashes; every run for hashes kept by a version that did not keep it), and a word
that could be an email is one that holds an ``@`` (an email pattern tried from every letter of a long run without
one, as an inline SVG's path, took a minute a report).

A name in a script written without spaces (Chinese, Japanese, Thai) has no words to cut a text into: it is found
again only where it stands apart (its own cell, between spaces).

A name is found ignoring case, but a text names the person only where it writes the name as a name
(:func:`written_as_a_name`): each word the roster starts with a capital starts with a capital there too. "Will May"
and "WILL MAY" name them; "in spring will May or June" and "talked to will may" may not, and are left as written
and listed for a person to look at (found by a hostile tester: erasing Will May turned another person's note "in
spring will May or June" into "in spring [removed] or June"). Which words the roster capitalises is kept beside the
hashes (:func:`name_capitals`), so that an erasure run again applies the same rule.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Iterable, Protocol

_EMAIL_CHARS = r"[^\s<>()\[\],;:\"'`]"
# An email starts where a run of its characters starts (the lookbehind): tried from every character of a long run
# without an "@", the pattern took time that grew with the square of the run's length.
_EMAIL = re.compile(rf"(?<!{_EMAIL_CHARS}){_EMAIL_CHARS}+@{_EMAIL_CHARS}+")
_EDGES = re.compile(r"^\W+|\W+$")
_LEADING, _TRAILING = re.compile(r"^\W+"), re.compile(r"\W+$")
_WORD = re.compile(r"\S+")


class _Hashes(Protocol):
    def text_hash(self, kind: str, text: str) -> str: ...


def name_form(name: str) -> str:
    """A name as its hash is made of: NFC, without invisible format characters, case-folded, one space between
    words (as :class:`careerconv.records.erasure.Mentions` matches a name)."""
    return " ".join(_plain(name).casefold().split())


def name_capitals(name: str) -> list[bool]:
    """For each word of ``name`` (as :func:`name_form` cuts it), whether the name writes it with a capital first
    letter: "Will May" gives ``[True, True]``, "de la Cruz" ``[False, False, True]``, "王芳" ``[False]`` (a script
    without capitals)."""
    return [_starts_with_a_capital(word) for word in _plain(name).split()]


def written_as_a_name(found: str, capitals: list[bool]) -> bool:
    """Whether ``found``, a text that is the name ignoring case (as :class:`careerconv.records.erasure.Mentions`
    finds it), writes it as a name: each word whose first letter the roster writes as a capital (``capitals``,
    :func:`name_capitals`) starts with a capital in ``found`` too. So the roster's spelling, the name in capitals
    ("WILL MAY"), or with more capitals than the roster ("De La Cruz") name the person; "will may", "Will may" or
    "will May" may be the words, and are not taken for the name. A found text whose words cannot be paired with
    ``capitals`` is taken for the name (the rule cannot tell it apart)."""
    words = _plain(found).split()
    if len(words) != len(capitals):
        return True
    return all(_starts_with_a_capital(word) or not capital for word, capital in zip(words, capitals))


def _starts_with_a_capital(word: str) -> bool:
    return bool(word) and (word[0].isupper() or word[0].istitle())


def _plain(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFC", text) if unicodedata.category(ch) != "Cf")


def email_form(email: str) -> str:
    """An email as its hash is made of: case-folded, without spaces around it."""
    return email.strip().casefold()


def kept_hashes(erased: _Hashes, name: str | None, email: str | None) -> dict:
    """What ``erased.json`` keeps of a name and an email (none for what is empty): their hashes, how many words
    the name has (to cut a text into pieces of that many words) and how many characters its form has (to hash only
    pieces as long), and which of its words it starts with a capital (:func:`name_capitals`, for
    :func:`written_as_a_name`)."""
    kept: dict = {}
    if name and (form := name_form(name)):
        kept.update(name=erased.text_hash("name", form), name_words=len(form.split()), name_length=len(form),
                    name_capitals=name_capitals(name))
    if email and (form := email_form(email)):
        kept["email"] = erased.text_hash("email", form)
    return kept


def found_again(erased: _Hashes, kept: dict, texts: Iterable[str]) -> tuple[str | None, str | None]:
    """The name and email whose hashes are ``kept`` (:func:`kept_hashes`), as the first of ``texts`` that holds each
    writes it (None for one no text holds): every run of as many words as the name has is tried (without the
    punctuation around it: "(Dana Fox)."; only runs whose form is as long as the name's, when ``kept`` says how
    long), and every word with an ``@`` in it. The name is given back with a capital
    first letter on each word the roster wrote so (``name_capitals``; on every word for hashes kept by a version that
    did not keep them), so that it is searched for as the first erasure searched for it (:func:`written_as_a_name`)
    whichever way the text that held it wrote it ("will may" in a note gives back "Will May")."""
    name_hash, email_hash = kept.get("name"), kept.get("email")
    words, length = kept.get("name_words"), kept.get("name_length")
    name = email = None
    for text in texts:
        if email_hash and email is None and "@" in text:
            email = next((m.group(0).rstrip(".") for m in _EMAIL.finditer(text)
                          if erased.text_hash("email", email_form(m.group(0).rstrip("."))) == email_hash), None)
        if name_hash and name is None and isinstance(words, int) and words > 0:
            name = _name_in(erased, name_hash, words, text, length if isinstance(length, int) else None)
            if name is not None:
                name = _capitalised(name, kept.get("name_capitals"))
        if (name or not name_hash) and (email or not email_hash):
            break
    return name, email


def _name_in(erased: _Hashes, name_hash: str, words: int, text: str, length: int | None = None) -> str | None:
    """The first run of ``words`` words of ``text`` (as written, or without the punctuation around it) whose
    :func:`name_form` hashes to ``name_hash``; only runs whose form is ``length`` characters long are hashed (all
    when None).

    The form of a run is the forms of its words joined by one space (:func:`name_form` cuts at spaces and changes
    nothing across them), so each word is put in its form once (:func:`_word_forms`) and a run's length is a
    difference of sums. A word whose form is empty (only invisible characters) leaves two spaces in a run's form,
    which matches no name's, as the run of fewer words :func:`name_form` gives for it does not."""
    spans = [m.span() for m in _WORD.finditer(text)]
    if len(spans) < words:
        return None
    forms = [_word_forms(text[start:end]) for start, end in spans]  # (as written, without leading, trailing, both)
    ends = [0]
    for form in forms:
        ends.append(ends[-1] + len(form[0]))

    def hashes_to_the_name(parts: list[str]) -> bool:
        return all(parts) and erased.text_hash("name", " ".join(parts)) == name_hash

    for i in range(len(spans) - words + 1):
        last = i + words - 1
        first_form, last_form = forms[i], forms[last]
        whole_length = ends[last + 1] - ends[i] + words - 1
        # Without the punctuation around the run: the first word's before it, the last word's after it.
        bare_length = len(first_form[3]) if words == 1 else \
            whole_length - len(first_form[0]) + len(first_form[1]) - len(last_form[0]) + len(last_form[2])
        if length is not None and length not in (whole_length, bare_length):
            continue
        whole = [form[0] for form in forms[i:last + 1]]
        if (length is None or whole_length == length) and hashes_to_the_name(whole):
            return text[spans[i][0]:spans[last][1]]
        bare = [first_form[3]] if words == 1 else [first_form[1], *whole[1:-1], last_form[2]]
        if bare != whole and (length is None or bare_length == length) and hashes_to_the_name(bare):
            return _EDGES.sub("", text[spans[i][0]:spans[last][1]])
    return None


@functools.lru_cache(maxsize=1 << 16)
def _word_forms(word: str) -> tuple[str, str, str, str]:
    """The :func:`name_form` of ``word`` (a run without spaces): as written, without the punctuation it starts
    with, without the punctuation it ends with, and without both ("" for what is left of none)."""
    leading = _LEADING.sub("", word)
    return (name_form(word), name_form(leading), name_form(_TRAILING.sub("", word)),
            name_form(_TRAILING.sub("", leading)))


def _capitalised(name: str, capitals: object) -> str:
    """``name`` with the first letter of each word in the case ``capitals`` keeps for it (a capital on every word
    when they are not kept, or do not fit)."""
    words = _plain(name).split()
    if not (isinstance(capitals, list) and len(capitals) == len(words)):
        capitals = [True] * len(words)
    out = []
    for word, capital in zip(words, capitals):
        first = word[:1].upper() if capital else word[:1].lower()
        out.append((first if len(first) == len(word[:1]) else word[:1]) + word[1:])  # "ß".upper() is "SS"
    return " ".join(out)
