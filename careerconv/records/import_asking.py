"""How an import speaks to the person importing: how they ask for things where they are
(:class:`Asking`; the command line's is :data:`COMMAND_LINE`), and :class:`FileRejected`, the refusal of a file,
which lists every reason and says what to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from . import schema

ERASED_OPTION = "--allow-erased"


@dataclass(frozen=True)
class Asking:
    """How the person importing asks for things where they are, for the messages that tell them what to do.

    The defaults are the command line's (:data:`COMMAND_LINE`); the web service's roster upload has its own.

    Attributes
    ----------
    file_name
        The file as the person knows it, which messages name (None: its path).
    sheet
        How they name the sheet of a workbook to read.
    skip_invalid
        How they import the valid rows of a file with invalid ones, and where the rejected rows go: ``{valid}`` and
        ``{rejected}`` are the counts of rows, ``{target}`` the rejected rows' file.
    other_import
        How they import a file of the other kind (a history file given to the roster import): ``{kind}`` is
        "roster" or "history", ``{file}`` the file.
    allow_erased
        How they add people who were erased again, on purpose.
    """

    file_name: str | None = None
    sheet: str = "--sheet NAME"
    skip_invalid: str = ("pass --skip-invalid to import the {valid} valid row(s) and write the {rejected} rejected "
                         "one(s), each with its reason, to {target}")
    other_import: str = "import it with `careerconv import {kind} {file}`"
    allow_erased: str = f"import the file again with {ERASED_OPTION}"


# ``careerconv import roster|history``.
COMMAND_LINE = Asking()


class FileRejected(schema.ValidationError):
    """The file was not imported; ``problems`` lists every reason, ``hint`` says what to do."""

    def __init__(self, problems: Iterable[schema.Problem], summary: str, hint: str):
        super().__init__(problems, summary)
        self.hint = hint
        if hint:
            self.args = (f"{self.args[0]}\n{hint}",)
