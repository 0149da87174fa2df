"""A list said in a sentence, one rule for the HR page and the employee's report."""

from careerconv.records.words import word_list


def test_a_list_reads_as_a_sentence_says_it():
    assert [word_list(items) for items in ([], ["a"], ["a", "b"], ["a", "b", "c"])] == \
        ["", "a", "a and b", "a, b and c"]
    assert word_list(iter(["1 done", "2 dropped"])) == "1 done and 2 dropped"  # any iterable, read once
