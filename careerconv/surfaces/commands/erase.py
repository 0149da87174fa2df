"""``careerconv erase --employee ID``: remove one person from every file, table, cache and report."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from careerconv.records import config
from . import streams

if TYPE_CHECKING:
    from careerconv.records.kept_elsewhere import NotFollowed
    from careerconv.records.store import Store

EPILOG = """What is removed: the roster row, every conversation and check-in (with
summaries), their rows in every derived table and the cache manifest, their
reports folder, every temp file left by an interrupted write, lock files of
older versions (named by a hash of an id), and every mention of their id,
name or email elsewhere. Files are read as their readers read them, not as
raw bytes: Parquet by every value of every column, PDF by the text a PDF
reader extracts, workbooks by every cell, HTML with entities decoded, JSON by
every key and string. Rows of CSV, Parquet and workbook files in the data
folder are removed; free text in other people's records becomes [removed];
generated files that mention them (reports of their coachees saying "Your
coach: ...", HR workbooks, pages, calendars) are deleted and listed to be
regenerated. An id without a letter (5, 1042) is cut out only where it is a
whole value: in a text it cannot be told from a number, so such a text is
left as it is and listed. A receipt lists every file removed or changed, and
a final check reads every file again and says how many of each kind it read,
and how; a file it cannot decode is listed for a person to look at, never
passed.

The id is then kept as erased (a salted hash and the day, never the id), so
importing an old roster or history that lists them refuses their rows until
they are added again on purpose (careerconv import roster --allow-erased).
While something of them is left, hashes of their name and email are kept the
same way, so that erasing them again finds what names them by name or email.

The reports folder of a records service (`careerconv hub`, or a JupyterHub
deployment) is cleaned too: each service marks it (with the file
.careerconv-reports-folder.json) and puts it on the data folder's list
(reports-folders.json) when it starts.
In such a folder, whether it is on that list or named with --reports, only
careerconv's own files are changed or deleted (the
reports in their folder, <id>/ in any case, by the names careerconv gives them,
index pages, shard indexes, the HR page); any other file there, or that
mentions them, is left as it is and listed. One on that list that is not there, that is not
marked ("not a careerconv reports folder: left as it is") or that holds the
data folder is named on the receipt, and the command exits 1; the data folder
itself, or a folder in it, is left out (its files keep their own rules).

The access logs of the records service (`careerconv hub`, or a JupyterHub
deployment) name the people whose records were read or written. Each service
puts its log on the data folder's list (access-logs.json) when it starts, and
erase rewrites every log on that list: the id becomes the pseudonym the list
of erased people keeps (erased: and a keyed hash), as erasing through the
service does, and the receipt says how many lines of each log changed. Each
log then gets a line of this erasure: who ran it (the account, and under sudo
who ran sudo), when, and the pseudonym. A file on the list that does not read
as an access log (its first line is JSON with the log's fields and most of its
lines are JSON) is left as it is, named on the receipt, and the command exits
1. An empty file is left as it is too, without the line of this erasure (it
names no one, and nothing says it is a log). A --reports folder that holds the data folder is refused, and so
is one that is not there (a disk not mounted), before anything is erased; the default reports/ beside the data
folder may be missing (no report written yet), and the receipt says it was not searched. A log
kept elsewhere (one of a service older than this list, a copy) is named with
--access-log FILE. A log that is missing or cannot be rewritten (it belongs
to the service's account: run erase as that account) is listed on the receipt
as still naming them, and the command exits 1; running it again, once the
log can be written, rewrites the logs of someone already erased.

The hub's own log (jupyterhub.log: what the hub, its proxy, the records
service and the coaches' servers print) names a coach by their login, their
id. Its writer puts it on the data folder's list (hub-logs.json) and names
everyone erased by their pseudonym in every line it writes; erase rewrites
each log on that list the same way (the id, wherever it stands as a word,
becomes the pseudonym; every other line stays as it was), and the receipt
says how many lines of each changed. A file on that list that does not begin
with the line the writer begins a hub log with is left as it is, named on
the receipt, and the command exits 1.

The hub's own state (its database, groups, passwords and the coaches' home
folders) names a coach by their login. The records service puts the hub's
state folder on the data folder's list (hub-states.json); erase deletes the
hub's user of each of their logins (their id, and any login mapped to it in
CAREERCONV_HUB_COACH_LOGINS) through the hub's API while it runs, in its
database while it is stopped, takes them out of the groups and password
files, and removes their home folder; the receipt names what it removed.

Each of these lists (reports-folders.json, access-logs.json, hub-logs.json,
hub-states.json) names the data folder it was written for, and is followed
only from that folder: in a copy of the data folder (cp -r, a backup restored
beside it) the original's logs, hub state and reports folders are not
touched. The receipt then names each list not followed and the folder it
names, and the command exits 1: if this folder is a copy, delete those lists
from it; if it was moved, start its hub or records service once (it lists
its own anew), or change the list's "data_folder" to this folder.

A name is cut out of other people's text only where it is written as a name
(each word the roster capitalises starts with a capital: "Will May", "WILL
MAY"). The same letters in other capitals ("in spring will may or june") may
be words: such a text is left as written and listed on the receipt as
"possible mention, left as written: <file>, <field>", the erasure is
incomplete (exit 1), and the hashes of the name are kept so that running it
again looks again. Look at each: where it is them, edit it by hand and erase
again; where it is words, not them, say so with --looked-at PLACE, each PLACE
as the receipt lists it under "each PLACE one of these"
(data/conversations/E0012/E0012-20260301.json:follow_up.note for a field of a
record, data/notes.txt:text for a file's text). Only a place the last receipt
listed is taken, and only for the text it listed then: one whose text has
changed since, or a new record saying the same, is listed again. The erasure
then runs again, leaves what was looked at as written, names on its receipt
who looked at each and when, and completes (exit 0) when nothing else is
left. erased.json keeps of these only hashes (of the place, and of the place
with its text), the place as it is where it holds no form of the name, and
who looked at each and when; they go with the hashes of the name.

Someone who is still the coach of employees on the roster must be replaced as
their coach first. Export their data first if they asked for a copy
(careerconv export --employee ID DIR).

Without --yes the command asks you to type the id to confirm; when not run
from a terminal it refuses unless --yes is given.

examples:
  careerconv erase --employee E0042
  careerconv --data /srv/careers erase --employee E0042 --yes
  careerconv erase --employee E0042 --access-log /srv/old-hub/access-log.jsonl
  careerconv erase --employee E0042 --yes --looked-at data/conversations/E0012/E0012-20260301.json:follow_up.note
"""


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    """Add ``erase``."""
    p = subparsers.add_parser(
        "erase", parents=[parent], help="erase everything held about one employee, and print a receipt",
        description="Erase one employee from the data folder and the reports folder, everywhere.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--employee", metavar="ID", required=True, help="the employee to erase")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--reports", metavar="DIR", default=None,
                   help=f"reports folder (default: ${config.REPORTS_ENV}, else setting reports.folder, else "
                        "reports/ beside the data folder); those on the data folder's list of reports folders "
                        "(reports-folders.json) are cleaned too")
    p.add_argument("--access-log", metavar="FILE", action="append", default=[],
                   help="an access log of a records service to rewrite too, besides those on the data folder's "
                        "list (access-logs.json); may be given more than once")
    p.add_argument("--looked-at", metavar="PLACE", nargs="+", action="extend", default=[],
                   help="a possible mention the last erasure of theirs listed, which you looked at and found not "
                        "to be them (words spelled like their name), as its receipt lists it, FILE:FIELD: left as "
                        "written and no longer listed, so the erasure can complete; may be given more than once")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Confirm, erase, print the receipt; exit 1 when the final check still finds mentions (or may), or an access
    log could not be rewritten."""
    from careerconv.records import erasure, kept_elsewhere  # imported when the command runs (see careerconv.cli)
    from careerconv.records.store import Store
    from careerconv.surfaces.service import access_log, hub_state

    store = Store.existing(args.data_dir)
    _refuse_a_named_folder_not_there(args, store.root)
    reports = config.reports_dir(store.root, args.reports)
    for named in args.access_log:
        if not Path(named).expanduser().is_file():
            raise FileNotFoundError(f"--access-log {named}: there is no file there; nothing was erased")
    logs = access_log.access_logs_of(store, args.access_log)
    # Someone erased before has a plan too: what is left of them (a version that left the hub's log alone, a log
    # that could not be written then, a reports folder then unknown) is finished now.
    plan = erasure.plan_erasure(store, reports, args.employee)
    employee_id = plan.employee_id
    looked_at = erasure.looked_at_marks(store, employee_id, args.looked_at, _who_ran_it(store)) \
        if args.looked_at else []
    searched = [store.root, *erasure.reports_folders(store, reports).cleaned]
    about = f"{plan.describe()}, and every mention of them in {', '.join(map(str, searched))}"
    if logs:
        about += f"; the access log(s) {', '.join(map(str, logs))} will name them by a pseudonym"
    states = hub_state.hub_states(store)
    if states:
        about += f"; their hub user, groups, password and home folder in {', '.join(map(str, states))} will go"
    if looked_at:
        about += "; the possible mention(s) you looked at (--looked-at) will be left as written"
    foreign = kept_elsewhere.not_followed(store)
    if foreign:
        about += f"; the list(s) {', '.join(item.file.name for item in foreign)}, written for another data folder, " \
                 "will not be followed"
    if not args.yes and not _confirmed(about, employee_id):
        return 1
    exit_code = 0
    with streams.Working(args, f"erasing {employee_id}"):
        receipt = erasure.erase_employee(store, reports, employee_id, looked_at, waiting=lambda: streams.status(
            args, f"another erasure in {store.root} is under way; waiting for it to finish"))
    streams.result(f"{receipt}\n")
    if not receipt.complete:
        print(f"careerconv erase: {receipt.files_left} file(s) still mention {employee_id}; "
              "see the end of the receipt", file=sys.stderr)
        exit_code = 1
    forgotten = access_log.log_erasure(access_log.forget_in_access_logs(store, employee_id, logs),
                                       _who_ran_it(store))
    # where to look for a log, unless the folder's list was another folder's (the receipt says so then)
    hint = not logs and forgotten.none == kept_elsewhere.NONE_KEPT
    streams.result(f"\n{forgotten} A records service puts its log on the data folder's list (access-logs.json) when "
                   "it starts; name another with --access-log FILE.\n" if hint else f"\n{forgotten}\n")
    not_logs = [log for log in forgotten.failed if log.not_a_log]
    unchanged = [log for log in forgotten.failed if not log.not_a_log]
    if unchanged:
        print(f"careerconv erase: {len(unchanged)} access log(s) could not be rewritten and still name "
              f"{employee_id}: {', '.join(str(log.path) for log in unchanged)}; see the end of the receipt",
              file=sys.stderr)
    if not_logs:
        print(f"careerconv erase: {len(not_logs)} file(s) named as access logs are not access logs and were left as "
              f"they are: {', '.join(str(log.path) for log in not_logs)}; see the end of the receipt", file=sys.stderr)
    if not forgotten.complete:
        exit_code = 1
    return max(exit_code, _forget_in_hub_logs(store, employee_id), _forget_in_hub_states(store, employee_id),
               _say_not_followed(store, foreign))


def _say_not_followed(store: Store, foreign: list[NotFollowed]) -> int:
    """Add the lists written for another data folder, not followed (:func:`careerconv.records.kept_elsewhere.
    not_followed_notice`), to the receipt; return 1 when there are any (if this folder was moved, the hub's logs,
    state and reports about them may still name them), else 0."""
    from careerconv.records import kept_elsewhere

    if not foreign:
        return 0
    streams.result(f"\n{kept_elsewhere.not_followed_notice(store, foreign)}\n")
    others = ", ".join(dict.fromkeys(str(item.written_for) for item in foreign))
    print(f"careerconv erase: {len(foreign)} list(s) of what is kept elsewhere in this data folder were written for "
          f"{others} and were not followed (a copy of it? moved from there?); see the end of the receipt",
          file=sys.stderr)
    return 1


def _forget_in_hub_logs(store: Store, employee_id: str) -> int:
    """Rewrite the hub logs on the data folder's list (:func:`careerconv.surfaces.service.hub_log.forget_in_hub_logs`)
    and add what was done to the receipt; return 1 when one of them may still name them, else 0."""
    from careerconv.surfaces.service import hub_log

    forgotten = hub_log.forget_in_hub_logs(store, employee_id)
    streams.result(f"\n{forgotten}\n")
    if forgotten.complete:
        return 0
    print(f"careerconv erase: {len(forgotten.failed)} hub log(s) could not be rewritten or are not hub logs, and "
          f"were left as they are: {', '.join(str(log.path) for log in forgotten.failed)}; see the end of the receipt",
          file=sys.stderr)
    return 1


def _forget_in_hub_states(store: Store, employee_id: str) -> int:
    """Remove their hub user, groups, passwords and home folders from the hub states on the data folder's list
    (:func:`careerconv.surfaces.service.hub_state.forget_in_hub_states`) and add what was done to the receipt; return
    1 when one of them may still name them, else 0."""
    from careerconv.surfaces.service import hub_state

    forgotten = hub_state.forget_in_hub_states(store, employee_id)
    streams.result(f"\n{forgotten}\n")
    if forgotten.complete:
        return 0
    print(f"careerconv erase: {len(forgotten.failed)} hub state folder(s) may still name {employee_id}: "
          f"{', '.join(str(state.folder) for state in forgotten.failed)}; see the end of the receipt", file=sys.stderr)
    return 1


def _refuse_a_named_folder_not_there(args: argparse.Namespace, data: Path) -> None:
    """Refuse a reports folder that was named (--reports, the environment, the settings file) and is not a folder,
    before anything is erased: the reports about them in the folder meant (a disk not mounted, a typing mistake)
    would be left, and the erasure, finding nothing there, would keep no hash of their name or email to find them
    by later (found by a hostile test). The default folder beside the data folder may be missing: no reports yet.

    Raises
    ------
    FileNotFoundError
        Nothing is there.
    NotADirectoryError
        A file is there.
    """
    if not args.reports:
        return
    named = Path(args.reports).expanduser()
    default = config.default_reports_dir(data)
    if named.is_dir() or (not named.exists() and named.resolve() == default):
        return
    resolved = getattr(args, "settings", {}).get("reports.folder")
    source = resolved.describe_source() if resolved is not None else "flag --reports"
    what = "a file, not a folder" if named.exists() else \
        "not there (a disk not mounted, a folder moved or misspelt?)"
    instead = f"leave --reports out for {default} beside the data folder" if source.startswith("flag") else \
        "change it there, or name another with --reports"
    error = NotADirectoryError if named.exists() else FileNotFoundError
    raise error(f"the reports folder {named} (named by {source}) is {what}: reports about them in the folder meant "
                f"would be left behind; name the folder that holds them (mount it first), or {instead}; nothing was "
                "erased")


def _confirmed(about: str, employee_id: str) -> bool:
    """Whether the person at the terminal typed ``employee_id`` to confirm erasing ``about``.

    Raises
    ------
    PermissionError
        Input is not a terminal (no one is here to confirm).
    """
    if not sys.stdin.isatty():
        raise PermissionError("erasing cannot be undone and no one is here to confirm it (input is not a "
                              "terminal); pass --yes to erase without asking")
    # The question goes to stderr, like every prompt: stdout holds only the receipt.
    print(f"About to erase {about}.", file=sys.stderr)
    print("This cannot be undone.", file=sys.stderr)
    print(f"Type {employee_id} to confirm: ", end="", file=sys.stderr, flush=True)
    if sys.stdin.readline().strip() != employee_id:
        print("Not confirmed; nothing was erased.", file=sys.stderr)
        return False
    return True


def _who_ran_it(store: Store) -> str:
    """Who the access logs say erased: the account (and machine) this runs as, and under sudo, who ran sudo."""
    sudo = os.environ.get("SUDO_USER")
    return f"{sudo} (as {store.actor})" if sudo and os.geteuid() == 0 else store.actor
