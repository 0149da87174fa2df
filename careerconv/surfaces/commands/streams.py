"""Where a command's words go: results on stdout, everything about the run on stderr.

The rule for every ``careerconv`` command:

- **stdout** holds the result asked for, and nothing else: the due list, an
  exported table with ``-o -``, an import's or a batch's summary, a receipt,
  the effective settings. It can be piped or redirected to a file as it is.
- **stderr** holds status ("wrote FILE"), warnings, prompts, progress bars
  and errors. ``-q/--quiet`` drops status and progress (never warnings or
  errors); ``-v/--verbose`` adds the settings in force and where each came
  from.
- Progress bars (tqdm) are drawn only when stderr is a terminal, so a log
  file never collects ``\\r`` frames.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path
from typing import Any

from . import settings


def quiet(args: argparse.Namespace) -> bool:
    """True when ``-q/--quiet`` was given."""
    return bool(getattr(args, "quiet", False))


def verbose(args: argparse.Namespace) -> bool:
    """True when ``-v/--verbose`` was given (and not ``--quiet``)."""
    return bool(getattr(args, "verbose", False)) and not quiet(args)


def _name(args: argparse.Namespace) -> str:
    return f"careerconv {getattr(args, 'command', '')}".rstrip()


def status(args: argparse.Namespace, message: str) -> None:
    """A line about the run (a file written, a step done) on stderr, unless ``--quiet``."""
    if not quiet(args):
        print(message, file=sys.stderr, flush=True)


def warn(args: argparse.Namespace, message: str) -> None:
    """A warning on stderr, always (``--quiet`` does not hide what may need doing)."""
    print(f"{_name(args)}: warning: {message}", file=sys.stderr, flush=True)


def detail(args: argparse.Namespace, message: str) -> None:
    """A line only ``--verbose`` shows, on stderr."""
    if verbose(args):
        print(message, file=sys.stderr, flush=True)


def result(text: str) -> None:
    """The command's result on stdout (a name that the terminal cannot encode is written as UTF-8 anyway)."""
    stream = sys.stdout
    try:
        stream.write(text)
    except UnicodeEncodeError:
        stream.flush()
        stream.buffer.write(text.encode("utf-8"))
    stream.flush()


def show_settings(args: argparse.Namespace, resolved: dict[str, settings.Resolved]) -> None:
    """With ``--verbose``: the settings this command runs with, and where each came from, on stderr."""
    if not verbose(args) or not resolved:
        return
    detail(args, f"{_name(args)}: settings in force:")
    width = max(len(k) for k in resolved)
    for key, item in resolved.items():
        detail(args, f"  {key:<{width}}  {settings.display_value(item)}  ({item.describe_source()})")


def bars_enabled(args: argparse.Namespace) -> bool:
    """Whether progress bars are drawn: not with ``--quiet``, and only on a terminal."""
    return not quiet(args) and sys.stderr.isatty()


_open_bars: list[Any] = []


def progress_bar(args: argparse.Namespace, total: int | None, desc: str, unit: str = "it",
                 bar_format: str | None = None) -> Any:
    """A tqdm bar on stderr (disabled, drawing nothing, when :func:`bars_enabled` is False).

    It is closed by its user, or by :func:`close_bars` when the command stops on an error, so that the
    error message starts on a line of its own.
    """
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=not bars_enabled(args),
               dynamic_ncols=True, leave=False, bar_format=bar_format)
    _open_bars.append(bar)
    return bar


def _forget(item: Any) -> None:
    """Take ``item`` off the open list, found by identity: tqdm's ``==`` compares bar positions and fails on
    anything that is not a bar (a :class:`_Ticking` clock)."""
    _open_bars[:] = [other for other in _open_bars if other is not item]


def _close(bar: Any) -> None:
    bar.close()
    _forget(bar)


def close_bars() -> None:
    """Close every progress bar still open (the command failed or was interrupted)."""
    for item in reversed(list(_open_bars)):  # tqdm bars and the _Ticking clocks that redraw them
        item.close()
    _open_bars.clear()


class _Ticking:
    """A bar redrawn twice a second from a background thread, so its clock moves while one long call runs."""

    def __init__(self, bar: Any):
        self.bar = bar
        self._stop = threading.Event()
        self._thread = None
        if not bar.disable:
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()
        _open_bars.append(self)

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            self.bar.refresh()

    def close(self) -> None:
        """Stop the clock and remove the bar."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        _close(self.bar)
        _forget(self)


class Steps:
    """A bar over the named steps of a command whose work reports no finer progress.

    ``step = Steps(args, ("reading", "writing"))``, then ``step("reading")`` ...
    ``step("writing")`` ... ``step.finish()``: each call completes the steps
    before it and shows the one now running, and the clock runs throughout.
    No time left is shown: steps take very different times.
    """

    def __init__(self, args: argparse.Namespace, names: tuple[str, ...]):
        self.names = names
        self._done = 0
        bar = progress_bar(args, len(names), self._label(0), unit="step", bar_format="{desc} {elapsed}")
        self._live = _Ticking(bar)

    def _label(self, index: int) -> str:
        return f"{self.names[index]} (step {index + 1} of {len(self.names)})" if self.names else ""

    def __call__(self, name: str) -> None:
        index = self.names.index(name)
        bar = self._live.bar
        if index > self._done:
            bar.update(index - self._done)
            self._done = index
        bar.set_description_str(self._label(index))

    def finish(self) -> None:
        """All steps done: the bar is removed."""
        self._live.bar.update(len(self.names) - self._done)
        self._done = len(self.names)
        self._live.close()


class Counter:
    """A ``progress(done, total)`` callback, as the core's long loops take one, drawing a tqdm bar."""

    def __init__(self, args: argparse.Namespace, desc: str, unit: str = "it"):
        self._bar = progress_bar(args, None, desc, unit)

    def __call__(self, done: int, total: int) -> None:
        if self._bar.total != total:
            self._bar.total = total
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        """The work is done: the bar is removed."""
        _close(self._bar)


class Working:
    """For one long call that reports no progress of its own: what is running, and for how long (on a terminal).

    ``with Working(args, "importing staff.csv"): ...`` shows the elapsed time,
    redrawn twice a second, and removes the line when done.
    """

    def __init__(self, args: argparse.Namespace, desc: str):
        self._args, self._desc = args, desc
        self._live: _Ticking | None = None

    def __enter__(self) -> "Working":
        self._live = _Ticking(progress_bar(self._args, None, self._desc, unit="s", bar_format="{desc} {elapsed}"))
        return self

    def __exit__(self, *exc_info) -> None:
        if self._live is not None:
            self._live.close()


class DeprecatedSpelling(argparse.Action):
    """An old spelling of an option, kept working: stores into the new option's ``dest`` and warns on stderr."""

    def __init__(self, option_strings, dest, new: str = "", **kwargs):
        self.new = new
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog}: warning: {option_string} is now {self.new}; the old spelling still works for now "
              "but will be removed", file=sys.stderr, flush=True)
        setattr(namespace, self.dest, values)


def add_old_spelling(parser: argparse.ArgumentParser, old: str, new: str, dest: str, metavar: str) -> None:
    """Keep ``old`` (e.g. ``--out``) working as a hidden alias of ``new`` (``-o/--output``) that warns."""
    parser.add_argument(old, dest=dest, metavar=metavar, action=DeprecatedSpelling, new=new,
                        default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def output_format(parser: argparse.ArgumentParser, chosen: str | None, output: str | None, formats: tuple[str, ...],
                  default: str) -> str:
    """The format to write: ``--format``, else the one of ``formats`` the output file's name (``-o FILE``) ends
    in, else ``default``.

    A name ending in one format's extension while ``--format`` asks for another is a usage mistake (exit 2): the
    file would not open in what its name promises (a workbook named ``.csv``, a CSV file named ``.xlsx``); so is
    a name ending in the extension of a format the command does not write (:data:`DATA_EXTENSIONS`: a CSV file
    named ``.json``, a text table named ``.xlsx``), and so is a name ending in ``/``, which names a folder (it was
    written as a file of that name). Any other name (none, ``.txt``, ``.out``) takes the format.
    """
    if output and output != "-" and output.endswith(("/", os.sep)):
        parser.error(f"-o {output} names a folder; give a file name, such as "
                     f"{Path(output) / ('FILE.' + _EXTENSION.get(chosen or default, chosen or default))}")
    suffix = Path(output).suffix.lower().lstrip(".") if output and output != "-" else ""
    named = suffix if suffix in formats else None
    if chosen and named and chosen != named:
        parser.error(f"-o {output} ends in .{suffix} but --format is {chosen}; name the file "
                     f"{Path(output).with_suffix('.' + chosen).name} or leave out --format")
    written = chosen or named or default
    if suffix in DATA_EXTENSIONS and not named:
        every = list(formats) if default in formats else [default, *formats]
        writes = f"{', '.join(every[:-1])} or {every[-1]}" if len(every) > 1 else every[0]
        parser.error(f"-o {output} ends in .{suffix}, which this command does not write (it writes {writes}); "
                     f"name the file {Path(output).with_suffix('.' + _EXTENSION.get(written, written)).name}")
    return written


# File name endings of formats a reader opens by them: a file named so holding another format opens wrong, or
# not at all (output_format refuses it).
DATA_EXTENSIONS = frozenset({"csv", "tsv", "json", "parquet", "xlsx", "xls", "ods", "html", "htm", "ics", "pdf",
                             "ipynb", "zip"})
# The name ending of a format written as text whose name is not an extension.
_EXTENSION = {"table": "txt"}
