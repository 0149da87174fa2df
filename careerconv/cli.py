"""The ``careerconv`` command line: a thin edge over the package.

Each command lives in its own module under :mod:`careerconv.surfaces.commands` with a
``register(subparsers)`` function that adds its parser and sets ``func``; this
module only builds the parser, resolves the data folder, gives each command
its settings (flag, else environment, else ``careerconv.toml``, else default:
:mod:`careerconv.surfaces.commands.settings`) and turns errors a user can act on into one
readable message on stderr and a non-zero exit code. Results go to stdout,
everything else to stderr (:mod:`careerconv.surfaces.commands.streams`).

A command's module imports at its top only what its parser needs (argparse, the settings, the values its
help states, from modules that import nothing heavy) and imports what the command needs to run (the store and
pandas, matplotlib, papermill, Jupyter) in the function that runs it: ``careerconv --help``, a command's
``--help``, a misspelt command or none build the whole parser at once (``tests/test_cli_help.py``). When the
command line names a command, only that command's module is imported (:func:`build_parser` with ``only``).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys

from careerconv import __version__
from careerconv.records import config
from careerconv.surfaces.commands import settings
from careerconv.surfaces.commands.slow_imports import skip_slow_optional_modules
from careerconv.surfaces.commands import streams
from careerconv.surfaces.signals import forget_caught_ctrl_c, how_stopped, stopped_once

# Each command's name and its module; the order here is the order in `careerconv --help`.
COMMANDS = {
    "demo": "careerconv.surfaces.commands.demo",
    "import": "careerconv.surfaces.commands.importing",
    "app": "careerconv.surfaces.commands.app",
    "hub": "careerconv.surfaces.commands.hub",
    "due": "careerconv.surfaces.commands.due",
    "report": "careerconv.surfaces.commands.report",
    "hr-report": "careerconv.surfaces.commands.hr_report",
    "export": "careerconv.surfaces.commands.export",
    "erase": "careerconv.surfaces.commands.erase",
    "validate": "careerconv.surfaces.commands.validate",
    "refresh": "careerconv.surfaces.commands.refresh",
    "config": "careerconv.surfaces.commands.config",
}
COMMAND_MODULES = tuple(COMMANDS.values())
_VALUED_OPTIONS = ("--data", "--config")  # the common options that take a value (see _common_parent)

EXIT_USAGE = 2
EXIT_FAILED = 1
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool whose reader went away


def _common_parent() -> argparse.ArgumentParser:
    """The options every command takes, before or after its name (SUPPRESS: a command's parser never
    overwrites a value given before the command with its own default)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--data", metavar="DIR", default=argparse.SUPPRESS,
                        help=f"data folder (default: ${config.DATA_ENV} or ./data)")
    parent.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS,
                        help=f"settings file (default: {settings.FILE_NAME} in the data folder, if there is one)")
    parent.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="no progress bars or status messages on stderr (results, warnings and errors stay)")
    parent.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="also show, on stderr, the settings the command runs with and where each came "
                             "from (flag, environment, settings file, default)")
    return parent


def command_named(argv: list[str]) -> str | None:
    """The command the command line names (``app`` in ``--data d app --port 9``), or None if it names none.

    Only the common options (:func:`_common_parent`) may come before the command; the first word that is
    not one of them, nor the value of ``--data`` / ``--config`` (or of an abbreviation argparse takes for
    them, ``--dat``), is the command if it is one.
    """
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif len(word) > 2 and "=" not in word and any(o.startswith(word) for o in _VALUED_OPTIONS):
            skip = True
        elif not word.startswith("-"):
            return word if word in COMMANDS else None
        elif word == "--":
            return None
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command registered, or only the command named ``only`` (see :data:`COMMANDS`)."""
    parser = argparse.ArgumentParser(
        prog="careerconv",
        description="Career conversations: the coach's app, progress reports, HR analytics, "
                    "all on a folder of open files.",
        parents=[_common_parent()],
        epilog=f"Settings: {settings.FILE_NAME} in the data folder holds the values you would otherwise repeat as "
               "flags (minimum group size, horizons, reports folder, port ...); `careerconv config` shows them "
               "and where each comes from.",
    )
    parser.add_argument("--version", action="version", version=f"careerconv {__version__}")
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    subparsers.required = True
    parent = _common_parent()
    for name in (COMMANDS[only],) if only is not None else COMMAND_MODULES:
        importlib.import_module(name).register(subparsers, parent)
    return parser


def parse_command_line(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> argparse.Namespace:
    """The command line parsed, with the data folder and every setting of the command resolved.

    Parameters
    ----------
    argv
        The arguments (default: ``sys.argv[1:]``).
    environ
        The environment (default: ``os.environ``).

    Returns
    -------
    argparse.Namespace
        The command's arguments; a setting's ``args.<dest>`` holds its value (flag, else environment,
        else settings file, else default), ``args.settings`` where each came from, ``args.settings_file``
        the file read (or None) and ``args.settings_values`` its values.

    Raises
    ------
    SystemExit
        For a usage error (argparse's message, exit code 2).
    careerconv.surfaces.commands.settings.SettingsError
        If the settings file is not valid (nothing should run).
    FileNotFoundError
        If ``--config FILE`` does not exist.
    ValueError
        If an environment variable holds a value its setting does not allow.
    """
    return resolve_settings(_parse(argv), environ)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line parsed by the parser of the command it names (:func:`command_named`)."""
    argv = sys.argv[1:] if argv is None else argv
    return build_parser(command_named(argv)).parse_args(argv)


def resolve_settings(args: argparse.Namespace, environ: dict[str, str] | None = None) -> argparse.Namespace:
    """Give parsed ``args`` their data folder and settings (see :func:`parse_command_line`)."""
    args.data_dir = config.data_dir(getattr(args, "data", None))
    args.settings_file = settings.find_file(args.data_dir, getattr(args, "config", None))
    args.settings_values = settings.load(args.settings_file) if args.settings_file else {}
    args.settings = settings.apply(args, args.settings_values, args.settings_file,
                                   os.environ if environ is None else environ)
    return args


def user_error(exc: Exception) -> str | None:
    """The one-line message for an error the user can act on, or None for any other (a bug).

    Rejected input (:class:`careerconv.records.schema.ValidationError`) is shown as it words itself; a record that
    is not there or was changed elsewhere, a missing or existing file, a permission, the disk refusing a write
    (full, read-only, failing), a bad value or name as ``error: <message>``.
    """
    # imported once a command failed, not before every command (see the module docstring)
    from careerconv.records.schema import ValidationError
    from careerconv.records.store import Conflict, NotFound, disk_refused

    if isinstance(exc, ValidationError):
        return str(exc)
    if disk_refused(exc) or isinstance(exc, (NotFound, Conflict, FileNotFoundError, FileExistsError, PermissionError,
                                             NotADirectoryError, IsADirectoryError, ValueError, KeyError)):
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        return f"error: {message}"
    return None


# The commands a scheduler stops with SIGTERM, which stops them as Ctrl-C does, once, from the moment they start: they
# end in their own words (what was done, how to go on), their workers shut down (found: SIGTERM while `report --all
# --dask local:2` was starting ended it without a word, or with Dask's tracebacks after its own).
_SIGTERM_STOPS = ("report",)


def main(argv: list[str] | None = None, *, as_process: bool = False) -> int:
    """Run the command line; return the exit code. ``as_process``: the process ends when this returns (the
    ``careerconv`` command), and a stop that comes meanwhile is dropped (see
    :func:`careerconv.surfaces.signals.stopped_once`)."""
    skip_slow_optional_modules()  # before a command imports papermill or nbformat
    argv = sys.argv[1:] if argv is None else argv
    command = command_named(argv)
    # A stop at any moment, while the command line is read too (found: Ctrl-C while `--dask local:2` was read,
    # which imports the report code, printed a KeyboardInterrupt traceback), and while the stopped command says so.
    with stopped_once(for_good=as_process) if command in _SIGTERM_STOPS else contextlib.nullcontext():
        try:
            return _run(argv)
        except KeyboardInterrupt as stopped:
            streams.close_bars()
            how, code = how_stopped(stopped)
            print(f"careerconv{f' {command}' if command else ''}: {how}", file=sys.stderr)
            return code
        finally:
            forget_caught_ctrl_c()  # a stop caught anywhere (here, in the command) ends with the command's exit code


def _run(argv: list[str]) -> int:
    """:func:`main`, but for a stop."""
    args = _parse(argv)
    try:
        resolve_settings(args)
    except (settings.SettingsError, FileNotFoundError, ValueError) as exc:
        print(f"careerconv {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    streams.show_settings(args, args.settings)
    try:
        code = args.func(args)
    except BrokenPipeError:
        # The reader of stdout has gone (`careerconv export T -o - | head`): stop quietly, as a tool killed by
        # SIGPIPE does, and keep Python from failing again when it flushes stdout at exit.
        streams.close_bars()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        message = user_error(exc)
        if message is None:
            raise  # a bug: its traceback is what to report
        streams.close_bars()
        print(f"careerconv {args.command}: {message}", file=sys.stderr)
        return EXIT_FAILED
    return int(code or 0)


def entry() -> None:  # pragma: no cover - console script shim
    sys.exit(main(as_process=True))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(as_process=True))
