"""Optional modules that careerconv's own processes (the command line and the servers it starts) leave out.

``jsonschema`` imports ``rfc3987_syntax`` when it is installed (``jupyter_events`` installs it, through
``jsonschema[format-nongpl]``), and that module builds a Lark grammar at import time: about 1.5 s on an idle
core, 6 s on a busy 2-core machine (python-jsonschema/jsonschema#1428), paid by every process that imports
``nbformat``, ``papermill``, Voila, JupyterLab or a JupyterHub server. It serves only the ``iri`` and
``iri-reference`` format checks, which no schema these processes validate uses (notebooks, Jupyter events); marked
as missing, ``jsonschema`` skips those two checks (see ``jsonschema/_format.py``) and everything else is as before.

Only the processes careerconv starts do this (:func:`careerconv.cli.main`, :mod:`.voila_server`,
:mod:`.lab_server`, and on the hub each coach's server, :mod:`.singleuser_server`): importing careerconv as a
library changes nothing for the code around it.
"""

from __future__ import annotations

import sys

SKIPPED_MODULES = ("rfc3987_syntax",)


def skip_slow_optional_modules() -> None:
    """Mark :data:`SKIPPED_MODULES` as missing in this process (before anything imports ``jsonschema``); a module
    already imported stays as it is."""
    for name in SKIPPED_MODULES:
        sys.modules.setdefault(name, None)  # "import rfc3987_syntax" raises ImportError: jsonschema carries on
