"""``python -m careerconv.surfaces.commands.hub_log_writer --data DATA LOG``: write the hub's output into its log,
naming every person erased from the data folder ``DATA`` by their pseudonym
(:class:`careerconv.surfaces.service.hub_log.HubLog`).

It reads its standard input, a pipe that the hub's standard output and error go to, and with them those of
everything the hub starts (configurable-http-proxy, the records service, the coaches' servers), until every one of
them has closed it: so one rule covers each line any of them prints, a JupyterHub log line, the proxy's line about
an address it could not forward, a traceback. (A filter on the hub's Python logging would miss the proxy, a Node
program, the other processes, and a traceback printed without logging; lowering the proxy's log level would hide
its errors from the operator too.) ``careerconv hub`` starts it (:meth:`careerconv.surfaces.commands.hub.Hub.launch`);
a deployment runs the hub as ``jupyterhub -f … 2>&1 | python -m careerconv.surfaces.commands.hub_log_writer --data
DATA LOG``.

A coach whose hub login is not their id (``CAREERCONV_HUB_COACH_LOGINS``, which it reads as the hub's configuration
does, or ``--coach-logins FILE``) is named by their id's pseudonym once erased, under that login too.

It puts ``LOG`` on the data folder's list of hub logs (``hub-logs.json``), which ``careerconv erase`` rewrites, and
begins the file with the line :data:`careerconv.surfaces.service.hub_log.MARK` (a log of an older hub gets it put
before its first line). It runs in a session of its own and ignores SIGINT and SIGHUP: a Ctrl-C in the terminal
stops the hub, whose last lines it still writes.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from careerconv.records.kept_elsewhere import record_hub_log
from careerconv.records.store import Store
from careerconv.surfaces.service.hub_log import HubLog
from careerconv.surfaces.service.hub_state import read_coach_logins


def main(argv: list[str] | None = None) -> int:
    """Copy standard input into the log named in ``argv`` until it ends; return 0."""
    parser = argparse.ArgumentParser(prog="python -m careerconv.surfaces.commands.hub_log_writer",
                                     description="Write the hub's output (standard input) into its log, naming "
                                                 "every person erased from the data folder by their pseudonym.")
    parser.add_argument("--data", required=True, metavar="DIR", help="the data folder the hub serves")
    parser.add_argument("--coach-logins", metavar="FILE", default=os.environ.get("CAREERCONV_HUB_COACH_LOGINS"),
                        help='JSON {"login": "roster coach id"} of the hub\'s logins that are not ids (default: '
                             "$CAREERCONV_HUB_COACH_LOGINS): a login mapped to an erased id is named by its pseudonym")
    parser.add_argument("log", metavar="LOG", help="the hub's log file (appended to; created mode 0600)")
    args = parser.parse_args(argv)
    for signum in (signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)
    store = Store.existing(args.data)
    try:
        coach_logins = read_coach_logins(args.coach_logins) if args.coach_logins else {}
    except ValueError as exc:
        parser.error(f"--coach-logins: {exc}")
    log = HubLog(Path(args.log).resolve(), store, coach_logins)
    log.mark()
    record_hub_log(store, log.path)
    log.copy_lines(sys.stdin.buffer, sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
