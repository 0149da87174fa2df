"""Names that lost letters to Excel's "CSV" format (not "CSV UTF-8"): it writes the file in Windows-1252 and puts
``?`` for each character that has none there (``Łukasz Nowak`` becomes ``?ukasz Nowak``, ``Dana Cohen 🌟`` becomes
``Dana Cohen ?``). The file reads as plain text, so nothing but the ``?`` tells (found by a hostile test: the roster's
``Łukasz Nowak`` was "updated" to ``?ukasz Nowak``).

Names hold no ``?``: a name lost letters where a ``?`` stands inside or beside its letters, or where it is the name
the roster knows with ``?`` for the characters Windows-1252 lacks. A roster import then keeps the roster's name (and
says so), and refuses such a name for someone new: there is no name to keep, and re-saving the file as "CSV UTF-8"
gives the right one at once, where a name stored with ``?`` would go on every page and report until someone noticed.
"""

from __future__ import annotations

import re

# A question mark beside a letter (not a digit, not a space): ``?ukasz``, ``Nowak?``, ``Wei?``.
_BESIDE_A_LETTER = re.compile(r"[^\W\d_]\?|\?[^\W\d_]")

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
    """Whether ``name``, read from a file, is a name that lost letters to an Excel "CSV" (see the module
    docstring): a ``?`` beside a letter, or the name the roster knows (``known``) written so."""
    if "?" not in name:
        return False
    if _BESIDE_A_LETTER.search(name):
        return True
    return bool(known) and written_by_excel_csv(known, name)


def kept_names_note(kept: list[tuple[int, str, str]]) -> str | None:
    """The note on the names kept as the roster has them (``(row, name in the file, name kept)``); None for none."""
    if not kept:
        return None
    shown = ", ".join(f"row {row}: {written!r} for {name!r}" for row, written, name in kept[:5])
    more = f" and {len(kept) - 5} more" if len(kept) > 5 else ""
    return (f"{len(kept)} name(s) in the file have '?' where letters were ({shown}{more}): the roster's names were "
            f"kept; to change a name from this file, {SAVE_AS_UTF8}")


def lost_letters_problem() -> str:
    """Why a new person's name that lost letters is refused."""
    return f"the name has '?' where letters were, and there is no name on the roster to keep instead: {SAVE_AS_UTF8}"
