"""Report batches of the whole roster and the people who have left (found by a hostile test of the batches: E0057's
report of 1 Oct, made before the roster gave them a leaving day of 15 Sep, stayed on disk saying "Next career
conversation 15 Sep 2027 (scheduled)", and the merged index had no row and no note for it)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from careerconv import cli
from report_org import AS_OF, make_six_person_org

LEAVER = "E0007"  # a plan whose next conversation is overdue on the report's day


def gives_leaving_day(data: Path, employee_id: str, left_on: str) -> None:
    """The roster as an import of a leaving day leaves it: a ``left_on`` column, ``left_on`` for this employee."""
    roster = data / "roster.csv"
    lines = roster.read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + ",left_on"] + [line + ("," + left_on if line.split(",", 1)[0] == employee_id else ",")
                                      for line in lines[1:]]
    roster.write_text("\n".join(rows) + "\n", encoding="utf-8")


def shown(page: Path) -> str:
    """The text a reader sees on an HTML page, whitespace collapsed."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page.read_text(encoding="utf-8"), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def index_row(page: Path, employee_id: str) -> str:
    """The shown text of the index page's table row of this employee ("" when there is none)."""
    for row in re.findall(r"<tr\b.*?</tr>", page.read_text(encoding="utf-8"), flags=re.S):
        if employee_id in row:
            return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())
    return ""


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("split", [False, True], ids=["one-machine", "shards"])
def test_a_report_made_before_the_roster_said_they_left_is_made_again_and_listed(tmp_path, capsys, split):
    data, reports = tmp_path / "data", tmp_path / "r"
    make_six_person_org(data)
    batch = ["--data", str(data), "report", "--all", "--as-of", AS_OF, "-o", str(reports), "--jobs", "1", "--quiet"]

    def run_the_batch() -> Path:
        for shard in (["--shard", "1/2"], ["--shard", "2/2"]) if split else ([],):
            assert cli.main(batch + shard) == 0
        if split:
            assert cli.main(["--data", str(data), "report", "--merge-index", "--as-of", AS_OF, "-o",
                             str(reports), "--quiet"]) == 0
        capsys.readouterr()
        return reports / f"index-{AS_OF}.html"

    run_the_batch()
    report = reports / LEAVER / f"progress-{AS_OF}.html"
    due = "Next career conversation 26 Sep 2026 (overdue)"
    assert due in shown(report)
    gives_leaving_day(data, LEAVER, "2026-09-15")
    index = run_the_batch()

    said = shown(report)
    assert due not in said and "15 Sep 2026" in said, said[:1500]  # their last day's report: the day they left
    row = index_row(index, LEAVER)
    assert "left 15 Sep 2026" in row and "made now" in row
    assert f'href="{LEAVER}/progress-{AS_OF}.html"' in index.read_text(encoding="utf-8")
