"""The chat as a researcher drives it: keys in, what the screen shows out (App.run_test + Pilot).

Most tests use ``FakeService`` (tests/tui_fakes.py, same method names as ``Assistant``) to
control timing and data; ``test_real_*`` tests run the real service on the shipped corpus.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.text import Text
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input, Label, Markdown, OptionList, Static
from textual.worker import Worker, WorkerFailed, WorkerState

from assistant.errors import AssistantError
from assistant.model import Filters
from assistant.tui.app import AssistantApp
from assistant.tui.messages import AnswerReady, AnswerToken, IndexBuilt, IndexProgress
from assistant.tui.screens.context import ContextScreen
from assistant.tui.screens.help import HelpScreen
from assistant.tui.screens.history import HistoryScreen
from assistant.tui.screens.indexing import IndexingScreen
from assistant.tui.widgets.answer_view import AnswerView
from assistant.tui.widgets.code_tree import CodeTree
from assistant.tui.widgets.evidence import EvidencePane
from assistant.tui.widgets.status import IndexBar, StatusLine
from tests.fake_llm import FakeLLM, Reply
from tests.tui_fakes import TITLE, FakeService

QUESTION = "why did projects run late because of the environment?"


async def settle(app: AssistantApp, pilot: Pilot) -> None:
    """Let every worker finish and every message it posted be handled."""
    for _ in range(3):
        try:
            await app.workers.wait_for_complete()
        except WorkerFailed:
            pass  # workers run with exit_on_error=False; the app reports their failure itself
        await pilot.pause()


async def until(pilot: Pilot, condition: Callable[[], bool], what: str) -> None:
    """Wait for something a worker makes happen (not a timing check: the bound is generous)."""
    for _ in range(600):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never happened: {what}")


async def wait_for_screen(app: AssistantApp, pilot: Pilot, kind: type) -> None:
    await until(pilot, lambda: isinstance(app.screen, kind), f"{kind.__name__} shown")


async def ask(app: AssistantApp, pilot: Pilot, question: str = QUESTION) -> None:
    app.chat.query_one("#question", Input).focus()
    await pilot.press(*question)
    await pilot.press("enter")
    await settle(app, pilot)


def evidence_keys(app: AssistantApp) -> list[str]:
    return [item.key for item in app.chat.query_one(EvidencePane).items]


def conversation_text(app: AssistantApp) -> str:
    views = app.chat.query(AnswerView)
    return "\n".join(v.source for v in views)


async def test_asking_shows_the_answer_and_its_cited_quotes() -> None:
    service = FakeService()
    app = AssistantApp(lambda: service)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        status = app.chat.query_one(StatusLine)
        assert str(status.render()) == "extractive · 1 interview, 6 turns · index ready"
        await ask(app, pilot)
        assert service.asked == [(QUESTION, service.asked[0][1])]
        assert service.asked[0][1].is_empty()
        assert evidence_keys(app) == ["12:41", "12:43", "12:44"]
        first = app.chat.query_one(EvidencePane).items[0]
        assert first.citation.verified is True
        assert first.shown_codes == ("MD-infrastructure", "MM-organisation")
        assert "[12:41]" in str(first.render()) and "✓" in str(first.render())
        assert "The, the environment not being ready, uh, at the clients. [2]" in conversation_text(
            app
        )
        assert app.chat.query_one("#question", Input).value == ""


async def test_enter_on_a_quote_opens_it_in_its_transcript() -> None:
    app = AssistantApp(lambda: FakeService())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot)
        await pilot.press("tab")  # question → evidence
        assert app.focused is app.chat.query_one(EvidencePane)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ContextScreen)
        assert screen.item.key == "12:43"
        cited = screen.query_one(".cited", Static)
        text = cited.content
        assert isinstance(text, Text)
        assert "turn 43, line 528 [12:43]" in str(text)
        assert "codes: Deployment-issues [MD] · MD-infrastructure" in str(text)
        highlighted = [str(text)[s.start : s.end] for s in text.spans if "reverse" in str(s.style)]
        assert highlighted == ["The, the environment not being ready, uh, at the clients."]
        keys = [
            str(w.content).split("[", 1)[1].split("]")[0]
            for w in screen.query(".turn").results(Static)
        ]
        assert keys == ["12:40", "12:41", "12:42", "12:43", "12:44", "12:45"]
        await pilot.press("escape")
        assert app.screen is app.chat


async def test_ticking_a_parent_code_ticks_its_children_and_scopes_the_next_question() -> None:
    service = FakeService()
    app = AssistantApp(lambda: service)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        tree = app.chat.query_one(CodeTree)
        roots = [n.data.label for n in tree.root.children if n.data]
        assert roots == ["Data-issues", "Deployment-issues [MD]", "MM-organisation", "Q4"]
        deployment = tree.root.children[1]
        assert deployment.data is not None and deployment.data.count == 3
        assert [c.data.label for c in deployment.children if c.data] == [
            "MD-complexity",
            "MD-infrastructure",
        ]
        await ask(app, pilot, "environment or empty fields?")
        assert evidence_keys(app) == ["12:41", "12:43", "12:44", "12:45"]

        tree.focus()
        await pilot.press("enter")  # the cursor starts on Data-issues: tick it
        await pilot.pause()
        assert tree.ticked == {"Data-issues", "Data-missing-value"}
        assert "scope: 2 codes (Data-issues, Data-missing-value)" in str(
            app.chat.query_one(StatusLine).render()
        )
        await ask(app, pilot, "environment or empty fields?")
        _, filters = service.asked[-1]
        assert filters.codes == ("Data-issues", "Data-missing-value")
        assert evidence_keys(app) == ["12:45"]

        tree.focus()
        await pilot.press("enter")  # untick it: the whole family goes
        await pilot.pause()
        assert tree.ticked == set()
        assert "scope" not in str(app.chat.query_one(StatusLine).render())


async def test_n_adds_the_quote_to_notes_and_y_copies_it_with_its_citation() -> None:
    service = FakeService()
    app = AssistantApp(lambda: service)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot)
        await pilot.press("tab", "n")
        await settle(app, pilot)
        [(question, citation, mode, model)] = service.saved
        assert (question, citation.evidence.key, mode, model) == (
            QUESTION,
            "12:41",
            "extractive",
            None,
        )
        await pilot.press("down", "y")
        assert app.clipboard == (
            "“The, the environment not being ready, uh, at the clients.” — "
            "Interviewee, Interview 12 - Amin, turn 43, line 528 [12:43]"
        )


async def test_reindexing_while_a_question_is_answered_keeps_the_chat_usable() -> None:
    service = FakeService(hold_answer=threading.Event(), hold_build=threading.Event())
    app = AssistantApp(lambda: service)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.ready, "the app is ready")
        app.chat.query_one("#question", Input).focus()
        await pilot.press(*QUESTION, "enter")
        await pilot.press("ctrl+r")
        bar = app.chat.query_one(IndexBar)
        assert bar.display is True
        label = bar.query_one("#index-label", Label)
        await until(pilot, lambda: str(label.render()) == "embedding 0/3 · " + TITLE, "progress")
        assert service.asked == [(QUESTION, Filters())]  # asked, and still being answered
        assert app.chat.query(AnswerView).first().source == "_Searching the interviews…_"
        # The screen still takes keys while both workers run.
        await pilot.press(*"next")
        assert app.chat.query_one("#question", Input).value == "next"
        service.hold_build.set()
        service.hold_answer.set()
        await settle(app, pilot)
        assert service.builds == 1
        assert bar.display is False
        assert evidence_keys(app) == ["12:41", "12:43", "12:44"]
        assert app.chat.query_one(StatusLine).index == "index ready"


async def test_an_llm_answer_is_streamed_then_replaced_by_the_checked_text() -> None:
    service = FakeService(tokens=["The environment ", "was not ready [1]."])
    app = AssistantApp(lambda: service)
    # Keyed by identity because a message is seen once per node it bubbles through; the
    # message is kept alive so that its id cannot be reused by a later one.
    tokens: dict[int, AnswerToken] = {}

    def hook(message: Message) -> None:
        if isinstance(message, AnswerToken):
            tokens[id(message)] = message

    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await settle(app, pilot)
        await ask(app, pilot)
        assert [t.text for t in tokens.values()] == ["The environment ", "was not ready [1]."]
        view = app.chat.query_one(AnswerView)
        assert view.streamed == "The environment was not ready [1]."
        assert view.source == "The environment was not ready [1]."
        assert "LLM fake" in str(app.chat.query_one("AnswerHeader").render())


async def test_without_an_index_one_is_built_with_a_progress_view_then_ready() -> None:
    service = FakeService(indexed=False, hold_build=threading.Event())
    app = AssistantApp(lambda: service)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(app, pilot, IndexingScreen)
        assert app.ready is False
        service.hold_build.set()
        await settle(app, pilot)
        assert app.screen is app.chat
        assert app.ready is True
        await ask(app, pilot)
        assert evidence_keys(app) == ["12:41", "12:43", "12:44"]


async def test_a_question_asked_before_the_index_is_open_is_answered_when_it_is() -> None:
    service = FakeService(indexed=False, hold_build=threading.Event())
    app = AssistantApp(lambda: service)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(app, pilot, IndexingScreen)
        await pilot.press("escape")  # hide the progress view; the build goes on
        assert app.screen is app.chat
        app.chat.query_one("#question", Input).focus()
        await pilot.press(*QUESTION, "enter")
        await pilot.pause()
        assert service.asked == []
        service.hold_build.set()
        await settle(app, pilot)
        assert [q for q, _ in service.asked] == [QUESTION]
        assert evidence_keys(app) == ["12:41", "12:43", "12:44"]


async def test_conversations_are_kept_and_reopen_from_history() -> None:
    service = FakeService()
    app = AssistantApp(lambda: service)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert evidence_keys(app) == []
        assert not app.chat.query(AnswerView)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is app.chat
        assert evidence_keys(app) == ["12:41", "12:43", "12:44"]
        assert "at the clients. [2]" in conversation_text(app)
        assert app.chat.conversation_id is not None
        # A reopened quote is saved from the turn in the index, not from the stored JSON.
        app.chat.query_one(EvidencePane).focus()
        await pilot.press("n")
        await settle(app, pilot)
        [(question, citation, _, _)] = service.saved
        assert (question, citation.evidence.key) == (QUESTION, "12:41")
        assert citation.evidence.turn.text == service.turns[1].turn.text


async def test_f1_lists_the_keys_with_what_they_do() -> None:
    app = AssistantApp(lambda: FakeService())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        source = app.screen.query_one(Markdown).source
        for row in (
            "| Ctrl+R | Re-index |",
            "| Ctrl+N | New chat |",
            "| F2 | History |",
            "| Ctrl+Q | Quit |",
            "| n | Add to notes |",
            "| y | Copy quote |",
            "| Enter | Open in context |",
            "| Enter | Tick code |",
        ):
            assert row in source
        await pilot.press("escape")
        assert app.screen is app.chat


async def test_a_failing_service_shows_what_to_do_instead_of_crashing() -> None:
    from assistant.errors import ConfigError

    def broken() -> FakeService:
        raise ConfigError("invalid settings (top_k: must be at least 1)")

    app = AssistantApp(broken)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        [note] = list(app._notifications)
        assert "top_k" in note.message and "Fix it and start the assistant again" in note.message
        assert app.chat.query_one(StatusLine).index == "not started"
        await ask(app, pilot)
        assert "still opening" in list(app._notifications)[-1].message


async def test_the_command_palette_runs_the_apps_commands() -> None:
    service = FakeService()
    app = AssistantApp(lambda: service)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("New conversation", "Re-index", "History", "Help", "Clear filters"):
            assert title in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"re-index")
        palette = app.screen
        await until(
            pilot,
            lambda: any("Re-index" in str(o.prompt) for o in palette.query_one(OptionList).options),
            "the palette lists Re-index",
        )
        await pilot.press("enter")
        await settle(app, pilot)
        assert service.builds == 1


def test_the_app_module_does_not_load_the_heavy_libraries() -> None:
    """First paint must not wait for them: they are imported in workers, after the paint."""
    import subprocess
    import sys

    code = (
        "import sys, assistant.cli.chat, assistant.tui.app\n"
        "heavy = {'chromadb', 'llama_index', 'onnxruntime', 'openai', 'tokenizers'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- the real service on the shipped corpus ------------------------------------------------

REAL_QUESTION = "why did projects run late?"
SHIPPED_CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SHIPPED_FILE = SHIPPED_CORPUS / "Interview 12 - Amin.txt"


@pytest.fixture(scope="module")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One index of the shipped corpus for the module: building it is the slow part."""
    from assistant.service import make_assistant

    folder = tmp_path_factory.mktemp("index")
    make_assistant(corpus_dir=SHIPPED_CORPUS, index_dir=folder).build_index()
    return folder


@pytest.fixture
def real_app(built_index: Path, monkeypatch: pytest.MonkeyPatch) -> AssistantApp:
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(built_index))
    return AssistantApp()


async def test_real_first_launch_builds_the_index_then_answers() -> None:
    app = AssistantApp()  # the conftest's empty index folder: nothing built yet
    shown_during_build: list[str] = []

    def hook(message: Message) -> None:
        if isinstance(message, IndexProgress):
            shown_during_build.append(type(app.screen).__name__)

    async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
        await settle(app, pilot)
        assert shown_during_build and set(shown_during_build) == {"IndexingScreen"}
        assert app.screen is app.chat and app.ready
        status = str(app.chat.query_one(StatusLine).render())
        assert status.startswith("extractive · 1 interview, ")
        assert status.endswith("index ready")
        await ask(app, pilot, REAL_QUESTION)
        assert evidence_keys(app), "no quotes for the question"


async def test_real_answer_cites_the_clients_environment(real_app: AssistantApp) -> None:
    app = real_app
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, REAL_QUESTION)
        items = app.chat.query_one(EvidencePane).items
        assert items and all(i.key.startswith("12:") for i in items)
        environment = [i for i in items if "environment" in i.quote.lower()]
        assert environment, [i.quote for i in items]
        assert all(i.citation.verified for i in environment)
        shipped = SHIPPED_FILE.read_text(encoding="utf-8")
        flat = " ".join(shipped.split())
        for item in environment:  # excerpts of one turn may be joined with "…"
            for part in item.quote.split("…"):
                assert " ".join(part.split()) in flat, part
        # The context view opens the cited turn with its passage highlighted.
        pane = app.chat.query_one(EvidencePane)
        pane.focus()
        pane.highlighted = items.index(environment[0])
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ContextScreen)
        cited = app.screen.query_one(".cited", Static).content
        assert isinstance(cited, Text)
        assert f"[{environment[0].key}]" in cited.plain
        assert any("reverse" in str(s.style) for s in cited.spans)


async def test_real_code_filter_scopes_the_next_answer(real_app: AssistantApp) -> None:
    app = real_app
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        tree = app.chat.query_one(CodeTree)
        family = next(n for n in tree.root.children if n.data and n.data.children)
        assert family.data is not None
        assert tree.tick(family.data.label)
        allowed = {n.label for n in family.data.walk()}
        assert tree.ticked == allowed
        await ask(app, pilot, REAL_QUESTION)
        items = app.chat.query_one(EvidencePane).items
        assert items
        assert all(set(i.shown_codes) & allowed for i in items)


async def test_real_n_writes_the_quote_to_the_notes_file(real_app: AssistantApp) -> None:
    app = real_app
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, REAL_QUESTION)
        first = app.chat.query_one(EvidencePane).items[0]
        await pilot.press("tab", "n")
        await settle(app, pilot)
        notes = Path(os.environ["ASSISTANT_NOTES_FILE"]).read_text(encoding="utf-8")
        assert REAL_QUESTION in notes
        assert f"key={first.key}" in notes
        assert " ".join(first.quote.split())[:60] in " ".join(notes.split())


async def test_real_reindex_while_a_question_is_answered(real_app: AssistantApp) -> None:
    app = real_app
    seen: dict[int, Message] = {}  # by identity, kept alive so that ids are not reused

    def hook(message: Message) -> None:
        failed = isinstance(message, Worker.StateChanged) and message.state is WorkerState.ERROR
        if isinstance(message, AnswerReady | IndexBuilt) or failed:
            seen[id(message)] = message

    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await settle(app, pilot)
        app.chat.query_one("#question", Input).focus()
        await pilot.press(*REAL_QUESTION, "enter", "ctrl+r")
        await settle(app, pilot)
        assert sorted({type(m).__name__ for m in seen.values()}) == ["AnswerReady", "IndexBuilt"]
        assert app.chat.query_one(IndexBar).display is False
        assert app.chat.query_one(StatusLine).index == "index ready"
        items = app.chat.query_one(EvidencePane).items
        assert any("environment" in i.quote.lower() for i in items)
        assert any(n.title == "Index up to date" for n in app._notifications)


def _llm_env(monkeypatch: pytest.MonkeyPatch, fake_llm: FakeLLM) -> None:
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", fake_llm.url)
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", "fake-model")
    monkeypatch.setenv("ASSISTANT_LLM_API_KEY", "sk-test")
    monkeypatch.setenv("ASSISTANT_LLM_MAX_RETRIES", "0")


async def test_real_llm_answer_streams_from_an_openai_compatible_server(
    real_app: AssistantApp, fake_llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    _llm_env(monkeypatch, fake_llm)
    fake_llm.script(Reply(content="Projects ran late because the environment was not ready [1]."))
    tokens: dict[int, AnswerToken] = {}  # by identity, kept alive: see the test above

    def hook(message: Message) -> None:
        if isinstance(message, AnswerToken):
            tokens[id(message)] = message

    app = real_app
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await settle(app, pilot)
        assert app.chat.query_one(StatusLine).mode == "LLM fake-model"
        await ask(app, pilot, REAL_QUESTION)
        assert len(tokens) > 3
        streamed = "".join(t.text for t in tokens.values())
        assert streamed.startswith("Projects ran late because the environment")
        assert "LLM fake-model" in str(app.chat.query_one("AnswerHeader").render())
        assert "environment was not ready" in conversation_text(app)
        assert len(fake_llm.requests) == 1


async def test_real_failing_endpoint_shows_a_notice_and_the_extractive_answer(
    real_app: AssistantApp, fake_llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    _llm_env(monkeypatch, fake_llm)
    fake_llm.script(Reply(status=500, error="model crashed"))
    app = real_app
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, REAL_QUESTION)
        header = str(app.chat.query_one("AnswerHeader").render())
        assert header.startswith("extractive · LLM unavailable")
        assert any("LLM unavailable" in n.message for n in app._notifications)
        items = app.chat.query_one(EvidencePane).items
        assert items and all(i.citation.verified for i in items)


async def test_an_index_that_cannot_be_built_says_so_and_leaves_the_chat_usable() -> None:
    from assistant.errors import CorpusError

    service = FakeService(indexed=False)

    def fail(progress: object = None) -> None:
        raise CorpusError("corpus", "no transcripts found (set ASSISTANT_CORPUS_DIR)")

    service.build_index = fail  # type: ignore[method-assign]
    app = AssistantApp(lambda: service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.screen is app.chat
        assert app.chat.query_one(StatusLine).index == "index failed"
        [note] = list(app._notifications)
        assert (
            note.message
            == "Indexing failed: corpus: no transcripts found (set ASSISTANT_CORPUS_DIR)"
        )


def test_every_excerpt_of_a_joined_quote_is_highlighted_in_context() -> None:
    from assistant.tui.screens.context import turn_text

    evidence = FakeService().turns[1]  # 12:41
    quote = "Well, in that case, … the environment not being ready and."
    text = turn_text(evidence, quote)
    marked = [text.plain[s.start : s.end] for s in text.spans if "reverse" in str(s.style)]
    assert marked == ["Well, in that case,", "the environment not being ready and."]


async def test_matched_codes_are_shown_and_ctrl_o_asks_again_without_the_dropped_one() -> None:
    from assistant.codematch import CodeMatch
    from assistant.tui.screens.drop_code import DropCodeScreen

    service = FakeService()
    service.matched = [
        CodeMatch("MD-infrastructure", 0.7, 4, 2),
        CodeMatch("MM-organisation", 0.6, 3, 1),
    ]
    app = AssistantApp(lambda: service)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot)
        text = conversation_text(app)
        assert "Codes matched: MD-infrastructure (4 passages in 2 interviews)" in text
        assert "MM-organisation (3 passages in 1 interview)" in text
        assert service.codes_asked == [None]
        await pilot.press("ctrl+o")
        await wait_for_screen(app, pilot, DropCodeScreen)
        await pilot.press("down", "enter")  # the second: MM-organisation
        await settle(app, pilot)
        assert service.codes_asked == [None, ["MD-infrastructure"]]
        assert [q for q, _f in service.asked] == [QUESTION, QUESTION]
        last = list(app.chat.query(AnswerView))[-1].source
        assert "Codes matched: MD-infrastructure" in last and "MM-organisation" not in last


async def test_ctrl_o_without_matched_codes_says_so() -> None:
    service = FakeService()
    app = AssistantApp(lambda: service)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot)
        await pilot.press("ctrl+o")
        await settle(app, pilot)
        assert service.codes_asked == [None]
        assert any("not matched to any code" in str(n.message) for n in app._notifications)


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (
            AssistantError("the LLM endpoint refused the request"),
            "Could not answer: the LLM endpoint refused the request",
        ),
        (KeyError("turn"), "Internal error while answering: KeyError('turn')"),
    ],
)
async def test_a_failed_answer_is_said_where_the_question_waits(
    error: Exception, line: str
) -> None:
    service = FakeService()

    def fail(question: str, **kwargs: object) -> None:
        raise error

    service.ask = fail  # type: ignore[method-assign,assignment]
    app = AssistantApp(lambda: service)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot)
        assert conversation_text(app) == f"_{line}_"
        assert [n.message for n in app._notifications] == [line]
        # The chat goes on: the next question is asked and answered.
        service.ask = FakeService().ask  # type: ignore[method-assign]
        await ask(app, pilot)
        assert evidence_keys(app) == ["12:41", "12:43", "12:44"]


def test_the_question_a_quote_answered_stays_on_a_line_of_its_own() -> None:
    from assistant.model import Answer
    from assistant.tui.widgets.answer_view import answer_markdown

    text = (
        "### Theme: environment not being ready\n"
        '- "The, the environment not being ready, uh, at the clients." [1]\n'
        "  answering 12:109: … did you have AI project that took longer than expected? …\n"
        '- "Very complex environment." [2]\n'
        "  answering 12:109: … did you have AI project that took longer than expected? …\n"
    )
    markdown = answer_markdown(Answer("why late?", "extractive", text))
    # Markdown joins a list item's next line onto it; two spaces before the newline break it.
    assert markdown.count('" [1]  \n  answering 12:109') == 1
    assert markdown.count('" [2]  \n  answering 12:109') == 1
    # An LLM's text is left as it wrote it.
    assert "  \n  answering" not in answer_markdown(Answer("why late?", "llm", text))
