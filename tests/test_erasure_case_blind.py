"""An erasure looks at a long text case-blind before it runs its patterns (a report's page: 470,000 characters, where
the patterns took tens of milliseconds): a text it passes over is one where the patterns find nothing. Checked on
texts that write the name as ``re`` finds it ignoring case in every way it may (ſ for s, ı for i, the Kelvin sign for
k, İ, final sigma, decomposed accents), and on the report's own page."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from careerconv.records.case_blind import case_blind
from careerconv.records.erasure import Mentions

FILLER = "Your coach: Matteo Ricci · 12-month target 9 · now 9, on track. "
PEOPLE = [("E0042", "Kirsi Ståhl", "kirsi.stahl@example.org"), ("E0007", "İlkin Sığırcı", "ilkin@example.org"),
          ("E0099", "Ὀδυσσεύς Λαέρτου", "odysseus@example.org"), ("5", "Will May", "")]
# What re takes for these letters ignoring case (each also in upper case), written as a text may hold them.
SAME = {"s": "sSſ", "i": "iIıİ", "k": "kKK", "σ": "σςΣ", "å": "åÅ", "ı": "ıIi"}


def spelled(name: str, draw) -> str:
    return "".join(draw(st.sampled_from(SAME.get(ch.lower(), ch + ch.upper()))) for ch in name)


@st.composite
def long_texts(draw):
    eid, name, email = draw(st.sampled_from(PEOPLE))
    pieces = [FILLER * draw(st.integers(70, 90))]
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["name", "name split", "name cut", "email", "id", "id in a word", "other"]))
        if kind == "name":
            pieces.append(spelled(name, draw))
        elif kind == "name split":  # across a line break
            pieces.append(spelled(name, draw).replace(" ", draw(st.sampled_from(["\n", "\r\n", "  ", "\t"]))))
        elif kind == "name cut":  # a word of it only
            pieces.append(spelled(name.split()[0], draw))
        elif kind == "email" and email:
            pieces.append(spelled(email, draw))
        elif kind == "id":
            pieces.append(f" {eid} ")
        elif kind == "id in a word":
            pieces.append(f"X{eid}9")
        else:
            pieces.append(draw(st.text(min_size=1, max_size=30)))
        pieces.append(FILLER)
    order = draw(st.permutations(pieces))
    return (eid, name, email), "".join(order)


def patterns_alone(mentions: Mentions) -> Mentions:
    mentions._needed_blind = None  # as an erasure did before it looked case-blind first
    return mentions


@settings(max_examples=150)
@given(long_texts())
def test_a_long_text_passed_over_case_blind_is_one_where_the_patterns_find_nothing(case):
    (eid, name, email), text = case
    assert len(text) >= 4096
    looked = Mentions(eid, name, email or None, other_ids={"E00421"})
    alone = patterns_alone(Mentions(eid, name, email or None, other_ids={"E00421"}))
    assert looked.search(text) == alone.search(text)
    assert looked.mentions_and_possible(text) == alone.mentions_and_possible(text)
    assert looked.replace(text) == alone.replace(text)
    assert looked.possible(text) == alone.possible(text)


def test_the_name_written_with_letters_re_takes_for_its_own_is_still_found_in_a_long_page():
    page = FILLER * 100 + "Kirſi STÅHL. " + FILLER  # a long s, and the Kelvin sign for K
    assert Mentions("E0042", "Kirsi Ståhl").replace(page) == (FILLER * 100 + "[removed]. " + FILLER, 1)
    assert Mentions("E0007", "İlkin Sığırcı").search(FILLER * 100 + "ILKIN SIĞIRCI")
    assert not Mentions("E0042", "Kirsi Ståhl").search(FILLER * 100 + "Kirsi Stahl")  # å is not a


def test_case_blind_keeps_one_character_for_each():
    assert case_blind("İlkin ſtåhl KΣΑΣ") == "ilkin ståhl kςας"
    assert len(case_blind("İ" * 5)) == 5
