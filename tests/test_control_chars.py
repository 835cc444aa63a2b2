"""Terminal control sequences from transcripts or an LLM never reach the terminal or the notes.

An OSC 52 sequence writes the user's clipboard, OSC 0 retitles the window, ``ESC[2J`` clears the
screen and bidi overrides reorder what a reader sees. Every output (the CLI's stdout and stderr,
the notes file, the chat) goes through ``assistant.safe_text.printable``; quotes that contained
such characters still verify against the transcript that has them.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from fake_llm import API_KEY, MODEL, FakeLLM, Reply
from hypothesis import given
from hypothesis import strategies as st

from assistant import cli
from assistant.answer.verify import locate_in_paragraph, normalise
from assistant.safe_text import BIDI_CONTROLS, printable

#: Every C0 and C1 control but newline and tab, and every bidi control.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + BIDI_CONTROLS + "]")
OSC52 = "\x1b]52;c;cGF3bmVk\x07"  # "pawned" into the clipboard
TITLE = "\x1b]0;owned\x07"
CLEAR = "\x1b[2J"
CSI_C1 = "\x9b31m"
RLO = "\u202e"
HOSTILE = OSC52 + TITLE + CLEAR + CSI_C1 + RLO + "\x00\x08\x7f\x85\u2066"

ORIGINAL = "the, the environment not being ready and."
INJECTED = f"the, the {OSC52}environment {RLO}not being{CSI_C1} ready{CLEAR} and."


def forbidden(text: str, *, csv: bool = False) -> list[str]:
    if csv:
        text = text.replace("\r\n", "\n")
    return sorted({repr(m.group()) for m in FORBIDDEN.finditer(text)})


@given(st.text())
def test_printable_leaves_no_control_and_changes_nothing_verification_sees(text: str) -> None:
    shown = printable(text)
    assert forbidden(shown) == []
    assert normalise(shown) == normalise(text)
    assert printable(shown) == shown
    assert "\n" not in printable(text, one_line=True)


def test_a_quote_shown_without_its_control_characters_still_verifies() -> None:
    paragraph = f"Well, it's {INJECTED} There's a lot."
    exact = locate_in_paragraph(printable(INJECTED), paragraph)
    assert exact == INJECTED
    assert locate_in_paragraph("the environment not being ready", paragraph) is None  # "[2J"
    bidi = f"I said {RLO}no\u202c way."
    assert locate_in_paragraph("said no way", bidi) == f"said {RLO}no\u202c way"


@pytest.fixture
def hostile_corpus(tmp_path: Path, shipped_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped interview with escape sequences in a coded turn and a speaker name, and a
    plain transcript whose file name holds a newline and an escape sequence."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = shipped_file.read_text(encoding="utf-8")
    assert ORIGINAL in text
    text = text.replace(ORIGINAL, INJECTED).replace(
        "### Interviewer 1\n\nThank you.", f"### Interviewer 1{HOSTILE}\n\nThank you.", 1
    )
    (corpus / shipped_file.name).write_text(text, encoding="utf-8")
    (corpus / f"Interview 7\n{CLEAR}Bob{RLO}.txt").write_text(
        # (A NUL would make it a binary file, refused as such.)
        f"Alice: Why did the project stall?\nBob: The vendor{TITLE} never shipped{CLEAR}{RLO}.\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(corpus))
    return corpus


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_no_command_prints_or_saves_a_control_character(
    hostile_corpus: Path, capsys: pytest.CaptureFixture[str], isolated_paths: Path
) -> None:
    outputs: dict[str, str] = {}
    commands = {
        "index": ["index"],
        "corpus": ["corpus"],
        "search": ["search", "environment not being ready", "-k", "3"],
        "search json": ["search", "environment not being ready", "-k", "3", "--json"],
        "search vendor": ["search", "the vendor never shipped", "-k", "2"],
        "ask": ["ask", "was the environment ready?", "--save"],
        "ask json": ["ask", "was the environment ready?", "--json"],
        "notes add": ["notes", "add", "12:92", "7:2"],
        "notes list": ["notes", "list"],
        "notes list json": ["notes", "list", "--json"],
        "quotes md": ["quotes", "--code", "Data-low-quantity"],
        "quotes csv": ["quotes", "--code", "Data-low-quantity", "--format", "csv"],
        "quotes json": ["quotes", "--code", "Data-low-quantity", "--format", "json"],
    }
    for name, argv in commands.items():
        code, out, err = run(capsys, *argv)
        assert code == 0, (name, err)
        outputs[name] = out + err
        assert forbidden(out + err, csv=name == "quotes csv") == [], name
    # The hostile text was shown, without its controls, not left out.
    assert "]52;c;cGF3bmVkenvironment not being31m ready[2J" in outputs["search"]
    assert "The vendor]0;owned never shipped" in outputs["search vendor"]
    assert "Interview 7  [2J" not in outputs["index"]  # the title is one line
    assert "Interview 7 [2JBob" in outputs["search vendor"]
    notes = (isolated_paths / "notes.md").read_text(encoding="utf-8")
    assert forbidden(notes) == []
    assert "]52;c;cGF3bmVkenvironment" in notes
    # Every saved quote still verifies against the transcript, which keeps its controls.
    listing = json.loads(run(capsys, "notes", "list", "--json")[1])
    assert listing["count"] >= 2 and listing["stale"] == 0
    assert any("]52;c;cGF3bmVkenvironment" in q["quote"] for q in listing["quotes"])
    # A citation line is one line, whatever the file name held.
    citations = [line for line in notes.splitlines() if line.startswith("— *")]
    assert any(line.startswith("— *Interview 7 [2JBob*") for line in citations), citations


def test_a_streamed_llm_reply_is_shown_without_its_control_characters(
    hostile_corpus: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_llm: FakeLLM,
) -> None:
    assert run(capsys, "index")[0] == 0
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", fake_llm.url)
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", MODEL)
    monkeypatch.setenv("ASSISTANT_LLM_API_KEY", API_KEY)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    reply = f"{OSC52}The clients{TITLE} were not ready{CLEAR}.{RLO} [1]{CSI_C1}"
    fake_llm.script(Reply(content=reply, chunks=[reply[:5], reply[5:20], reply[20:]]))
    code, out, err = run(capsys, "ask", "was the environment ready?")
    assert code == 0, err
    assert fake_llm.requests[0].body["stream"] is True
    assert forbidden(out + err) == []
    assert out.startswith("]52;c;cGF3bmVkThe clients]0;owned were not ready[2J. [1]31m")


async def test_the_chat_shows_no_control_character_from_the_llm_or_a_transcript() -> None:
    from dataclasses import replace

    from textual.widgets import Input, Static

    from assistant.model import Paragraph
    from assistant.tui.app import AssistantApp
    from assistant.tui.screens.context import ContextScreen
    from assistant.tui.widgets.answer_view import AnswerView
    from assistant.tui.widgets.evidence import EvidencePane
    from tests.test_tui import settle, until
    from tests.tui_fakes import FakeService

    service = FakeService(tokens=[OSC52 + "The environment ", f"was{CLEAR} not{RLO} ready [1]."])
    hostile = service.turns[3]
    paragraph = Paragraph(
        f"The, the {TITLE}environment not being ready, uh,{CSI_C1} at the clients.",
        hostile.turn.codes,
        lines=hostile.turn.lines,
    )
    service.turns[3] = replace(hostile, turn=replace(hostile.turn, paragraphs=(paragraph,)))
    app = AssistantApp(lambda: service)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.chat.query_one("#question", Input).focus()
        await pilot.press(*"why was the environment not ready?", "enter")
        await settle(app, pilot)
        view = app.chat.query_one(AnswerView)
        assert view.streamed == "]52;c;cGF3bmVkThe environment was[2J not ready [1]."
        assert forbidden(view.source) == []
        items = app.chat.query_one(EvidencePane).items
        cited = next(item for item in items if item.key == hostile.key)
        assert forbidden(str(cited.render())) == []
        assert "]0;ownedenvironment not being ready, uh,31m at" in str(cited.render())
        app.chat.query_one(EvidencePane).focus()
        app.chat.query_one(EvidencePane).highlighted = items.index(cited)
        await pilot.press("enter")
        await until(pilot, lambda: bool(app.screen.query(".cited")), "the quote in context")
        assert isinstance(app.screen, ContextScreen)
        shown = app.screen.query_one(".cited", Static).content
        assert forbidden(str(shown)) == []
        highlighted = [
            str(shown)[s.start : s.end] for s in shown.spans if "reverse" in str(s.style)
        ]
        assert highlighted == [
            "The, the ]0;ownedenvironment not being ready, uh,31m at the clients."
        ]


def _on_a_terminal(argv: list[str], env: dict[str, str]) -> str:
    """What ``assistant ARGV`` writes to a (pseudo-)terminal, stdout and stderr together."""
    import os
    import pty
    import subprocess

    master, slave = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "assistant", *argv], stdout=slave, stderr=slave, env=env
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert child.wait(timeout=300) == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_on_a_terminal_rich_styles_stay_and_the_corpus_sequences_do_not(
    hostile_corpus: Path, isolated_paths: Path
) -> None:
    import os

    env = dict(os.environ, COLUMNS="160", TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    shown = _on_a_terminal(["corpus"], env) + _on_a_terminal(["index"], env)
    assert "\x1b[1m" in shown  # rich's bold table header: styling still works
    for sequence in (OSC52, TITLE, CLEAR, "\x1b]52", "\x1b]0;", CSI_C1, RLO):
        assert sequence not in shown, repr(sequence)
    assert "Interview 7 [2JBob" in shown
