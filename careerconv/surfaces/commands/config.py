"""``careerconv config``: the settings in force, and where each came from (flag, environment, file, default)."""

from __future__ import annotations

import argparse
import json
import os
import textwrap
from pathlib import Path

from careerconv.records import config
from . import settings
from . import streams

FORMATS = ("table", "toml", "json")


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    """Add the ``config`` command to the ``careerconv`` parser."""
    p = subparsers.add_parser(
        "config", parents=[parent], help=f"show the effective settings ({settings.FILE_NAME}) and where each came from",
        description="\n\n".join(textwrap.fill(part, 78, break_on_hyphens=False) for part in (
            f"Show every setting, its value and where it came from. A command takes each setting from, in "
            f"order: its flag on the command line, the environment variable (only the reports folder has "
            f"one: ${settings.REPORTS_ENV}), the settings file ({settings.FILE_NAME} in the data folder, or --config "
            f"FILE before the command), the built-in default. Run a command with -v to see the settings it "
            f"ran with, flags included.",
            "The file is checked as a whole: a key that is not a setting, a value of the wrong type or out "
            "of range, or text that is not TOML is an error naming the key (or line), and no command runs "
            "until it is fixed.")),
        epilog="examples:\n"
               "  careerconv config\n"
               "  careerconv config reports.folder          # the value alone, for a script\n"
               "  careerconv --data /srv/careers config --format toml > /srv/careers/careerconv.toml\n"
               "  careerconv --config team.toml config --format json\n\n"
               "settings:\n" + "\n".join(
                   textwrap.fill(f"{s.key:<24}{s.help} (default: {s.default_text})", 78, initial_indent="  ",
                                 subsequent_indent=" " * 26, break_on_hyphens=False) for s in settings.SETTINGS),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("key", nargs="?", metavar="KEY",
                   help="print only this setting's value, for a script (e.g. reports.folder)")
    p.add_argument("--format", choices=FORMATS, default="table",
                   help="table (readable, default), toml (a settings file to start from), json (tools)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the effective settings on stdout."""
    resolved = settings.effective(args.settings_values, args.settings_file, os.environ)
    if args.key is not None:
        if args.key not in resolved:
            raise ValueError(f"unknown setting {args.key!r}; settings are: {', '.join(resolved)}")
        streams.result(f"{plain_value(resolved[args.key], args.data_dir)}\n")
        return 0
    if args.format == "json":
        streams.result(format_json(resolved, args.settings_file, args.data_dir))
    elif args.format == "toml":
        streams.result(settings.to_toml(resolved))
    else:
        streams.result(format_table(resolved, args.settings_file, args.data_dir))
    return 0


def plain_value(item: settings.Resolved, data_dir: Path) -> str:
    """One setting's value as a shell script wants it: a folder as a path, a list as ``6,12,18``, true/false.

    Where the command decides at run time (no value) the line is empty, except for the reports folder,
    which is the folder the default gives for ``data_dir``.
    """
    value = item.value
    if value is None:
        return str(config.reports_dir(data_dir)) if item.setting.key == "reports.folder" else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def _file_line(file: Path | None, data_dir: Path) -> str:
    if file is None:
        return f"settings file: none ({Path(data_dir) / settings.FILE_NAME} does not exist; every value is a default " \
               "unless the environment sets it)"
    return f"settings file: {file}"


def format_table(resolved: dict[str, settings.Resolved], file: Path | None, data_dir: Path) -> str:
    """The settings as an aligned table: KEY, VALUE, FROM, USED BY, with the file in use on top.

    Returns
    -------
    str
        Text ending in a newline.
    """
    rows = [("KEY", "VALUE", "FROM", "USED BY")]
    for key, item in resolved.items():
        value = settings.display_value(item)
        if key == "reports.folder" and item.value is None:
            value = str(config.reports_dir(data_dir))  # where the default puts them for this data folder
        rows.append((key, value, item.describe_source(), ", ".join(item.setting.commands)))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [_file_line(file, data_dir), ""]
    for row in rows:
        lines.append("  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(row)).rstrip())
    return "\n".join(lines) + "\n"


def format_json(resolved: dict[str, settings.Resolved], file: Path | None, data_dir: Path) -> str:
    """The settings as JSON: ``{"file": PATH or null, "settings": {KEY: {"value", "source", "origin"}}}``.

    ``value`` is null where the command decides at run time (e.g. one job per CPU core); ``source`` is
    ``flag``, ``environment``, ``file`` or ``default``.
    """
    def plain(value):
        if isinstance(value, Path):
            return str(value)
        if isinstance(value, tuple):
            return list(value)
        return value

    payload = {"file": str(file) if file else None, "data_dir": str(data_dir),
               "settings": {key: {"value": plain(item.value), "source": item.source, "origin": item.origin or None,
                                  "used_by": list(item.setting.commands)}
                            for key, item in resolved.items()}}
    return json.dumps(payload, ensure_ascii=False, indent=1) + "\n"
