"""Benchmark: an erasure run again finding the name and email an earlier one kept hashes of, in a reports folder.

A second ``careerconv erase --employee ID`` of someone whose roster row is gone reads every file under the data and
reports folders and looks for text whose form hashes as the name and email the first erasure kept
(:func:`careerconv.records.erased_names.found_again`). Where the name is nowhere any more (the usual case: the first
erasure cleaned it, and ran again for a folder it could not reach) that is every run of words of every file.

Baseline (the old way, kept below as it was in careerconv before this benchmark): every run of as many words as the
name has put in its form and hashed, twice (as written, and without the punctuation around it), and an email
pattern tried from every character of the text. Candidate: the module as it is: each word put in its form once,
only runs as long as the name hashed (``name_length``, which the first erasure keeps), and an email searched for
from where a run of its characters starts; and the same with hashes kept before ``name_length`` was (every run
hashed, each word's form made once).

Each file of the folder is read once as the erasure reads it (:func:`careerconv.records.decoded_text.decoded_text`,
timed apart: both ways pay it, and the erasure's own search reads each file once more); then both ways search its
text, the old one only on the first ``--old-files`` files of each kind (it takes a minute or more on a report with an
inline chart), alternating which goes first. Prints the seconds per file of each kind and the ratio, measured on the
same files in the same run, and what each way would take on the whole folder.

Usage::

    .venv/bin/python benchmarks/bench_erasure_again.py --reports /tmp/reports --old-files 1

A reports folder of 2,000 employees: ``careerconv demo --employees 2000 --data D``, ``careerconv --data D report
E0010 E0011 E0012 --pdf -o R``, then copy ``R/E0010`` into ``R/E0013`` … ``R/E2000``.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Iterable

from careerconv.records import erased_names
from careerconv.records.decoded_text import decoded_text
from careerconv.records.store import Store

NAME, EMAIL = "Iñaki Vargas", "inaki.vargas@example.org"  # searched for, and in no file of the folder

# ---------------------------------------------------------------------------- the old way (the baseline)
_OLD_EMAIL = re.compile(r"[^\s<>()\[\],;:\"'`]+@[^\s<>()\[\],;:\"'`]+")
_OLD_EDGES = re.compile(r"^\W+|\W+$")


def old_found_again(erased, kept: dict, texts: Iterable[str]) -> tuple[str | None, str | None]:
    """``found_again`` as it was: every run of words hashed, the email pattern tried from every character."""
    name_hash, email_hash, words = kept.get("name"), kept.get("email"), kept.get("name_words")
    name = email = None
    for text in texts:
        if email_hash and email is None:
            email = next((m.group(0).rstrip(".") for m in _OLD_EMAIL.finditer(text) if erased.text_hash(
                "email", erased_names.email_form(m.group(0).rstrip("."))) == email_hash), None)
        if name_hash and name is None and isinstance(words, int) and words > 0:
            spans = [m.span() for m in re.finditer(r"\S+", text)]
            for i in range(len(spans) - words + 1):
                piece = text[spans[i][0]:spans[i + words - 1][1]]
                for candidate in dict.fromkeys((piece, _OLD_EDGES.sub("", piece))):
                    if candidate and erased.text_hash("name", erased_names.name_form(candidate)) == name_hash:
                        name = candidate
                        break
                if name is not None:
                    break
        if (name or not name_hash) and (email or not email_hash):
            break
    return name, email


# ---------------------------------------------------------------------------- measuring


def timed(search, erased, kept: dict, text: str) -> tuple[float, tuple]:
    start = time.perf_counter()
    found = search(erased, kept, [text])
    return time.perf_counter() - start, found


def kind_of(path: Path) -> str:
    return path.suffix.lower() or path.name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=Path, required=True, help="a reports folder (only read)")
    parser.add_argument("--old-files", type=int, default=1,
                        help="files of each kind the old way searches (default 1: it is slow)")
    args = parser.parse_args(argv)
    files = sorted(p for p in args.reports.rglob("*") if p.is_file())
    if not files:
        parser.error(f"--reports {args.reports}: no file there")

    with tempfile.TemporaryDirectory() as scratch:
        store = Store(Path(scratch) / "data")
        store.mark_erased("E9999", name=NAME, email=EMAIL)  # what a first erasure keeps
        erased = store.erased_ids()
    kept = erased.known_as_of("E9999")
    older = {key: value for key, value in kept.items() if key != "name_length"}
    # Both ways find the name and email where they are.
    planted = f"Your coach:\n({NAME}), {EMAIL}."
    assert old_found_again(erased, older, [planted]) == erased_names.found_again(erased, kept, [planted]) \
        == (NAME, EMAIL)

    decode = 0.0
    new: dict[str, float] = defaultdict(float)
    new_older: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    sample_new: dict[str, float] = defaultdict(float)
    sample_old: dict[str, float] = defaultdict(float)
    sampled: dict[str, int] = defaultdict(int)
    for n, path in enumerate(files):
        start = time.perf_counter()
        text = decoded_text(path).text
        decode += time.perf_counter() - start
        kind = kind_of(path)
        counts[kind] += 1
        seconds, found = timed(erased_names.found_again, erased, kept, text)
        new[kind] += seconds
        assert found == (None, None), f"{path}: holds {found}"
        new_older[kind] += timed(erased_names.found_again, erased, older, text)[0]
        if sampled[kind] < args.old_files:
            sampled[kind] += 1
            pair = [("new", erased_names.found_again, kept), ("old", old_found_again, older)]
            for way, search, hashes in (pair if n % 2 else pair[::-1]):  # alternating which goes first
                seconds, found = timed(search, erased, hashes, text)
                (sample_new if way == "new" else sample_old)[kind] += seconds
                assert found == (None, None)
        print(f"\r{n + 1}/{len(files)} files read", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)

    print(f"{len(files)} files in {args.reports}; reading them as the erasure does: {decode:.1f} s "
          f"({decode / len(files) * 1000:.1f} ms a file)")
    print(f"{'kind':<14}{'files':>7}{'new ms/file':>13}{'(older hashes)':>16}"
          f"{'old ms/file':>13}{'new, same':>11}{'ratio':>9}")
    old_total = 0.0
    for kind in sorted(counts, key=lambda k: -counts[k]):
        old_each = sample_old[kind] / sampled[kind] if sampled[kind] else 0.0
        new_same = sample_new[kind] / sampled[kind] if sampled[kind] else 0.0
        old_total += old_each * counts[kind]
        ratio = f"{old_each / new_same:,.0f}x" if new_same else "-"
        print(f"{kind:<14}{counts[kind]:>7}{new[kind] / counts[kind] * 1000:>13.2f}"
              f"{new_older[kind] / counts[kind] * 1000:>16.2f}{old_each * 1000:>13.1f}{new_same * 1000:>11.2f}"
              f"{ratio:>9}")
    print(f"searching the whole folder: new {sum(new.values()):.1f} s, with older hashes "
          f"{sum(new_older.values()):.1f} s; old (projected from {sum(sampled.values())} file(s) searched both "
          f"ways) {old_total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
