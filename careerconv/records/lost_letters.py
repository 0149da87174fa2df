"""Names that lost letters to Excel's "CSV" format (not "CSV UTF-8"): it writes the file in Windows-1252 and puts
``?`` for each character that has none there (``Łukasz Nowak`` becomes ``?ukasz Nowak``, ``Dana Cohen 🌟`` becomes
``Dana Cohen ?``). The file reads as plain text, so nothing but the ``?`` tells (found by a hostile test: the roster's
``Łukasz Nowak`` was "updated" to ``?ukasz Nowak``).

Names, departments and roles hold no ``?`` of their own but in a question: a text lost letters where a ``?`` stands
inside or beside its letters, where one stands alone between spaces or at an end (``Dana Cohen ?``, a lost emoji or
letter of another script: found by a hostile test, accepted for someone new), or where it is the text the roster
knows with ``?`` for the characters Windows-1252 lacks. A roster import then keeps the roster's text (and says so),
and refuses such a text for someone new, or a department or role the roster does not know: there is none to keep,
and re-saving the file as "CSV UTF-8" gives the right one at once, where a text stored with ``?`` would go on every
page and report until someone noticed.
"""

from __future__ import annotations

import re
from typing import Iterable

# A question mark beside a letter (not a digit, not a space): ``?ukasz``, ``Nowak?``, ``Wei?``.
_BESIDE_A_LETTER = re.compile(r"[^\W\d_]\?|\?[^\W\d_]")
# Question marks standing alone: between spaces, or between a space and an end (``Dana Cohen ?``, ``? Nowak``).
_ALONE = re.compile(r"(?<!\S)\?+(?!\S)")

# What to do, as the refusal and the note say it.
SAVE_AS_UTF8 = ('save the file from Excel as "CSV UTF-8 (Comma delimited)" instead of "CSV", which writes \'?\' '
                "for every character outside Windows-1252, and import that")


def _in_windows_1252(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def written_by_excel_csv(known: str, name: str) -> bool:
    """Whether ``name`` is ``known`` as an Excel "CSV" writes it, and not ``known`` itself: each character
    Windows-1252 lacks is one ``?`` (or two, for one outside the Basic Multilingual Plane, as Excel counts it in
    UTF-16)."""
    if known == name or "?" not in name:
        return False
    pattern = "".join(re.escape(ch) if _in_windows_1252(ch) else r"\?{1,2}" for ch in known)
    return re.fullmatch(pattern, name) is not None


def lost_letters(name: str, known: str | None = None) -> bool:
    """Whether ``name`` (or a department, a role), read from a file, is a text that lost letters to an Excel "CSV"
    (see the module docstring): a ``?`` beside a letter or standing alone, or the text the roster knows (``known``)
    written so."""
    if "?" not in name:
        return False
    if _BESIDE_A_LETTER.search(name) or _ALONE.search(name):
        return True
    return bool(known) and written_by_excel_csv(known, name)


def known_as_written(text: str, known: Iterable[str]) -> str | None:
    """The first of the ``known`` texts (the roster's departments, roles ...) that ``text`` is as an Excel "CSV"
    writes it (:func:`written_by_excel_csv`), None when none is."""
    return next((k for k in known if k and written_by_excel_csv(k, text)), None)


def kept_names_note(kept: list[tuple[int, str, str]], what: str = "name") -> str | None:
    """The note on the texts kept as the roster has them (``(row, text in the file, text kept)``; ``what`` they are:
    name, department or role); None for none."""
    if not kept:
        return None
    shown = ", ".join(f"row {row}: {written!r} for {name!r}" for row, written, name in kept[:5])
    more = f" and {len(kept) - 5} more" if len(kept) > 5 else ""
    return (f"{len(kept)} {what}(s) in the file have '?' where letters were ({shown}{more}): the roster's {what}s "
            f"were kept; to change a {what} from this file, {SAVE_AS_UTF8}")


def lost_letters_problem(what: str = "name") -> str:
    """Why a text (``what``: a name, a department, a role) that lost letters is refused when the roster has none to
    keep."""
    none = ("there is no name on the roster to keep instead" if what == "name" else
            f"no {what} on the roster is written so, to keep instead")
    return f"the {what} has '?' where letters were, and {none}: {SAVE_AS_UTF8}"
