"""The index page of a report batch: who got a report, who did not and why.

For the operator who ran the batch (it lists every employee of the batch, so
it is not for an employee's eyes). Every name, id and error message is
escaped; names and departments take their direction from their own text
(``dir="auto"``: Hebrew or Arabic reads right to left). Links are relative, so
the reports folder can be moved or zipped.
Like every page careerconv writes, it loads nothing from outside itself
(:mod:`careerconv.views.html_policy`).
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from careerconv.records.dates import NO_BREAK, clock_time, human_date, human_datetime
from careerconv.records.store import atomic_write_bytes
from careerconv.views.html_parts import escape_html
from careerconv.views.html_policy import CSP_META

__all__ = ["IndexEntry", "folder_in_the_way", "index_html", "listed_on_page", "not_started_on_page",
           "not_started_words", "write_index_file", "MADE",
           "UNCHANGED", "FAILED", "EARLIER", "OTHER_BATCH", "EARLIER_TODAY"]

MADE = "made"
UNCHANGED = "unchanged"
FAILED = "failed"
EARLIER = "earlier"  # a report of the day in the folder, made by an earlier batch (of other employees)
# A report made by another batch running beside this one (since it began, or earlier on the same day by a batch
# still running): its stamp says which and when (:mod:`.stamp`).
OTHER_BATCH = "other-batch"
# A report made earlier today, before this batch began, by a run that had ended (this batch found it current: the
# terminal said "unchanged"); its stamp says when.
EARLIER_TODAY = "earlier-today"
# One employee's row as index_html writes it: its status (the row's class) and the escaped id in the first cell.
_ROW = re.compile(r'<tr class="([^"<>]*)"><td>([^<]*)</td>')
# The line on who was left out because they have not started yet, as index_html writes it.
_NOT_STARTED = re.compile(r'<p class="meta not-started">([^<]*)</p>')
_STATUS_WORDS = {MADE: "made now", UNCHANGED: "unchanged (data not changed since the last report)",
                 FAILED: "failed", EARLIER: "made by an earlier batch of the day",
                 OTHER_BATCH: "made today by another batch", EARLIER_TODAY: "made earlier today"}


@dataclass(frozen=True)
class IndexEntry:
    """One employee's line on the index page (``left``: ``"left 30 Jun 2026"`` for someone who had left by the
    report's day, ``"leaving 6 Jan 2027"`` for a leaving day still to come, else ""; ``made_at``: when another
    batch or an earlier run made the report, for :data:`OTHER_BATCH` and :data:`EARLIER_TODAY`)."""

    employee_id: str
    name: str
    department: str
    status: str
    html_path: Path | None = None
    pdf_path: Path | None = None
    error: str | None = None
    left: str = ""
    made_at: dt.datetime | None = None


def folder_in_the_way(path: Path) -> str:
    """What to say when a folder has the name of an index file at ``path``: the report folder of an employee whose
    id took that name, made before such ids were refused (:data:`careerconv.records.schema.REPORTS_FOLDER_PAGE`),
    or one made by hand."""
    return (f"{path} is a folder, where the reports folder keeps its index file of that name: an employee id "
            f"{path.name!r} (refused since; an id may not be index-<date>.<anything>) or someone made it there; "
            f"correct that id on the roster if it is one, move the folder out of {path.parent}, and run again")


def write_index_file(path: Path, text: str) -> None:
    """Write an index file (a day's or a shard's page, or a shard's JSON) whole at ``path``.

    Raises
    ------
    IsADirectoryError
        If a folder is where the file goes (:func:`folder_in_the_way` says what to do).
    OSError
        If the disk refused (:func:`careerconv.records.store.atomic_write_bytes`).
    """
    if path.is_dir():
        raise IsADirectoryError(folder_in_the_way(path))
    atomic_write_bytes(path, text.encode("utf-8"), durable=False)


def listed_on_page(path: str | os.PathLike) -> dict[str, str] | None:
    """Who an index page written by :func:`index_html` lists: ``{employee id: status}``.

    Returns
    -------
    dict or None
        None when there is no such page or it cannot be read.
    """
    try:
        page = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    table = page.partition('<table id="reports">')[2].partition("</table>")[0]
    return {html.unescape(eid): html.unescape(status) for status, eid in _ROW.findall(table)}


def not_started_words(start_days: Sequence[dt.date]) -> str:
    """What a batch of the whole roster says of the people on it who have not started yet on its day (one start
    day each), else "": how many were left out, and when the first of them starts.

    ``"13 people on the roster left out: they have not started yet (the first starts on 4 Jan 2027)"``
    """
    if not start_days:
        return ""
    first = human_date(min(start_days))
    who, when = (("1 person", f"they start on {first}") if len(start_days) == 1 else
                 (f"{len(start_days)} people", f"the first starts on {first}"))
    return f"{who} on the roster left out: they have not started yet ({when})"


def not_started_on_page(path: str | os.PathLike) -> str | None:
    """The :func:`not_started_words` an index page written by :func:`index_html` says ("" for none; None when there
    is no such page or it cannot be read)."""
    try:
        page = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = _NOT_STARTED.search(page.partition('<table id="reports">')[0])
    return html.unescape(found.group(1)) if found else ""


def _made_today(entry: IndexEntry, generated: dt.datetime | None) -> bool:
    """Whether another batch made the entry's report on the day the page is made (else: while this batch ran,
    since the day before)."""
    return entry.made_at is None or generated is not None and entry.made_at.astimezone().date() == generated.date()


def _status_words(entry: IndexEntry, generated: dt.datetime | None) -> str:
    if entry.status not in (OTHER_BATCH, EARLIER_TODAY) or entry.made_at is None:
        return _STATUS_WORDS.get(entry.status, entry.status)
    if entry.status == EARLIER_TODAY or _made_today(entry, generated):
        return f"{_STATUS_WORDS[entry.status]}, at {clock_time(entry.made_at)}"
    return f"made by another batch while this one ran, on {human_datetime(entry.made_at, zone=True)}"


def _not_started_line(start_days: Sequence[dt.date]) -> str:
    """The page's line on who was left out because they have not started yet, else ""."""
    words = not_started_words(start_days)
    return f'<p class="meta not-started">{escape_html(words)}</p>' if words else ""


def _link(target: Path | None, base: Path, label: str) -> str:
    if target is None:
        return ""
    rel = Path(os.path.relpath(target, base)).as_posix()
    href = "/".join(html.escape(part, quote=True) for part in rel.split("/"))
    return f'<a href="{href}">{escape_html(label)}</a>'


def index_html(entries: Sequence[IndexEntry], *, as_of: dt.date, folder: Path, title: str | None = None,
               generated: dt.datetime | None = None, not_started: Sequence[dt.date] = ()) -> str:
    """The batch's index page.

    Parameters
    ----------
    entries
        One per employee of the batch, in the order to list them (failures
        are listed first regardless).
    as_of
        The report date of the batch.
    folder
        Where the page will be written (links are made relative to it).
    title
        Page title (default: "Progress reports as of <date>").
    generated
        When the batch ran (shown on the page).
    not_started
        The start days of the people on the roster a batch of the whole roster left out because they have not
        started yet on ``as_of`` (said under the summary: :func:`not_started_words`).

    Returns
    -------
    str
        A complete HTML document that loads nothing from outside itself.
    """
    title = title or f"Progress reports as of {human_date(as_of, space=NO_BREAK)}"  # the day never wraps
    failed = [e for e in entries if e.status == FAILED]
    ordered = failed + [e for e in entries if e.status != FAILED]
    counts = {s: sum(1 for e in entries if e.status == s)
              for s in (MADE, UNCHANGED, FAILED, EARLIER, OTHER_BATCH, EARLIER_TODAY)}
    rows = []
    for e in ordered:
        links = " · ".join(x for x in (_link(e.html_path, folder, "report"), _link(e.pdf_path, folder, "PDF")) if x)
        cause = f'<pre class="cause">{escape_html(e.error)}</pre>' if e.error else ""
        left = f'<span class="left"> · {escape_html(e.left)}</span>' if e.left else ""
        rows.append(
            f'<tr class="{escape_html(e.status)}"><td>{escape_html(e.employee_id)}</td>'
            f'<td dir="auto" class="typed" data-label="Name">{escape_html(e.name)}</td>'
            f'<td dir="auto" class="typed" data-label="Department">{escape_html(e.department)}</td>'
            f'<td data-label="Status">{escape_html(_status_words(e, generated))}{left}{cause}</td>'
            f'<td class="files" data-label="Files">{links}</td></tr>'
        )
    when = f" · made {human_datetime(generated, zone=True)}" if generated else ""
    beside = [e for e in entries if e.status == OTHER_BATCH]
    today = all(_made_today(e, generated) for e in beside)
    summary = (f"{len(entries)} employee(s): {counts[MADE]} report(s) made, {counts[UNCHANGED]} unchanged, "
               f"{counts[FAILED]} failed" + (f", {counts[EARLIER]} made by an earlier batch of the day"
                                            if counts[EARLIER] else "")
               + (f", {counts[EARLIER_TODAY]} made earlier today" if counts[EARLIER_TODAY] else "")
               + (f", {len(beside)} made {'today ' if today else ''}by another batch" if beside else ""))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
{CSP_META}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape_html(title)}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #222; margin: 2em auto;
  max-width: 1100px; padding: 0 1em; overflow-wrap: break-word; }}
h1 {{ font-size: 1.6em; margin-bottom: 0.2em; }}
p.meta {{ color: #555; margin-top: 0; }}
span.when {{ white-space: nowrap; }}
table {{ border-collapse: collapse; width: 100%; font-size: 0.95em; }}
th {{ text-align: left; background: #EEF1F5; padding: 0.45em 0.7em; border-bottom: 2px solid #D5DBE3; }}
td {{ padding: 0.4em 0.7em; border-bottom: 1px solid #E6E9EE; vertical-align: top; }}
td.typed {{ overflow-wrap: anywhere; }}
td.files {{ white-space: nowrap; }}
/* A phone: each employee a block of labelled lines (five columns do not fit 400 px without cutting words). */
@media (max-width: 640px) {{
  thead {{ display: none; }}
  table, tbody, tr, td {{ display: block; width: auto; }}
  tr {{ border-bottom: 1px solid #D5DBE3; padding: 0.4em 0; }}
  td {{ border: none; padding: 0.1em 0.2em; overflow-wrap: break-word; }}
  td:first-child {{ font-weight: 600; }}
  td[data-label]::before {{ content: attr(data-label) ": "; color: #555; }}
}}
tr.failed td {{ background: #FDF1DC; }}
pre.cause {{ white-space: pre-wrap; font-size: 0.85em; margin: 0.3em 0 0; color: #5A3A00; }}
</style></head>
<body>
<h1>{escape_html(title)}</h1>
<p class="meta">{escape_html(summary)}<span class="when">{escape_html(when)}</span></p>
{_not_started_line(not_started)}
<table id="reports"><thead><tr><th>Employee</th><th>Name</th><th>Department</th><th>Status</th><th>Files</th></tr>
</thead><tbody>
{"".join(rows)}
</tbody></table>
</body></html>
"""
