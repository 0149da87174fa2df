"""careerconv.toml: each setting from flag > environment > file > default; errors that name the key; `config`."""

from __future__ import annotations

import json
from pathlib import Path

import hypothesis
import pytest
from hypothesis import given
from hypothesis import strategies as st

from careerconv.surfaces.commands import settings
from careerconv.cli import main, parse_command_line

ROSTER = ("employee_id,name,coach_id,department,role,cadence_months\n"
          "E001,Ana Silva,C01,Engineering,Developer,6\n"
          "C01,Cy Coach,C01,Engineering,Lead,12\n")
HISTORY = ("employee_id,date,skill,rating\n"
           "E001,03/04/2023,Python,5\n")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_settings(folder: Path, text: str, name: str = settings.FILE_NAME) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- precedence, per setting

# setting, command as typed, its value in a file (TOML) and as read, a flag and the value it gives
CASES = [
    ("privacy.min_group_size", ["hr-report"], "[privacy]\nmin_group_size = 7\n", 7, ["--min-group-size", "9"], 9),
    ("reports.horizons", ["report", "--all"], "[reports]\nhorizons = [24, 3, 3]\n", (3, 24),
     ["--horizons", "6,36"], (6, 36)),
    ("reports.jobs", ["report", "--all"], "[reports]\njobs = 3\n", 3, ["--jobs", "1"], 1),
    ("reports.figures", ["report", "--all"], '[reports]\nfigures = "png"\n', "png", ["--figures", "svg"], "svg"),
    ("reports.pdf", ["report", "--all"], "[reports]\npdf = true\n", True, ["--no-pdf"], False),
    ("due.soon_days", ["due"], "[due]\nsoon_days = 10\n", 10, ["--soon", "0"], 0),
    ("import.date_order", ["import", "history", "h.csv"], '[import]\ndate_order = "dmy"\n', "dmy",
     ["--date-order", "mdy"], "mdy"),
    ("app.port", ["app"], "[app]\nport = 9100\n", 9100, ["--port", "9200"], 9200),
    ("app.open_browser", ["app"], "[app]\nopen_browser = false\n", False, ["--browser"], True),
]


@pytest.mark.parametrize("key, command, toml, from_file, flag, from_flag", CASES, ids=[c[0] for c in CASES])
def test_each_setting_takes_the_flag_then_the_file_then_the_default(tmp_path: Path, key, command, toml, from_file,
                                                                      flag, from_flag):
    data = tmp_path / "data"
    data.mkdir()
    dest = settings.BY_KEY[key].dest
    base = ["--data", str(data), *command]

    args = parse_command_line(base, environ={})
    assert getattr(args, dest) == settings.BY_KEY[key].default
    assert args.settings[key].source == settings.DEFAULT

    path = write_settings(data, toml)
    args = parse_command_line(base, environ={})
    assert getattr(args, dest) == from_file
    assert (args.settings[key].source, args.settings[key].origin) == (settings.FILE, str(path))

    args = parse_command_line([*base, *flag], environ={})
    assert getattr(args, dest) == from_flag
    assert args.settings[key].source == settings.FLAG


@pytest.mark.parametrize("command, flag", [
    (["report", "--all"], "-o"), (["report", "--all"], "--output"), (["export", "roster"], "--reports"),
    (["erase", "--employee", "E001"], "--reports"), (["hr-report"], None),
])
def test_reports_folder_flag_then_environment_then_file_then_default(tmp_path: Path, command, flag):
    data = tmp_path / "data"
    write_settings(data, '[reports]\nfolder = "../shared reports/ünïcode"\n')
    base = ["--data", str(data), *command]
    # A relative folder in the file is relative to the file, not to wherever the command runs.
    args = parse_command_line(base, environ={})
    assert args.reports == (tmp_path / "shared reports" / "ünïcode").resolve()
    assert args.settings["reports.folder"].source == settings.FILE
    args = parse_command_line(base, environ={"CAREERCONV_REPORTS": str(tmp_path / "from-env")})
    assert args.reports == tmp_path / "from-env"
    assert args.settings["reports.folder"].describe_source() == "environment $CAREERCONV_REPORTS"
    if flag:
        args = parse_command_line([*base, flag, str(tmp_path / "typed")],
                                  environ={"CAREERCONV_REPORTS": str(tmp_path / "from-env")})
        assert Path(args.reports) == tmp_path / "typed"
        assert args.settings["reports.folder"].source == settings.FLAG
    (data / settings.FILE_NAME).unlink()
    args = parse_command_line(base, environ={})
    assert args.reports is None and args.settings["reports.folder"].source == settings.DEFAULT


def test_config_option_names_a_file_anywhere_and_wins_over_the_data_folders(tmp_path: Path):
    data = tmp_path / "data"
    write_settings(data, "[due]\nsoon_days = 10\n")
    team = write_settings(tmp_path / "elsewhere", "[due]\nsoon_days = 45\n", name="team.toml")
    args = parse_command_line(["--config", str(team), "--data", str(data), "due"], environ={})
    assert args.soon == 45 and args.settings["due.soon_days"].origin == str(team)


def test_a_setting_in_the_file_changes_what_the_command_does(tmp_path: Path, capsys):
    (tmp_path / "roster.csv").write_text(ROSTER)
    (tmp_path / "history.csv").write_text(HISTORY)
    data = tmp_path / "data"
    assert run(capsys, "--data", str(data), "import", "roster", str(tmp_path / "roster.csv"))[0] == 0
    code, _, err = run(capsys, "--data", str(data), "import", "history", str(tmp_path / "history.csv"))
    assert code == 1 and "day and month order is ambiguous" in err
    write_settings(data, '[import]\ndate_order = "dmy"\n\n[due]\nsoon_days = 12\n')
    code, out, _ = run(capsys, "--data", str(data), "import", "history", str(tmp_path / "history.csv"))
    assert code == 0 and "read as DD/MM/YYYY" in out
    code, out, _ = run(capsys, "--data", str(data), "due", "--as-of", "2023-05-01", "--format", "json")
    assert code == 0 and json.loads(out)["soon_days"] == 12
    code, out, _ = run(capsys, "--data", str(data), "due", "--as-of", "2023-05-01", "--format", "json", "--soon", "3")
    assert code == 0 and json.loads(out)["soon_days"] == 3


# --------------------------------------------------------------------------- a bad file


@pytest.mark.parametrize("text, message", [
    ("[reports]\njbos = 2\n", "unknown key 'reports.jbos' (did you mean 'reports.jobs'?); allowed keys: "
                              "privacy.min_group_size, reports.folder, reports.horizons, reports.jobs"),
    ("[report]\njobs = 2\n", "unknown section [report] (did you mean [reports]?); allowed sections: privacy, "
                             "reports, due, import, app"),
    ("soon_days = 3\n", "unknown key 'soon_days' at the top of the file; settings go in sections: write [due] and "
                        "then soon_days = ... under it"),
    ('[reports]\njobs = "2"\n', 'reports.jobs = "2": wrong type (text); expected a whole number, 1 or more jobs'),
    ("[reports]\njobs = 2.5\n", "reports.jobs = 2.5: wrong type (a decimal number); expected a whole number"),
    ("[reports]\npdf = 1\n", "reports.pdf = 1: wrong type (a whole number); expected true or false (without quotes)"),
    ('[reports]\nhorizons = "6,12"\n', 'reports.horizons = "6,12": wrong type (text); expected a list of months'),
    ("[reports]\nhorizons = [6, 200]\n", "reports.horizons = [6, 200]: horizons must be whole numbers of months "
                                         "from 1 to 120, got 200"),
    ("[reports]\nfolder = 3\n", "reports.folder = 3: wrong type (a whole number); expected a folder path as text"),
    ('[reports]\nfigures = "jpeg"\n', "reports.figures = \"jpeg\": 'jpeg' is not allowed; allowed: one of \"svg\", "
                                      "\"png\""),
    ("[privacy]\nmin_group_size = 2\n", "privacy.min_group_size = 2: minimum group size 2 is too small: it must be "
                                        "at least 3 employees"),
    ("[privacy]\nmin_group_size = true\n", "privacy.min_group_size = true: wrong type (true/false); expected a "
                                           "whole number, at least 3"),
    ("[due]\nsoon_days = -1\n", "due.soon_days = -1: -1 is out of range; allowed: a whole number, 0 or more days"),
    ("[app]\nport = 70000\n", "app.port = 70000: 70000 is out of range; allowed: a whole number from 1 to 65535"),
    ('[import]\ndate_order = "ymd"\n', "import.date_order = \"ymd\": 'ymd' is not allowed; allowed: one of \"dmy\", "
                                       "\"mdy\""),
    ("[due]\nsoon_days = 1979-05-27\n", "due.soon_days = 1979-05-27: wrong type (a date); expected a whole number"),
    ("[reports]\njobs = \n", "not valid TOML: Invalid value (at line 2, column 8)"),
    ("[due]\nsoon_days = 3\n[due]\nsoon_days = 4\n", "not valid TOML: Cannot declare ('due',) twice (at line 3"),
])
def test_a_bad_file_is_an_error_naming_the_key_and_nothing_runs(tmp_path: Path, capsys, text, message):
    (tmp_path / "roster.csv").write_text(ROSTER)
    data = tmp_path / "data"
    path = write_settings(data, text)
    before = sorted(p.name for p in data.iterdir())
    code, out, err = run(capsys, "--data", str(data), "import", "roster", str(tmp_path / "roster.csv"))
    assert (code, out) == (1, "")
    assert err.startswith(f"careerconv import: error: {path}: ") and message in err, err
    assert "nothing was run" in err and "Traceback" not in err
    assert sorted(p.name for p in data.iterdir()) == before  # the roster was not imported


def test_every_problem_of_a_file_is_listed_at_once(tmp_path: Path):
    path = write_settings(tmp_path, '[reports]\njobs = 0\nfigures = "gif"\n[due]\nsoon = 3\n')
    with pytest.raises(settings.SettingsError) as exc:
        settings.load(path)
    assert exc.value.problems == [
        "reports.jobs = 0: 0 is out of range; allowed: a whole number, 1 or more jobs",
        "reports.figures = \"gif\": 'gif' is not allowed; allowed: one of \"svg\", \"png\"",
        "unknown key 'due.soon' (did you mean 'due.soon_days'?); allowed keys: " + ", ".join(settings.BY_KEY),
    ]
    assert str(exc.value).startswith(f"{path}: 3 problem(s) in the settings file; nothing was run:\n  - reports.jobs")


def test_files_as_editors_save_them(tmp_path: Path):
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf[due]\r\nsoon_days = 5 # comment\r\n")
    assert settings.load(bom) == {"due.soon_days": 5}
    latin = tmp_path / "latin.toml"
    latin.write_bytes('[reports]\nfolder = "Café"\n'.encode("cp1252"))
    with pytest.raises(settings.SettingsError) as exc:
        settings.load(latin)
    assert "not UTF-8 text" in str(exc.value)
    assert settings.load(write_settings(tmp_path, "")) == {}
    dotted = write_settings(tmp_path, "reports.jobs = 2\ndue = { soon_days = 7 }\n", name="dotted.toml")
    assert settings.load(dotted) == {"reports.jobs": 2, "due.soon_days": 7}


def test_a_folder_named_like_the_settings_file_is_refused(tmp_path: Path, capsys):
    (tmp_path / settings.FILE_NAME).mkdir()
    code, out, err = run(capsys, "--data", str(tmp_path), "validate")
    assert (code, out) == (1, "")
    assert err == f"careerconv validate: error: {tmp_path / settings.FILE_NAME}: is not a file (a folder?); the " \
                  "settings file must be a TOML file; nothing was run\n"


def test_missing_config_file_and_bad_environment_are_errors(tmp_path: Path, capsys, monkeypatch):
    code, out, err = run(capsys, "--config", str(tmp_path / "nope.toml"), "--data", str(tmp_path), "config")
    assert (code, out) == (1, "")
    assert err == f"careerconv config: error: --config {tmp_path / 'nope.toml'}: {tmp_path / 'nope.toml'} does not " \
                  f"exist; give a settings file such as {tmp_path / settings.FILE_NAME}\n"
    code, _, err = run(capsys, "--config", str(tmp_path), "--data", str(tmp_path), "config")
    assert code == 1 and "is a folder" in err


# --------------------------------------------------------------------------- careerconv config


def test_config_shows_each_value_and_where_it_came_from(tmp_path: Path, capsys, monkeypatch):
    data = tmp_path / "data"
    path = write_settings(data, "[privacy]\nmin_group_size = 8\n\n[reports]\nhorizons = [6, 12]\n")
    monkeypatch.setenv("CAREERCONV_REPORTS", str(tmp_path / "env-reports"))
    code, out, err = run(capsys, "--data", str(data), "config")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"settings file: {path}"
    rows = {line.split()[0]: line for line in lines[3:]}
    assert list(rows) == list(settings.BY_KEY)
    assert rows["privacy.min_group_size"].split()[:3] == ["privacy.min_group_size", "8", "file"]
    assert f"file {path}" in rows["reports.horizons"] and "[6, 12]" in rows["reports.horizons"]
    assert str(tmp_path / "env-reports") in rows["reports.folder"]
    assert "environment $CAREERCONV_REPORTS" in rows["reports.folder"]
    assert rows["reports.jobs"].split()[1:] == ["(one", "per", "CPU", "core)", "default", "report"]
    assert "due.soon_days           30" in rows["due.soon_days"]

    code, out, _ = run(capsys, "--data", str(data), "config", "--format", "json")
    payload = json.loads(out)
    assert payload["file"] == str(path)
    assert payload["settings"]["privacy.min_group_size"] == {"value": 8, "source": "file", "origin": str(path),
                                                             "used_by": ["hr-report"]}
    assert payload["settings"]["reports.jobs"]["value"] is None
    assert payload["settings"]["reports.folder"]["source"] == "environment"


def test_config_without_a_file_says_so(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.delenv("CAREERCONV_REPORTS", raising=False)
    code, out, _ = run(capsys, "--data", str(tmp_path), "config")
    assert code == 0 and out.startswith(f"settings file: none ({tmp_path / settings.FILE_NAME} does not exist")
    assert all(line.split()[-2:] != ["file"] for line in out.splitlines()[3:])


def test_config_as_toml_is_a_settings_file_that_reads_back(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.delenv("CAREERCONV_REPORTS", raising=False)
    data = tmp_path / "data"
    write_settings(data, '[reports]\nfolder = "/srv/careers/\\"quoted\\" reports"\npdf = true\n'
                         '[import]\ndate_order = "mdy"\n')
    code, out, _ = run(capsys, "--data", str(data), "config", "--format", "toml")
    assert code == 0
    again = tmp_path / "again.toml"
    again.write_text(out, encoding="utf-8")
    values = settings.load(again)
    assert values["reports.folder"] == Path('/srv/careers/"quoted" reports')
    assert values["reports.pdf"] is True and values["import.date_order"] == "mdy"
    assert values["privacy.min_group_size"] == 5 and values["reports.horizons"] == (6, 12, 18)
    assert "reports.jobs" not in values and "# jobs = ...   (default: one per CPU core)" in out


def test_verbose_shows_the_settings_a_command_ran_with(tmp_path: Path, capsys):
    (tmp_path / "roster.csv").write_text(ROSTER)
    data = tmp_path / "data"
    assert run(capsys, "--data", str(data), "import", "roster", str(tmp_path / "roster.csv"))[0] == 0
    path = write_settings(data, "[due]\nsoon_days = 10\n")
    code, out, err = run(capsys, "--data", str(data), "due", "-v", "--as-of", "2026-01-01", "--format", "json")
    assert code == 0 and json.loads(out)["soon_days"] == 10
    assert f"due.soon_days  10  (file {path})" in err
    code, out, err = run(capsys, "--data", str(data), "due", "--verbose", "--soon", "4", "--format", "json")
    assert "due.soon_days  4  (flag --soon)" in err
    code, out, err = run(capsys, "--data", str(data), "due", "--soon", "4", "--format", "json")
    assert err == ""


# --------------------------------------------------------------------------- the settings reach the work


def test_report_and_hr_report_run_with_the_files_settings(sample_data: Path, capsys, monkeypatch):
    """The reports folder, chart format and minimum group size of careerconv.toml are the ones the outputs show."""
    monkeypatch.delenv("CAREERCONV_REPORTS", raising=False)
    write_settings(sample_data, '[reports]\nfolder = "../shared reports"\nfigures = "png"\njobs = 1\n\n'
                                "[privacy]\nmin_group_size = 9\n")
    shared = sample_data.parent / "shared reports"
    code, out, err = run(capsys, "--data", str(sample_data), "report", "E0002", "--as-of", "2026-10-01")
    assert code == 0, err
    assert f"reports in {shared}" in out and "\r" not in err
    page = (shared / "E0002" / "progress-2026-10-01.html").read_text(encoding="utf-8")
    assert "data:image/png" in page and "<svg" not in page

    code, out, err = run(capsys, "--data", str(sample_data), "hr-report", "--as-of", "2026-10-01")
    assert (code, out) == (0, "") and err == f"wrote {shared / 'hr-analytics-2026-10-01.html'}\n"
    hr = (shared / "hr-analytics-2026-10-01.html").read_text(encoding="utf-8")
    assert "fewer than 9 employees" in hr and "fewer than 5 employees" not in hr


def test_config_key_prints_the_value_alone_for_a_script(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.delenv("CAREERCONV_REPORTS", raising=False)
    data = tmp_path / "data"
    write_settings(data, "[reports]\nhorizons = [6, 24]\npdf = true\n")
    assert run(capsys, "--data", str(data), "config", "reports.horizons") == (0, "6,24\n", "")
    assert run(capsys, "--data", str(data), "config", "reports.pdf") == (0, "true\n", "")
    assert run(capsys, "--data", str(data), "config", "reports.folder") == (0, f"{tmp_path / 'reports'}\n", "")
    assert run(capsys, "--data", str(data), "config", "reports.jobs") == (0, "\n", "")
    code, out, err = run(capsys, "--data", str(data), "config", "reports.job")
    assert (code, out) == (1, "") and err.startswith("careerconv config: error: unknown setting 'reports.job'; "
                                                     "settings are: privacy.min_group_size, ")


def test_config_option_works_after_the_command_too(tmp_path: Path):
    team = write_settings(tmp_path, "[due]\nsoon_days = 45\n", name="team.toml")
    args = parse_command_line(["--data", str(tmp_path / "data"), "due", "--config", str(team)], environ={})
    assert args.soon == 45


_values = st.recursive(
    st.one_of(st.integers(-10**6, 10**6), st.booleans(), st.text(max_size=20), st.floats(allow_nan=False),
              st.dates()),
    lambda inner: st.lists(inner, max_size=4), max_leaves=6)
_names = st.one_of(st.sampled_from([s.name for s in settings.SETTINGS]), st.from_regex(r"[a-z_]{1,10}", fullmatch=True))
_sections = st.one_of(st.sampled_from(settings.SECTIONS), st.from_regex(r"[a-z_]{1,10}", fullmatch=True))


@given(st.dictionaries(_sections, st.dictionaries(_names, _values, max_size=4), max_size=4))
@hypothesis.settings(max_examples=300)
def test_property_any_document_is_read_or_refused_with_the_key_named(document):
    lines = []
    for section, body in document.items():
        lines.append(f"[{section}]")
        lines += [f"{name} = {settings._toml_value(value)}" for name, value in body.items()]
    text = "\n".join(lines) + "\n"
    try:
        values = settings.parse(text, Path("/srv/careers/careerconv.toml"))
    except settings.SettingsError as exc:
        for problem in exc.problems:
            assert problem.startswith(("unknown key", "unknown section", "not valid TOML")) or \
                any(problem.startswith(f"{key} = ") for key in settings.BY_KEY), problem
        return
    assert set(values) <= set(settings.BY_KEY)
    assert all(f"{key.split('.')[1]} = " in text for key in values)


@given(st.text(max_size=200))
@hypothesis.settings(max_examples=300)
def test_property_any_text_is_read_or_refused_never_a_crash(text):
    try:
        settings.parse(text, Path("careerconv.toml"))
    except settings.SettingsError as exc:
        assert exc.problems and str(exc).startswith("careerconv.toml: ")
