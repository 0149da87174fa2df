"""A right-to-left name inside one of the HR page's sentences is isolated, so its numbers stay where they are said.

In "most in הנדסה (41%)" the bidirectional algorithm draws " (41%" into the Hebrew name's run and a browser
shows "most in (41%) הנדסה" (seen on the HR page at 1200 px). A department, skill or coach with a
right-to-left character is put between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE in the readings and
in the HR charts' titles and labels; a Latin-only sentence or label is byte for byte what it was, and the
CSV tables never get the invisible characters.
"""

from __future__ import annotations

import pandas as pd

from careerconv import analytics
from careerconv.records.schema import DEPARTMENT, SKILL
from careerconv.records.spreadsheet import frame_to_csv_bytes
from careerconv.records.text_direction import has_right_to_left, isolated
from careerconv.rules import privacy
from careerconv.views import hr_plots

FSI, PDI = "\u2068", "\u2069"
HEBREW_DEPARTMENT, HEBREW_SKILL = "הנדסה", "מתן משוב"


def _cadence(department: str) -> pd.DataFrame:
    """A cadence table: the organisation and two departments, ``department`` the most overdue."""
    return pd.DataFrame({
        DEPARTMENT: [None, "Sales", department],
        privacy.COUNT: pd.array([35, 13, 22], dtype="Int64"),
        "share_conversation_overdue": [0.2, 0.15, 0.23],
        "share_checkin_overdue": [0.2, 0.23, 0.18],
        "share_any_overdue": [0.4, 0.38, 0.41],
        "share_never_met": [0.05, 0.08, 0.05],
        privacy.PRIVACY: ["", "", ""],
    })


def _most_wanted(skill: str) -> pd.DataFrame:
    """A most-wanted table of the organisation: ``skill`` first, then two Latin skills."""
    return pd.DataFrame({
        SKILL: [skill, "Time management", "Negotiation"],
        DEPARTMENT: [None, None, None],
        privacy.COUNT: pd.array([9, 7, 5], dtype="Int64"),
        "skills_per_person": [None, None, None],
        "share_of_people_met": [0.16, 0.12, 0.09],
        privacy.PRIVACY: ["", "", ""],
    })


def test_a_hebrew_department_is_isolated_and_nothing_else_is():
    latin = analytics.describe("cadence_compliance", _cadence("Engineering"))
    hebrew = analytics.describe("cadence_compliance", _cadence(HEBREW_DEPARTMENT))
    assert hebrew.endswith(f"; most in {FSI}{HEBREW_DEPARTMENT}{PDI} (41%).")
    assert hebrew == latin.replace("Engineering", FSI + HEBREW_DEPARTMENT + PDI)


def test_a_latin_reading_is_unchanged():
    assert analytics.describe("cadence_compliance", _cadence("Engineering")) == (
        "40% of employees are overdue for a career conversation or a follow-up (20% for a conversation, 20% "
        "for a follow-up; 5% never had one); most in Engineering (41%).")
    assert analytics.describe("most_wanted_skills", _most_wanted("Giving feedback")) == (
        "The most-wanted skill is Giving feedback, worked on by 9 employees (16% of those who had a "
        "conversation), followed by Time management (7) and Negotiation (5).")


def test_a_hebrew_skill_is_isolated_where_it_leads_and_where_it_follows():
    latin = _most_wanted("Giving feedback")
    hebrew_first = analytics.describe("most_wanted_skills", _most_wanted(HEBREW_SKILL))
    assert hebrew_first == analytics.describe("most_wanted_skills", latin).replace(
        "Giving feedback", FSI + HEBREW_SKILL + PDI)
    # Among the others, with its count right after it: "(7)" stays on the side the sentence puts it.
    second = latin.assign(**{SKILL: ["Giving feedback", HEBREW_SKILL, "Negotiation"]})
    assert f"followed by {FSI}{HEBREW_SKILL}{PDI} (7) and Negotiation (5)." in (
        analytics.describe("most_wanted_skills", second))


def test_each_department_of_a_selection_is_isolated_on_its_own():
    about = pd.DataFrame({"item": ["as of", "period", "departments", "minimum group size"],
                          "value": ["2026-09-30", "2024 Q4 to 2026 Q3", f"{HEBREW_DEPARTMENT}, Sales", "5"]})
    day = "30\N{NO-BREAK SPACE}Sep\N{NO-BREAK SPACE}2026"  # as the page writes 2026-09-30
    assert f"for these departments: {FSI}{HEBREW_DEPARTMENT}{PDI}, Sales, as of {day}." in (
        analytics.describe_about(about))
    latin = about.assign(value=about["value"].replace({f"{HEBREW_DEPARTMENT}, Sales": "Ops, Sales"}))
    assert "for these departments: Ops, Sales, as of" in analytics.describe_about(latin)


def test_isolated_changes_only_text_with_a_right_to_left_character():
    assert isolated("Engineering (R&D), 2") == "Engineering (R&D), 2"
    assert isolated("هندسة") == FSI + "هندسة" + PDI
    assert has_right_to_left(HEBREW_SKILL) and not has_right_to_left("Größe")


def _labels(draw, table, **kwargs) -> tuple[list[str], str]:
    """The y tick labels and the title of ``draw``'s chart of ``table``."""
    _, axes = hr_plots.new_figure()
    draw(axes, table, **kwargs)
    labels = [tick.get_text() for tick in axes.get_yticklabels()]
    return labels, axes.get_title(loc="left")


def test_chart_labels_isolate_a_hebrew_name_beside_its_count():
    labels, _ = _labels(hr_plots.cadence_chart, _cadence(HEBREW_DEPARTMENT))
    assert labels == ["All departments (n=35)", "Sales (n=13)", f"{FSI}{HEBREW_DEPARTMENT}{PDI} (n=22)"]
    latin, _ = _labels(hr_plots.cadence_chart, _cadence("Engineering"))
    assert latin == ["All departments (n=35)", "Sales (n=13)", "Engineering (n=22)"]
    gaps = pd.DataFrame({SKILL: [None, HEBREW_SKILL], DEPARTMENT: [None, None],
                         privacy.COUNT: pd.array([40, 9], dtype="Int64"), "mean_gap": [0.3, -0.5],
                         "share_self_lower": [0.35, 0.5], "share_self_higher": [0.56, 0.2], privacy.PRIVACY: ["", ""]})
    labels, _ = _labels(hr_plots.gaps_chart, gaps)
    assert labels == ["All skills, each person's mean (n=40, mean +0.3)", f"{FSI}{HEBREW_SKILL}{PDI} (n=9, mean -0.5)"]


def test_the_reading_isolates_the_name_and_the_csv_of_the_same_table_does_not():
    """A spreadsheet user would see or copy the invisible characters: the CSV keeps the name as typed."""
    table = _cadence(HEBREW_DEPARTMENT)
    assert FSI + HEBREW_DEPARTMENT + PDI in analytics.describe("cadence_compliance", table)
    csv = frame_to_csv_bytes(analytics.present("cadence_compliance", table, formatted=False)).decode("utf-8-sig")
    assert HEBREW_DEPARTMENT in csv
    assert FSI not in csv and PDI not in csv
