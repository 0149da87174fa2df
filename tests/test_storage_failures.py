"""When the disk is the problem, not the input: full, read-only, or files cut short by something else.

Found by a hostile tester on a 2 MB tmpfs filled to the last block: every command that wrote (import roster,
refresh, report, hr-report, export, erase) stopped with a traceback ending in ``OSError: [Errno 28] No space left
on device``, naming no file; the coach's app said "Not saved: [Errno 28] No space left on device", never saved
again once the disk had room unless the coach typed more, and closing the conversation (or opening another
person) while the save failed closed it and dropped what was typed since the last save; an erasure stopped
halfway could not be run again when nothing of the person was left but mentions elsewhere ("nothing is held
about them"). Here the disk is filled by :func:`full_disk`, which makes every write of a file's content fail
with ENOSPC, as a full file system does, and made read-only by :func:`read_only`.

Files cut short or garbled by something else (a sync tool): a record's folder replaced by a file made refresh,
due, hr-report and export fail for everyone ("[Errno 20] Not a directory") while validate said "all good"; a
coach's open draft cut to 0 bytes refused every save ("the file is damaged") and closing the conversation then
dropped everything typed in it; a damaged record was left out of the app, the derived tables and the HR page
without a word; an empty roster read "No columns to parse from file", naming no file.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import pathlib
from pathlib import Path

import pandas as pd
import pytest

from careerconv.cli import main
from careerconv.records.erasure import erase_employee
from careerconv.records.store import Store

from app_harness import Harness
from orgs import conversation, roster_of

NO_SPACE = "no space left on device"


class _FullFile(io.RawIOBase):
    """A file on a full disk: opening works, writing its content does not."""

    def __init__(self, fh):
        self._fh = fh

    def write(self, data) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def fileno(self) -> int:
        return self._fh.fileno()

    def close(self) -> None:
        self._fh.close()
        super().close()


@contextlib.contextmanager
def full_disk(monkeypatch, disk: Path | None = None):
    """While inside, writing the content of a file under ``disk`` (default: any file) fails with ENOSPC, through
    ``atomic_write_bytes`` and ``Path.write_bytes``; a kernel's files elsewhere are written (Linux: /proc)."""
    real_fdopen, real_write_bytes = os.fdopen, pathlib.Path.write_bytes

    def on_disk(path: str) -> bool:
        return disk is None or Path(path).is_relative_to(disk)

    def fdopen(fd, mode="r", *args, **kwargs):
        fh = real_fdopen(fd, mode, *args, **kwargs)
        return _FullFile(fh) if "w" in mode and on_disk(os.readlink(f"/proc/self/fd/{fd}")) else fh

    def write_bytes(self, data):
        if not on_disk(str(self)):
            return real_write_bytes(self, data)
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(os, "fdopen", fdopen)
        patch.setattr(pathlib.Path, "write_bytes", write_bytes)
        yield


@contextlib.contextmanager
def read_only(monkeypatch, folder: Path):
    """While inside, ``folder`` is on a read-only file system: opening a file there to write (or create) fails
    with EROFS, as it does on a read-only mount (root may write anywhere else, so chmod would not do)."""
    real_open = os.open
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT

    def open_(path, flags, *args, **kwargs):
        if flags & writing and Path(os.fsdecode(path)).is_relative_to(folder):
            raise OSError(errno.EROFS, "Read-only file system", os.fsdecode(path))
        return real_open(path, flags, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(os, "open", open_)
        yield


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (lock files aside) and its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".locks" not in p.parts}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- commands on a full disk


def test_import_roster_on_a_full_disk_names_the_roster_and_keeps_it(small_org: Path, tmp_path: Path, capsys,
                                                                    monkeypatch):
    before = tree(small_org)
    incoming = Store(small_org).roster()
    incoming.loc[incoming["employee_id"] == "E002", "role"] = "Staff engineer"
    incoming.to_csv(tmp_path / "new.csv", index=False)
    with full_disk(monkeypatch):
        code, _, err = run(capsys, "--data", str(small_org), "import", "roster", str(tmp_path / "new.csv"))
    assert code == 1 and "Traceback" not in err
    assert f"cannot write {small_org / 'roster.csv'}: {NO_SPACE} (in {small_org}); it is as it was before; " \
           "free some space on that disk, then try again" in err
    assert tree(small_org) == before  # no temp file left, nothing half-written
    assert run(capsys, "--data", str(small_org), "validate")[0] == 0


@pytest.mark.parametrize("argv, written", [
    (["refresh", "--full"], "derived/conversations/part-"),
    (["hr-report", "--as-of", "2026-10-01", "-o", "{out}/hr.html"], "{out}/hr.html"),
    (["export", "conversations", "-o", "{out}/c.csv"], "{out}/c.csv"),
    (["export", "--employee", "E001", "{out}/E001"], "{out}/E001"),
])
def test_a_command_on_a_full_disk_names_the_file_and_leaves_the_data_folder_as_it_was(
        small_org: Path, tmp_path: Path, capsys, monkeypatch, argv: list[str], written: str):
    out = tmp_path / "out"
    out.mkdir()
    before = tree(small_org)
    with full_disk(monkeypatch, tmp_path):
        code, _, err = run(capsys, "--data", str(small_org), *[a.format(out=out) for a in argv])
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    target = written.format(out=out)
    assert "error: cannot write " in err and NO_SPACE in err and "free some space on that disk" in err, err
    assert target in err if target.startswith("/") else str(small_org / target) in err
    assert tree(small_org) == before and list(out.iterdir()) == []


def test_import_history_on_a_full_disk_names_a_record_and_imports_nothing(small_org: Path, tmp_path: Path,
                                                                          capsys, monkeypatch):
    (tmp_path / "history.csv").write_text("employee_id,date,skill,rating\nE002,2025-03-01,SQL,4\n")
    before = tree(small_org)
    with full_disk(monkeypatch):
        code, _, err = run(capsys, "--data", str(small_org), "import", "history", str(tmp_path / "history.csv"))
    assert code == 1 and "Traceback" not in err, err
    assert f"cannot write {small_org / 'conversations' / 'E002'}" in err and NO_SPACE in err, err
    assert tree(small_org) == before  # the staged batch is gone too
    assert run(capsys, "--data", str(small_org), "import", "history", str(tmp_path / "history.csv"))[0] == 0
    assert [c["date"] for c in Store(small_org).conversations("E002")] == ["2025-03-01"]


# --------------------------------------------------------------------------- erase


@pytest.fixture
def coach_mentioned(tmp_path: Path) -> Store:
    """C09, a former coach with no records of their own, named as coach in E002's conversation."""
    store = Store(tmp_path / "data")
    store.save_roster(pd.concat([roster_of(["E002"]), roster_of(["C09"], coach="")], ignore_index=True))
    store.save_many([conversation("E002", "2025-03-01", coach="C09", skills=[("SQL", 4, (5, 6, 7))],
                                  items=[("a1", "Pair on a query", None)])])
    return store


def test_an_erasure_the_disk_stops_halfway_says_so_and_is_finished_by_running_it_again(
        coach_mentioned: Store, tmp_path: Path, capsys, monkeypatch):
    store = coach_mentioned
    data = str(store.root)
    real = Store.rewrite_record

    def full_after_the_roster(self, *args, **kwargs):  # the roster row went; then the disk filled up
        with full_disk(monkeypatch):
            return real(self, *args, **kwargs)

    monkeypatch.setattr(Store, "rewrite_record", full_after_the_roster)
    code, _, err = run(capsys, "--data", data, "erase", "--employee", "C09", "--yes", "--reports",
                       str(tmp_path / "reports"))
    assert code == 1 and "Traceback" not in err
    assert "error: the erasure of C09 did not finish (cannot write " in err and NO_SPACE in err
    assert "`careerconv erase --employee C09 --yes` run again finishes it" in err
    assert "C09" not in set(store.roster()["employee_id"])
    assert store.load_conversation("E002", "E002-20250301")["coach_id"] == "C09"  # half erased, and said so
    monkeypatch.setattr(Store, "rewrite_record", real)
    code, out, err = run(capsys, "--data", data, "erase", "--employee", "C09", "--yes", "--reports",
                         str(tmp_path / "reports"))
    assert code == 0, err
    assert store.load_conversation("E002", "E002-20250301")["coach_id"] == "erased"
    assert "Of these, none mentions the employee." in out
    again = erase_employee(store, tmp_path / "reports", "C09")  # finished: an erasure again finds nothing left
    assert again.complete and again.lines == [], str(again)


def test_an_erasure_the_full_disk_refuses_at_once_changes_nothing(coach_mentioned: Store, tmp_path: Path,
                                                                 capsys, monkeypatch):
    before = tree(coach_mentioned.root)
    with full_disk(monkeypatch):
        code, _, err = run(capsys, "--data", str(coach_mentioned.root), "erase", "--employee", "C09", "--yes",
                           "--reports", str(tmp_path / "reports"))
    assert code == 1 and f"cannot write {coach_mentioned.erased_path}: {NO_SPACE}" in err and "nothing was written" \
        in err
    assert tree(coach_mentioned.root) == before


# --------------------------------------------------------------------------- the coach's app


@pytest.fixture
def h(small_org: Path) -> Harness:
    return Harness(small_org)


def test_the_app_names_the_file_and_saves_what_was_typed_once_the_disk_has_room(h: Harness, monkeypatch):
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    app.editor("want_more").area.value = "before"
    h.advance(2)
    with full_disk(monkeypatch):
        app.editor("want_more").area.value = "typed while the disk was full"
        h.advance(2)
        path = h.store.record_path("conversation", "E002", app.record["conversation_id"])
        assert f"Not saved: cannot write {path}: {NO_SPACE}" in app.status_html.value
        assert f"cannot write {path}" in app.errors.text
        shown = app.errors.count
        h.advance(60)  # tried again meanwhile, and said once
        assert app.errors.count == shown and "Not saved" in app.status_html.value
    assert h.stored()["answers"]["want_more"] == "before"
    h.advance(11)  # the disk has room again; nothing more was typed
    assert h.stored()["answers"]["want_more"] == "typed while the disk was full"
    assert "Saved" in app.status_html.value


def test_closing_while_the_disk_is_full_keeps_the_conversation_open_with_what_was_typed(h: Harness, monkeypatch):
    app = h.app
    app.select_employee("E002")
    stored = app.start_conversation()
    with full_disk(monkeypatch):
        app.editor("want_more").area.value = "typed while the disk was full"
        app.guard(app.lifecycle.close_conversation, "Could not close the conversation")()
        assert app.screen == "conversation" and app.conversation.session is not None
        assert NO_SPACE in app.errors.text
        app.guard(lambda: app.select_employee("E003"), "Could not open the person")()
        assert app.screen == "conversation" and app.lifecycle.employee["employee_id"] == "E002"
    assert app.editor("want_more").area.value == "typed while the disk was full"
    app.lifecycle.close_conversation()
    assert app.screen == "start"
    assert h.store.load_conversation("E002", stored["conversation_id"])["answers"]["want_more"] == \
        "typed while the disk was full"


def test_a_checkin_saved_on_a_full_disk_stays_open_and_is_saved_afterwards(h: Harness, monkeypatch):
    app = h.app
    app.select_employee("E001")
    view = app.open_checkin()
    view.note.value = "Talked about the demo"
    with full_disk(monkeypatch):
        view.save_button.click()
        assert NO_SPACE in app.errors.text and view.saved is None
        view.back_button.click()
        assert app.screen == "checkin"
    view.save_button.click()
    assert view.saved is not None
    assert [c["note"] for c in h.store.checkins("E001")][-1] == "Talked about the demo"


def test_a_checkin_left_while_the_disk_is_full_keeps_what_was_typed(h: Harness, monkeypatch):
    app = h.app
    app.select_employee("E001")
    view = app.open_checkin()
    with full_disk(monkeypatch):
        view.note.value = "Typed while the disk was full"
        h.advance(2)
        view.back_button.click()
        assert app.screen == "checkin" and NO_SPACE in app.errors.text
    view.back_button.click()
    assert [d["note"] for d in h.store.history("E001").checkin_drafts] == ["Typed while the disk was full"]


# --------------------------------------------------------------------------- a read-only data folder


def test_a_write_to_a_read_only_data_folder_is_named_with_what_to_do(small_org: Path, tmp_path: Path, capsys,
                                                                     monkeypatch):
    Store(small_org).roster().to_csv(tmp_path / "roster.csv", index=False)
    with read_only(monkeypatch, small_org):
        code, _, err = run(capsys, "--data", str(small_org), "import", "roster", str(tmp_path / "roster.csv"))
    assert code == 1 and "Traceback" not in err
    assert f"error: cannot write {small_org / '.locks'}" in err and "read-only file system" in err, err
    assert "that file system is mounted read-only: make it writable" in err


# Commands that only read the data folder (their results written elsewhere), and what each writes.
_READERS = [(["validate"], None), (["due"], None),
            (["export", "skill_ratings", "-o", "{out}/ratings.csv"], "ratings.csv"),
            (["export", "--employee", "E001", "{out}/E001"], "E001"),
            (["hr-report", "--as-of", "2026-10-01", "--min-group-size", "3", "--csv", "{out}/hr",
              "-o", "{out}/hr.html"], "hr")]


@pytest.mark.parametrize("argv, made", _READERS)
def test_a_read_only_data_folder_whose_tables_are_up_to_date_is_read(small_org: Path, tmp_path: Path, capsys,
                                                                      monkeypatch, argv: list[str], made: str | None):
    """An HR analyst or auditor may read the data folder but not write it (a read-only share or mount): a command
    that only reads gives what it gives on a folder it may write, and writes nothing there (found: each of these
    stopped at the derived tables' lock file, "cannot write .locks/derived.lock")."""
    Store(small_org).refresh()
    before = tree(small_org)
    writable = [a.format(out=tmp_path / "writable") for a in argv]
    (tmp_path / "writable").mkdir()
    expected = run(capsys, "--data", str(small_org), *writable)
    assert tree(small_org) == before
    (tmp_path / "read-only").mkdir()
    with read_only(monkeypatch, small_org):
        code, out, err = run(capsys, "--data", str(small_org), *[a.format(out=tmp_path / "read-only") for a in argv])
    assert (code, "Traceback" in err) == (expected[0], False), err
    assert out.replace("read-only", "writable") == expected[1]
    assert tree(small_org) == before
    if made:
        written, wanted = _made(tmp_path / "read-only" / made), _made(tmp_path / "writable" / made)
        assert wanted and sorted(written) == sorted(wanted)
        if made != "E001":  # the same figures (an export of one person says when it was made)
            assert written == wanted


def _made(path: Path) -> dict[str, bytes]:
    """What a command wrote at ``path``: the file, or every file in the folder, and its bytes."""
    return {"": path.read_bytes()} if path.is_file() else tree(path) if path.is_dir() else {}


def test_tables_behind_the_records_of_a_read_only_folder_are_named_with_who_can_bring_them_up_to_date(
        small_org: Path, capsys, monkeypatch):
    store = Store(small_org)
    store.refresh()
    folder = store.employee_dir("conversation", "E001")
    os.utime(folder, ns=(folder.stat().st_atime_ns, folder.stat().st_mtime_ns + 1_000_000))  # a record changed
    before = tree(small_org)
    with read_only(monkeypatch, small_org):
        code, _, err = run(capsys, "--data", str(small_org), "due")
        with pytest.raises(OSError) as full:
            Store(small_org).refresh(full=True)
    assert code == 1 and "Traceback" not in err
    assert f"error: cannot bring the derived tables in {small_org / 'derived'} up to date: they are behind the " \
           "records: 1 employee(s) whose records changed since the last refresh; and the data folder cannot be " \
           f"written here (read-only file system: {small_org / '.locks' / 'derived.lock'}); nothing was changed. " \
           f"Someone who may write it runs `careerconv --data {small_org} refresh`" in err, err
    assert "that file system is mounted read-only: make it writable" in err
    assert full.value.errno == errno.EROFS and "a full rebuild was asked for" in str(full.value)
    assert tree(small_org) == before


def test_validate_on_a_read_only_folder_checks_everything_and_leaves_the_temp_files(small_org: Path, capsys,
                                                                                    monkeypatch):
    left = Store(small_org).employee_dir("conversation", "E001") / ".E001-20250101.json.1234.tmp"
    left.write_bytes(b"{")  # a save killed halfway
    (small_org / "conversations" / "E001" / "E001-20250301.json").write_text("{ not json")
    with read_only(monkeypatch, small_org):
        code, out, err = run(capsys, "--data", str(small_org), "validate")
    assert code == 1 and "Traceback" not in err
    assert "1 problem(s)" in out and "E001-20250301.json" in out  # the damaged record is still found
    assert "1 temp file(s) left by interrupted processes (never data) stay: this data folder cannot be written " \
           "here" in err
    assert left.exists()
    assert run(capsys, "--data", str(small_org), "validate")[0] == 1  # where it may write, it removes them
    assert not left.exists()


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_a_data_folder_shared_without_write_permission_is_read(small_org: Path, tmp_path: Path, capsys):
    """The same with the folder's real permissions (no write bit for anyone), the command run by a user who may not
    write there; as root (CI), root's power to write anywhere is dropped for the command (``setpriv``)."""
    import shutil
    import subprocess
    import sys

    Store(small_org).refresh()
    before = tree(small_org)
    for path in [small_org, *small_org.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)
    command = [sys.executable, "-m", "careerconv.cli", "--data", str(small_org)]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("as root, setpriv (util-linux) is needed to run a command that may not write")
        dropped = "-dac_override,-dac_read_search,-fowner"
        command = ["setpriv", f"--bounding-set={dropped}", f"--inh-caps={dropped}", *command]
    try:
        done = subprocess.run([*command, "export", "skill_ratings", "-o", str(tmp_path / "ratings.csv")],
                              capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        refused = subprocess.run([*command, "import", "roster", str(small_org / "roster.csv")],
                                 capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    finally:
        for path in [small_org, *small_org.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
    assert done.returncode == 0, done.stderr
    assert "Wrote 2 row(s) of skill_ratings" in done.stderr
    assert refused.returncode == 1 and "permission denied" in refused.stderr  # writing is still refused, and said
    assert tree(small_org) == before
    assert main(["--data", str(small_org), "export", "skill_ratings", "-o", str(tmp_path / "writable.csv")]) == 0
    assert (tmp_path / "ratings.csv").read_bytes() == (tmp_path / "writable.csv").read_bytes()


def test_an_autosave_on_a_data_folder_turned_read_only_is_saved_once_it_is_writable(h: Harness, monkeypatch):
    app = h.app
    app.select_employee("E002")
    app.start_conversation()
    with read_only(monkeypatch, h.store.root):
        app.editor("want_more").area.value = "typed while read-only"
        h.advance(2)
        assert "Not saved: cannot write" in app.status_html.value and "read-only" in app.status_html.value
    h.advance(11)
    assert h.stored()["answers"]["want_more"] == "typed while read-only"


# --------------------------------------------------------------------------- files cut short or garbled


def test_damaged_record_files_are_named_with_why_and_what_to_do(small_org: Path, capsys):
    conversations = small_org / "conversations" / "E001"
    good = (conversations / "E001-20260302.json").read_bytes()
    (conversations / "E001-20260302.json").write_bytes(b"")
    (conversations / "E001-20250101.json").write_bytes(good[:300])
    (small_org / "checkins" / "E001" / "E001-ci-20260415.json").write_bytes('{"note": "é"}'.encode("latin-1"))
    code, out, _ = run(capsys, "--data", str(small_org), "validate")
    assert code == 1
    assert f"{conversations / 'E001-20260302.json'}: cannot read the conversation record: the file is empty " \
           "(0 bytes): something other than careerconv (a sync tool, a copy to a full disk) cut it short; restore " \
           "it from a backup" in out
    assert f"{conversations / 'E001-20250101.json'}: cannot read the conversation record: it stops in the middle, " \
           "after 300 bytes" in out
    assert "cannot read the checkin record: it is not UTF-8 text (byte 0xe9 at position 10)" in out


def test_refresh_says_which_records_it_left_out(small_org: Path, capsys):
    (small_org / "conversations" / "E001" / "E001-20260302.json").write_bytes(b"")
    code, _, err = run(capsys, "--data", str(small_org), "refresh", "--full")
    assert code == 0
    assert "careerconv refresh: warning: 1 record file(s) cannot be read and are left out of the derived tables " \
           "(and so of the HR page)" in err
    assert f"{small_org / 'conversations' / 'E001' / 'E001-20260302.json'}: cannot read" in err


@pytest.mark.parametrize("content, why", [
    (b"", "the file is empty (0 bytes)"),
    ("employee_id,name\r\nE001,Jürgen\r\n".encode("latin-1"), "it is not UTF-8 text (byte 0xfc at position 24)")])
def test_a_damaged_roster_is_named_with_what_to_do(small_org: Path, capsys, content: bytes, why: str):
    (small_org / "roster.csv").write_bytes(content)
    code, _, err = run(capsys, "--data", str(small_org), "due")
    assert code == 1 and "Traceback" not in err
    assert f"{small_org / 'roster.csv'}: cannot read the roster: {why}" in err
    assert "restore it from a backup; or remove it and import the roster again" in err


def test_a_record_folder_replaced_by_a_file_is_named_and_the_rest_still_works(small_org: Path, capsys):
    folder = small_org / "conversations" / "E001"
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    folder.write_text("a sync tool's conflict copy")
    code, out, _ = run(capsys, "--data", str(small_org), "validate")
    assert code == 1 and f"{folder}: is a file, not a folder: the conversation records of 'E001' belong in a " \
                         "folder of that name, so none of them is read" in out
    assert run(capsys, "--data", str(small_org), "refresh", "--full")[0] == 0
    code, out, err = run(capsys, "--data", str(small_org), "due")
    assert code == 0 and "E002" in out, err


def test_the_app_names_the_records_of_a_person_it_cannot_read(h: Harness):
    path = h.store.root / "conversations" / "E001" / "E001-20260302.json"
    path.write_bytes(b"")
    h.app.select_employee("E001")
    assert "1 record file(s) of Ada Lovelace are not shown, for the reasons below" in h.app.errors.text
    assert f"{path}: cannot read the conversation record: the file is empty (0 bytes)" in h.app.errors.text


def test_an_open_draft_cut_short_by_something_else_keeps_what_was_typed(h: Harness):
    app = h.app
    app.select_employee("E002")
    draft = app.start_conversation()
    app.editor("want_more").area.value = "saved once"
    h.advance(2)
    path = h.store.record_path("conversation", "E002", draft["conversation_id"])
    path.write_bytes(b"")  # a sync tool
    app.editor("want_more").area.value = "typed after it was cut"
    h.advance(2)
    panel = app.session.panel
    assert "Not saved: this conversation&#x27;s file is damaged" in panel.title.value
    assert "the file is empty (0 bytes)" in panel.message.value and "It was not overwritten" in panel.message.value
    h.advance(60)
    assert path.read_bytes() == b""  # never overwritten: someone may restore it
    panel.keep_button.click()
    assert app.record["conversation_id"] != draft["conversation_id"]
    kept = h.store.load_conversation("E002", app.record["conversation_id"])
    assert kept["answers"]["want_more"] == "typed after it was cut"


# --------------------------------------------------------------------------- the app on the records service (hub)


@pytest.fixture
def hub(tmp_path, monkeypatch):
    """(the records service on a copy of the sample organisation, coach E0020's app on it with E0004 open)."""
    from careerconv.surfaces.app import facilitation
    from service_harness import RunningService

    svc = RunningService(tmp_path)
    monkeypatch.setenv("CAREERCONV_SERVICE_URL", svc.url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "tok-coach-a")
    try:
        h = Harness(tmp_path / "no-data-folder")
        h.app.select_employee("E0004")
        yield svc, h
    finally:
        facilitation._LIVE_APPS.clear()
        svc.stop()


def test_a_save_the_services_full_disk_refused_is_shown_and_saved_once_it_has_room(hub, monkeypatch):
    svc, h = hub
    h.app.start_conversation()
    with full_disk(monkeypatch, svc.data):
        h.app.editor("want_more").area.value = "typed while the service's disk was full"
        h.advance(2)
        assert "Not saved: the records service could not save: cannot write" in h.app.status_html.value
        assert NO_SPACE in h.app.status_html.value and "saved again every 10 s" in h.app.status_html.value
    h.advance(11)
    cid = h.app.record["conversation_id"]
    assert Store(svc.data).load_conversation("E0004", cid)["answers"]["want_more"] == \
        "typed while the service's disk was full"


def test_a_draft_cut_short_on_the_services_disk_is_shown_as_damaged(hub):
    svc, h = hub
    draft = h.app.start_conversation()
    (svc.data / "conversations" / "E0004" / f"{draft['conversation_id']}.json").write_bytes(b"")
    h.app.editor("want_more").area.value = "typed after it was cut"
    h.advance(2)
    assert "file is damaged" in h.app.session.panel.title.value
    h.app.session.panel.keep_button.click()
    kept = Store(svc.data).load_conversation("E0004", h.app.record["conversation_id"])
    assert kept["answers"]["want_more"] == "typed after it was cut"


def test_a_roster_cut_short_at_a_line_is_not_taken_for_erasures(small_org: Path, capsys):
    """A roster cut at a line break reads as a shorter roster: validate said the people it lost were "erased, or
    never imported" and offered `careerconv erase` first; the erased list tells the two apart."""
    store = Store(small_org)
    store.save_many([conversation("E002", "2025-03-01", skills=[("SQL", 4, (5, 6, 7))],
                                  items=[("a1", "Pair on a query", None)])])
    store.mark_erased("E003")  # an erasure whose records were left (by hand, in another version)
    (small_org / "conversations" / "E003").mkdir()
    (small_org / "conversations" / "E003" / "E003-20250301.json").write_text(json.dumps(
        conversation("E003", "2025-03-01", skills=[("SQL", 4, (5, 6, 7))], items=[("a1", "Pair", None)])))
    lines = (small_org / "roster.csv").read_bytes().split(b"\r\n")
    (small_org / "roster.csv").write_bytes(b"\r\n".join(line for line in lines if not line.startswith(
        (b"E002", b"E003"))))
    code, out, _ = run(capsys, "--data", str(small_org), "validate")
    assert code == 1
    assert "'E002', who is not on the roster and was never erased here: import a roster that lists them (if " \
           "roster.csv was cut short or replaced, by a sync tool or by hand, restore it from a backup)" in out
    assert "'E003', who is not on the roster: erased on " in out and "these were left; `careerconv erase " \
           "--employee E003 --yes` removes them" in out


def test_a_sync_tools_conflict_copy_of_a_record_is_named_and_not_counted_twice(small_org: Path, capsys):
    folder = small_org / "conversations" / "E001"
    copy = folder / "E001-20260302 (Ada's conflicted copy 2026-12-04).json"
    copy.write_bytes((folder / "E001-20260302.json").read_bytes())
    code, out, _ = run(capsys, "--data", str(small_org), "validate")
    assert code == 1 and f"{copy}: holds conversation 'E001-20260302', whose file is E001-20260302.json: a copy " \
                         "(a sync tool's conflict copy, or one made by hand) is left out" in out
    store = Store(small_org)
    assert [c["conversation_id"] for c in store.conversations("E001")] == ["E001-20260302"]
    store.refresh(full=True)
    assert list(store.read_table("conversations")["conversation_id"]) == ["E001-20260302"]


@pytest.mark.parametrize("what", ["roster", "history"])
def test_an_import_whose_rejected_rows_cannot_be_written_changes_nothing(small_org: Path, tmp_path: Path, capsys,
                                                                         monkeypatch, what: str):
    """The import wrote the roster (or the records), then failed on the full disk of the rejected rows' file:
    "error: cannot write .../in.rejected.csv: ...; nothing was written", with the import done."""
    out = tmp_path / "out"
    out.mkdir()
    text = ("employee_id,name,coach_id,department,role,cadence_months\n"
            "E002,Alan Turing,C01,Research,Staff engineer,12\nE0!9,Bad Id,C01,Research,Engineer,12\n") \
        if what == "roster" else \
        "employee_id,date,skill,rating\nE002,2025-03-01,SQL,4\nE002,2025-06-01,Go,11\n"
    (out / "in.csv").write_text(text)
    before = tree(small_org)
    with full_disk(monkeypatch, out):
        code, _, err = run(capsys, "--data", str(small_org), "import", what, str(out / "in.csv"), "--skip-invalid")
    assert code == 1 and f"cannot write {out / 'in.rejected.csv'}: {NO_SPACE}" in err, err
    assert tree(small_org) == before


def test_a_summary_the_full_disk_refused_leaves_the_completed_conversation_locked_and_says_so(h: Harness,
                                                                                                 monkeypatch):
    """The summary is written after the conversation is saved as completed: when the disk refused it, the
    conversation was completed but its screen stayed editable, and what was typed there went nowhere."""
    from test_app import ready_to_complete

    real = Store.save_summary

    def refused(self, *args, **kwargs):
        with full_disk(monkeypatch):
            return real(self, *args, **kwargs)

    monkeypatch.setattr(Store, "save_summary", refused)
    app = h.app
    ready_to_complete(h)
    app.conversation_screen.complete_button.click()
    screen = app.conversation_screen
    assert h.stored()["status"] == "completed" and screen.locked
    assert screen.complete_button.layout.display == "none"  # the view is locked, as after any completion
    assert "The summary file was not written: cannot write" in screen.locked_html.value
    assert NO_SPACE in screen.locked_html.value and "Saved" in app.status_html.value


def test_a_conversation_stays_open_with_what_was_typed_while_the_service_is_down(hub):
    """The records service restarting: the saves failed ("cannot be reached") and closing the conversation
    dropped what was typed since the last save."""
    svc, h = hub
    h.app.start_conversation()
    svc.stop()
    h.app.store._timeout = 0.5  # the stopped loop leaves the kept-alive connection open: no 30 s waits here
    h.app.editor("want_more").area.value = "typed while the service was down"
    h.advance(2)
    assert h.app.status_html.value == ("Not saved: the careerconv server cannot be reached (it may be restarting). "
                                       "Your typing is kept here and saved again every 10 s until it works.")
    h.app.guard(h.app.lifecycle.close_conversation, "Could not close the conversation")()
    assert h.app.screen == "conversation" and "cannot be reached" in h.app.errors.text
    assert h.app.editor("want_more").area.value == "typed while the service was down"


def test_the_service_being_unreachable_is_said_in_words_with_the_technical_reason_under_details(hub):
    """The records service stopped: the status line and the "Autosave failed" box showed the HTTP library's
    error (HTTPConnectionPool(host=..., port=...): Max retries exceeded ... [Errno 111] Connection refused)."""
    svc, h = hub
    h.app.start_conversation()
    svc.stop()
    h.app.store._timeout = 0.5
    h.app.editor("want_more").area.value = "typed while the service was down"
    h.advance(2)
    shown, details = h.app.errors.text.split("<details>")
    assert ("<b>Autosave failed:</b> the careerconv server cannot be reached (it may be restarting)<div "
            'class="cc-muted">Your typing is kept here and saved again every 10 s until it works.</div>') in shown
    for technical in ("HTTPConnectionPool", "Errno", "127.0.0.1", "Connection"):
        assert technical not in shown and technical not in h.app.status_html.value
    assert f"PUT {svc.url.rstrip('/')}/api/people/E0004/conversations: " in details  # for support


def test_a_roster_cut_in_the_middle_of_a_row_says_it_may_have_been_cut_short(small_org: Path, capsys):
    data = (small_org / "roster.csv").read_bytes()
    (small_org / "roster.csv").write_bytes(data[:data.index(b"E003,") + 20])
    code, _, err = run(capsys, "--data", str(small_org), "due")
    assert code == 1 and "column 'cadence_months'" in err
    assert f"{small_org / 'roster.csv'}: the file ends in the middle of a line, after " in err
    assert "if it was cut short (a sync tool, a copy to a full disk), restore it from a backup" in err
