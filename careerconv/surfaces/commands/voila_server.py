"""Voila as ``careerconv app`` runs it: ``python -m careerconv.surfaces.commands.voila_server ARGS`` (Voila's own arguments).

The same as ``python -m voila``, less one import that costs seconds: ``jsonschema`` (through
``jupyter_events``) imports ``rfc3987_syntax`` when it is installed, which builds a Lark grammar at import
time - 2 s on an idle core, 6 s on a busy 2-core machine, the larger part of the server's start. It serves
only the ``iri`` format check, which no schema the server validates uses; marked as missing, ``jsonschema``
skips that check (see ``jsonschema/_format.py``). This module imports nothing of careerconv beyond the
package's light ``__init__`` files, so the server starts without pandas too.

One of the server's log lines is left out of the terminal: "Notebook conversation.ipynb is not
trusted", logged each time a page runs the notebook. Trust decides whether a notebook's stored outputs
(HTML, JavaScript) are shown; the packaged notebook has none (its outputs are never saved, see
``careerconv app --lab``) and Voila shows only what the kernel produces now, so the line says nothing
to the person running the app. Any other notebook's "not trusted", and every other line, still shows.
"""

from __future__ import annotations

import logging
import sys

SKIPPED_MODULES = ("rfc3987_syntax",)
APP_NOTEBOOK = "conversation.ipynb"
SERVER_LOGGER = "Voila"  # the server's log (traitlets names an application's logger after its class)


class QuietAppNotebookTrust(logging.Filter):
    """Drops jupyter_server's "Notebook conversation.ipynb is not trusted" (see the module's docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.msg == "Notebook %s is not trusted"
                    and tuple(map(str, record.args or ())) == (APP_NOTEBOOK,))


def main(argv: list[str] | None = None) -> int:
    """Run Voila with ``argv`` (default: this process's arguments)."""
    for name in SKIPPED_MODULES:
        sys.modules.setdefault(name, None)  # "import rfc3987_syntax" raises ImportError: jsonschema carries on
    from voila.app import main as voila_main

    logging.getLogger(SERVER_LOGGER).addFilter(QuietAppNotebookTrust())

    sys.argv = ["voila", *(sys.argv[1:] if argv is None else argv)]
    return voila_main() or 0


if __name__ == "__main__":
    sys.exit(main())
