"""Question sets: the method's template as data, and organisations' own sets.

What a user notices: every question of the method's template is asked, with
the right kind of answer; an organisation's malformed YAML set is refused with
the file, the question and the field named; its own set replaces a built-in.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from careerconv.records import config
from careerconv.records.questions import (
    KINDS, QuestionSet, available_question_sets, load_question_set, load_question_set_file,
)
from careerconv.records.schema import ValidationError
from careerconv.records.store import Store

TEMPLATE_FILE = config.PROJECT_DIR.parent / "shared" / "seed" / "career-conversation-template.txt"

# The template's questions, as written there (typos included), with the kind of
# answer each must be asked as.
TEMPLATE_QUESTIONS = [
    ("goals", "Whats has been you want to do more?", "text"),
    ("goals", "What are your dreams? (ask them to list down 3~5 dreams)", "dreams"),
    ("action_plan", "What are the skills that can help you to reach your dreams?", "skills"),
    ("action_plan", "On a scale of 1 to 10, how would you rate these skills?", "skill_rating"),
    ("action_plan", "How would a 10 look like?", "skill_ten"),
    ("action_plan", "What would it takes to increase this skill by 1? (ask them to list down at least 3 options)",
     "skill_options"),
    ("action_plan", "What would be the best way to approach this? (Analyze the pros, cons, tradeoffs...)",
     "skill_approach"),
    ("action_plan", "How do you think you can realistically achieve in 6 months, 12 months, 18 months?",
     "skill_targets"),
    ("next_steps", "What could you start to do now?", "text"),
    ("next_steps", "What do you think you can achieve from now until we meet next time?", "action_items"),
    ("next_steps", "How would you like us to follow up?", "follow_up"),
]

ALTERNATIVE_QUESTIONS = [
    "Are there any professional goals or aspirations you've set for yourself in the upcoming years?",
    "What are your long term goals? Have you thought about them?",
    "What do you want to be doing in 5 years? 10 years? 3 years?",
    "What skills would you like to develop? What do you want to learn more about?",
    "What have you been wanting to learn more of, get better at, and improve on?",
    "One year from now, ideally, what kinds of skills do you want to become better at, or projects do you hope "
    "you will have taken on",
    "What do you think are needed to achieve these goals?",
    "Among these options, which of it makes the most sense?",
    "What could hinder you from achieving these goals?",
    "What challenges do you foresee in achieving these goals?",
    "What support do you need and from whom?",
    "By what date do you think you can reach this goal?",
    "How realistic are these goals?",
]

_STOP = set("a an the to of in on for you your we us do does did would could can be is are it this these that "
            "what how which by at from and or there any have has been set will want".split())


def _words(text: str) -> set[str]:
    """Content words, with the template's spelling slips read as meant."""
    text = text.lower().replace("whats", "what").replace("takes", "take").replace("tradeoffs", "trade-offs")
    text = re.sub(r"\(.*?\)", "", text)  # the template's bracketed coaching notes are not the question
    return {w for w in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", text) if w not in _STOP}


def _best_match(question: str, qset: QuestionSet):
    wanted = _words(question)
    scored = [(len(wanted & _words(f"{q.prompt} {q.help}")) / len(wanted), q) for q in qset.questions()]
    return max(scored, key=lambda pair: pair[0])


def _template_bullets(text: str) -> list[str]:
    return [line.split("•", 1)[1].strip() for line in text.splitlines() if "•" in line]


# --------------------------------------------------------------------------
# the built-in sets


def test_built_in_sets_load():
    sets = available_question_sets()
    assert {"career-conversation", "career-conversation-alternative"} <= set(sets)
    for qset in sets.values():
        assert qset.version and qset.title and qset.questions()
        assert all(q.kind in KINDS for q in qset.questions())
        ids = [q.id for q in qset.questions()]
        assert len(ids) == len(set(ids))


def test_the_literal_template_questions_match_the_seed_document():
    if not TEMPLATE_FILE.exists():
        pytest.skip(f"the method's source document is not beside the repository ({TEMPLATE_FILE})")
    main, alternative = TEMPLATE_FILE.read_text(encoding="utf-8").split("Alternative questions")
    assert _template_bullets(main) == [q for _, q, _ in TEMPLATE_QUESTIONS]
    assert _template_bullets(alternative) == ALTERNATIVE_QUESTIONS


@pytest.mark.parametrize("section, question, kind", TEMPLATE_QUESTIONS, ids=[q[:30] for _, q, _ in TEMPLATE_QUESTIONS])
def test_every_template_question_is_in_the_built_in_set(section, question, kind):
    qset = load_question_set("career-conversation")
    score, match = _best_match(question, qset)
    assert score >= 0.8, f"no question of the set asks {question!r} (best: {match.prompt!r}, {score:.0%})"
    assert match.kind == kind
    assert match in qset.section(section).questions


def test_template_questions_map_to_distinct_questions():
    qset = load_question_set("career-conversation")
    matched = [_best_match(q, qset)[1].id for _, q, _ in TEMPLATE_QUESTIONS]
    assert len(matched) == len(set(matched))


def test_sections_are_the_method_s_three_20_minute_parts():
    qset = load_question_set("career-conversation")
    assert [(s.id, s.minutes) for s in qset.sections] == [("goals", 20), ("action_plan", 20), ("next_steps", 20)]
    assert [s.title for s in qset.sections] == ["Goals", "Action plan", "Next steps"]
    assert qset.total_minutes == 60


def test_structured_questions_carry_the_method_s_numbers():
    qset = load_question_set("career-conversation")
    dreams = qset.by_kind("dreams")
    assert (dreams.min_items, dreams.max_items) == (3, 5)
    rating = qset.by_kind("skill_rating")
    assert (rating.min, rating.max) == (1, 10)
    assert qset.by_kind("skill_options").min_items >= 3
    assert qset.by_kind("skill_targets").horizons == (6, 12, 18)
    assert set(qset.by_kind("cadence").choices) == {6, 12}
    assert len(qset.by_kind("follow_up").choices) >= 2
    approach_help = qset.by_kind("skill_approach").help.lower()
    assert "pros" in approach_help and "cons" in approach_help and "trade-off" in approach_help


def test_the_method_points_to_its_alternative_bank():
    qset = load_question_set("career-conversation")
    assert qset.alternative == "career-conversation-alternative"
    assert qset.alternative in available_question_sets()


@pytest.mark.parametrize("question", ALTERNATIVE_QUESTIONS, ids=[q[:30] for q in ALTERNATIVE_QUESTIONS])
def test_every_alternative_question_is_in_the_alternative_set(question):
    qset = load_question_set("career-conversation-alternative")
    score, match = _best_match(question, qset)
    assert score >= 0.8, f"no question asks {question!r} (best: {match.prompt!r}, {score:.0%})"


def test_alternative_questions_have_fitting_kinds():
    qset = load_question_set("career-conversation-alternative")
    assert _best_match("By what date do you think you can reach this goal?", qset)[1].kind == "date"
    assert len({_best_match(q, qset)[1].id for q in ALTERNATIVE_QUESTIONS}) == len(ALTERNATIVE_QUESTIONS)


def test_unknown_set_lists_the_available_ones():
    with pytest.raises(KeyError, match="career-conversation-alternative"):
        load_question_set("no-such-set")


# --------------------------------------------------------------------------
# an organisation's own sets in <data>/question_sets


GOOD_SET = {
    "id": "acme-career",
    "version": "3",
    "title": "ACME career conversation",
    "sections": [{
        "id": "goals", "title": "Goals", "minutes": 15,
        "questions": [
            {"id": "why", "prompt": "Why are you here?", "kind": "text"},
            {"id": "dreams", "prompt": "Dreams?", "kind": "dreams"},
            {"id": "skills", "prompt": "Which skills?", "kind": "skills"},
            {"id": "rating", "prompt": "Rate them", "kind": "skill_rating", "min": 1, "max": 10},
            {"id": "targets", "prompt": "Targets?", "kind": "skill_targets"},
            {"id": "cadence", "prompt": "How often?", "kind": "cadence", "choices": [6, 12]},
        ],
    }],
}


def _write_set(data: Path, raw, name: str = "acme.yaml") -> Path:
    folder = data / "question_sets"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(raw if isinstance(raw, str) else yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def _broken(edit) -> dict:
    raw = yaml.safe_load(yaml.safe_dump(GOOD_SET))
    edit(raw)
    return raw


def test_an_organisation_s_set_is_added(tmp_path):
    _write_set(tmp_path, GOOD_SET)
    sets = available_question_sets(tmp_path)
    assert "career-conversation" in sets
    acme = sets["acme-career"]
    assert acme.version == "3" and acme.section("goals").minutes == 15
    assert acme.by_kind("dreams").min_items == 3 and acme.by_kind("dreams").max_items == 5  # the method's default
    assert acme.by_kind("skill_targets").horizons == (6, 12, 18)
    assert acme.path.endswith("acme.yaml")


def test_the_store_offers_the_built_in_sets_and_its_own_folder_s(tmp_path):
    store = Store(tmp_path / "data")
    assert set(store.question_sets()) == set(available_question_sets())  # no folder of its own yet
    _write_set(store.root, GOOD_SET)
    assert set(store.question_sets()) == set(available_question_sets()) | {"acme-career"}
    assert "acme-career" not in Store(tmp_path / "other").question_sets()  # another data folder's sets stay there
    _write_set(store.root, "sections: [", "broken.yaml")
    with pytest.raises(ValidationError, match="broken.yaml"):
        store.question_sets()


def test_a_data_folder_set_overrides_the_built_in_one(tmp_path):
    raw = yaml.safe_load((config.BUILTIN_QUESTION_SETS_DIR / "career-conversation.yaml").read_text())
    raw["version"] = "2025.1"
    raw["sections"][0]["questions"][0]["prompt"] = "What energises you at work?"
    _write_set(tmp_path, raw, "our-career-conversation.yaml")
    ours = load_question_set("career-conversation", tmp_path)
    assert ours.version == "2025.1"
    assert ours.question("want_more").prompt == "What energises you at work?"
    assert Path(ours.path).parent == tmp_path / "question_sets"
    assert load_question_set("career-conversation").version == "1", "the built-in set itself is unchanged"


MALFORMED = [
    ("unknown kind", lambda r: r["sections"][0]["questions"][0].update(kind="essay"), "why", "kind",
     "value 'essay': unknown kind; allowed: text"),
    ("missing prompt", lambda r: r["sections"][0]["questions"][0].pop("prompt"), "why", "prompt", "required"),
    ("dreams max_items not a number",
     lambda r: r["sections"][0]["questions"][1].update(max_items="five"), "dreams", "max_items", "whole number"),
    ("dreams min above max",
     lambda r: r["sections"][0]["questions"][1].update(min_items=6, max_items=5), "dreams", "min_items", "larger"),
    ("rating not on 1-10", lambda r: r["sections"][0]["questions"][3].update(max=5), "rating", "min", "1–10"),
    ("horizons not 6/12/18", lambda r: r["sections"][0]["questions"][4].update(horizons=[6, 12]),
     "targets", "horizons", "6, 12 and 18"),
    ("cadence of 3 months", lambda r: r["sections"][0]["questions"][5].update(choices=[3, 6]),
     "cadence", "choices", "6 and/or 12"),
    ("misspelt field", lambda r: r["sections"][0]["questions"][0].update(promt="typo"), "why", "promt",
     "unknown field"),
    ("bad question id", lambda r: r["sections"][0]["questions"][0].update(id="../why"), "question 1", "id",
     "letters, digits"),
    ("duplicate question id", lambda r: r["sections"][0]["questions"][2].update(id="why", kind="skills"),
     "why", "id", "share an id"),
    ("structured kind twice", lambda r: r["sections"][0]["questions"].append(
        {"id": "dreams2", "prompt": "More dreams?", "kind": "dreams"}), "dreams2", "kind", "once per set"),
    ("minutes out of range", lambda r: r["sections"][0].update(minutes=0), "section goals", "minutes",
     "whole number"),
]


@pytest.mark.parametrize("label, edit, question, field, says", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_set_names_file_question_and_field(tmp_path, label, edit, question, field, says):
    path = _write_set(tmp_path, _broken(edit))
    with pytest.raises(ValidationError) as info:
        available_question_sets(tmp_path)
    text = str(info.value)
    assert str(path) in text
    problem = next((p for p in info.value.problems if says in str(p)), None)
    assert problem is not None, f"no problem saying {says!r} in:\n{text}"
    assert problem.source == str(path)
    assert question in problem.column and problem.column.endswith(field), problem.column


def test_every_problem_of_a_set_is_listed_at_once(tmp_path):
    def edit(raw):
        raw.pop("version")
        q = raw["sections"][0]["questions"]
        q[0]["kind"] = "essay"
        q[3]["max"] = 7
        q[4]["horizons"] = [3]
    _write_set(tmp_path, _broken(edit))
    with pytest.raises(ValidationError) as info:
        available_question_sets(tmp_path)
    columns = [p.column for p in info.value.problems]
    assert "version" in columns
    assert any(c.endswith("'why'.kind") for c in columns)
    assert any(c.endswith("'rating'.min") for c in columns)
    assert any(c.endswith("'targets'.horizons") for c in columns)


def test_per_skill_questions_need_a_skills_question(tmp_path):
    _write_set(tmp_path, _broken(lambda r: r["sections"][0]["questions"].pop(2)))
    with pytest.raises(ValidationError, match="kind 'skills'"):
        available_question_sets(tmp_path)


@pytest.mark.parametrize("text, says", [
    ("id: x\nsections: [\n", "cannot read"),
    ("- just\n- a list\n", "must be a mapping"),
    ("id: x\nversion: 1\nsections: []\n", "non-empty list"),
])
def test_unreadable_or_wrong_shape_yaml_names_the_file(tmp_path, text, says):
    path = _write_set(tmp_path, text, "broken.yml")
    with pytest.raises(ValidationError) as info:
        load_question_set_file(path)
    assert str(path) in str(info.value) and says in str(info.value)


def test_validate_reports_a_malformed_set_in_the_data_folder(tmp_path):
    path = _write_set(tmp_path, _broken(lambda r: r["sections"][0]["questions"][0].update(kind="essay")))
    problems = Store(tmp_path).validate()
    assert any(p.source == str(path) and "kind" in (p.column or "") for p in problems)


def test_built_in_files_are_named_by_their_set_id():
    for path in sorted(config.BUILTIN_QUESTION_SETS_DIR.glob("*.yaml")):
        assert load_question_set_file(path).id == path.stem


def test_libyaml_reads_every_packaged_question_set_as_pyyaml_does():
    from careerconv.records import questions
    files = sorted(config.BUILTIN_QUESTION_SETS_DIR.glob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=questions.SAFE_LOADER) == yaml.safe_load(text), path
    with pytest.raises(yaml.YAMLError):  # and refuses what the safe loader refuses: no Python objects
        yaml.load("!!python/object/apply:os.system ['true']", Loader=questions.SAFE_LOADER)
