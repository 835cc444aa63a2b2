"""The offline answer: verbatim sentences of the evidence, grouped into themes, cited."""

from __future__ import annotations

import re
from dataclasses import replace

from answer_samples import QUESTION, SHIPPED, evidence, late_projects, para, turn

from assistant.answer.extractive import asked_question, extractive_answer
from assistant.answer.prompts import refusal_phrase
from assistant.answer.themes import group, name_phrase
from assistant.answer.verify import verify_answer
from assistant.model import Answer, Evidence, Paragraph, Turn

QUOTE_LINE = re.compile(r'^- "(.*)" \[(\d+)\]$')


def _quote_lines(text: str) -> list[tuple[str, int]]:
    return [
        (m.group(1), int(m.group(2))) for line in text.splitlines() if (m := QUOTE_LINE.match(line))
    ]


def test_answer_quotes_the_reasons_for_late_projects() -> None:
    answer = extractive_answer(QUESTION, late_projects())
    assert answer.mode == "extractive" and not answer.refused
    quotes = dict((n, q) for q, n in _quote_lines(answer.text))
    assert quotes[1] == "The, the environment not being ready, uh, at the clients."
    assert quotes[2] == (
        "And also the fact that it's, uh, it's a very complex environment to operate, "
        "to operationalize the, the model."
    )
    by_n = {c.n: c for c in answer.citations}
    assert by_n[1].evidence.turn.lines == (528, 528)
    assert by_n[2].evidence.turn.lines == (532, 536)
    assert all(c.verified for c in answer.citations)


def test_citations_are_numbered_in_order_of_first_appearance() -> None:
    ev = late_projects()
    answer = extractive_answer(QUESTION, ev)
    shown = [n for _, n in _quote_lines(answer.text)]
    first_seen = list(dict.fromkeys(shown))
    assert first_seen == list(range(1, len(first_seen) + 1))
    assert sorted({c.n for c in answer.citations}) == first_seen
    # One number per turn, and each number keeps pointing at its turn.
    turns = {c.n: c.evidence.key for c in answer.citations}
    assert len(set(turns.values())) == len(turns)
    for c in answer.citations:
        assert c.quote in c.evidence.turn.text or " \u2026 " in c.quote
    # The evidence positions are not in first-appearance order (themes regroup them), which
    # is why they are not the numbers shown.
    at = _positions(answer, ev)
    assert [at[n] for n in first_seen] != sorted(at[n] for n in first_seen)


def test_same_evidence_gives_the_same_answer() -> None:
    first = extractive_answer(QUESTION, late_projects())
    second = extractive_answer(QUESTION, late_projects())
    assert first.text == second.text
    assert [c.to_dict() for c in first.citations] == [c.to_dict() for c in second.citations]


def test_every_quote_is_verbatim_from_one_paragraph_and_passes_the_verifier() -> None:
    ev = late_projects()
    answer = extractive_answer(QUESTION, ev)
    source = SHIPPED.read_text(encoding="utf-8")
    lines = _quote_lines(answer.text)
    assert len(lines) == len(answer.citations) >= 7
    for citation in answer.citations:
        fragments = citation.quote.split(" \u2026 ")
        paragraphs = [p.text for p in citation.evidence.turn.paragraphs]
        assert any(all(f in p for f in fragments) for p in paragraphs), citation.quote
        assert all(f in source for f in fragments)
    # Citation numbers are the answer's own (1…m), so the verifier gets the turns in that order.
    cited = list({c.n: c.evidence for c in sorted(answer.citations, key=lambda c: c.n)}.values())
    checked = verify_answer(answer.text, cited)
    assert checked.unverified == []
    assert checked.text == answer.text
    assert [(c.n, c.quote) for c in checked.citations] == [(c.n, c.quote) for c in answer.citations]


def test_coded_turns_are_grouped_by_code() -> None:
    answer = extractive_answer(QUESTION, late_projects())
    sections = _sections(answer.text)
    at = _positions(answer, late_projects())
    assert [at[n] for _, n in _quote_lines(sections["Code: Data-low-quantity"])] == [6, 7]
    # "Misc" says nothing about content: the specific code names the theme.
    low = _quote_lines(sections["Code: Stakeholders-lack-of-knowledge"])
    assert [at[n] for _, n in low] == [4]
    assert "Code: Misc" not in sections


def test_uncoded_turns_are_clustered_and_named_by_distinctive_words() -> None:
    labelling = [
        "We labelled the images by hand, and the labelling took three months.",
        "The labelling was inconsistent because every annotator labelled images differently.",
        "Manual labelling of images is expensive, so we labelled only a sample.",
    ]
    deployment = [
        "Deployment on the cloud servers failed because the servers had no GPU.",
        "The cloud deployment needed new servers and a long security review.",
        "Our servers in the cloud were not ready for deployment until spring.",
    ]
    mixed = [labelling[0], deployment[0], labelling[1], deployment[1], labelling[2], deployment[2]]
    turns = [
        Turn("7", 10 * i, "Interviewee", "participant", (Paragraph(text, lines=(i, i)),))
        for i, text in enumerate(mixed, start=1)
    ]
    answer = extractive_answer("what problems did the team have?", evidence(turns))
    sections = _sections(answer.text)
    assert len(sections) == 2
    headings = list(sections)
    assert headings[0].startswith("Theme: ") and "label" in headings[0]
    assert "server" in headings[1] or "cloud" in headings[1] or "deployment" in headings[1]
    at = _positions(answer, evidence(turns))
    assert [at[n] for _, n in _quote_lines(sections[headings[0]])] == [1, 3, 5]
    assert [at[n] for _, n in _quote_lines(sections[headings[1]])] == [2, 4, 6]
    # Numbered as they appear, whatever the retrieval order the themes regrouped.
    assert [n for _, n in _quote_lines(answer.text)] == [1, 2, 3, 4, 5, 6]
    assert answer.text.splitlines()[-1] == "1 interview \u00b7 6 turns \u00b7 0 codes"


CLAUSE = re.compile(r"[,;:.!?\u2026()\[\]\"\u201c\u201d\u2014\u2013]")


def test_uncoded_theme_names_are_phrases_of_the_quotes_shown_under_them() -> None:
    # Each turn has one sentence on the question and one, not quoted, whose words repeat in
    # every turn: named from the whole turns, the theme was "restaurant menu".
    texts = [
        "We watched for data drift with simple statistical tests. "
        "The restaurant menu was long and the restaurant menu changed daily.",
        "Data drift showed up after the new sensors, so we retrained monthly. "
        "Our restaurant menu had soup and the restaurant menu had bread.",
        "Seasonal data drift fooled the dashboards for weeks. "
        "That restaurant menu was printed and the restaurant menu was cheap.",
    ]
    turns = [
        Turn("7", 10 * i, "Interviewee", "participant", (Paragraph(text, lines=(i, i)),))
        for i, text in enumerate(texts, start=1)
    ]
    answer = extractive_answer("how did teams notice data drift?", evidence(turns))
    sections = _sections(answer.text)
    themes = [h for h in sections if h.startswith("Theme: ")]
    assert themes
    for heading in themes:
        name = heading.removeprefix("Theme: ")
        assert "restaurant" not in name and "menu" not in name
        clauses = [
            " ".join(c.lower().split())
            for quote, _ in _quote_lines(sections[heading])
            for c in CLAUSE.split(quote)
        ]
        assert any(name in clause for clause in clauses), (name, clauses)


def test_a_theme_name_stays_within_one_clause_and_is_never_filler() -> None:
    spoken = (
        "Uh, you know, in the most cases, just some statistical, statistical methods, uh, "
        "that, uh, provide me information about the data drift."
    )
    # "cases just some statistical" held both words but ran over two commas.
    assert name_phrase([spoken], ["cases", "statistical"]) == "statistical methods"
    assert name_phrase(["Anyway, the cloud costs were high."], ["anyway", "cloud"]) == (
        "cloud costs were high"
    )
    assert name_phrase(["Anyway, okay."], ["anyway"]) == ""
    # A name a better-ranked theme of the answer already has is not given twice.
    taken = {"statistical methods"}
    assert name_phrase([spoken], ["cases", "statistical"], taken) == "cases"


def test_two_themes_of_one_answer_never_share_a_name() -> None:
    # Turns with nothing in common whose quotes hold no word worth naming a theme by.
    turns = [
        Turn(str(i), 1, "Interviewee", "participant", (Paragraph(text, lines=(1, 1)),))
        for i, text in enumerate(["Drift was silent.", "Budgets were cut."], start=1)
    ]
    themes = group(evidence(turns), [1, 2], {1: ["Yes, okay."], 2: ["Right, so."]})
    assert [t.heading for t in themes] == ["other turns", "other turns (2)"]


def test_the_line_under_a_quote_shows_the_question_the_interviewer_asked() -> None:
    # The turn opens with thanks; the question is its last sentence with a question mark.
    assert asked_question(
        "Thank you. Uh, did you have AI project that took, took longer than expected? Uh,"
    ) == ("\u2026 Uh, did you have AI project that took, took longer than expected? \u2026")
    # A tag question after it ("right?") asks nothing of its own.
    assert asked_question("So how did you evaluate the model on client data? Right?") == (
        "So how did you evaluate the model on client data? \u2026"
    )
    # A long question keeps its end, where what it asks is.
    long = (
        "Um, and in your opinion, given everything we discussed about the pipelines, what is "
        "the most pressing quality issue researchers should try to solve?"
    )
    assert asked_question(long) == (
        "\u2026 discussed about the pipelines, what is the most pressing quality issue "
        "researchers should try to solve?"
    )
    # No question mark: the turn's first words.
    assert asked_question("Tell me about the project.") == "Tell me about the project."


def test_counts_line_names_interviews_turns_and_codes() -> None:
    answer = extractive_answer(QUESTION, late_projects())
    assert answer.text.splitlines()[-1] == (
        "1 interview \u00b7 8 turns \u00b7 3 codes "
        "(Data-low-quantity, Misc, Stakeholders-lack-of-knowledge)"
    )


def test_omitted_sentences_are_marked_and_long_sentences_cut_at_words() -> None:
    # Line 542: several sentences; the question picks one in the middle.
    ev = evidence([turn(1, "Interviewee", para(542))])
    answer = extractive_answer("were the client's employees inexperienced?", ev)
    [(quote, n)] = _quote_lines(answer.text)
    assert quote.startswith("\u2026 ") and "inexperienced" in quote
    long_text = " ".join(f"word{i}," for i in range(80)) + " and the deployment failed badly."
    long_ev = evidence([Turn("9", 1, "P", "participant", (Paragraph(long_text, lines=(1, 1)),))])
    long_answer = extractive_answer("why did the deployment fail?", long_ev)
    [(long_quote, _)] = _quote_lines(long_answer.text)
    assert long_quote.startswith("\u2026 ") and long_quote.endswith("deployment failed badly.")
    assert len(long_quote.split()) < 40
    assert long_answer.citations[0].quote in long_text


def test_uncoded_interviewer_questions_are_not_quoted_unless_nothing_else_is_left() -> None:
    answer = extractive_answer(QUESTION, late_projects())
    at = _positions(answer, late_projects())
    quoted = {at[c.n] for c in answer.citations}
    assert 3 not in quoted  # "did you have AI project that took longer than expected?"
    assert 4 in quoted  # an interviewer heading, but coded: the participant's words
    only_question = late_projects()[2:3]
    assert [c.n for c in extractive_answer(QUESTION, only_question).citations] == [1]


def test_no_evidence_is_a_refusal() -> None:
    answer = extractive_answer(QUESTION, [])
    assert answer.refused and answer.text == refusal_phrase()
    assert answer.citations == []
    fillers = evidence([turn(1, "Interviewee", para(29))])  # "Yeah."
    assert extractive_answer(QUESTION, fillers).refused


def _sections(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("### "):
            current = line[4:]
            out[current] = ""
        elif current is not None and line.startswith("- "):
            out[current] += line + "\n"
    return out


def _positions(answer: Answer, ev: list[Evidence]) -> dict[int, int]:
    """Citation number → the 1-based position of its turn in the retrieved evidence."""
    keys = [e.key for e in ev]
    return {c.n: keys.index(c.evidence.key) + 1 for c in answer.citations}


def _exchange(*texts: tuple[str, str]) -> list[Evidence]:
    turns = [
        Turn(
            "3",
            n,
            speaker,
            "interviewer" if speaker == "Interviewer" else "participant",
            (Paragraph(text, (), lines=(n, n)),),
        )
        for n, (speaker, text) in enumerate(texts, start=139)
    ]
    unit = f"exchange:3:139-{138 + len(texts)}"
    return [
        Evidence(t, "Interview 3", "corpus/3.txt", score=1.0, why="test", unit=unit)
        for t in turns[1:]
    ]


LATE_EXCHANGE = (
    ("Interviewer", "So do you have any AI projects that took longer than expected?"),
    (
        "P3",
        "Yes. Most of the time. It's pretty hard to define a project ahead of time. "
        "Estimates of project timelines are always off for every project we run. "
        "Each project team plans the project phases carefully. "
        "Project managers track the project budget every week. "
        "But if you don't have a strict deadline, it is often late.",
    ),
    ("P3", "So it's rare that we kill late projects: continuing them blocks things."),
)


def test_an_exchange_quotes_its_first_answer_beside_its_closest_turn() -> None:
    compared: list[str] = []

    def similarity(texts: list[str]) -> list[float]:
        compared.extend(texts)
        return [0.6 if "kill" in t else 0.4 if "late" in t else 0.2 for t in texts]

    answer = extractive_answer(QUESTION, _exchange(*LATE_EXCHANGE), similarity)
    cited = {c.evidence.key: c.quote for c in answer.citations}
    # The closest turn, and the direct answer to the question that found the exchange.
    assert set(cited) == {"3:140", "3:141"}
    assert "strict deadline, it is often late" in cited["3:140"]
    # "late" is the rare question word among these sentences, so its sentence is compared
    # although four sentences share the commoner "project".
    assert any("often late" in t for t in compared)


def test_an_utterance_quotes_only_its_closest_turn() -> None:
    evidence = [replace(e, unit="utterance:3:140-141") for e in _exchange(*LATE_EXCHANGE)]

    def similarity(texts: list[str]) -> list[float]:
        return [0.6 if "kill" in t else 0.4 if "late" in t else 0.2 for t in texts]

    answer = extractive_answer(QUESTION, evidence, similarity)
    assert {c.evidence.key for c in answer.citations} == {"3:141"}
