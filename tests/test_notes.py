"""The notes file: append-only Markdown entries, dedup, atomic appends, staleness.

Golden files live in tests/golden/. After an intended format change, regenerate them by running
``ASSISTANT_REGEN_GOLDEN=1 python -m pytest tests/test_notes.py tests/test_quotes.py`` and review
the diff before committing.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import replace
from pathlib import Path

import pytest
from notes_samples import (
    PDF_TURNS,
    TEXT_TURNS,
    FakeReader,
    answer,
    check_golden,
    evidence,
)

from assistant.errors import NotesError
from assistant.model import Citation, Paragraph
from assistant.notes import (
    ALREADY_SAVED,
    NOT_VERIFIED,
    NoteQuote,
    NotesFile,
    check_stale,
    parse_notes,
    render_entry,
)
from assistant.service import make_assistant

HAND_WRITTEN = (
    "# My notes on deployment\n"
    "\n"
    "Remember: ask Amin about the CRM export.\n"
    "> a block quote I typed myself\n"
    "<!-- my own comment -->\n"
    "## Not an assistant heading"  # no final newline: the assistant must not glue onto it
)


def note(question: str, turn_index: int = 1, date: str = "2026-11-28") -> NoteQuote:
    turn = (TEXT_TURNS + PDF_TURNS)[turn_index]
    return NoteQuote.from_evidence(
        question, evidence(turn), turn.paragraphs[0].text, mode="extractive", model=None, date=date
    )


def test_entry_markdown_matches_golden() -> None:
    a = answer()
    quotes = [
        NoteQuote.from_evidence(
            a.question, c.evidence, c.quote, mode=a.mode, model=a.model, date="2026-11-28"
        )
        for c in a.verified_citations
    ]
    quotes.append(
        NoteQuote.from_evidence(
            a.question,
            evidence(TEXT_TURNS[1]),
            TEXT_TURNS[1].text,
            mode="llm",
            model="qwen2.5:7b",
            date="2026-11-28",
        )
    )
    check_golden("notes_entry.md", render_entry(quotes))


def test_rendered_entry_parses_back_exactly() -> None:
    whole_turn = note("Q?", turn_index=1)
    whole_turn = replace(whole_turn, quote=TEXT_TURNS[1].text)  # paragraphs and a line break
    text = HAND_WRITTEN + "\n" + render_entry([whole_turn, note("Q?", turn_index=2)])
    saved = parse_notes(text)
    assert [(s.question, s.key, s.mode, s.model, s.date) for s in saved] == [
        ("Q?", "12:2", "extractive", None, "2026-11-28"),
        ("Q?", "3:1", "extractive", None, "2026-11-28"),
    ]
    assert saved[0].quote == TEXT_TURNS[1].text
    assert saved[0].turn_hash == TEXT_TURNS[1].content_hash
    assert saved[1].quote == PDF_TURNS[0].paragraphs[0].text
    lines = text.split("\n")
    assert lines[saved[0].line - 1].startswith("<!-- assistant:quote key=12:2 ")


def test_model_names_with_spaces_survive_the_marker() -> None:
    q = replace(note("Q?"), model="my model v2 --fast")
    [saved] = parse_notes(render_entry([q]))
    assert saved.model == "my model v2 --fast"
    assert "--fast" not in q.marker()  # "--" inside an HTML comment would break it


def test_save_answer_saves_only_verified_quotes(isolated_paths: Path) -> None:
    service = make_assistant()
    result = service.save_answer(answer())
    assert [q.key for q in result.added] == ["12:2", "3:1"]
    assert [(s.key, s.reason) for s in result.skipped] == [("12:2", NOT_VERIFIED)]
    text = service.settings.notes_file.read_text(encoding="utf-8")
    assert "Rust" not in text
    assert text.count("## What went wrong with the data pipeline?") == 1
    assert text.count("<!-- assistant:quote") == 2
    assert (
        "— *Interview 3 - PO* · Interviewee · turn 1 · pp. 2-3 · codes: MLP-data-pipeline" in text
    )
    assert "LLM answer · model: qwen2.5:7b*" in text


def test_a_citation_marked_verified_but_not_verbatim_is_not_saved(isolated_paths: Path) -> None:
    a = answer()
    forged = Citation(1, evidence(TEXT_TURNS[1]), "they never refresh anything", True)
    a.citations = [forged]
    result = make_assistant().save_answer(a)
    assert result.added == [] and result.skipped[0].reason == NOT_VERIFIED
    assert not make_assistant().settings.notes_file.exists()


def test_saving_the_same_answer_twice_adds_nothing(isolated_paths: Path) -> None:
    service = make_assistant()
    service.save_answer(answer())
    before = service.settings.notes_file.read_bytes()
    again = service.save_answer(answer("  what went WRONG with the data   pipeline? "))
    assert again.added == []
    assert [s.reason for s in again.skipped] == [NOT_VERIFIED, ALREADY_SAVED, ALREADY_SAVED]
    assert service.settings.notes_file.read_bytes() == before
    # Another question may cite the same turns.
    other = service.save_answer(answer("How were data sources refreshed?"))
    assert len(other.added) == 2


def test_a_new_notes_file_starts_with_its_first_heading(isolated_paths: Path) -> None:
    service = make_assistant()
    service.save_answer(answer())
    text = service.settings.notes_file.read_text(encoding="utf-8")
    assert text.startswith("## What went wrong with the data pipeline?\n")


def test_same_key_with_other_content_is_saved_again(tmp_path: Path) -> None:
    """After a turn is inserted above it and the corpus re-indexed, key 12:2 names another
    passage: that passage is new to the notes, the old one stays a duplicate."""
    notes = NotesFile(tmp_path / "notes.md")
    first = note("Q?", turn_index=1)
    assert [q.key for q in notes.append([first]).added] == ["12:2"]
    moved = replace(TEXT_TURNS[0], ordinal=2, speaker="Interviewee", role="participant")
    assert moved.key == "12:2" and moved.content_hash != TEXT_TURNS[1].content_hash
    shifted = NoteQuote.from_evidence(
        "Q?", evidence(moved), moved.text, mode="key", model=None, date="2026-11-28"
    )
    result = notes.append([first, shifted])
    assert [s.reason for s in result.skipped] == [ALREADY_SAVED]
    assert [(q.key, q.turn_hash) for q in result.added] == [("12:2", moved.content_hash)]
    saved = notes.read()
    assert [(s.key, s.quote) for s in saved] == [
        ("12:2", TEXT_TURNS[1].paragraphs[0].text),
        ("12:2", "What went wrong when you deployed?"),
    ]
    assert notes.append([shifted]).skipped[0].reason == ALREADY_SAVED


def test_hand_written_text_survives_every_operation(
    isolated_paths: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = make_assistant()
    path = service.settings.notes_file
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    monkeypatch.setattr(service, "reader", lambda: FakeReader())

    service.save_answer(answer())
    service.save_answer(answer())
    service.add_notes(["12:1", "3:1"])
    service.save_quote("Single quote?", evidence(TEXT_TURNS[0]))
    service.save_quote("Single quote?", answer().citations[1], mode="llm", model="m")
    with pytest.raises(NotesError):
        service.add_notes(["12:99"])
    after_writes = path.read_text(encoding="utf-8")
    listing = service.list_notes()

    assert after_writes.startswith(HAND_WRITTEN + "\n\n## ")
    assert path.read_text(encoding="utf-8") == after_writes  # listing never writes
    assert len(listing.quotes) == 6
    assert {q.question for q in listing.quotes} == {
        "What went wrong with the data pipeline?",
        "Quotes added by citation key",
        "Single quote?",
    }
    # The hand-typed heading and block quote are not mistaken for saved quotes.
    assert all(q.quote != "a block quote I typed myself" for q in listing.quotes)


def test_add_notes_names_an_unknown_key_and_writes_nothing(
    isolated_paths: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = make_assistant()
    monkeypatch.setattr(service, "reader", lambda: FakeReader())
    with pytest.raises(NotesError, match=r"no turn 12:99 in the index"):
        service.add_notes(["12:2", "12:99"])
    with pytest.raises(NotesError, match=r"not a citation key: 'Amin'"):
        service.add_notes(["Amin"])
    assert not service.settings.notes_file.exists()
    result = service.add_notes(["12:2"], question="Data refresh")
    [saved] = service.list_notes().quotes
    assert result.added[0].key == saved.key == "12:2"
    assert saved.quote == TEXT_TURNS[1].text and saved.stale is False


def test_save_quote_refuses_an_unverified_citation(isolated_paths: Path) -> None:
    with pytest.raises(NotesError, match=r"quote \[3\] \(12:2\) is not verified"):
        make_assistant().save_quote("Q?", answer().citations[2], mode="llm", model="m")


def test_stale_quotes_are_flagged_with_the_reason() -> None:
    saved = parse_notes(
        render_entry([note("Q?", 1), note("Q?", 2)])
        + render_entry([replace(note("R?", 0), quote="What went wrong")])
    )
    recoded = replace(TEXT_TURNS[1], paragraphs=TEXT_TURNS[1].paragraphs[1:] + (Paragraph("x"),))
    reader = FakeReader((TEXT_TURNS[0], recoded))
    checked = check_stale(saved, reader.evidence)
    assert [(q.key, q.stale, q.reason) for q in checked] == [
        ("12:2", True, "quote no longer verbatim in its turn"),
        ("3:1", True, "source turn vanished"),
        ("12:1", False, ""),
    ]
    codes_only = replace(
        TEXT_TURNS[1],
        paragraphs=(replace(TEXT_TURNS[1].paragraphs[0], codes=("Misc",)),)
        + TEXT_TURNS[1].paragraphs[1:],
    )
    [first] = check_stale(saved[:1], FakeReader((codes_only,)).evidence)
    assert (first.stale, first.reason) == (True, "source turn changed")


def test_list_without_an_index_says_staleness_was_not_checked(isolated_paths: Path) -> None:
    service = make_assistant()
    service.save_answer(answer())
    listing = service.list_notes()
    assert len(listing.quotes) == 2 and not listing.checked
    assert all(q.stale is None for q in listing.quotes)
    assert listing.notice and listing.notice.startswith("not checked for staleness")


def test_unwritable_notes_file_is_a_notes_error(isolated_paths: Path) -> None:
    target = isolated_paths / "notes-dir.md"
    target.mkdir()
    with pytest.raises(NotesError, match="notes-dir.md: cannot open the notes file"):
        NotesFile(target).append([note("Q?")])


def test_a_full_disk_part_way_through_leaves_the_file_byte_identical(
    isolated_paths: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    path = isolated_paths / "notes.md"
    NotesFile(path).append([note("First question?")])
    path.write_bytes(path.read_bytes() + HAND_WRITTEN.encode())
    before = path.read_bytes()
    real_write = os.write
    calls: list[int] = []

    def disk_fills_up(fd: int, data: bytes) -> int:
        # The first write lands 40 bytes (the start of the marker), the next finds no space.
        if os.readlink(f"/proc/self/fd/{fd}") != str(path):
            return real_write(fd, data)
        calls.append(len(data))
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, bytes(data[:40]))

    monkeypatch.setattr(os, "write", disk_fills_up)
    with pytest.raises(NotesError, match="cannot write the notes file \\(No space left on device"):
        NotesFile(path).append([note("Second question?", turn_index=2)])
    monkeypatch.undo()
    assert len(calls) == 2  # the fault really hit half-way
    assert path.read_bytes() == before
    assert [q.question for q in NotesFile(path).read()] == ["First question?"]


def _append_many(path: str, worker: int, count: int, same: bool, start: object) -> None:
    start.wait()  # type: ignore[attr-defined]
    notes = NotesFile(Path(path))
    for i in range(count):
        question = f"Question {i}" if same else f"Question {worker}-{i}"
        notes.append([note(question, turn_index=i % 3)])


def _race(path: Path, same: bool) -> None:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    workers = [
        ctx.Process(target=_append_many, args=(str(path), w, 50, same, start)) for w in (1, 2)
    ]
    for w in workers:
        w.start()
    start.set()
    for w in workers:
        w.join(timeout=120)
        assert w.exitcode == 0


def test_two_processes_appending_at_once_lose_nothing(isolated_paths: Path) -> None:
    path = isolated_paths / "notes.md"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    _race(path, same=False)
    text = path.read_text(encoding="utf-8")
    saved = parse_notes(text)
    assert len(saved) == 100
    assert sorted(q.question for q in saved) == sorted(
        f"Question {w}-{i}" for w in (1, 2) for i in range(50)
    )
    assert text.count("\n## Question ") == 100  # every entry intact, none interleaved
    assert text.startswith(HAND_WRITTEN + "\n")


def test_two_processes_saving_the_same_quotes_save_each_once(isolated_paths: Path) -> None:
    path = isolated_paths / "notes.md"
    _race(path, same=True)
    saved = parse_notes(path.read_text(encoding="utf-8"))
    assert sorted(q.question for q in saved) == sorted(f"Question {i}" for i in range(50))
