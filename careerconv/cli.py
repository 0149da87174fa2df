"""The ``careerconv`` command line: a thin edge over the package.

Each command lives in its own module under :mod:`careerconv.commands` with a
``register(subparsers)`` function that adds its parser and sets ``func``; this
module only builds the parser, resolves the data folder and turns errors a
user can act on into one readable message on stderr and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__, config
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
)

EXIT_USAGE = 2
EXIT_FAILED = 1


def _data_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--data", metavar="DIR", default=argparse.SUPPRESS,
                        help=f"data folder (default: ${config.DATA_ENV} or ./data)")
    return parent


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="careerconv",
        description="Career conversations: the coach's app, progress reports, HR analytics, "
                    "all on a folder of open files.",
        parents=[_data_parent()],
    )
    parser.add_argument("--version", action="version", version=f"careerconv {__version__}")
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    subparsers.required = True
    parent = _data_parent()
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers, parent)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.data_dir = config.data_dir(getattr(args, "data", None))
    try:
        code = args.func(args)
    except ValidationError as exc:
        print(f"careerconv {args.command}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (NotFound, Conflict, FileNotFoundError, FileExistsError, PermissionError, ValueError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"careerconv {args.command}: error: {message}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"careerconv {args.command}: interrupted", file=sys.stderr)
        return 130
    return int(code or 0)


def entry() -> None:  # pragma: no cover - console script shim
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
