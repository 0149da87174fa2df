"""The ``careerconv`` command line: a thin edge over the package.

Each command lives in its own module under :mod:`careerconv.commands` with a
``register(subparsers)`` function that adds its parser and sets ``func``; this
module only builds the parser, resolves the data folder, gives each command
its settings (flag, else environment, else ``careerconv.toml``, else default:
:mod:`careerconv.settings`) and turns errors a user can act on into one
readable message on stderr and a non-zero exit code. Results go to stdout,
everything else to stderr (:mod:`careerconv.commands.streams`).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from . import __version__, config
from . import settings as S
from .commands import streams
from .schema import ValidationError
from .store import Conflict, NotFound

# Order here is the order in `careerconv --help`.
COMMAND_MODULES = (
    "careerconv.commands.demo",
    "careerconv.commands.importing",
    "careerconv.commands.app",
    "careerconv.commands.hub",
    "careerconv.commands.due",
    "careerconv.commands.report",
    "careerconv.commands.hr_report",
    "careerconv.commands.export",
    "careerconv.commands.erase",
    "careerconv.commands.validate",
    "careerconv.commands.refresh",
    "careerconv.commands.config",
)

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
                        help=f"settings file (default: {S.FILE_NAME} in the data folder, if there is one)")
    parent.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="no progress bars or status messages on stderr (results, warnings and errors stay)")
    parent.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="also show, on stderr, the settings the command runs with and where each came "
                             "from (flag, environment, settings file, default)")
    return parent


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="careerconv",
        description="Career conversations: the coach's app, progress reports, HR analytics, "
                    "all on a folder of open files.",
        parents=[_common_parent()],
        epilog=f"Settings: {S.FILE_NAME} in the data folder holds the values you would otherwise repeat as "
               "flags (minimum group size, horizons, reports folder, port ...); `careerconv config` shows them "
               "and where each comes from.",
    )
    parser.add_argument("--version", action="version", version=f"careerconv {__version__}")
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    subparsers.required = True
    parent = _common_parent()
    for name in COMMAND_MODULES:
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
    careerconv.settings.SettingsError
        If the settings file is not valid (nothing should run).
    FileNotFoundError
        If ``--config FILE`` does not exist.
    ValueError
        If an environment variable holds a value its setting does not allow.
    """
    return resolve_settings(build_parser().parse_args(argv), environ)


def resolve_settings(args: argparse.Namespace, environ: dict[str, str] | None = None) -> argparse.Namespace:
    """Give parsed ``args`` their data folder and settings (see :func:`parse_command_line`)."""
    args.data_dir = config.data_dir(getattr(args, "data", None))
    args.settings_file = S.find_file(args.data_dir, getattr(args, "config", None))
    args.settings_values = S.load(args.settings_file) if args.settings_file else {}
    args.settings = S.apply(args, args.settings_values, args.settings_file,
                            os.environ if environ is None else environ)
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        resolve_settings(args)
    except (S.SettingsError, FileNotFoundError, ValueError) as exc:
        print(f"careerconv {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    streams.show_settings(args, args.settings)
    try:
        code = args.func(args)
    except ValidationError as exc:
        streams.close_bars()
        print(f"careerconv {args.command}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (NotFound, Conflict, FileNotFoundError, FileExistsError, PermissionError, ValueError, KeyError) as exc:
        streams.close_bars()
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"careerconv {args.command}: error: {message}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        # The reader of stdout has gone (`careerconv export T -o - | head`): stop quietly, as a tool killed by
        # SIGPIPE does, and keep Python from failing again when it flushes stdout at exit.
        streams.close_bars()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        streams.close_bars()
        print(f"careerconv {args.command}: interrupted", file=sys.stderr)
        return 130
    return int(code or 0)


def entry() -> None:  # pragma: no cover - console script shim
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
