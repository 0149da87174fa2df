"""An erasure run as root leaves every file it rewrites with the owner, group and mode it had.

Found: ``sudo careerconv erase`` on the data folder of a records service (which runs as its own account) left the
roster, the other people's records it cleaned and every table it cut rows from owned by root, mode 0644: the service
could no longer save a record of anyone whose file the erasure had touched (the access log alone kept its owner).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from careerconv.records.erasure import erase_employee
from careerconv.records.store import atomic_write_bytes
import test_erasure

org = test_erasure.org  # the fixture: Ana Silva, E001, held and mentioned everywhere
SERVICE_ACCOUNT = (65534, 65534)  # nobody:nogroup, as a service's own account would be

pytestmark = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                                reason="only root may give a file to another account")


def owner_and_mode(path) -> tuple[int, int, str]:
    st = path.stat()
    return st.st_uid, st.st_gid, oct(stat.S_IMODE(st.st_mode))


def test_every_file_the_erasure_rewrites_keeps_its_owner_group_and_mode(org):
    store, reports = org
    before = {}
    for path in sorted([*store.root.rglob("*"), *reports.rglob("*")]):
        if path.is_file():
            os.chown(path, *SERVICE_ACCOUNT)
            path.chmod(0o640)
            before[path] = path.read_bytes()

    receipt = erase_employee(store, reports, "E001")
    assert receipt.complete, str(receipt)

    rewritten = sorted(path for path, data in before.items() if path.exists() and path.read_bytes() != data)
    names = {path.relative_to(path.parents[1]).as_posix() for path in rewritten}
    # the roster, a record of someone she coached, the notes and tables that named her, the derived tables
    assert {"data/roster.csv", "E002/E002-20230401.json", "data/notes.txt", "hr/cohort.csv", "reports/batch.json",
            "action_items/part-05.parquet"} <= names, names
    assert {path: owner_and_mode(path) for path in rewritten} == \
        {path: (*SERVICE_ACCOUNT, "0o640") for path in rewritten}


def test_a_file_replaced_keeps_its_owner_and_a_new_one_is_this_accounts(tmp_path):
    kept, new = tmp_path / "kept.csv", tmp_path / "new.csv"
    kept.write_bytes(b"a\n")
    os.chown(kept, *SERVICE_ACCOUNT)
    kept.chmod(0o600)
    atomic_write_bytes(kept, b"b\n")
    atomic_write_bytes(new, b"c\n")
    assert (kept.read_bytes(), owner_and_mode(kept)) == (b"b\n", (*SERVICE_ACCOUNT, "0o600"))
    assert owner_and_mode(new)[:2] == (0, 0)


def test_another_account_sharing_the_folder_may_still_rewrite_a_file_it_cannot_give_back(tmp_path):
    """A file kept for its owner where only root can give it back: an account that shares the folder (not root)
    rewrites it as before, the file then its own in the mode it had; the write is not refused (nothing lost)."""
    import subprocess
    import sys
    import tempfile

    shared = Path(tempfile.mkdtemp(prefix="careerconv-shared-", dir="/tmp"))
    try:
        shared.chmod(0o777)
        roster = shared / "roster.csv"
        roster.write_bytes(b"old\n")
        roster.chmod(0o664)  # root's, 0664
        script = ("import os, sys; from careerconv.records.store import atomic_write_bytes; "  # imported as root
                  "os.setgid(65534); os.setuid(65534); atomic_write_bytes(sys.argv[1], b'new\\n')")
        done = subprocess.run([sys.executable, "-c", script, str(roster)], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, env={**os.environ, "HOME": str(shared)})
        assert done.returncode == 0, done.stderr
        assert roster.read_bytes() == b"new\n"
        assert owner_and_mode(roster) == (*SERVICE_ACCOUNT, "0o664")
    finally:
        import shutil
        shutil.rmtree(shared)
