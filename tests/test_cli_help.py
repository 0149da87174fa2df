"""``careerconv --help``, each command's ``--help`` and a misspelt command answer at once: the parser is built from
modules that import none of what a command needs only when it runs (pandas, numpy, matplotlib, papermill, Jupyter,
Voila), and it says what it said before those imports moved into the commands' ``run`` (found on this host:
``careerconv --help`` took 1.2-1.7 s, ~4 s under load, importing every command's pandas and matplotlib)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from careerconv import cli

# What a command imports when it runs, never to show its help (top-level package names).
HEAVY = ("pandas", "numpy", "pyarrow", "matplotlib", "papermill", "nbformat", "nbconvert", "nbclient", "jupyter_client",
         "jupyter_core", "jupyter_server", "jupyterlab", "jupyterhub", "voila", "ipywidgets", "IPython", "tornado",
         "traitlets", "openpyxl", "duckdb", "dask")

# Command lines a person types to find their way: the help of everything, of each command and sub-command, no
# command, a misspelt one.
COMMAND_LINES = [["--help"], *([*name.split(), "--help"] for name in (
    "demo", "import", "import roster", "import history", "app", "hub", "due", "report", "hr-report", "export",
    "erase", "validate", "refresh", "config")), [], ["nosuch"], ["--version"]]

# Runs each command line in one fresh interpreter and prints, after each, the heavy packages loaded so far.
_PROBE = """
import contextlib, io, json, sys
from careerconv import cli
heavy, lines = json.loads(sys.argv[1]), json.loads(sys.argv[2])
loaded = {}
for words in lines:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            cli.main(words)
        except SystemExit:
            pass
    loaded[" ".join(words)] = sorted(name for name in heavy if name in sys.modules)
print(json.dumps(loaded))
"""


def test_help_and_a_misspelt_command_import_nothing_a_command_needs_only_when_it_runs():
    done = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(HEAVY), json.dumps(COMMAND_LINES)],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert loaded == {" ".join(words): [] for words in COMMAND_LINES}


# Reads each report command line in one fresh interpreter as `careerconv` does before it runs anything (a good one
# parsed, a bad one refused), and prints what was read and the heavy packages loaded so far.
_BATCH_OPTIONS_PROBE = """
import contextlib, io, json, sys
from careerconv import cli
heavy, data, good, bad = json.loads(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
read = {}
for words in good:
    args = cli.parse_command_line(["--data", data, *words])
    read[" ".join(words)] = [str(args.dask), str(args.shard)]
for words in bad:
    said = io.StringIO()
    with contextlib.redirect_stderr(said):
        try:
            cli.main(words)
        except SystemExit as refused:
            read[" ".join(words)] = [refused.code, said.getvalue().splitlines()[-1]]
print(json.dumps({"read": read, "loaded": sorted(name for name in heavy if name in sys.modules)}))
"""


def test_the_report_batch_options_are_read_without_the_report_code(tmp_path):
    """``--dask`` and ``--shard`` are read, and a bad value refused, before pandas, matplotlib, papermill or Dask is
    imported (found: reading ``report --all --dask local:2`` imported all four, 4-8 s on a busy machine before a bad
    value was refused, and the whole window of a stop "while the command line is read")."""
    good = [["report", "--all", "--dask", "local:2"], ["report", "--all", "--shard", "3/8"],
            ["report", "--all", "--dask", "tcp://10.0.0.5:8786", "--shard", "1/2"]]
    bad = [["report", "--all", "--dask", "local:0"], ["report", "--all", "--dask", "nowhere"],
           ["report", "--all", "--shard", "5/4"]]
    done = subprocess.run([sys.executable, "-c", _BATCH_OPTIONS_PROBE, json.dumps([*HEAVY, "distributed"]),
                           str(tmp_path), json.dumps(good), json.dumps(bad)],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout)
    assert probe["read"] == {
        "report --all --dask local:2": ["local:2", "None"],
        "report --all --shard 3/8": ["None", "3/8"],
        "report --all --dask tcp://10.0.0.5:8786 --shard 1/2": ["tcp://10.0.0.5:8786", "1/2"],
        "report --all --dask local:0": [2, "careerconv report: error: argument --dask: 'local:0': a local cluster has "
                                           "from 1 to 256 worker processes"],
        "report --all --dask nowhere": [2, "careerconv report: error: argument --dask: 'nowhere' is not a Dask "
                                           "cluster: give local:N to start N worker processes on this machine (e.g. "
                                           "local:2), or the address of a running scheduler (e.g. "
                                           "tcp://10.0.0.5:8786 or tls://scheduler.example.org:8786)"],
        "report --all --shard 5/4": [2, "careerconv report: error: argument --shard: '5/4': shard 5 of 4 does not "
                                        "exist: shards are numbered from 1 to 4 (the first is 1/4, the last 4/4)"],
    }
    assert probe["loaded"] == []


# Each command's own options (the common ones, --data --config -q -v, are every command's), as they were before.
OPTIONS = {
    "demo": ["--employees", "--seed", "--as-of", "--years", "--force"],
    "import": [],
    "import roster": ["FILE", "--skip-invalid", "--rejected", "--dry-run", "--allow-erased", "--sheet",
                      "--missing-have-left"],
    "import history": ["FILE", "--skip-invalid", "--rejected", "--dry-run", "--allow-erased", "--sheet",
                       "--date-order"],
    "app": ["--port", "--browser --no-browser", "--lab"],
    "hub": ["--port", "--state", "--groups", "--new-passwords"],
    "due": ["--coach", "--within", "--soon", "--as-of", "--format", "-o --output", "--ics", "--remind"],
    "report": ["EMPLOYEE", "--all", "--as-of", "--jobs", "--force", "-o --output", "--out", "--pdf --no-pdf",
               "--horizons", "--figures", "--shard", "--merge-index", "--dask"],
    "hr-report": ["--period-start", "--period-end", "--department", "--min-group-size", "--as-of", "-o --output",
                  "--out", "--csv", "--xlsx"],
    "export": ["TABLE|DIR", "--format", "-o --output", "--out", "--employee", "--reports"],
    "erase": ["--employee", "--yes", "--reports", "--access-log", "--looked-at"],
    "validate": [],
    "refresh": ["--full"],
    "config": ["KEY", "--format"],
}
COMMON = ["--data", "--config", "-q --quiet", "-v --verbose"]


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> dict[str, argparse.ArgumentParser]:
    """Every command and sub-command's parser by its words (``import roster``)."""
    found = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[f"{prefix}{name}"] = sub
                found.update(_commands(sub, f"{prefix}{name} "))
    return found


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return [" ".join(a.option_strings) if a.option_strings else a.metavar or a.dest for a in parser._actions
            if not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction))]


def test_every_command_keeps_its_options_in_order():
    commands = _commands(cli.build_parser())
    assert list(commands) == list(OPTIONS)
    assert {name: _options(parser) for name, parser in commands.items()} == \
        {name: COMMON + options for name, options in OPTIONS.items()}


# What the help says of the values the parsers now take from light modules instead of the pandas-importing ones.
@pytest.mark.parametrize("words, said", [
    (["demo"], "people on the roster, coaches included (8–2,000,000; default 60)"),
    (["due"], "(default 30; setting due.soon_days)"),
    (["due"], "up to --within days ahead (default 365)"),
    (["hr-report"], "(default 5, at least 3; setting privacy.min_group_size)"),
    (["export"], "roster, conversations, dreams, skills, skill_ratings, targets, options, action_items, checkins, "
                 "checkin_updates, answers, history, target_status"),
    (["import", "history"], "--date-order {dmy,mdy}"),
])
def test_help_states_the_limits_and_names_the_commands_use(words, said, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main([*words, "--help"])
    assert done.value.code == 0
    assert said in " ".join(capsys.readouterr().out.split())  # as if on one line, however the terminal wraps it
