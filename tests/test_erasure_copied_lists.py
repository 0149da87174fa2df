"""An erasure in a copy of a data folder does not reach the original's logs, hub state and reports folders.

Found by a tester: the data folder's lists of what is kept about it elsewhere (access-logs.json, hub-logs.json,
hub-states.json, reports-folders.json: absolute paths) were copied with it (``cp -r data data-copy``, a trial copy, a
backup restored beside the original), so ``careerconv --data data-copy erase --employee E0005`` rewrote the ORIGINAL's
access log, hub log and hub state and deleted the person's report from the original's reports folder. Now each list
names the data folder it was written for and is followed only from that folder; the receipt says which lists were
not followed, the folder they name and what to do; a folder moved for good gets its lists back when its hub starts.

The hub's records are made as the hub makes them: the records service (the real one, started in-process as the hub
starts it) lists its access log, reports folder and the hub's state folder; the writer of the hub's log
(``python -m careerconv.surfaces.commands.hub_log_writer``, as ``careerconv hub`` starts it) lists the hub's log. The
erasure is ``careerconv erase`` as an operator types it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from careerconv.cli import main
from careerconv.records import config
from careerconv.records.kept_elsewhere import REPORTS_FOLDER_MARK
from careerconv.surfaces.commands.records_service import organisation_minimum
from careerconv.surfaces.service.hub_state import HubState
from careerconv.surfaces.service.server import RecordsService
from erasure_readers import Person, files_naming
from service_harness import TableHubAuth

REPO = Path(__file__).resolve().parent.parent
CAN = Person("E0005", "Can Kobayashi", "can.kobayashi@example.org")  # a coach on the sample roster
LISTS = ["access-logs.json", "hub-logs.json", "hub-states.json", "reports-folders.json"]
HUB_LINES = b"[I 2026-12-06 09:01:02.202 JupyterHub base:837] User logged in: e0005\n" \
            b"[I 2026-12-06 09:01:04.505 JupyterHub log:192] 200 GET /hub/user/e0001/ (e0001@127.0.0.1) 3.01ms\n"


def start_hub(data: Path, state: Path) -> None:
    """What the hub does about ``data`` when it starts, with its state in ``state``: its records service lists its
    access log, its reports folder (state/reports) and the hub's state folder; its log's writer lists the hub's log
    and copies into it what the hub prints (a coach, e0005, signing in)."""
    service = RecordsService(data, state / "access-log.jsonl", state / "reports", TableHubAuth(),
                             minimum=functools.partial(organisation_minimum, data, None), hub_state=state)
    service.log.append("e0005", "read", "E0009", "allowed", 200, "history")  # coach E0005 reads a coachee's history
    service.shutdown()
    writer = subprocess.run([sys.executable, "-m", "careerconv.surfaces.commands.hub_log_writer", "--data", str(data),
                             str(state / "jupyterhub.log")], input=HUB_LINES, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert writer.returncode == 0


@pytest.fixture()
def live(tmp_path: Path) -> Path:
    """A hub's folder ``live/``: its data folder (the sample organisation, coach E0005's people moved to E0001 so that
    E0005 may be erased) and the hub's state folder, with everything that names E0005 there: the hub's users (groups,
    passwords, E0005's home folder), its access log, its log and E0005's report in its reports folder."""
    data, state = tmp_path / "live" / "data", tmp_path / "live" / "hub-state"
    shutil.copytree(config.SAMPLE_DATA_DIR, data, ignore=shutil.ignore_patterns("derived", ".locks"))
    roster = pd.read_csv(data / "roster.csv", dtype=str, keep_default_na=False)
    roster.loc[roster["coach_id"] == "E0005", "coach_id"] = "E0001"
    roster.to_csv(data / "roster.csv", index=False)
    (state / "homes" / "e0005").mkdir(parents=True)
    (state / "homes" / "e0005" / "notes.txt").write_text("my own notes")
    (state / "groups.json").write_text(json.dumps({"coaches": ["e0005", "e0001"], "hr": [], "operators": ["olga"]}))
    (state / "passwords.json").write_text(json.dumps({"e0005": "hash-of-e0005", "e0001": "hash-of-e0001"}))
    HubState(state, "http://127.0.0.1:9/hub/api", groups=state / "groups.json", passwords=state / "passwords.json",
             homes=state / "homes").write()
    start_hub(data, state)
    (state / "reports" / "E0005").mkdir()
    (state / "reports" / "E0005" / "progress-2026-10-01.html").write_text("<h1>Can Kobayashi</h1>")
    return tmp_path / "live"


def contents(folder: Path) -> dict[str, str]:
    """Every file under ``folder``, by its path there, with a hash of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def erase(data: Path) -> int:
    return main(["--data", str(data), "erase", "--employee", "E0005", "--yes"])


def joined(text: str) -> str:
    return " ".join(text.split())  # the receipt's columns and wrapped lines, spaces aside


def assert_hub_reached(state: Path) -> None:
    """Nothing the hub keeps in ``state`` names E0005 any more; e0001's is as it was."""
    assert b"e0005" not in (state / "jupyterhub.log").read_bytes().lower()
    assert b"e0001@127.0.0.1" in (state / "jupyterhub.log").read_bytes()
    assert b"e0005" not in (state / "access-log.jsonl").read_bytes().lower()
    assert json.loads((state / "groups.json").read_text()) == {"coaches": ["e0001"], "hr": [], "operators": ["olga"]}
    assert json.loads((state / "passwords.json").read_text()) == {"e0001": "hash-of-e0001"}
    assert not (state / "homes" / "e0005").exists()
    assert not (state / "reports" / "E0005").exists() and (state / "reports" / REPORTS_FOLDER_MARK).is_file()


def test_the_lists_name_the_data_folder_they_were_written_for(live):
    data = live / "data"
    for name in LISTS:
        assert json.loads((data / name).read_text())["data_folder"] == str(data.resolve())


def test_an_erasure_in_a_copy_of_the_data_folder_leaves_the_originals_logs_state_and_reports_untouched(
        live, tmp_path, capsys):
    copy = tmp_path / "data-copy"
    shutil.copytree(live / "data", copy)  # cp -r data data-copy
    before = contents(live)

    code = erase(copy)
    out, err = capsys.readouterr()
    assert contents(live) == before  # byte for byte: the original's data folder, hub log, access log, state, reports
    assert code == 1
    # The erasure of the copy itself happened, and is complete.
    assert files_naming(CAN, copy) == []
    assert "Of these, none mentions the employee." in out
    original = (live / "data").resolve()
    said = joined(out)
    assert f"Lists not followed: this data folder ({copy.resolve()}) looks like a copy of {original}: these lists of " \
           "what is kept elsewhere were written for that folder, and nothing on them was touched" in said
    state = (live / "hub-state").resolve()
    for name, what in (("access-logs.json", f"access logs: {state / 'access-log.jsonl'}"),
                       ("hub-logs.json", f"hub logs: {state / 'jupyterhub.log'}"),
                       ("hub-states.json", f"hub states: {state}"),
                       ("reports-folders.json", f"reports folders: {state / 'reports'}")):
        assert f"{copy.resolve() / name} written for {original}; its {what}" in said
    assert "If this folder is a copy, that is right: delete these files from it, and this is no longer said. If it " \
           "was moved here from there, start its hub or records service once (it lists its own anew, for this " \
           f'folder), or, where the paths on a file are right for this folder, change its "data_folder" to ' \
           f'"{copy.resolve()}"; then erase again.' in said
    assert f"careerconv erase: 4 list(s) of what is kept elsewhere in this data folder were written for {original} " \
           "and were not followed (a copy of it? moved from there?); see the end of the receipt" in joined(err)


def test_a_copy_whose_lists_were_deleted_as_the_receipt_says_erases_completely(live, tmp_path, capsys):
    copy = tmp_path / "data-copy"
    shutil.copytree(live / "data", copy)
    before = contents(live)
    for name in LISTS:
        (copy / name).unlink()
    assert erase(copy) == 0
    assert "Lists not followed" not in capsys.readouterr().out
    assert contents(live) == before


def test_the_original_erased_in_place_still_reaches_its_hubs_logs_state_and_reports(live, capsys):
    assert erase(live / "data") == 0
    assert "Lists not followed" not in capsys.readouterr().out
    assert_hub_reached(live / "hub-state")


def test_a_hub_started_on_a_copy_lists_its_own_and_never_the_originals(live, tmp_path, capsys, caplog):
    copy, trial = tmp_path / "data-copy", tmp_path / "trial-state"
    shutil.copytree(live / "data", copy)
    trial.mkdir()
    HubState(trial, "http://127.0.0.1:9/hub/api").write()
    start_hub(copy, trial)  # a trial hub on the copy
    trial, folder = trial.resolve(), str(copy.resolve())
    # The service's log says what the list named for the original, and no longer does.
    assert f"{folder}/access-logs.json was written for the data folder {(live / 'data').resolve()}, not this one " \
           f"({folder}): it is written anew for this one, naming {trial / 'access-log.jsonl'}; what it named there " \
           f"is no longer on it: {(live / 'hub-state' / 'access-log.jsonl').resolve()}" in caplog.messages
    assert {name: json.loads((copy / name).read_text()) for name in LISTS} == {
        "access-logs.json": {"version": 1, "data_folder": folder, "access_logs": [str(trial / "access-log.jsonl")]},
        "hub-logs.json": {"version": 1, "data_folder": folder, "hub_logs": [str(trial / "jupyterhub.log")]},
        "hub-states.json": {"version": 1, "data_folder": folder, "hub_states": [str(trial)]},
        "reports-folders.json": {"version": 1, "data_folder": folder, "reports_folders": [str(trial / "reports")]}}
    before = contents(live)
    assert erase(copy) == 0
    assert contents(live) == before
    assert b"e0005" not in (trial / "jupyterhub.log").read_bytes().lower()


def test_a_data_folder_moved_for_good_reaches_its_hub_again_once_the_hub_has_started_there(live, tmp_path, capsys,
                                                                                           caplog):
    moved = tmp_path / "mounted-elsewhere" / "data"
    moved.parent.mkdir()
    shutil.move(live / "data", moved)  # the hub's data, mounted at another path
    state = live / "hub-state"
    before = contents(state)

    # Before the hub starts there, the lists name the old folder: nothing of the hub's is touched, and it is said.
    assert erase(moved) == 1
    out = joined(capsys.readouterr().out)
    assert contents(state) == before
    assert f"looks like a copy of {(live / 'data').resolve()}" in out and "start its hub or records service once" in out

    start_hub(moved, state)
    for name in LISTS:
        assert json.loads((moved / name).read_text())["data_folder"] == str(moved.resolve())
    # The service's log says the list was written anew; nothing it named is lost (it lists the same log again).
    assert f"{moved.resolve() / 'access-logs.json'} was written for the data folder {(live / 'data').resolve()}, not " \
           f"this one ({moved.resolve()}): it is written anew for this one, naming " \
           f"{(state / 'access-log.jsonl').resolve()}" in caplog.messages
    # Erasing again finishes what was left of them: the hub's logs, state and report.
    assert erase(moved) == 0
    assert "Lists not followed" not in capsys.readouterr().out
    assert_hub_reached(state)


def test_a_list_written_before_lists_named_their_folder_is_followed_and_names_it_once_its_service_starts(
        live, capsys):
    data, state = live / "data", live / "hub-state"
    old_log = live / "old-access-log.jsonl"
    shutil.copy(state / "access-log.jsonl", old_log)  # the log of a service that served the folder before
    (data / "access-logs.json").write_text(json.dumps({"version": 1, "access_logs": [str(old_log)]}))

    start_hub(data, state)
    assert json.loads((data / "access-logs.json").read_text()) == {
        "version": 1, "data_folder": str(data.resolve()),
        "access_logs": [str(old_log), str((state / "access-log.jsonl").resolve())]}
    assert erase(data) == 0
    assert b"E0005" not in old_log.read_bytes().upper()


def test_erasing_through_a_service_on_a_copy_leaves_the_originals_hub_log_and_says_so(live, tmp_path):
    """A records service started on a copy lists its own access log and reports folder; the copy's list of hub logs
    is still the original's (no writer of a hub log ran for the copy), and is not followed."""
    import requests

    from service_harness import RunningService

    svc = RunningService(tmp_path / "trial")
    try:
        shutil.copy(live / "data" / "hub-logs.json", svc.data / "hub-logs.json")  # as cp -r brought it along
        before = contents(live)
        erased = requests.delete(svc.url + "api/people/E0003", headers={"Authorization": "token tok-operator"},
                                 timeout=120)
    finally:
        svc.stop()
    assert erased.status_code == 200, erased.text
    assert contents(live) == before
    assert erased.json()["complete"] is False
    assert f"{svc.data.resolve() / 'hub-logs.json'} written for {(live / 'data').resolve()}; its hub logs: " \
           f"{(live / 'hub-state' / 'jupyterhub.log').resolve()}" in joined(erased.json()["receipt"])


def test_the_receipt_of_a_copy_says_why_no_log_or_hub_state_was_changed_and_never_that_none_is_kept(
        live, tmp_path, capsys):
    """Found reading the receipt of an erasure in a copy: "Access logs: none is kept about this data folder." stood
    just above the notice that this folder's list of access logs, made for the original, was not followed (and so of
    the hub's logs and state). Each part now says that none was changed, and why, in the words written out below."""
    copy = tmp_path / "data-copy"
    shutil.copytree(live / "data", copy)
    assert erase(copy) == 1
    said = joined(capsys.readouterr().out)
    original = (live / "data").resolve()
    assert "none is kept" not in said
    for title, kind, file in (("Access logs", "access logs", "access-logs.json"),
                              ("Hub logs (what the hub, its proxy and servers print)", "hub logs", "hub-logs.json"),
                              ("Hub state (its users, groups, passwords and home folders)", "hub states",
                               "hub-states.json")):
        assert (f"{title}: none was changed. This data folder has a list of {kind} ({file}), but it was made for "
                f"another data folder, {original} (this one looks like a copy of it), so nothing on it was touched: "
                'see "Lists not followed" at the end of this receipt.') in said
    assert said.index("Access logs: none was changed.") < said.index("Lists not followed:")
