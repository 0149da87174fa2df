"""Voila as ``careerconv app`` runs it: ``python -m careerconv.commands.voila_server ARGS`` (Voila's own arguments).

The same as ``python -m voila``, less one import that costs seconds: ``jsonschema`` (through
``jupyter_events``) imports ``rfc3987_syntax`` when it is installed, which builds a Lark grammar at import
time - 2 s on an idle core, 6 s on a busy 2-core machine, the larger part of the server's start. It serves
only the ``iri`` format check, which no schema the server validates uses; marked as missing, ``jsonschema``
skips that check (see ``jsonschema/_format.py``). This module imports nothing of careerconv beyond the
package's light ``__init__`` files, so the server starts without pandas too.
"""

from __future__ import annotations

import sys

SKIPPED_MODULES = ("rfc3987_syntax",)


def main(argv: list[str] | None = None) -> int:
    """Run Voila with ``argv`` (default: this process's arguments)."""
    for name in SKIPPED_MODULES:
        sys.modules.setdefault(name, None)  # "import rfc3987_syntax" raises ImportError: jsonschema carries on
    from voila.app import main as voila_main

    sys.argv = ["voila", *(sys.argv[1:] if argv is None else argv)]
    return voila_main() or 0


if __name__ == "__main__":
    sys.exit(main())
