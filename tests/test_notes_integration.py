"""Notes and quotes end to end: real transcript files, a real index, the CLI.

The shipped Delve export is copied to a temp folder, indexed, quoted into the notes, then edited
and re-indexed, as a researcher fixing a transcript would.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from fake_llm import API_KEY, MODEL, FakeLLM, Reply
from index_helpers import embedder

from assistant import cli
from assistant.retrieve import Retrieval
from assistant.service import Assistant, make_assistant

#: A turn of Interview 12 coded Data-low-quantity, and a sentence of it (lines 442-444).
SHOW_STOPPER = "It's a big show stopper."


@pytest.fixture
def corpus_copy(tmp_path: Path, shipped_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(shipped_file, folder / shipped_file.name)
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(folder))
    return folder / shipped_file.name


@pytest.fixture
def service(corpus_copy: Path) -> Assistant:
    service = make_assistant(embedder=embedder())
    service.build_index()
    return service


def _key_of(service: Assistant, text: str) -> str:
    [hit] = [e for e in service.reader().all_turns() if text in e.turn.text]
    return hit.key


def test_a_quote_goes_stale_when_its_source_file_changes_and_is_reindexed(
    service: Assistant, corpus_copy: Path
) -> None:
    key = _key_of(service, SHOW_STOPPER)
    other = _key_of(service, "That's understood. But so then a lot of stuff I think.")
    service.add_notes([key, other], question="Deployment blockers")
    evidence = service.evidence(key)
    assert evidence is not None
    from assistant.model import Citation

    service.save_quote("Show stoppers?", Citation(1, evidence, SHOW_STOPPER, True), "llm", "m")
    before = service.list_notes()
    assert before.checked and [q.stale for q in before.quotes] == [False, False, False]

    text = corpus_copy.read_text(encoding="utf-8")
    corpus_copy.write_text(text.replace(SHOW_STOPPER, "It's a minor hiccup."), encoding="utf-8")
    notes_before = service.settings.notes_file.read_bytes()
    service.build_index()
    after = service.list_notes()

    assert service.settings.notes_file.read_bytes() == notes_before
    assert [(q.key, q.stale, q.reason) for q in after.quotes] == [
        (key, True, "quote no longer verbatim in its turn"),
        (other, False, ""),
        (key, True, "quote no longer verbatim in its turn"),
    ]


def test_a_quote_is_flagged_when_its_interview_vanishes(
    service: Assistant, corpus_copy: Path
) -> None:
    key = _key_of(service, SHOW_STOPPER)
    service.add_notes([key])
    (corpus_copy.parent / "Interview 99 - Other.txt").write_text(
        "Interviewer: Any problems?\n\nParticipant: None at all.\n", encoding="utf-8"
    )
    corpus_copy.unlink()
    service.build_index()
    [saved] = service.list_notes().quotes
    assert (saved.key, saved.stale, saved.reason) == (key, True, "source turn vanished")


def test_cli_notes_add_and_list(service: Assistant, capsys: pytest.CaptureFixture[str]) -> None:
    key = _key_of(service, SHOW_STOPPER)
    assert cli.main(["notes", "add", key, "12:999"]) == 1
    assert "no turn 12:999 in the index" in capsys.readouterr().err
    assert not service.settings.notes_file.exists()

    assert cli.main(["notes", "add", key]) == 0
    assert capsys.readouterr().out.startswith(f"1 quote(s) added to {service.settings.notes_file}")
    assert cli.main(["notes", "add", key]) == 0
    out = capsys.readouterr().out
    assert "0 quote(s) added" in out and f"skipped {key}: already in the notes" in out

    assert cli.main(["notes", "list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["checked"] is True and data["count"] == 1 and data["stale"] == 0
    assert SHOW_STOPPER in data["quotes"][0]["quote"]
    assert cli.main(["notes", "list"]) == 0
    listed = capsys.readouterr().out
    assert "Quotes added by citation key" in listed and key in listed


def test_cli_quotes_csv_on_the_shipped_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["quotes", "--code", "MLP", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out, newline="")))
    assert len(rows) == 3
    assert {r["codes"] for r in rows} == {
        "ML-pipeline-issues [MLP]; MLP-unstable-external-dependency"
    }
    assert [r["quote"] for r in rows][2] == "So."
    assert all(r["title"] == "Interview 12 - Amin" and r["format"] == "delve-text" for r in rows)


def test_cli_quotes_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["quotes"]) == 1
    assert capsys.readouterr().err.startswith("assistant: name a code with --code")
    assert cli.main(["quotes", "--code", "MLP", "--interview", "77"]) == 1
    assert "no interview '77' in the corpus (interviews: 12)" in capsys.readouterr().err
    assert cli.main(["quotes", "--code", "No-such-code"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("assistant: ") and err.count("\n") == 1


def test_ask_save_appends_verified_quotes_once_and_never_an_invented_one(
    service: Assistant,
    fake_llm: FakeLLM,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shown = service.evidence(_key_of(service, SHOW_STOPPER))
    assert shown is not None
    monkeypatch.setattr(
        Assistant,
        "retrieve",
        lambda self, q, k=None, filters=None, codes=None, relative_floor=0.0: Retrieval(
            [], [shown]
        ),
    )
    monkeypatch.setattr(Assistant, "on_topic", lambda self, question, filters=None: True)
    for name, value in (("BASE_URL", fake_llm.url), ("MODEL", MODEL), ("API_KEY", API_KEY)):
        monkeypatch.setenv(f"ASSISTANT_LLM_{name}", value)
    invented = "we shipped the model without any trouble"
    reply = f'It blocked them: "{SHOW_STOPPER}" [1], although "{invented}" [1].'
    fake_llm.script(Reply(content=reply), Reply(content=reply))

    assert cli.main(["ask", "What blocked the deployment?", "--save"]) == 0
    assert "Saved: 1 quote(s) added to" in capsys.readouterr().out
    notes = service.settings.notes_file.read_text(encoding="utf-8")
    assert f"> {SHOW_STOPPER}\n" in notes and invented not in notes
    assert f"LLM answer · model: {MODEL}*" in notes

    assert cli.main(["ask", "What blocked the deployment?", "--save"]) == 0
    assert "Saved: 0 quote(s) added to" in capsys.readouterr().out
    assert service.settings.notes_file.read_text(encoding="utf-8") == notes
