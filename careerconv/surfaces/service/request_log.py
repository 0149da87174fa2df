"""The service's request log: a line per request on stderr, naming no one.

Tornado writes a line for every request it answers (``404 PUT /services/careerconv-records/api/people/E0017/
conversations (127.0.0.1) 9.43ms``): answers of 400 and more reach stderr even with no logging set up, and the hub
keeps its services' stderr in its own log file, which no erasure rewrites. Found by a hostile tester: after E0017 was
erased, the hub's log held a refused save's address naming them, and 40 lines naming another person. So the address
is written only as the routes' own words (``api``, ``people``, ``conversations``, …): any other part of the path,
where an employee's or a record's id stands, is written ``…``, and of the query only the names of its settings
(``?employee_id=…``). Who asked for what, and who it was about, is the access log's
(:mod:`careerconv.surfaces.service.access_log`), which an erasure does rewrite.
"""

from __future__ import annotations

import logging
import re
from typing import Iterable
from urllib.parse import parse_qsl

import tornado.web

HIDDEN = "…"
_WORD = re.compile(r"[A-Za-z0-9_-]+")
_ALTERNATIVES = re.compile(r"\(([A-Za-z0-9_|-]+)\)")  # a group of fixed words, as (conversations|checkins)
_SETTING = re.compile(r"[a-z_]{1,40}")  # the name of a setting in a query, as the service's are named

access_log = logging.getLogger("tornado.access")


class RequestLog:
    """Tornado's ``log_function`` for the routes ``patterns`` (the regular expressions of ``make_app``).

    Parameters
    ----------
    patterns
        The routes' patterns: a part of a path between slashes is written as it is only when it is a fixed word of
        one of them (a word alone between slashes, or one of a group of words such as ``(conversations|checkins)``).
    """

    def __init__(self, patterns: Iterable[str]):
        words: set[str] = set()
        for pattern in patterns:
            for part in pattern.split("/"):
                if _WORD.fullmatch(part):
                    words.add(part)
                elif found := _ALTERNATIVES.fullmatch(part):
                    words.update(found.group(1).split("|"))
        self.words = frozenset(words)

    def address(self, path: str, query: str = "") -> str:
        """``path`` and ``query`` as the log writes them: ``/services/careerconv-records/api/people/…/conversations``,
        ``?employee_id=…&user=…``."""
        shown = "/".join(part if not part or part in self.words else HIDDEN for part in path.split("/"))
        if query:
            names = (name if _SETTING.fullmatch(name) else HIDDEN
                     for name, _ in parse_qsl(query, keep_blank_values=True))
            shown += "?" + "&".join(f"{name}={HIDDEN}" for name in names)
        return shown

    def __call__(self, handler: tornado.web.RequestHandler) -> None:
        """Log the answer to ``handler``'s request, as tornado's own line does, its address by :meth:`address`."""
        status = handler.get_status()
        level = logging.INFO if status < 400 else logging.WARNING if status < 500 else logging.ERROR
        if access_log.isEnabledFor(level):
            request = handler.request
            access_log.log(level, "%d %s %s (%s) %.2fms", status, request.method,
                           self.address(request.path, request.query), request.remote_ip,
                           1000.0 * request.request_time())
