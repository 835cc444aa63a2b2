"""Verification of an answer's citations and quotes against the evidence supplied."""

from __future__ import annotations

from answer_samples import LINES, evidence, five, para, turn
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.answer.verify import (
    UNVERIFIED_MARK,
    locate_in_paragraph,
    locate_in_turn,
    normalise,
    references,
    verify_answer,
)

NOT_READY = "The, the environment not being ready, uh, at the clients."
COMPLEX = "it's a very complex environment to operate, to operationalize the, the model"


def test_correct_quote_is_verified_with_the_exact_source_text() -> None:
    ev = five()
    checked = verify_answer(f'Two reasons: "{NOT_READY}" [1] and "{COMPLEX}" [2].', ev)
    assert checked.unverified == []
    assert [(c.n, c.quote, c.verified) for c in checked.citations] == [
        (1, NOT_READY, True),
        (2, COMPLEX, True),
    ]
    assert checked.citations[0].evidence is ev[0]
    assert checked.text == f'Two reasons: "{NOT_READY}" [1] and "{COMPLEX}" [2].'


def test_fabricated_quote_is_listed_and_not_presented_as_a_quote() -> None:
    fabricated = "the client never gave us the data we needed"
    checked = verify_answer(f'The participant said "{fabricated}" [1].', five())
    assert checked.text == f"The participant said {fabricated} {UNVERIFIED_MARK} [1]."
    assert f'"{fabricated}"' not in checked.text
    assert len(checked.unverified) == 1
    problem = checked.unverified[0]
    assert (problem.n, problem.quote) == (1, fabricated)
    assert "not found verbatim in [1]" in problem.reason
    # Only in ``unverified``: a failed quote is never a citation, verified or not.
    assert checked.citations == []


def test_citation_to_a_turn_not_supplied_is_removed_and_listed() -> None:
    checked = verify_answer("The environment was not ready [9]. It was complex [2, 9].", five())
    assert checked.text == "The environment was not ready. It was complex [2]."
    assert [(u.n, u.quote) for u in checked.unverified] == [(9, None)]
    assert "only 5 turns were supplied" in checked.unverified[0].reason
    # A bare [2] quotes nothing: it is a reference, not a citation with an empty quote.
    assert checked.citations == []
    assert references(checked.text, checked.citations, 5) == [2]


def test_quote_citing_only_an_unknown_turn_is_checked_against_all_and_recited() -> None:
    checked = verify_answer(f'"{NOT_READY}" [9]', five())
    assert checked.text == f'"{NOT_READY}" [1]'
    assert [(c.n, c.verified) for c in checked.citations] == [(1, True)]
    assert [u.n for u in checked.unverified] == [9]


def test_typographic_quotes_apostrophes_and_dashes_are_normalised() -> None:
    ev = evidence([turn(1, "Interviewee", para(532))])
    typographic = "it\u2019s a very complex environment"
    checked = verify_answer(f"She said \u201c{typographic}\u201d [1].", ev)
    assert checked.unverified == []
    # The citation carries the source's own characters, not the model's.
    assert checked.citations[0].quote == "it's a very complex environment"
    # And the other way round: typographic source text, plain quote.
    source = evidence([turn(2, "Interviewee", para(1))])  # "# Interview 12 - Amin"
    assert locate_in_turn("Interview 12 \u2013 Amin", source[0].turn) == "Interview 12 - Amin"
    assert normalise("a\u00a0 \n b\u2014c \u2018d\u2019") == "a b-c 'd'"


def test_white_space_differences_do_not_matter() -> None:
    ev = five()
    spaced = NOT_READY.replace(" ", "  \n ", 3)
    checked = verify_answer(f'"{spaced}" [1]', ev)
    assert checked.unverified == []
    assert checked.citations[0].quote == NOT_READY


def test_quote_across_two_paragraphs_is_not_verified() -> None:
    ev = evidence([turn(1, "Interviewee", para(532), para(534))])
    end_of_first = "to operationalize the, the model."
    start_of_second = "Because the model in the lab"
    across = f"{end_of_first} {start_of_second}"
    assert end_of_first in ev[0].turn.text and start_of_second in ev[0].turn.text
    checked = verify_answer(f'"{across}" [1]', ev)
    assert [u.quote for u in checked.unverified] == [across]
    assert checked.citations == []
    # Each half on its own is fine.
    assert verify_answer(f'"{end_of_first}" [1]', ev).unverified == []


def test_quote_in_another_turn_than_cited_is_unverified_with_a_hint() -> None:
    checked = verify_answer(f'"{NOT_READY}" [2]', five())
    assert checked.unverified[0].reason == "quote not found verbatim in [2]; it is in [1]"
    assert checked.text == f"{NOT_READY} {UNVERIFIED_MARK} [2]"


def test_uncited_quote_is_found_in_any_supplied_turn() -> None:
    checked = verify_answer(f'One said "{COMPLEX}".', five())
    assert checked.text == f'One said "{COMPLEX}" [2].'
    assert [(c.n, c.verified) for c in checked.citations] == [(2, True)]
    uncited_fake = verify_answer('One said "we shipped on time".', five())
    assert uncited_fake.unverified[0].reason == "quote not found verbatim in any supplied turn"


def test_omissions_marked_with_an_ellipsis_must_keep_their_order() -> None:
    ev = five()
    good = verify_answer('"The, the environment \u2026 at the clients." [1]', ev)
    assert good.citations[0].quote == "The, the environment \u2026 at the clients."
    assert good.unverified == []
    also_good = verify_answer('"The, the environment ... at the clients." [1]', ev)
    assert also_good.unverified == []
    swapped = verify_answer('"at the clients \u2026 the environment" [1]', ev)
    assert len(swapped.unverified) == 1


def test_part_of_a_word_is_not_a_quote() -> None:
    assert locate_in_paragraph("nvironment not being read", NOT_READY) is None
    assert locate_in_paragraph("environment not being ready", NOT_READY) is not None


def test_citation_before_the_quote_is_understood() -> None:
    checked = verify_answer(f'[2]: "{COMPLEX}"', five())
    assert [(c.n, c.verified) for c in checked.citations] == [(2, True)]
    wrong = verify_answer(f'[1] "{COMPLEX}"', five())
    assert wrong.unverified and wrong.unverified[0].n == 1


def test_citation_later_in_the_sentence_belongs_to_the_quote() -> None:
    checked = verify_answer(f'"{COMPLEX}", the participant said [2]. Then [1].', five())
    assert checked.text == f'"{COMPLEX}", the participant said [2]. Then [1].'
    assert [(c.n, c.verified) for c in checked.citations] == [(2, True)]
    assert references(checked.text, checked.citations, 5) == [1]
    wrong = verify_answer(f'"{COMPLEX}", the participant said [3]. Then [1].', five())
    assert wrong.unverified[0].reason == "quote not found verbatim in [3]; it is in [2]"
    # A citation in the next sentence does not count for the quote.
    next_sentence = verify_answer(f'They said "{COMPLEX}". Later [3].', five())
    assert next_sentence.text == f'They said "{COMPLEX}" [2]. Later [3].'


def test_every_citation_is_a_verified_quote() -> None:
    text = f'"{NOT_READY}" [1], "the servers were on fire" [2], and see [3] and [4].'
    checked = verify_answer(text, five())
    assert [(c.n, c.quote, c.verified) for c in checked.citations] == [(1, NOT_READY, True)]
    assert [(u.n, u.quote) for u in checked.unverified] == [(2, "the servers were on fire")]
    assert references(checked.text, checked.citations, 5) == [2, 3, 4]


def test_citation_ranges_and_repeated_citations() -> None:
    checked = verify_answer("See [1-3] and [2][4].", five())
    assert checked.citations == []
    assert references(checked.text, checked.citations, 5) == [1, 2, 3, 4]
    assert checked.text == "See [1-3] and [2][4]."


# Every run of whole words of a transcript paragraph, quoted, must verify, and the citation
# must carry exactly that source text.
_PARAGRAPHS = [line for line in LINES if len(line.split()) >= 6]


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_run_of_words_from_a_paragraph_verifies(data: st.DataObject) -> None:
    line = data.draw(st.sampled_from(_PARAGRAPHS))
    tokens = line.split(" ")
    start = data.draw(st.integers(0, len(tokens) - 1))
    end = data.draw(st.integers(start + 1, len(tokens)))
    span = " ".join(tokens[start:end]).strip()
    if '"' in span or not any(ch.isalnum() for ch in span):
        return
    ev = evidence([turn(1, "Interviewee", para(LINES.index(line) + 1))])
    checked = verify_answer(f'"{span}" [1]', ev)
    assert checked.unverified == [], span
    assert checked.citations[0].quote == span
