"""``assistant ask`` through the CLI entry point, with retrieval replaced by known evidence.

Retrieval has its own tests; here ``Assistant.search`` returns hand-built evidence from the
shipped transcript so that what the command prints can be asserted exactly, in extractive and
LLM mode (against the fake OpenAI server), with and without faults.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from answer_samples import QUESTION, late_projects
from fake_llm import API_KEY, MODEL, FakeLLM, Reply

from assistant import cli
from assistant.model import Filters
from assistant.retrieve import Retrieval
from assistant.service import Assistant

K_BOUND = "-k must be between 1 and 100 (turns retrieved; ASSISTANT_TOP_K has the same bound)"
NOT_READY = "The, the environment not being ready, uh, at the clients."
COMPLEX = "it's a very complex environment to operate, to operationalize the, the model"
CITATION_FIELDS = {
    "n",
    "key",
    "interview",
    "title",
    "speaker",
    "turn",
    "lines",
    "pages",
    "time",
    "codes",
    "quote",
    "verified",
}


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace retrieval with the late-projects evidence; record how it was called."""
    calls: list[dict[str, Any]] = []

    def retrieve(
        self: Assistant,
        query: str,
        *,
        k: int | None = None,
        filters: Filters | None = None,
        codes: object = None,
        relative_floor: float = 0.0,
    ) -> Retrieval:
        calls.append({"query": query, "k": k, "filters": filters})
        return Retrieval(hits=[], evidence=late_projects()[: k or self.settings.top_k])

    monkeypatch.setattr(Assistant, "retrieve", retrieve)
    # No index either for the relevance floor (tested in test_relevance): on topic.
    monkeypatch.setattr(Assistant, "on_topic", lambda self, question, filters=None: True)
    return calls


@pytest.fixture
def llm_env(monkeypatch: pytest.MonkeyPatch, fake_llm: FakeLLM) -> FakeLLM:
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", fake_llm.url)
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", MODEL)
    monkeypatch.setenv("ASSISTANT_LLM_API_KEY", API_KEY)
    monkeypatch.setenv("ASSISTANT_LLM_TIMEOUT", "10")
    return fake_llm


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["ask", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_extractive_answer_with_citations(
    searches: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, QUESTION)
    assert (code, err) == (0, "")
    assert f'- "{NOT_READY}" [1]' in out
    assert (
        f'  [1] "{NOT_READY}"\n'
        "      — Interview 12 - Amin · Interviewee · turn 60 (12:60) · line 528 · codes: none · "
        "✓ verified"
    ) in out
    assert (
        "      — Interview 12 - Amin · Interviewer 1 · turn 62 (12:62) · lines 540-542 · "
        "codes: Misc, Stakeholders-lack-of-knowledge · ✓ verified"
    ) in out
    # The interviewer's uncoded question (turn 59) is retrieved but not quoted.
    assert "1 interview · 7 turns · 3 codes" in out and "(12:59)" not in out
    assert out.rstrip().splitlines()[-1].startswith("[extractive answer · 8 turns retrieved · ")
    assert "Not verified" not in out and "✗" not in out


def test_json_has_exactly_the_documented_shape(
    searches: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, QUESTION, "-k", "5", "--json", "--code", "Misc", "--interview", "12")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {
        "question",
        "mode",
        "model",
        "answer",
        "citations",
        "references",
        "unverified",
        "timings",
        "codes",
        "guide",
    }
    assert (data["question"], data["mode"], data["model"]) == (QUESTION, "extractive", None)
    assert data["codes"] == [] and data["guide"] is None  # retrieval here matched neither
    assert data["unverified"] == []
    assert set(data["timings"]) == {"retrieve", "answer", "total"}
    first = data["citations"][0]
    assert set(first) == CITATION_FIELDS
    assert first == {
        "n": 1,
        "key": "12:60",
        "interview": "12",
        "title": "Interview 12 - Amin",
        "speaker": "Interviewee",
        "turn": 60,
        "lines": [528, 528],
        "pages": None,
        "time": None,
        "codes": [],
        "quote": NOT_READY,
        "verified": True,
    }
    # Numbered 1…m as they appear in the answer, whatever the turns' retrieval positions.
    assert sorted({c["n"] for c in data["citations"]}) == [1, 2, 3, 4]
    assert data["references"] == []
    assert searches == [
        {"query": QUESTION, "k": 5, "filters": Filters(codes=("Misc",), interviews=("12",))}
    ]


def test_llm_answer_lists_unverified_quotes_and_removed_citations(
    searches: list[dict[str, Any]], llm_env: FakeLLM, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = "the client had no servers"
    llm_env.script(Reply(content=f'"{NOT_READY}" [1]; "{fake}" [2]; see also [9].'))
    code, out, _ = run(capsys, QUESTION, "--json")
    data = json.loads(out)
    assert (code, data["mode"], data["model"]) == (0, "llm", MODEL)
    assert data["answer"] == f'"{NOT_READY}" [1]; {fake} [unverified] [2]; see also.'
    assert [(c["n"], c["verified"]) for c in data["citations"]] == [(1, True)]
    # The failed quote's [2] stays in the text as a reference to turn 2, without its words.
    assert [(r["n"], r["key"]) for r in data["references"]] == [(2, late_projects()[1].key)]
    assert data["unverified"] == [
        {"n": 2, "quote": fake, "reason": "quote not found verbatim in [2]"},
        {"n": 9, "reason": "cites [9], but only 8 turns were supplied; citation removed"},
    ]

    llm_env.script(Reply(content=f'"{NOT_READY}" [1]; "{fake}" [2].'))
    code, out, _ = run(capsys, QUESTION)
    assert f"Unverified (not quotes)\n  ✗ [2] quote not found verbatim in [2]: {fake}\n" in out
    assert f'"{fake}"' not in out  # never shown in quotation marks
    assert "✗ not found verbatim" not in out and "✓ verified" in out
    assert f"[LLM answer ({MODEL}) · 8 turns retrieved" in out


def test_llm_citations_are_listed_in_numeric_order_with_bare_references(
    searches: list[dict[str, Any]], llm_env: FakeLLM, capsys: pytest.CaptureFixture[str]
) -> None:
    complex_ = "it's a very complex environment"
    llm_env.script(Reply(content=f'"{complex_}" [2], and "{NOT_READY}" [1]. See also [4].'))
    code, out, _ = run(capsys, QUESTION)
    assert code == 0
    citations = out.split("\nCitations\n", 1)[1]
    assert citations.index(f'  [1] "{NOT_READY}"') < citations.index(f'  [2] "{complex_}"')
    assert "\nReferenced turns (cited without a quote)\n  [4] Interview 12 - Amin · " in out
    assert "(cited without a quote)\n" in out and '[4] "' not in out


def test_endpoint_failure_falls_back_to_the_extractive_answer(
    searches: list[dict[str, Any]],
    llm_env: FakeLLM,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASSISTANT_LLM_MAX_RETRIES", "1")
    llm_env.script(Reply(status=500), Reply(status=503))
    code, out, err = run(capsys, QUESTION, "--json")
    data = json.loads(out)
    assert (code, err, data["mode"]) == (0, "", "extractive")
    assert data["notice"] == (
        f"LLM unavailable (server error at {llm_env.url} (HTTP 503) after 2 attempts); "
        "showing the extractive answer instead."
    )
    assert data["citations"][0]["quote"] == NOT_READY

    llm_env.script(Reply(content="", status=200))
    code, out, _ = run(capsys, QUESTION)
    assert out.startswith("Notice: LLM unavailable (the model returned an empty reply")
    assert f'- "{NOT_READY}" [1]' in out


def test_streams_to_a_terminal_then_shows_the_checked_answer(
    searches: list[dict[str, Any]],
    llm_env: FakeLLM,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    reply = f'Reasons: "{NOT_READY}" [1] and "{COMPLEX}" [2], plus [9].'
    llm_env.script(Reply(content=reply))
    code, out, _ = run(capsys, QUESTION)
    assert code == 0 and llm_env.requests[0].body["stream"] is True
    assert out.startswith(reply + "\n")
    assert (
        "After checking quotes and citations against the turns, the answer reads:\n\n"
        f'Reasons: "{NOT_READY}" [1] and "{COMPLEX}" [2], plus.'
    ) in out


def test_api_key_is_never_printed_or_written(
    searches: list[dict[str, Any]],
    llm_env: FakeLLM,
    capsys: pytest.CaptureFixture[str],
    isolated_paths: Path,
) -> None:
    llm_env.script(
        Reply(content=f'"{NOT_READY}" [1] and "{COMPLEX}" [2].'),
        Reply(status=401, error=f"Incorrect API key provided: {API_KEY}"),
    )
    code, out, err = run(capsys, QUESTION, "--save")
    assert code == 0 and "Saved: 2 quote(s) added to" in out
    code, out2, err2 = run(capsys, QUESTION, "--json", "--save")
    assert "rejected the API key (HTTP 401)" in json.loads(out2)["notice"]
    for text in (out, err, out2, err2):
        assert API_KEY not in text
    written = [p for p in isolated_paths.rglob("*") if p.is_file()]
    notes = isolated_paths / "notes.md"
    assert notes in written and NOT_READY in notes.read_text(encoding="utf-8")
    for path in written:
        assert API_KEY.encode() not in path.read_bytes(), path


def test_bad_arguments_are_one_line_errors(
    searches: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, QUESTION, "-k", "0") == (1, "", f"assistant: {K_BOUND}\n")
    # Unbounded, -k 100000 sent every turn of the corpus to the LLM in one request, and a
    # number past 64 bits was an internal OverflowError.
    for huge in ("101", "100000", "99999999999999999999"):
        assert run(capsys, QUESTION, "-k", huge) == (1, "", f"assistant: {K_BOUND}\n")
    assert run(capsys, "   ") == (1, "", "assistant: the question is empty\n")
    assert searches == []


def test_a_stream_cut_mid_way_is_marked_as_not_the_answer(
    searches: list[dict[str, Any]],
    llm_env: FakeLLM,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from assistant.cli.ask import CUT_OFF

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("ASSISTANT_LLM_MAX_RETRIES", "0")
    reply = f'Reasons: "{NOT_READY}" [1] and "{COMPLEX}" [2].'
    llm_env.script(Reply(content=reply, chunks=[reply[:9], reply[9:30], reply[30:]], cut_after=2))
    code, out, _ = run(capsys, QUESTION)
    assert code == 0
    streamed, rest = out.split("\n", 1)
    assert streamed == reply[:30]
    assert rest.startswith(f"{CUT_OFF}\n\nNotice: LLM unavailable (the reply stream was cut off")
    assert f'- "{NOT_READY}" [1]' in rest
