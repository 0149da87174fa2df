"""One settings file, ``careerconv.toml``: the values that would otherwise be repeated as flags on every command.

The file lives in the data folder (``<data>/careerconv.toml``), or anywhere
with ``careerconv --config FILE COMMAND``. It is TOML, read with
:mod:`tomllib`, in sections::

    [privacy]
    min_group_size = 7          # hr-report --min-group-size

    [reports]
    folder = "/srv/careers/reports"   # report -o, hr-report, export/erase --reports
    horizons = [6, 12, 24]

Each setting (:data:`SETTINGS`) says which commands use it, under which
``argparse`` destination, and which flag and environment variable (where one
exists) override it. The value a command runs with is, in order: its flag,
the environment variable, the settings file, the built-in default
(:func:`resolve`); each value records where it came from
(``careerconv config`` shows them, ``-v`` on any command too).

A file that is not valid TOML, holds a key that is not a setting, or a value
of the wrong type or out of range is refused whole, with every problem named
(:class:`SettingsError`): nothing runs on a bad file.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from careerconv.records.config import REPORTS_ENV

FILE_NAME = "careerconv.toml"

FLAG = "flag"
ENVIRONMENT = "environment"
FILE = "file"
DEFAULT = "default"


class SettingsError(ValueError):
    """The settings file cannot be used: every problem, one per line, each naming the key and what is allowed."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        head = f"{path}: {len(problems)} problem(s) in the settings file; nothing was run:" if len(problems) > 1 \
            else f"{path}: {problems[0]}; nothing was run"
        body = "".join(f"\n  - {p}" for p in problems) if len(problems) > 1 else ""
        super().__init__(head + body)


# ---------------------------------------------------------------------------
# value kinds: check a value read from TOML (or the environment), say what is allowed


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"  # dates and times: TOML has them, careerconv settings do not


@dataclass(frozen=True)
class WholeNumber:
    """A whole number from ``minimum`` to ``maximum`` (inclusive; None for no bound) of ``what``."""

    minimum: int | None = None
    maximum: int | None = None
    what: str = ""

    @property
    def expected(self) -> str:
        unit = f" {self.what}" if self.what else ""
        if self.minimum is not None and self.maximum is not None:
            return f"a whole number from {self.minimum} to {self.maximum}{unit}"
        if self.minimum is not None:
            return f"a whole number, {self.minimum} or more{unit}"
        return f"a whole number{unit}"

    def check(self, value: Any, base: Path | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(self.expected)
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            raise ValueError(f"{value} is out of range; allowed: {self.expected}")
        return value


@dataclass(frozen=True)
class Choice:
    """One of a few words."""

    choices: tuple[str, ...]

    @property
    def expected(self) -> str:
        return "one of " + ", ".join(f'"{c}"' for c in self.choices)

    def check(self, value: Any, base: Path | None = None) -> str:
        if not isinstance(value, str):
            raise TypeError(f"text, {self.expected}")
        if value not in self.choices:
            raise ValueError(f"{value!r} is not allowed; allowed: {self.expected}")
        return value


@dataclass(frozen=True)
class Flag:
    """true or false."""

    expected: str = "true or false (without quotes)"

    def check(self, value: Any, base: Path | None = None) -> bool:
        if not isinstance(value, bool):
            raise TypeError(self.expected)
        return value


@dataclass(frozen=True)
class Folder:
    """A folder; a relative path is relative to the settings file's folder, ``~`` is the home folder."""

    expected: str = "a folder path as text, e.g. \"/srv/careers/reports\""

    def check(self, value: Any, base: Path | None = None) -> Path:
        if not isinstance(value, str):
            raise TypeError(self.expected)
        if not value.strip() or "\x00" in value:
            raise ValueError(f"{value!r} is not a folder path")
        path = Path(value).expanduser()
        if not path.is_absolute() and base is not None:
            path = base / path
        return path.resolve()

    def from_text(self, text: str) -> Path:
        """A folder given as text (an environment variable); relative to the working folder."""
        return self.check(text, Path.cwd())


@dataclass(frozen=True)
class Checked:
    """A value checked by one of the product's own rules (``rule(value)`` returns it or raises ValueError)."""

    rule: Callable[[Any], Any]
    expected: str
    python_type: type | tuple[type, ...]

    def check(self, value: Any, base: Path | None = None) -> Any:
        if isinstance(value, bool) or not isinstance(value, self.python_type):
            raise TypeError(self.expected)
        return self.rule(value)


# ---------------------------------------------------------------------------
# the settings


@dataclass(frozen=True)
class Setting:
    """One setting: its key in the file, the commands that use it and how they spell it.

    Attributes
    ----------
    key
        ``section.name``, as written in the file (``[section]`` then ``name = ...``).
    kind
        Checks a value and says what is allowed.
    default
        The built-in value (None where the command decides, e.g. one job per CPU core).
    default_text
        How the default reads in ``careerconv config``.
    dest
        The ``argparse`` destination the commands read (``args.<dest>``).
    commands
        The commands that use it, as typed: ``"report"``, ``"import history"``.
    flags
        The options that override it, by command.
    env
        The environment variable that overrides it (None for most).
    help
        One line on what it does.
    """

    key: str
    kind: Any
    default: Any
    default_text: str
    dest: str
    commands: tuple[str, ...]
    flags: Mapping[str, str] = field(default_factory=dict)
    env: str | None = None
    help: str = ""

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]


def _k(value: int) -> int:
    from careerconv.rules.privacy import check_k

    return check_k(value)


def _horizons(value: list) -> tuple[int, ...]:
    from ..report.content import parse_horizons

    return parse_horizons(value)


def _settings() -> tuple[Setting, ...]:
    # from the light module of defaults, not the modules that use them: resolving settings imports no pandas
    from careerconv.records.defaults import DATE_ORDERS, DEFAULT_K, DUE_SOON_DAYS, HORIZONS, MIN_K

    return (
        Setting(key="privacy.min_group_size", kind=Checked(_k, f"a whole number, at least {MIN_K}", int),
                default=DEFAULT_K, default_text=str(DEFAULT_K), dest="min_group_size", commands=("hr-report",),
                flags={"hr-report": "--min-group-size"},
                help="smallest number of distinct employees an HR figure may describe"),
        Setting(key="reports.folder", kind=Folder(), default=None, default_text="reports/ beside the data folder",
                dest="reports", commands=("report", "hr-report", "export", "erase"),
                flags={"report": "-o/--output", "export": "--reports", "erase": "--reports"}, env=REPORTS_ENV,
                help="where progress reports and the HR page are written (and looked for by export and erase)"),
        Setting(key="reports.horizons",
                kind=Checked(_horizons, "a list of months from 1 to 120, e.g. [6, 12, 18]", list),
                default=HORIZONS, default_text="[" + ", ".join(map(str, HORIZONS)) + "]", dest="horizons",
                commands=("report",), flags={"report": "--horizons"},
                help="months after each conversation at which targets are measured"),
        Setting(key="reports.jobs", kind=WholeNumber(1, None, "jobs"), default=None, default_text="one per CPU core",
                dest="jobs", commands=("report",), flags={"report": "--jobs"},
                help="progress reports made in parallel on this machine"),
        Setting(key="reports.figures", kind=Choice(("svg", "png")), default="svg", default_text='"svg"',
                dest="figures", commands=("report",), flags={"report": "--figures"},
                help="chart format in progress reports"),
        Setting(key="reports.pdf", kind=Flag(), default=False, default_text="false", dest="pdf", commands=("report",),
                flags={"report": "--pdf/--no-pdf"}, help="also write each progress report as a PDF"),
        Setting(key="due.soon_days", kind=WholeNumber(0, None, "days"), default=DUE_SOON_DAYS,
                default_text=str(DUE_SOON_DAYS), dest="soon", commands=("due",), flags={"due": "--soon"},
                help="how many days ahead counts as 'due soon'"),
        Setting(key="import.date_order", kind=Choice(DATE_ORDERS), default=None,
                default_text="decided per file; ambiguous files refused", dest="date_order",
                commands=("import history",), flags={"import history": "--date-order"},
                help="how dates like 03/04/2024 are read in history files: day/month or month/day"),
        Setting(key="app.port", kind=WholeNumber(1, 65535), default=None, default_text="the first free port",
                dest="port", commands=("app",), flags={"app": "--port"},
                help="the port the coach's app listens on (127.0.0.1)"),
        Setting(key="app.open_browser", kind=Flag(), default=True, default_text="true", dest="open_browser",
                commands=("app",), flags={"app": "--browser/--no-browser"},
                help="open the app in a browser when it starts"),
    )


SETTINGS: tuple[Setting, ...] = _settings()
BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}
SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(s.section for s in SETTINGS))


# ---------------------------------------------------------------------------
# reading the file


def find_file(data_dir: Path, explicit: str | os.PathLike | None = None) -> Path | None:
    """The settings file to read: ``--config FILE`` if given, else ``<data>/careerconv.toml`` if it exists.

    Raises
    ------
    FileNotFoundError
        If ``explicit`` is given and is not a file.
    SettingsError
        If ``<data>/careerconv.toml`` is there but is not a file.
    """
    if explicit is not None:
        path = Path(explicit).expanduser().resolve()
        if not path.is_file():
            what = "is a folder" if path.is_dir() else "does not exist"
            raise FileNotFoundError(f"--config {explicit}: {path} {what}; give a settings file such as "
                                    f"{Path(data_dir) / FILE_NAME}")
        return path
    path = Path(data_dir) / FILE_NAME
    if path.exists() and not path.is_file():
        raise SettingsError(path, ["is not a file (a folder?); the settings file must be a TOML file"])
    return path if path.exists() else None


def _unknown(key: str) -> str:
    close = difflib.get_close_matches(key, list(BY_KEY), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key {key!r}{hint}; allowed keys: {', '.join(BY_KEY)}"


def parse(text: str, path: Path) -> dict[str, Any]:
    """Check the text of a settings file and return its values by key (``"reports.jobs": 2``).

    Parameters
    ----------
    text
        The file's text.
    path
        Where it was read from: named in errors, and relative folders are taken from its folder.

    Returns
    -------
    dict
        Each setting the file gives, checked and converted (folders to absolute paths, horizons to a tuple).

    Raises
    ------
    SettingsError
        If the text is not TOML (with the line and column), or any key is not a setting (with the allowed
        keys), or any value has the wrong type (with the expected type) or is out of range.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(path, [f"not valid TOML: {exc}"]) from None
    problems: list[str] = []
    values: dict[str, Any] = {}
    for section, body in document.items():
        if not isinstance(body, dict):
            owners = [s for s in SETTINGS if s.name == section]
            if owners:
                problems.append(f"unknown key {section!r} at the top of the file; settings go in sections: "
                                f"write [{owners[0].section}] and then {section} = ... under it "
                                f"(allowed keys: {', '.join(BY_KEY)})")
            else:
                problems.append(_unknown(section))
            continue
        if section not in SECTIONS:
            close = difflib.get_close_matches(section, SECTIONS, n=1)
            hint = f" (did you mean [{close[0]}]?)" if close else ""
            problems.append(f"unknown section [{section}]{hint}; allowed sections: {', '.join(SECTIONS)} "
                            f"(keys: {', '.join(BY_KEY)})")
            continue
        for name, value in body.items():
            key = f"{section}.{name}"
            setting = BY_KEY.get(key)
            if setting is None:
                problems.append(_unknown(key))
                continue
            try:
                values[key] = setting.kind.check(value, path.parent)
            except TypeError as exc:
                problems.append(f"{key} = {_toml_value(value)}: wrong type ({_type_name(value)}); expected {exc}")
            except ValueError as exc:
                problems.append(f"{key} = {_toml_value(value)}: {exc}")
    if problems:
        raise SettingsError(path, problems)
    return values


def load(path: Path) -> dict[str, Any]:
    """Read and check a settings file (see :func:`parse`).

    Raises
    ------
    SettingsError
        If it cannot be read as UTF-8 text or :func:`parse` refuses it.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SettingsError(path, [f"not UTF-8 text (byte {exc.start}); save it as UTF-8"]) from None
    except OSError as exc:
        raise SettingsError(path, [f"cannot be read: {exc.strerror}"]) from None
    return parse(text, path)


# ---------------------------------------------------------------------------
# resolving: flag > environment > file > default


@dataclass(frozen=True)
class Resolved:
    """The value a setting has for this run, and where it came from."""

    setting: Setting
    value: Any
    source: str  # FLAG, ENVIRONMENT, FILE or DEFAULT
    origin: str  # "--jobs", "$CAREERCONV_REPORTS", the file's path, "" for the default

    def describe_source(self) -> str:
        if self.source == DEFAULT:
            return "default"
        if self.source == FILE:
            return f"file {self.origin}"
        if self.source == ENVIRONMENT:
            return f"environment {self.origin}"
        return f"flag {self.origin}"


def _from_environment(setting: Setting, environ: Mapping[str, str]) -> Any:
    if setting.env is None or not environ.get(setting.env):
        return None
    try:
        return setting.kind.from_text(environ[setting.env])
    except ValueError as exc:
        raise ValueError(f"${setting.env}: {exc}") from None


def effective(file_values: Mapping[str, Any], file_path: Path | None, environ: Mapping[str, str],
              flags: Mapping[str, tuple[Any, str]] | None = None,
              settings: Iterable[Setting] = SETTINGS) -> dict[str, Resolved]:
    """Each setting's value for this run, by key: flag, else environment, else file, else default.

    Parameters
    ----------
    file_values
        The file's values (:func:`load`); empty when there is no file.
    file_path
        The file they came from (None when there is none).
    environ
        The environment (``os.environ``).
    flags
        Values given on the command line, by key: ``(value, "--jobs")``.
    settings
        Which settings to resolve (default: all).

    Returns
    -------
    dict of str to Resolved

    Raises
    ------
    ValueError
        If an environment variable holds a value the setting does not allow.
    """
    flags = flags or {}
    out: dict[str, Resolved] = {}
    for setting in settings:
        if setting.key in flags:
            value, option = flags[setting.key]
            out[setting.key] = Resolved(setting, value, FLAG, option)
            continue
        from_env = _from_environment(setting, environ)
        if from_env is not None:
            out[setting.key] = Resolved(setting, from_env, ENVIRONMENT, f"${setting.env}")
        elif setting.key in file_values:
            out[setting.key] = Resolved(setting, file_values[setting.key], FILE, str(file_path))
        else:
            out[setting.key] = Resolved(setting, setting.default, DEFAULT, "")
    return out


def resolve_one(key: str, data_dir: str | os.PathLike, explicit: str | os.PathLike | None = None,
                environ: Mapping[str, str] | None = None) -> Resolved:
    """One setting's value for a program without flags of its own (the records service): the same rule as every
    command's, the environment, else the settings file (``explicit``, else ``<data>/careerconv.toml``), else the
    default.

    Raises
    ------
    SettingsError
        If the settings file is not valid (see :func:`load`).
    FileNotFoundError
        If ``explicit`` is given and is not a file.
    ValueError
        If the setting's environment variable holds a value it does not allow.
    """
    path = find_file(Path(data_dir), explicit)
    values = load(path) if path else {}
    resolved = effective(values, path, os.environ if environ is None else environ, settings=(BY_KEY[key],))
    return resolved[key]


def command_path(args: Any) -> str:
    """The command as typed, with its sub-command: ``"report"``, ``"import history"``."""
    sub = getattr(args, "what", None)
    return f"{args.command} {sub}" if sub else str(args.command)


def used_by(command: str) -> tuple[Setting, ...]:
    """The settings ``command`` (as :func:`command_path` spells it) uses."""
    return tuple(s for s in SETTINGS if command in s.commands)


def apply(args: Any, file_values: Mapping[str, Any], file_path: Path | None,
          environ: Mapping[str, str]) -> dict[str, Resolved]:
    """Give the command's settings their values on ``args`` (a flag left as None takes env, file or default).

    A command's flag for a setting is declared with ``default=None`` so that a
    value typed on the command line is told apart from one not given.

    Returns
    -------
    dict of str to Resolved
        The settings of this command, with where each came from.
    """
    command = command_path(args)
    mine = used_by(command)
    flags = {s.key: (getattr(args, s.dest), s.flags.get(command, s.dest))
             for s in mine if getattr(args, s.dest, None) is not None}
    resolved = effective(file_values, file_path, environ, flags, mine)
    for key, item in resolved.items():
        setattr(args, item.setting.dest, item.value)
    return resolved


# ---------------------------------------------------------------------------
# writing values back as TOML (careerconv config --format toml)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        escaped = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in escaped)
        return f'"{escaped}"'
    if isinstance(value, dict):
        return "{...}"
    if hasattr(value, "isoformat"):  # TOML dates and times
        return value.isoformat()
    return repr(value)


def to_toml(resolved: Mapping[str, Resolved]) -> str:
    """A settings file holding ``resolved``'s values, each with its help as a comment.

    A setting still at a default the command decides at run time (no value,
    such as ``reports.jobs``) is written commented out, with what the default is.
    """
    lines = [f"# careerconv settings: {FILE_NAME} in the data folder (or careerconv --config FILE).",
             "# A flag on the command line wins over this file; see `careerconv config`."]
    for section in SECTIONS:
        lines += ["", f"[{section}]"]
        for item in (r for r in resolved.values() if r.setting.section == section):
            s = item.setting
            lines.append(f"# {s.help}; used by: {', '.join(s.commands)}")
            if item.value is None:
                lines.append(f"# {s.name} = ...   (default: {s.default_text})")
            else:
                lines.append(f"{s.name} = {_toml_value(item.value)}")
    return "\n".join(lines) + "\n"


def display_value(item: Resolved) -> str:
    """How a value reads in ``careerconv config``'s table."""
    if item.value is None:
        return f"({item.setting.default_text})"
    return _toml_value(item.value)
