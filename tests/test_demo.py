"""The demo organisation: deterministic, valid, and shaped like a real one."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from careerconv import cli
from careerconv.records import config, schema
from careerconv.demo import organisation as demo
from careerconv.records.store import Store

PROJECT = Path(__file__).resolve().parent.parent
SAMPLE = config.SAMPLE_DATA_DIR
SAMPLE_ARGS = ["--employees", "24", "--seed", "1", "--as-of", "2026-10-01"]
SAMPLE_COMMAND = "careerconv demo --data careerconv/demo/sample --employees 24 --seed 1 --as-of 2026-10-01 --force"
AS_OF = dt.date(2026, 10, 1)
OPTION_WORDS = {  # words that show the kind of an option in its text
    "course": ("course",), "mentoring": ("mentor",), "stretch project": ("stretch project",),
    "practice": ("practise", "practice"), "reading": ("read",), "shadowing": ("shadow",),
    "conference": ("conference",), "certification": ("certification",),
}


def _files(root: Path) -> dict[str, bytes]:
    """Every committed-kind file under a data folder (roster and records), by relative path."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and rel.parts[0] in ("roster.csv", "conversations", "checkins"):
            out[rel.as_posix()] = path.read_bytes()
    return out


def _add_months(day: dt.date, months: int) -> dt.date:
    return (pd.Timestamp(day) + pd.DateOffset(months=months)).date()


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    """A 40-person organisation written to disk once for this module."""
    root = tmp_path_factory.mktemp("demo") / "data"
    demo.write_demo_organisation(root, 40, 11, AS_OF)
    return root


@pytest.fixture(scope="module")
def mid() -> tuple[demo.DemoOrganisation, pd.DataFrame, dict[str, list[dict]]]:
    """A 300-person organisation in memory, every record validated as the store would."""
    org = demo.generate_organisation(300, 5, AS_OF)
    records = {}
    for eid, recs in org.records():
        records[eid] = [schema.validate_checkin(r) if "checkin_id" in r else schema.validate_conversation(r)
                        for r in recs]
    return org, org.roster, records


def _completed(recs: list[dict]) -> list[dict]:
    return [r for r in recs if "conversation_id" in r and "checkin_id" not in r and r["status"] == "completed"]


def _checkins(recs: list[dict]) -> list[dict]:
    return [r for r in recs if "checkin_id" in r]


# ------------------------------------------------------------------ determinism


def test_same_seed_writes_byte_identical_files(tmp_path, small):
    again = tmp_path / "again"
    demo.write_demo_organisation(again, 40, 11, AS_OF)
    first, second = _files(small), _files(again)
    assert len(first) > 200
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_another_seed_gives_another_organisation():
    a = demo.generate_organisation(30, 1, AS_OF)
    b = demo.generate_organisation(30, 2, AS_OF)
    assert a.roster["name"].tolist() != b.roster["name"].tolist()
    assert a.records_of("E0001") != b.records_of("E0001")


def test_one_employees_records_do_not_depend_on_reading_order():
    org = demo.generate_organisation(30, 4, AS_OF)
    alone = org.records_of("E0017")
    everyone = dict(org.records())
    assert everyone["E0017"] == alone


def test_timestamps_come_from_the_conversation_date_not_the_clock(mid):
    _, _, records = mid
    for recs in records.values():
        for rec in _completed(recs):
            assert rec["completed_at"].startswith(rec["date"] + "T")
            for timing in rec["sections"].values():
                assert timing["started_at"].startswith(rec["date"] + "T")


# ------------------------------------------------------------------ validity


def test_everything_validates_and_derives(small):
    store = Store(small)
    assert store.validate() == []
    roster = store.roster()
    assert len(roster) == 40
    report = store.refresh()
    assert report.employees_changed > 0
    ratings = store.read_table("skill_ratings")
    assert set(ratings["source"]) == {"conversation", "checkin"}
    assert ratings["self_rating"].between(1, 10).all()


def test_records_hold_ids_never_names(small):
    roster = Store(small).roster()
    names = [n.casefold() for n in roster["name"]]
    for path in list((small / "conversations").rglob("*.json")) + list((small / "checkins").rglob("*.json")):
        text = path.read_text(encoding="utf-8").casefold()
        assert not [n for n in names if n in text], path


# ------------------------------------------------------------------ the organisation's shape


@pytest.mark.parametrize("employees, departments", [(8, 4), (24, 4), (39, 4), (40, 5), (100, 6), (200, 7),
                                                    (1000, 8)])
def test_four_to_eight_departments(employees, departments):
    roster = demo.generate_organisation(employees, 3, AS_OF).roster
    assert len(roster) == employees
    assert roster["department"].nunique() == departments
    assert set(roster["department"]) <= set(demo.DEPARTMENT_NAMES)
    assert roster["department"].value_counts().min() >= 2


def test_coaches_are_on_the_roster_and_coach_six_to_nine_people():
    org = demo.generate_organisation(1000, 2, AS_OF)
    roster = org.roster
    ids = set(roster["employee_id"])
    assert set(roster["coach_id"]) <= ids
    assert (roster["coach_id"] != roster["employee_id"]).all()
    loads = roster.groupby("coach_id").size()
    assert 1000 / 9 <= len(loads) <= 1000 / 6
    assert loads.median() >= 6 and loads.quantile(0.9) <= 9
    assert sorted(loads.index) == org.coach_ids
    # every coach works in the department of most of the people they coach, except the chief executive
    by_id = roster.set_index("employee_id")
    same = roster[roster["coach_id"].map(by_id["department"]) == roster["department"]]
    assert len(same) / len(roster) > 0.95
    assert (roster["role"] == "Chief Executive Officer").sum() == 1
    managers = roster[roster["employee_id"].isin(loads.index)]
    assert managers["role"].str.contains("Manager|Head|Director|VP|Chief|Lead").all()


def test_names_are_unique_none_inside_another_and_include_non_ascii():
    for n, seed in ((24, 1), (3000, 9)):
        names = demo.generate_organisation(n, seed, AS_OF).roster["name"].tolist()
        folded = [x.casefold() for x in names]
        everything = "\n".join(folded)
        assert [x for x in folded if everything.count(x) != 1] == []
        assert {"Zoë Šimić", "José Álvarez", "Nguyễn Thị Lan"} <= set(names)
        assert sum(not x.isascii() for x in names) >= 3
    ids = demo.generate_organisation(24, 1, AS_OF).roster["employee_id"].tolist()
    assert ids == [f"E{i:04d}" for i in range(1, 25)]


def test_roster_has_every_column_and_agreed_cadences(mid):
    _, roster, records = mid
    assert list(roster.columns) == schema.ROSTER.names
    assert set(roster["cadence_months"]) == {6, 12}
    assert roster["email"].is_unique and roster["email"].str.endswith("@example.org").all()
    for eid, recs in records.items():
        done = _completed(recs)
        if done:
            assert roster.set_index("employee_id").at[eid, "cadence_months"] == done[-1]["cadence_months"]


def test_conversations_follow_each_persons_cadence_within_three_weeks(mid):
    org, _, records = mid
    low, high = org.years
    gaps = []
    for recs in records.values():
        done = _completed(recs)
        for rec in done:
            assert rec["next_due"] == _add_months(dt.date.fromisoformat(rec["date"]), rec["cadence_months"]).isoformat()
        for before, after in zip(done, done[1:]):
            expected = _add_months(dt.date.fromisoformat(before["date"]), before["cadence_months"])
            gap = (dt.date.fromisoformat(after["date"]) - expected).days
            assert abs(gap) <= 21, (before["conversation_id"], after["conversation_id"])
            gaps.append(gap)
        if done:
            first = dt.date.fromisoformat(done[0]["date"])
            span_years = (AS_OF - first).days / 365.25
            assert span_years <= high + 0.01
            assert span_years >= low - done[0]["cadence_months"] / 12 - 0.1 or done[-1]["next_due"] < AS_OF.isoformat()
    assert len(gaps) > 500
    assert any(g != 0 for g in gaps)  # slack: not a clockwork schedule
    assert max(abs(g) for g in gaps) >= 14


def test_nothing_is_dated_after_as_of(mid):
    _, _, records = mid
    for recs in records.values():
        assert all(r["date"] <= AS_OF.isoformat() for r in recs)


def test_some_never_met_some_overdue_some_drafts(mid):
    _, roster, records = mid
    never = [eid for eid, recs in records.items() if not recs]
    assert len(never) == round(0.05 * len(roster))
    last_due = {eid: _completed(recs)[-1]["next_due"] for eid, recs in records.items() if _completed(recs)}
    overdue = [eid for eid, due in last_due.items() if due < AS_OF.isoformat()]
    assert 0.08 * len(roster) <= len(overdue) <= 0.25 * len(roster)
    drafts = [(eid, r) for eid, recs in records.items() for r in recs
              if "checkin_id" not in r and r["status"] == "draft"]
    assert len(drafts) == 2
    for eid, draft in drafts:
        assert AS_OF - dt.timedelta(days=4) <= dt.date.fromisoformat(draft["date"]) <= AS_OF
        assert schema.missing_for_completion(draft)  # really unfinished
        assert draft["dreams"] and draft["skills"]
        assert draft["date"] > _completed(records[eid])[-1]["date"]


def test_a_sample_sized_organisation_has_every_situation_too():
    org = demo.generate_organisation(24, 1, AS_OF)
    records = dict(org.records())
    assert sum(1 for recs in records.values() if not recs) == 1
    assert sum(1 for recs in records.values() if _completed(recs) and _completed(recs)[-1]["next_due"] <
               AS_OF.isoformat()) >= 2
    assert sum(1 for recs in records.values() for r in recs if r.get("status") == "draft") == 2


def test_conversation_content_follows_the_method(mid):
    _, _, records = mid
    kinds_chosen: dict[str, int] = defaultdict(int)
    coach_rated = skills = 0
    for recs in records.values():
        for rec in _completed(recs):
            assert schema.missing_for_completion(rec, completing=True) == []  # as the app completes one
            assert 3 <= len(rec["dreams"]) <= 5
            assert [d["rank"] for d in rec["dreams"]] == list(range(1, len(rec["dreams"]) + 1))
            assert rec["answers"]["want_more"] and rec["answers"]["start_now"]
            assert rec["follow_up"]["mode"] in schema.FOLLOW_UP_MODES and 2 <= rec["follow_up"]["every_weeks"] <= 6
            assert rec["cadence_months"] in (6, 12)
            for skill in rec["skills"]:
                skills += 1
                coach_rated += skill["coach_rating"] is not None
                assert skill["ten_looks_like"]
                options = skill["options"]
                assert len(options) >= 3 and sum(o["chosen"] for o in options) == 1
                for option in options:
                    assert option["pros"] and option["cons"]
                    found = [k for k, words in OPTION_WORDS.items() if any(w in option["text"].lower() for w in words)]
                    assert found, option["text"]
                    if option["chosen"]:
                        kinds_chosen[found[0]] += 1
                base, targets = skill["self_rating"], skill["targets"]
                assert base <= targets["6"] <= targets["12"] <= targets["18"] <= 10
                assert 1 <= skill["dream_rank"] <= len(rec["dreams"])
            for item in rec["action_items"]:
                assert item["text"] and item["owner"] in ("employee", "coach")
                assert rec["date"] < item["due"]
    assert set(kinds_chosen) == set(demo.OPTION_KINDS)
    assert 0.3 < coach_rated / skills < 0.6


def test_checkins_sit_between_conversations_and_update_the_plan(mid):
    _, _, records = mid
    statuses: dict[str, int] = defaultdict(int)
    with_ratings = checkins = 0
    for recs in records.values():
        done = _completed(recs)
        starts = [r["date"] for r in done]
        items = {(r["conversation_id"], i["item_id"]) for r in done for i in r["action_items"]}
        closed: set[tuple[str, str]] = set()
        previous = None
        for ci in _checkins(recs):
            checkins += 1
            held = [r for r in done if r["date"] < ci["date"]]
            assert held, ci["checkin_id"]
            assert ci["conversation_id"] == held[-1]["conversation_id"]  # the plan in force
            if previous:
                assert (dt.date.fromisoformat(ci["date"]) - dt.date.fromisoformat(previous)).days >= 7
            previous = ci["date"]
            assert ci["date"] not in starts
            with_ratings += bool(ci["ratings"])
            for u in ci["updates"]:
                key = (u["conversation_id"], u["item_id"])
                assert key in items and key not in closed  # a closed item is not updated again
                statuses[u["status"]] += 1
                if u["status"] in ("done", "dropped"):
                    closed.add(key)
                if u["status"] == "dropped":
                    assert u["reason"]
            assert ci["updates"] or ci["ratings"]
    assert set(statuses) == set(schema.ITEM_STATUSES)
    assert statuses["done"] > statuses["dropped"]
    assert 0.3 < with_ratings / checkins < 0.8
    per_person = checkins / len(records)
    assert 4 <= per_person <= 9  # about 100,000 records for 10,000 people with the conversations


def test_some_people_are_ahead_of_their_targets_and_some_behind(mid):
    """At the 6-month horizon, the rating nearest the horizon (within 60 days) against the target."""
    _, _, records = mid
    ahead = behind = on_target = 0
    people_ahead, people_behind = set(), set()
    for eid, recs in records.items():
        ratings = []  # (date, skill, self rating) from completed conversations and check-ins
        for r in recs:
            if "checkin_id" in r:
                ratings += [(r["date"], x["skill"], x["self_rating"]) for x in r["ratings"]]
            elif r["status"] == "completed":
                ratings += [(r["date"], s["skill"], s["self_rating"]) for s in r["skills"]]
        for rec in _completed(recs):
            horizon = _add_months(dt.date.fromisoformat(rec["date"]), 6)
            for skill in rec["skills"]:
                near = [(abs((dt.date.fromisoformat(d) - horizon).days), value) for d, name, value in ratings
                        if name == skill["skill"] and d > rec["date"]]
                near = [x for x in near if x[0] <= 60]
                if not near:
                    continue
                measured = min(near)[1]
                if measured > skill["targets"]["6"]:
                    ahead += 1
                    people_ahead.add(eid)
                elif measured < skill["targets"]["6"]:
                    behind += 1
                    people_behind.add(eid)
                else:
                    on_target += 1
    total = ahead + behind + on_target
    assert total > 500
    assert ahead / total > 0.1 and behind / total > 0.1 and on_target / total > 0.2
    assert len(people_ahead - people_behind) > 10 and len(people_behind - people_ahead) > 10


def test_ratings_drift_upwards_over_the_years(mid):
    _, _, records = mid
    by_year: dict[int, list[int]] = defaultdict(list)
    for recs in records.values():
        for rec in _completed(recs):
            by_year[int(rec["date"][:4])] += [s["self_rating"] for s in rec["skills"]]
    years = sorted(y for y in by_year if len(by_year[y]) > 50)
    means = [sum(by_year[y]) / len(by_year[y]) for y in years]
    assert means[-1] > means[0] + 0.5
    assert 4 < means[0] and means[-1] < 8.5


# ------------------------------------------------------------------ arguments and the command line


@pytest.mark.parametrize("kwargs, message", [
    ({"employees": 5}, "employees must be from 8"),
    ({"employees": 2.5}, "whole number"),
    ({"seed": -1}, "seed"),
    ({"years": "4-2"}, "years"),
    ({"years": "two"}, "years"),
])
def test_bad_arguments_are_refused_with_a_reason(kwargs, message):
    args = {"employees": 24, "seed": 1, "as_of": AS_OF, **kwargs}
    with pytest.raises(ValueError, match=message):
        demo.generate_organisation(**args)


def test_parse_years():
    assert demo.parse_years("2-4") == (2.0, 4.0)
    assert demo.parse_years("3") == (3.0, 3.0)
    assert demo.parse_years((2, 3)) == (2.0, 3.0)
    for bad in ("0-2", "2-11", "", "2-3-4", "nan"):
        with pytest.raises(ValueError, match="years"):
            demo.parse_years(bad)


def test_cli_writes_summarises_and_builds_derived_tables(tmp_path, capsys):
    root = tmp_path / "data"
    code = cli.main(["--data", str(root), "demo", "--employees", "12", "--seed", "3", "--as-of", "2026-10-01",
                     "--years", "2-3", "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    assert str(root) in out
    for word in ("employees:", "coaches", "departments:", "conversations:", "check-ins:", "never met:"):
        assert word in out
    assert (root / "derived" / "manifest.json").exists()
    assert len(Store(root).read_table("conversations", refresh=False)) > 0


def test_cli_refuses_a_folder_that_holds_a_roster_unless_forced(tmp_path, capsys):
    root = tmp_path / "data"
    demo.write_demo_organisation(root, 10, 1, AS_OF)
    before = _files(root)
    (root / "question_sets").mkdir()
    (root / "question_sets" / "ours.yaml").write_text("kept: true\n", encoding="utf-8")
    code = cli.main(["--data", str(root), "demo", "--employees", "12", "--seed", "2", "--as-of", "2026-10-01",
                     "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert "already holds" in err and "--force" in err and "nothing was written" in err
    assert "Traceback" not in err
    assert _files(root) == before
    with pytest.raises(FileExistsError, match="--force"):
        demo.write_demo_organisation(root, 12, 2, AS_OF)
    # --force replaces the organisation: nobody from the old one is left behind
    stray = root / "conversations" / "E0099"
    stray.mkdir()
    code = cli.main(["--data", str(root), "demo", "--employees", "12", "--seed", "2", "--as-of", "2026-10-01",
                     "--force", "--quiet"])
    assert code == 0
    assert not stray.exists()
    assert (root / "question_sets" / "ours.yaml").exists()
    assert len(Store(root).roster()) == 12
    assert _files(root) != before


def test_cli_rejects_bad_arguments_without_a_traceback(tmp_path, capsys):
    for args in (["--employees", "3"], ["--employees", "many"], ["--as-of", "03/04/2026"], ["--years", "5-1"],
                 ["--seed", "-4"]):
        with pytest.raises(SystemExit) as exc:
            cli.main(["--data", str(tmp_path / "d"), "demo", *args])
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and "error" in err
    assert not (tmp_path / "d").exists()


def test_committed_sample_matches_the_documented_command(tmp_path):
    """careerconv/demo/sample is what its README's command writes, even in a fresh process with another hash seed."""
    assert SAMPLE_COMMAND in (SAMPLE / "README.md").read_text(encoding="utf-8")
    root = tmp_path / "sample"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "careerconv.cli", "--data", str(root), "demo", *SAMPLE_ARGS, "--quiet"],
                   check=True, cwd=PROJECT, env=env, capture_output=True, timeout=300)
    committed, fresh = _files(SAMPLE), _files(root)
    assert sorted(committed) == sorted(fresh), "regenerate careerconv/demo/sample as its README says"
    assert [k for k in committed if committed[k] != fresh[k]] == [], "regenerate careerconv/demo/sample as its README says"
    assert (SAMPLE / ".gitignore").read_text(encoding="utf-8").split() == ["derived/", ".locks/"]


def test_committed_sample_is_valid_json_in_the_store_layout():
    for path in (SAMPLE / "conversations").rglob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        assert path.parent.name == record["employee_id"] and path.stem == record["conversation_id"]
    roster = pd.read_csv(SAMPLE / "roster.csv", dtype=str)
    assert len(roster) == 24


def test_hr_analytics_reads_the_kind_of_every_option_the_demo_writes():
    """Each option template, for every skill, is classified as the kind it was generated from."""
    option_kinds = pytest.importorskip("careerconv.rules.option_kinds")
    wrong = []
    for kind_name, kind in demo._OPTION_KINDS.items():
        for template in kind.templates:
            for skill in demo._TEN_LOOKS_LIKE:
                text = template.format(s=demo._phrase(skill))
                if option_kinds.classify_option(text, skill) != kind_name:
                    wrong.append((kind_name, text))
    assert wrong == []


def test_a_demo_stopped_part_way_leaves_no_organisation_and_the_next_one_writes(tmp_path):
    """A hostile tester killed `careerconv demo`: the folder held a roster with a fraction of the records, and a
    second demo refused it as an organisation. A new folder is now written beside it and renamed into place
    at the end; a kill at any moment leaves the folder absent, and the next demo clears what was left."""
    import random
    import signal
    import time

    root = tmp_path / "data"
    process = subprocess.Popen([sys.executable, "-m", "careerconv.cli", "--data", str(root), "-q", "demo",
                                "--employees", "2000", "--seed", "3", "--as-of", "2026-10-01"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    partial = tmp_path / f".data.demo-{process.pid}-partial"
    deadline = time.monotonic() + 120
    while not (partial / "conversations").exists() and time.monotonic() < deadline:  # records being written
        time.sleep(0.05)
    time.sleep(random.uniform(0, 1.5))
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert partial.exists(), "the kill came after the demo had finished: make it larger"
    assert not root.exists()
    assert cli.main(["--data", str(root), "-q", "demo", "--employees", "12", "--seed", "2", "--as-of",
                     "2026-10-01"]) == 0
    assert len(Store(root).roster()) == 12
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # the stopped demo's folder is gone


def test_a_demo_into_an_empty_folder_and_into_one_with_settings(tmp_path):
    """An existing empty folder is replaced whole; one holding the user's settings is written into, keeping them."""
    empty = tmp_path / "empty"
    empty.mkdir()
    demo.write_demo_organisation(empty, 10, 1, AS_OF)
    assert len(Store(empty).roster()) == 10
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "careerconv.toml").write_text("[due]\nsoon_days = 10\n", encoding="utf-8")
    summary = demo.write_demo_organisation(kept, 10, 1, AS_OF)
    assert summary.root == kept.resolve() and len(Store(kept).roster()) == 10
    assert (kept / "careerconv.toml").read_text(encoding="utf-8") == "[due]\nsoon_days = 10\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "kept"]
