from core.answers.history import trim_history, without_citations


def words(text: str) -> int:
    return len(text.split())


SYSTEM = {"role": "system", "content": "be nice"}


def turn(i):
    return [{"role": "user", "content": f"q{i} " * 3}, {"role": "assistant", "content": f"a{i} " * 3}]


def test_everything_kept_when_it_fits():
    history = turn(1) + turn(2)
    out = trim_history(SYSTEM, history, {"role": "user", "content": "now"}, 1000, words)
    assert out == [SYSTEM, *history, {"role": "user", "content": "now"}]


def test_oldest_turns_drop_first_and_system_stays():
    history = turn(1) + turn(2) + turn(3)
    question = {"role": "user", "content": "now"}
    # system 2 + question 1 + 2*4 overhead = 11; each message costs 3 + 4 = 7
    out = trim_history(SYSTEM, history, question, 11 + 7 * 2, words)
    assert out == [SYSTEM, *turn(3), question]


def test_never_starts_with_an_orphan_answer():
    history = turn(1) + turn(2)
    question = {"role": "user", "content": "now"}
    out = trim_history(SYSTEM, history, question, 11 + 7 * 1, words)
    assert out == [SYSTEM, question]


def test_system_and_question_kept_even_over_budget():
    out = trim_history(SYSTEM, turn(1), {"role": "user", "content": "x " * 50}, 5, words)
    assert out[0] == SYSTEM and out[-1]["content"].startswith("x") and len(out) == 2


def test_earlier_answers_are_shown_to_the_model_without_citation_markers():
    answer = (
        '[1] "Net revenue $ 14,158" [1]\nIntel made $14,158 million [1, 2].\n'
        "```python\nrows = table [1]\nfirst = rows[0]\n```\nSee a[1]."
    )
    history = [{"role": "user", "content": "Revenue [1]?"}, {"role": "assistant", "content": answer}]
    question, shown = without_citations(history)
    assert question == history[0]  # the user's own words stay as written
    assert shown["content"] == (
        '"Net revenue $ 14,158"\nIntel made $14,158 million.\n'
        "```python\nrows = table [1]\nfirst = rows[0]\n```\nSee a[1]."
    )
