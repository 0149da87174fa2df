"""Charts (careerconv.views.plots), drawn headless with the Agg backend."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from careerconv.views import plots
from colour_vision import colour_difference, contrast_ratio, marks_below, texts_below  # noqa: E402
from careerconv.rules import progress  # noqa: E402
from careerconv.rules.progress import AHEAD, BEHIND, DUE_NOT_MEASURED, ON_TRACK, UPCOMING  # noqa: E402

T0 = pd.Timestamp("2024-01-15")
TARGETS = {6: 6, 12: 7, 18: 8}


@pytest.fixture
def ax():
    fig = Figure(figsize=(8, 4.8), layout="constrained")
    return fig.subplots()


@pytest.fixture(autouse=True)
def no_show_or_save(monkeypatch):
    """Library code must never show or save a figure itself."""

    def refuse(*args, **kwargs):
        raise AssertionError("plots must not call show() or savefig()")

    monkeypatch.setattr(plt, "show", refuse)
    monkeypatch.setattr(plt, "savefig", refuse)
    monkeypatch.setattr(Figure, "savefig", refuse)


def history() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-15", "2024-03-20", "2024-05-22", "2024-07-10", "2024-10-02", "2025-01-20"]),
            "rating": pd.array([4, 4, 5, 7, 7, 7], dtype="Int64"),
            "source": ["conversation", "checkin", "checkin", "checkin", "checkin", "conversation"],
        }
    )


def progress_rows(as_of="2025-03-01") -> pd.DataFrame:
    targets = pd.DataFrame(
        {
            "employee_id": "e1",
            "conversation_id": "c1",
            "date": T0,
            "skill": "Public speaking",
            "baseline": pd.array([4, 4, 4], dtype="Int64"),
            "horizon_months": [6, 12, 18],
            "target": pd.array(list(TARGETS.values()), dtype="Int64"),
        }
    )
    ratings = history().rename(columns={"rating": "self_rating"})
    ratings["employee_id"], ratings["skill"], ratings["record_id"] = "e1", "Public speaking", [f"r{i}" for i in range(6)]
    ratings["coach_rating"] = pd.array([pd.NA] * 6, dtype="Int64")
    return progress.progress_at_horizons(targets, ratings, as_of)


def lines_with(ax, gid: str) -> list:
    return [line for line in ax.get_lines() if line.get_gid() == gid]


def texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def draw_example(ax, **overrides):
    args = {
        "skill": "Public speaking",
        "t0": T0,
        "baseline": 4,
        "targets": TARGETS,
        "ratings": history(),
        "progress_rows": progress_rows(),
        "as_of": "2025-03-01",
    }
    args.update(overrides)
    return plots.skill_progress(ax, **args)


# --- skill_progress ---------------------------------------------------------------


def test_skill_progress_returns_the_axes_and_titles_it_with_the_skill(ax):
    assert draw_example(ax) is ax
    assert ax.get_title(loc="left") == "Public speaking"
    assert ax.get_title(loc="right") == ""  # no subtitle to overprint the target labels


def test_skill_progress_rating_scale_is_0_to_10_in_whole_numbers(ax):
    draw_example(ax)
    bottom, top = ax.get_ylim()
    assert bottom == 0 and 10 <= top <= 11
    assert list(ax.get_yticks()) == list(range(0, 11))
    assert [t.get_text() for t in ax.get_yticklabels()] == [str(i) for i in range(11)]


def test_skill_progress_marks_each_target_at_its_horizon_date(ax):
    draw_example(ax)
    stars = lines_with(ax, plots.GID_TARGET)
    assert len(stars) == 3
    placed = sorted((mdates.num2date(s.get_xdata()[0]).date(), s.get_ydata()[0]) for s in stars)
    assert [str(d) for d, _ in placed] == ["2024-07-15", "2025-01-15", "2025-07-15"]
    assert [v for _, v in placed] == [6, 7, 8]
    for label in ("6-month target: 6", "12-month target: 7", "18-month target: 8"):
        assert label in texts(ax)


def test_skill_progress_draws_one_dashed_plan_path_through_the_targets(ax):
    draw_example(ax)
    (plan,) = lines_with(ax, plots.GID_PLAN)  # one plan, not three lines fanning out
    assert plan.get_linestyle() == "--"
    assert list(plan.get_ydata()) == [4, 6, 7, 8]  # start, then each target in turn
    dates = [mdates.num2date(x).date().isoformat() for x in plan.get_xdata()]
    assert dates == ["2024-01-15", "2024-07-15", "2025-01-15", "2025-07-15"]


def test_skill_progress_without_baseline_has_no_on_track_lines(ax):
    draw_example(ax, baseline=None, ratings=history().iloc[1:])
    assert lines_with(ax, plots.GID_PLAN) == []
    assert lines_with(ax, plots.GID_BASELINE) == []
    assert len(lines_with(ax, plots.GID_TARGET)) == 3


def test_skill_progress_tells_check_ins_from_conversations(ax):
    draw_example(ax)
    (conversations,) = lines_with(ax, plots.GID_CONVERSATION)
    (checkins,) = lines_with(ax, plots.GID_CHECKIN)
    assert len(conversations.get_xdata()) == 2 and len(checkins.get_xdata()) == 4
    assert checkins.get_markerfacecolor() != conversations.get_markerfacecolor()
    (line,) = lines_with(ax, plots.GID_RATING)
    assert list(line.get_ydata()) == [4, 4, 5, 7, 7, 7]
    assert len(lines_with(ax, plots.GID_BASELINE)) == 1


def test_skill_progress_shows_imported_ratings_as_their_own_kind(ax):
    ratings = history()
    ratings.loc[1, "source"] = "import"
    draw_example(ax, ratings=ratings)
    (imported,) = lines_with(ax, plots.GID_IMPORT)
    assert imported.get_marker() == "s" and len(imported.get_xdata()) == 1
    assert len(lines_with(ax, plots.GID_CHECKIN)[0].get_xdata()) == 3
    assert "Imported rating" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_skill_progress_rings_measured_horizons_in_their_status_colour(ax):
    rows = progress_rows()
    assert list(rows["status"]) == [AHEAD, ON_TRACK, UPCOMING]
    draw_example(ax, progress_rows=rows)
    rings = lines_with(ax, plots.GID_MEASURED)
    assert len(rings) == 2
    colours = {matplotlib.colors.to_hex(r.get_markeredgecolor()) for r in rings}
    assert colours == {plots.STATUS_COLOURS[AHEAD].lower(), plots.STATUS_COLOURS[ON_TRACK].lower()}
    # Status is named in words too, not by colour alone.
    assert AHEAD in texts(ax) and ON_TRACK in texts(ax)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Target" in legend and "Plan: start to each target" in legend and "Rating in a check-in" in legend


def test_skill_progress_says_when_a_passed_horizon_was_not_measured(ax):
    rows = progress_rows(as_of="2025-09-01")
    assert rows.loc[rows["horizon_months"] == 18, "status"].item() == DUE_NOT_MEASURED
    draw_example(ax, progress_rows=rows, as_of="2025-09-01")
    # said on the target's own label, so it reads as that target's (a label of its own sat between two stars)
    assert [t for t in texts(ax) if DUE_NOT_MEASURED in t] == [f"18-month target: 8\n{DUE_NOT_MEASURED}"]
    # An upcoming target says nothing of the kind.
    ax.clear()
    draw_example(ax, progress_rows=progress_rows(as_of="2025-03-01"))
    assert DUE_NOT_MEASURED not in texts(ax)


def test_skill_progress_marks_as_of(ax):
    draw_example(ax)
    (line,) = lines_with(ax, plots.GID_AS_OF)
    assert mdates.num2date(line.get_xdata()[0]).date().isoformat() == "2025-03-01"
    assert "as of 1 Mar 2025" in texts(ax)


def test_skill_progress_dates_are_readable(ax):
    draw_example(ax)
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert 4 <= len(labels) <= 10
    assert all(label.split("\n")[0] in {"Jan", "Apr", "Jul", "Oct"} for label in labels)
    assert any("2024" in label for label in labels) and any("2025" in label for label in labels)
    # The x range covers the conversation and the last target.
    left, right = (mdates.num2date(v).date().isoformat() for v in ax.get_xlim())
    assert left < "2024-01-15" and right > "2025-07-15"


def test_skill_progress_has_no_chartjunk(ax):
    draw_example(ax)
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
    assert not any(line.get_visible() for line in ax.get_xgridlines())


def test_skill_progress_copes_with_no_ratings_and_no_progress(ax):
    empty = pd.DataFrame({"date": pd.to_datetime([]), "rating": pd.array([], dtype="Int64"), "source": []})
    assert plots.skill_progress(ax, "Python", T0, None, {}, empty) is ax
    assert ax.get_title(loc="left") == "Python"
    ax.figure.canvas.draw()


def test_skill_progress_does_not_modify_its_inputs(ax):
    ratings, rows = history(), progress_rows()
    ratings_before, rows_before = ratings.copy(deep=True), rows.copy(deep=True)
    draw_example(ax, ratings=ratings, progress_rows=rows)
    pd.testing.assert_frame_equal(ratings, ratings_before)
    pd.testing.assert_frame_equal(rows, rows_before)


def test_skill_progress_rejects_ratings_without_required_columns(ax):
    with pytest.raises(ValueError, match="ratings is missing column"):
        draw_example(ax, ratings=history().drop(columns=["source"]))


def test_example_figure_renders_to_png(ax, tmp_path, monkeypatch):
    monkeypatch.undo()  # saving is the caller's job; here the test is the caller
    draw_example(ax)
    out = tmp_path / "progress.png"
    ax.figure.savefig(out, dpi=80)
    assert out.stat().st_size > 10_000


# --- current_vs_target_bars -----------------------------------------------------------


def current_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "skill": ["Negotiation", "Public speaking", "Python"],
            "latest_rating": pd.array([None, 7, 6], dtype="Int64"),
            "next_horizon_months": [18, 18, 12],
            "next_target": pd.array([6, 8, 8], dtype="Int64"),
            "status": [UPCOMING, ON_TRACK, BEHIND],
        }
    )


def test_current_vs_target_bars(ax):
    assert plots.current_vs_target_bars(ax, current_frame()) is ax
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Negotiation", "Public speaking", "Python"]
    widths = [p.get_width() for p in ax.patches]
    assert widths == [0, 7, 6]
    (targets,) = lines_with(ax, plots.GID_NEXT_TARGET)
    assert list(targets.get_xdata()) == [6, 8, 8]
    assert ax.get_xlim()[0] == 0 and 10 <= ax.get_xlim()[1] <= 11
    assert "now 6 \u00b7 behind" in texts(ax) and "no rating yet" in texts(ax)
    assert "12-month target 8" in texts(ax)


def test_current_vs_target_bars_work_on_the_progress_output(ax):
    targets = pd.DataFrame(
        {
            "employee_id": "e1", "conversation_id": "c1", "date": T0, "skill": "Python",
            "baseline": pd.array([4] * 3, dtype="Int64"), "horizon_months": [6, 12, 18],
            "target": pd.array([6, 7, 8], dtype="Int64"),
        }
    )
    ratings = pd.DataFrame(
        {
            "employee_id": ["e1"], "date": pd.to_datetime(["2024-07-01"]), "skill": ["Python"],
            "self_rating": pd.array([6], dtype="Int64"), "coach_rating": pd.array([pd.NA], dtype="Int64"),
            "source": ["checkin"], "record_id": ["r1"],
        }
    )
    frame = progress.current_vs_target(targets, ratings, "2024-08-01")
    plots.current_vs_target_bars(ax, frame)
    assert len(ax.patches) == 1 and ax.patches[0].get_width() == 6


def test_current_vs_target_bars_need_columns(ax):
    with pytest.raises(ValueError, match="next_target"):
        plots.current_vs_target_bars(ax, current_frame().drop(columns=["next_target"]))


# --- HR helpers ---------------------------------------------------------------------


def test_rating_trend_draws_one_line_per_group(ax):
    frame = pd.DataFrame(
        {
            "period": pd.to_datetime(["2024-01-01", "2024-07-01", "2025-01-01"] * 2),
            "mean_rating": [4.0, 5.0, 5.5, 6.0, 6.2, 6.8],
            "department": ["Engineering"] * 3 + ["Sales"] * 3,
        }
    )
    assert plots.rating_trend(ax, frame, "period", "mean_rating", hue="department", ylim=(0, 10)) is ax
    assert len(ax.get_lines()) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Engineering", "Sales"]
    assert ax.get_ylim() == (0, 10)
    colours = {matplotlib.colors.to_hex(line.get_color()) for line in ax.get_lines()}
    assert len(colours) == 2


def test_rating_trend_without_hue(ax):
    frame = pd.DataFrame({"x": [3, 1, 2], "y": [5.0, 4.0, None]})
    plots.rating_trend(ax, frame, "x", "y")
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [1, 3] and ax.get_legend() is None


def test_distribution_stacks_ratings_1_to_10_per_skill(ax):
    frame = pd.DataFrame(
        {"skill": ["Python"] * 4 + ["Negotiation"] * 2, "rating": [1, 10, 10, 5, 3, None]}
    )
    assert plots.distribution(ax, frame, "skill", "rating") is ax
    assert len(ax.containers) == 10  # one segment series per rating 1..10
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Negotiation", "Python"]
    shares = np.array([[bar.get_width() for bar in container] for container in ax.containers])
    assert shares.sum(axis=0) == pytest.approx([1.0, 1.0])
    assert shares[9].tolist() == pytest.approx([0.0, 0.5])  # half of Python's ratings are 10
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [str(i) for i in range(1, 11)]


def test_distribution_counts(ax):
    frame = pd.DataFrame({"skill": ["Python"] * 3, "rating": [2, 2, 7]})
    plots.distribution(ax, frame, "skill", "rating", normalize=False)
    widths = [container[0].get_width() for container in ax.containers]
    assert widths[1] == 2 and widths[6] == 1 and sum(widths) == 3


def test_palette_is_defined_once_and_covers_every_status():
    assert set(plots.STATUS_COLOURS) == set(progress.STATUSES)
    assert len(set(plots.STATUS_COLOURS.values())) == len(progress.STATUSES)


# --- contrast -------------------------------------------------------------------------


def test_every_mark_of_a_progress_chart_has_3_to_1_contrast_with_the_background(ax):
    """WCAG 1.4.11. Before: the plan line (#B9A3C6, 2.3:1) and the "behind" ring (#E69F00, 2.25:1), both in the
    legend, and the grey of an upcoming target's bar (#9A9A9A, 2.8:1)."""
    rows = progress_rows()
    rows["status"] = [BEHIND, ON_TRACK, UPCOMING]  # every status a ring or a bar is drawn in, over two charts
    draw_example(ax, progress_rows=rows)
    assert {t.get_text() for t in ax.get_legend().get_texts()} >= {"Plan: start to each target", "Target",
                                                                   f"At a target date: {BEHIND}"}
    assert marks_below(ax) == []
    bars = Figure().subplots()
    frame = current_frame()
    frame["status"] = [UPCOMING, AHEAD, DUE_NOT_MEASURED]
    plots.current_vs_target_bars(bars, pd.concat([frame, current_frame()], ignore_index=True))
    assert marks_below(bars) == []


def test_every_text_of_a_progress_chart_has_4_5_to_1_contrast_with_its_background():
    """WCAG 1.4.3: the status words, the target and start labels, "as of", the title, the ticks and the key below.
    Before: "behind" in #C98400 (3.1:1), "on track" in #009E73 (3.4:1) and "as of ..." in #7F7F7F (4.0:1)."""
    rows = progress_rows(as_of="2025-09-01")
    rows["status"] = [BEHIND, ON_TRACK, DUE_NOT_MEASURED]  # the 18-month target is due, with no rating
    fig = Figure(figsize=(8, 4.8), layout="constrained")
    draw_example(fig.subplots(), progress_rows=rows, as_of="2025-09-01")
    drawn = texts(fig.axes[0])
    assert {BEHIND, ON_TRACK, f"18-month target: 8\n{DUE_NOT_MEASURED}", "as of 1 Sep 2025"} <= set(drawn), drawn
    assert texts_below(fig) == []
    rows["status"] = [AHEAD, UPCOMING, UPCOMING]
    fig = Figure(figsize=(8, 4.8), layout="constrained")
    draw_example(fig.subplots(), progress_rows=rows)
    assert AHEAD in texts(fig.axes[0]) and texts_below(fig) == []


def test_every_text_of_the_current_vs_target_bars_has_4_5_to_1_contrast_with_its_background():
    """On its bar (white, near-black or black, whichever reads) or beside it on the white page."""
    fig = Figure(figsize=(8, 3))
    frame = current_frame()
    frame["status"] = [UPCOMING, AHEAD, DUE_NOT_MEASURED]
    plots.current_vs_target_bars(fig.subplots(), pd.concat([frame, current_frame()], ignore_index=True))
    assert texts_below(fig) == []


@pytest.mark.parametrize("status", sorted(progress.STATUSES))
def test_a_status_word_is_a_darker_shade_of_its_mark_with_4_5_to_1(status):
    import colorsys
    mark, word = plots.STATUS_COLOURS[status], plots.STATUS_TEXT_COLOURS[status]
    assert contrast_ratio(word, "white") >= 4.5
    (mark_hue, mark_light, _), (word_hue, word_light, _) = (
        colorsys.rgb_to_hls(*matplotlib.colors.to_rgb(c)) for c in (mark, word))
    assert word_light <= mark_light
    assert abs(mark_hue - word_hue) * 360 < 3  # the same hue, but for the rounding to 8 bits of a channel


def test_the_status_words_are_told_apart_as_their_marks_are():
    """Darkened by one factor, the words keep the marks' order of lightness; "behind" and "due but not measured",
    the closest pair (14.9 as marks), stay 13 apart (CIEDE2000), and every other pair more than 20."""
    words, marks = plots.STATUS_TEXT_COLOURS, plots.STATUS_COLOURS
    assert words == {AHEAD: "#005889", ON_TRACK: "#007f5d", BEHIND: "#a36b00", DUE_NOT_MEASURED: "#8c4800",
                     UPCOMING: "#707070"}
    def by_lightness(colours):
        return sorted(colours, key=lambda status: contrast_ratio(colours[status], "white"))
    assert by_lightness(words) == by_lightness(marks)
    for first, second in itertools.combinations(sorted(words), 2):
        least = 13 if {first, second} == {BEHIND, DUE_NOT_MEASURED} else 20
        assert colour_difference(words[first], words[second]) >= least, (first, second)


def test_text_shade_keeps_a_colour_that_reads_and_darkens_one_that_does_not():
    assert plots.text_shade("#0072B2") == "#0072b2"  # 5.2:1 already
    assert plots.text_shade("#7F7F7F") == "#767676"  # 4.0:1 -> 4.5:1
    assert plots.text_shade("#FFFFFF") == "#767676"
    with pytest.raises(ValueError, match="from 1 to 21"):
        plots.text_shade("#000000", 22)


@pytest.mark.parametrize("fill", ["#FFFFFF", "#000000", "#777777", "#6789A9", "#C98400", "#0072B2", "#5C7FA1"])
def test_text_on_a_fill_has_4_5_to_1(fill):
    """Near-black missed on mid-tones: 3.89:1 on #777777 (white has 4.48:1 there)."""
    assert contrast_ratio(plots.text_on(fill), fill) >= 4.5


@pytest.mark.parametrize("status", sorted(progress.STATUSES))
def test_every_status_colour_has_3_to_1_contrast_with_white(status):
    assert contrast_ratio(plots.STATUS_COLOURS[status], "white") >= 3


def test_contrast_ratio_is_the_wcag_one():
    assert round(contrast_ratio("#000000", "#FFFFFF"), 2) == 21.0
    assert round(contrast_ratio("#E69F00", "white"), 2) == 2.25
    assert round(contrast_ratio("#777777", "white"), 2) == 4.48
