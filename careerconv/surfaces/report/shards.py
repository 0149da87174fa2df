"""Split a report batch into shards for any scheduler, and merge the shards' index pages.

``careerconv report --all --shard I/N`` makes the reports of shard ``I`` of
``N`` (shards are numbered from 1, as Slurm array tasks usually are; a
Kubernetes Indexed Job counts from 0, so its manifest passes
``$((JOB_COMPLETION_INDEX + 1))``). ``N`` copies of the command, one per
shard, each on whatever machine a scheduler gives it, make every report
exactly once; each writes its own index (``index-<date>.shard-I-of-N.json``
and ``.html``) and ``careerconv report --merge-index`` then builds the one
index page of the whole batch from them, the same page one machine would
have written.

Which shard an employee belongs to is decided by the employee id alone (jump consistent hashing, stable across
machines and runs, moving nobody else when people come or go): :mod:`careerconv.surfaces.batch_options`, where
``--shard I/N`` is read too, without the report code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from careerconv.records.erasure import REMOVED
from careerconv.records.schema import DEPARTMENT, EMPLOYEE_ID
from careerconv.surfaces.batch_options import Shard, parse_shard, shard_of  # the shard split, beside its indexes
from .claims import claim_index
from .index import (EARLIER_TODAY, FAILED, MADE, OTHER_BATCH, UNCHANGED, IndexEntry, folder_in_the_way, index_html,
                    write_index_file)
from .paths import report_paths

__all__ = [
    "Shard",
    "ShardIndex",
    "batch_digest",
    "merge_shard_indexes",
    "parse_shard",
    "read_shard_index",
    "report_settings",
    "shard_index_paths",
    "shard_of",
    "write_shard_index",
]

_FORMAT = "careerconv-report-shard-index"
_FORMAT_VERSION = 1
# Beside the data and the day, what a report is made from, as the command sets each: the shards of one batch must
# all have made their reports with the same (found by a hostile test: shard 1/2 run again with --horizons 3,6 merged
# with 2/2's defaults, exit 0, and 29 of 60 reports unlike those of a plain run).
_SETTINGS = {"horizons": "--horizons", "figure_format": "--figures", "pdf": "--pdf", "dpi": "dpi",
             "code": "the report notebook and careerconv version"}


@dataclass(frozen=True)
class ShardIndex:
    """What one shard of a batch made: its index entries, each with its place in the whole batch.

    Attributes
    ----------
    shard
        Which shard.
    as_of
        The report date of the batch.
    generated
        When the shard's batch finished.
    entries
        ``(position, entry)``: the employee's place in the whole batch's
        order (the roster's), and their line on the index page.
    batch_size, batch
        How many employees the whole batch had before it was split, and
        :func:`batch_digest` of their ids: every shard of one batch has the
        same, so the merge can tell shards run on different employee lists
        (a roster changed between shards, a shard run for named employees).
        0 and ``""`` when not known (an index written before they were kept).
    erased
        How many of the shard's employees were erased: while it ran (it wrote nothing about them) or since (an
        erasure empties their entry, counted when read). The merge counts them among the batch's employees
        (found by a hostile test: one erased while a shard ran made the merge say the shard's index "was changed
        after its shard ran").
    not_started
        The start days of the people on the roster the whole batch left out because they have not started yet on
        its day (the same in every shard; the merged index says it).
    settings
        What the shard made its reports with (:func:`report_settings`); empty when not known (an index written
        before they were kept).
    """

    shard: Shard
    as_of: dt.date
    generated: dt.datetime
    entries: tuple[tuple[int, IndexEntry], ...]
    batch_size: int = 0
    batch: str = ""
    erased: int = 0
    not_started: tuple[dt.date, ...] = ()
    settings: Mapping[str, object] = field(default_factory=dict)


def report_settings(parameters: Mapping[str, object], pdf: bool, code: str) -> dict[str, object]:
    """What, beside the data and the day, each report of a shard is made from: the notebook ``parameters``
    ``horizons``, ``figure_format`` and ``dpi``, whether a PDF is written, and ``code``, the digest of the report
    notebook and code; as a shard index keeps them (JSON values). With them, ``data``: the data folder the shard
    read (``parameters["data_dir"]``, absolute), for the merge's command that runs a shard again (found by a
    hostile test: shards run with ``--data DIR`` were told to run one again without it, which reads ./data). The
    merge does not compare it (:data:`_SETTINGS`): one shared folder may be mounted at other paths on other
    machines."""
    return {"horizons": list(parameters["horizons"]), "figure_format": parameters["figure_format"],
            "pdf": bool(pdf), "dpi": parameters["dpi"], "code": code, "data": str(parameters["data_dir"])}


def batch_digest(employee_ids: Sequence[str]) -> str:
    """A digest of a whole batch's employee ids, in order: the same for every shard of one batch."""
    digest = hashlib.blake2b(digest_size=16)
    for eid in employee_ids:
        digest.update(str(eid).encode("utf-8") + b"\n")
    return digest.hexdigest()


def shard_index_paths(reports_dir: str | os.PathLike, as_of: dt.date, shard: Shard) -> tuple[Path, Path]:
    """``(json, html)``: ``<reports>/index-<date>.shard-I-of-N.json`` and ``.html``."""
    stem = f"index-{as_of.isoformat()}.shard-{shard.index}-of-{shard.count}"
    return Path(reports_dir) / f"{stem}.json", Path(reports_dir) / f"{stem}.html"


def _relative(path: Path | None, folder: Path) -> str | None:
    return None if path is None else Path(os.path.relpath(path, folder)).as_posix()


def write_shard_index(reports_dir: str | os.PathLike, index: ShardIndex) -> tuple[Path, Path]:
    """Write a shard's index: the JSON the merge reads, and the shard's own HTML page.

    Paths of reports are stored relative to ``reports_dir``, so the folder
    can be moved before the merge.

    Returns
    -------
    tuple of Path
        The JSON and the HTML file written.
    """
    folder = Path(reports_dir)
    json_path, html_path = shard_index_paths(folder, index.as_of, index.shard)
    document = {
        "format": _FORMAT, "version": _FORMAT_VERSION, "shard": index.shard.index, "shards": index.shard.count,
        "as_of": index.as_of.isoformat(), "generated": index.generated.isoformat(timespec="seconds"),
        "batch_size": index.batch_size, "batch": index.batch, "erased": index.erased,
        "not_started": [day.isoformat() for day in index.not_started], "settings": dict(index.settings),
        "entries": [{"position": position, EMPLOYEE_ID: e.employee_id, "name": e.name,
                     DEPARTMENT: e.department, "status": e.status, "html": _relative(e.html_path, folder),
                     "pdf": _relative(e.pdf_path, folder), "error": e.error, "left": e.left,
                     "made_at": e.made_at.isoformat(timespec="seconds") if e.made_at else None}
                    for position, e in index.entries],
    }
    write_index_file(json_path, json.dumps(document, ensure_ascii=False, indent=1))
    page = index_html([e for _, e in index.entries], as_of=index.as_of, folder=folder,
                      title=f"Progress reports as of {index.as_of.isoformat()}, shard {index.shard}",
                      generated=index.generated, not_started=index.not_started)
    write_index_file(html_path, page)
    return json_path, html_path


def read_shard_index(path: str | os.PathLike) -> ShardIndex:
    """Read a shard index written by :func:`write_shard_index`.

    Raises
    ------
    ValueError
        If the file is not a shard index or is damaged (the message names the
        file and what is wrong).
    """
    path = Path(path)
    if path.is_dir():
        raise ValueError(folder_in_the_way(path))
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read this shard index ({exc}); run that shard again") from None
    if not isinstance(document, dict) or document.get("format") != _FORMAT:
        raise ValueError(f"{path}: not a careerconv shard index")
    if document.get("version") != _FORMAT_VERSION:
        raise ValueError(f"{path}: shard index version {document.get('version')!r}; this careerconv reads "
                         f"version {_FORMAT_VERSION}")
    folder = path.parent
    try:
        shard = Shard(document["shard"], document["shards"])
        as_of = dt.date.fromisoformat(document["as_of"])
        entries, erased = [], document.get("erased", 0)
        if isinstance(erased, bool) or not isinstance(erased, int) or erased < 0:
            raise ValueError(f"erased {erased!r}: expected a whole number of employees")
        for item in document["entries"]:
            if item["status"] not in (MADE, UNCHANGED, FAILED, OTHER_BATCH, EARLIER_TODAY):
                raise ValueError(f"unknown status {item['status']!r}")
            if item[EMPLOYEE_ID] == REMOVED:  # erased since the shard ran (the erasure wrote this in its place)
                erased += 1
                continue
            # The links follow the one rule for a report's files (never a path the file names: it may point
            # anywhere, found by a hostile test of the merge); an id that is not one is a damaged file.
            files = report_paths(folder, str(item[EMPLOYEE_ID]), as_of)
            entries.append((int(item["position"]), IndexEntry(
                str(item[EMPLOYEE_ID]), str(item["name"]), str(item[DEPARTMENT]), item["status"],
                files.html if item.get("html") else None, files.pdf if item.get("pdf") else None,
                item.get("error"), str(item.get("left") or ""), _made_at(item.get("made_at")))))
        batch_size, batch = document.get("batch_size", 0), document.get("batch", "")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not isinstance(batch, str):
            raise ValueError(f"batch_size {batch_size!r} and batch {batch!r}: expected a whole number and a digest")
        not_started = tuple(dt.date.fromisoformat(day) for day in document.get("not_started", []))
        settings = document.get("settings", {})
        if not isinstance(settings, dict):
            raise ValueError(f"settings {settings!r}: expected a mapping of setting to value")
        return ShardIndex(shard, as_of, dt.datetime.fromisoformat(document["generated"]), tuple(entries),
                          batch_size, batch, erased, not_started, settings)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: damaged shard index ({type(exc).__name__}: {exc}); run that shard again") from None


def _shard_command(shard: str, as_of: dt.date, folder: Path, settings: Mapping[str, object]) -> str:
    """The command that makes shard ``shard`` (``"2/4"``, or ``"I/4"`` for any) of the batch of ``as_of`` into the
    reports folder ``folder``, with the options that set ``settings`` (:func:`report_settings`, as the shards that
    ran kept them; none when empty): whole, to copy (found by a hostile test: without --as-of and -o, a copied hint
    made today's shard in the default folder). The data folder is said when ``settings`` has it (``data``: an
    index written by an earlier careerconv does not)."""
    words = ["careerconv", "report", "--all", "--shard", shard, "--as-of", as_of.isoformat(), "-o", str(folder)]
    if isinstance(settings.get("data"), str):
        words[2:2] = ["--data", str(settings["data"])]
    if "horizons" in settings:
        words += ["--horizons", _setting_words("horizons", settings)]
    if "figure_format" in settings:
        words += ["--figures", str(settings["figure_format"])]
    if "pdf" in settings:
        words.append("--pdf" if settings["pdf"] else "--no-pdf")
    return shlex.join(words)


def _settings_that_differ(settings: Mapping[int, Mapping[str, object]], count: int) -> str:
    """What differs between the settings of the shards (by shard number), in words: each setting that does, with
    its value in each shard, e.g. ``"--horizons: 3,6 in shard(s) 1/2; 6,12,18 in shard(s) 2/2"``; "" when none."""
    said = []
    for key, name in _SETTINGS.items():
        shards_by_value: dict[str, list[str]] = {}
        for i, values in sorted(settings.items()):
            shards_by_value.setdefault(_setting_words(key, values), []).append(f"{i}/{count}")
        if len(shards_by_value) > 1:
            said.append(f"{name}: " + "; ".join(f"{value} in shard(s) {', '.join(shards)}"
                                                 for value, shards in shards_by_value.items()))
    return " | ".join(said)


def _settings_with_one_data_folder(settings: list[Mapping[str, object]]) -> Mapping[str, object]:
    """The settings of the first shard, with the data folder the shards ran with (``data``) only when every shard
    that kept one kept the same (the hint cannot tell which of two to give)."""
    folders = {each["data"] for each in settings if isinstance(each.get("data"), str)}
    first = dict(settings[0])
    first.pop("data", None)
    return {**first, "data": folders.pop()} if len(folders) == 1 else first


def _setting_words(key: str, settings: Mapping[str, object]) -> str:
    """The value of setting ``key`` in a shard's ``settings``, as the command line writes it."""
    if key not in settings:
        return "not recorded (an index written by an earlier careerconv)"
    value = settings[key]
    if key == "horizons" and isinstance(value, list):
        return ",".join(str(months) for months in value)
    if key == "pdf":
        return "yes" if value else "no"
    if key == "code":
        return f"version {str(value)[:12]}"
    return str(value)


def _made_at(text: str | None) -> dt.datetime | None:
    """When another batch made a report, as a shard index writes it (None when it does not say)."""
    return dt.datetime.fromisoformat(text) if text else None


def merge_shard_indexes(reports_dir: str | os.PathLike, as_of: dt.date) -> tuple[Path, list[IndexEntry]]:
    """Build the batch's one index page, ``<reports>/index-<date>.html``, from the indexes of all its shards.

    The page lists everyone in the order of the whole batch (the roster's),
    exactly as one machine running the whole batch would have; its "made"
    time is the time the last shard finished.

    Parameters
    ----------
    reports_dir
        The reports folder the shards wrote to.
    as_of
        The report date of the batch.

    Returns
    -------
    tuple
        The index page written, and its entries.

    Raises
    ------
    FileNotFoundError
        If no shard of that date wrote an index, or one of the N is missing
        (the message names the missing shards and files).
    ValueError
        If indexes of different shard counts are there for that date, an
        index is damaged, an employee is in two shards (indexes of
        different runs), or the shards were run on different lists of
        employees (the roster changed between them, or some were run for
        named employees): the merged page would leave people out.
    """
    folder = Path(reports_dir)
    pattern = re.compile(rf"^index-{re.escape(as_of.isoformat())}\.shard-(\d+)-of-(\d+)\.json$")
    found: dict[int, dict[int, Path]] = {}
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        raise FileNotFoundError(f"reports folder {folder} does not exist") from None
    for name in names:
        match = pattern.match(name)
        if match:
            found.setdefault(int(match.group(2)), {})[int(match.group(1))] = folder / name
    if not found:
        raise FileNotFoundError(f"no shard index of {as_of.isoformat()} in {folder} (index-{as_of.isoformat()}"
                                ".shard-I-of-N.json): run `careerconv report --all --shard I/N` for every shard "
                                f"first, with --as-of {as_of.isoformat()}")
    if len(found) > 1:
        counts = ", ".join(str(n) for n in sorted(found))
        raise ValueError(f"{folder} holds shard indexes of {as_of.isoformat()} for batches split into {counts} "
                         "shards; remove the ones of the old split (index-<date>.shard-*-of-<old N>.*) and merge again")
    count, paths = next(iter(found.items()))
    indexes = {i: read_shard_index(path) for i, path in sorted(paths.items())}
    differ = _settings_that_differ({i: index.settings for i, index in indexes.items()}, count)
    same_settings = {} if differ else _settings_with_one_data_folder([index.settings for index in indexes.values()])
    missing = [i for i in range(1, count + 1) if i not in paths]
    if missing:
        names = ", ".join(shard_index_paths(folder, as_of, Shard(i, count))[0].name for i in missing)
        which = f"{missing[0]}/{count}" if len(missing) == 1 else f"I/{count}"
        raise FileNotFoundError(f"{len(missing)} of {count} shard(s) have not written their index yet: {names}; "
                                f"run `{_shard_command(which, as_of, folder, same_settings)}`"
                                + ("" if len(missing) == 1 else f" for {', '.join(f'{i}/{count}' for i in missing)}")
                                + " (as the other shards ran), then merge again")
    again = _shard_command(f"I/{count}", as_of, folder, same_settings)
    merged: list[tuple[int, IndexEntry]] = []
    owner: dict[str, int] = {}
    latest: dt.datetime | None = None
    batches: dict[tuple[int, str], list[int]] = {}
    erased = 0
    not_started: tuple[dt.date, ...] = ()
    for i in range(1, count + 1):
        shard_index = indexes[i]
        erased += shard_index.erased
        not_started = not_started or shard_index.not_started  # the whole roster's: the same in every shard
        if shard_index.shard != Shard(i, count) or shard_index.as_of != as_of:
            raise ValueError(f"{paths[i]}: holds shard {shard_index.shard} of {shard_index.as_of}, "
                             "not what its name says")
        if shard_index.batch:
            batches.setdefault((shard_index.batch_size, shard_index.batch), []).append(i)
        for position, entry in shard_index.entries:
            if entry.employee_id in owner:
                raise ValueError(f"employee {entry.employee_id!r} is in shard {owner[entry.employee_id]} and shard "
                                 f"{i}: the shard indexes come from different runs; run the shards again")
            owner[entry.employee_id] = i
            merged.append((position, entry))
        latest = shard_index.generated if latest is None else max(latest, shard_index.generated)
    if len(batches) > 1:
        groups = "; ".join(f"shard(s) {', '.join(f'{i}/{count}' for i in shards)} of a batch of {size} employee(s)"
                           for (size, _), shards in sorted(batches.items(), key=lambda item: item[1]))
        raise ValueError(f"the shard indexes of {as_of.isoformat()} in {folder} come from batches of different "
                         f"employees ({groups}): the roster changed between the shards, or some were run for named "
                         "employees rather than --all, so the merged index would leave people out; run every shard "
                         f"again with `{again}`, then merge again")
    if differ:
        raise ValueError(f"the shards of {as_of.isoformat()} in {folder} made their reports with different settings "
                         f"({differ}), so the merged index would list reports made in different ways; run every "
                         f"shard again with the same settings (`{again}` and the options you mean for all), then "
                         "merge again")
    (size, _), = batches or {(0, ""): []}
    listed = len(merged) + erased
    if size and listed != size:
        raise ValueError(f"the shard indexes of {as_of.isoformat()} in {folder} list {listed} of the batch's "
                         f"{size} employee(s) (erased ones counted): a shard index was changed after its shard "
                         f"ran; run every shard again with `{again}`, then merge again")
    merged.sort(key=lambda item: (item[0], item[1].employee_id))
    entries = [entry for _, entry in merged]
    target = folder / f"index-{as_of.isoformat()}.html"
    with claim_index(folder):  # not while a batch writes the day's index (:mod:`.claims`)
        write_index_file(target, index_html(entries, as_of=as_of, folder=folder, generated=latest,
                                            not_started=not_started))
    return target, entries
