"""The Codes screen (F3): bars and heat map drawn from the prevalence counts, a bar or a cell
listing its passages, each one key from its transcript and from the notes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList, Static

from assistant.model import Evidence, Paragraph, Turn
from assistant.prevalence import prevalence
from assistant.tui.app import AssistantApp
from assistant.tui.screens.codes import CodesScreen, bar
from assistant.tui.screens.context import ContextScreen
from assistant.tui.widgets.evidence import EvidencePane
from tests.test_tui import settle, until, wait_for_screen
from tests.tui_fakes import FakeService

SHIPPED_CORPUS = Path(__file__).resolve().parents[1] / "corpus"

MD = "Deployment-issues [MD]"
INFRA = "MD-infrastructure"

#: Two more interviews, so the heat map has columns to compare.
MORE: list[tuple[str, int, str, str, tuple[str, ...]]] = [
    ("3", 5, "Interviewee", "The servers at the client were never ready on time.", (MD, INFRA)),
    ("3", 6, "Interviewee", "We waited months for the cluster.", (INFRA,)),
    ("3", 9, "Interviewee", "Nobody could say where the labels came from.", ("Data-issues",)),
    ("7", 2, "Interviewee", "It is a very complex environment to deploy into.", ("MD-complexity",)),
]


class CodedService(FakeService):
    def __post_init__(self) -> None:
        super().__post_init__()
        for interview, ordinal, speaker, text, codes in MORE:
            turn = Turn(
                interview, ordinal, speaker, "participant", (Paragraph(text, codes, lines=(1, 1)),)
            )
            self.turns.append(
                Evidence(turn, f"Interview {interview}", f"corpus/Interview {interview}.txt", 0.0)
            )


def make_app(service: FakeService | None = None) -> AssistantApp:
    chosen = service or CodedService()
    return AssistantApp(lambda: chosen)


async def open_codes(app: AssistantApp, pilot: Pilot) -> CodesScreen:
    await settle(app, pilot)
    await pilot.press("f3")
    await wait_for_screen(app, pilot, CodesScreen)
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, CodesScreen)
    return screen


def test_bar_lengths_are_proportional_to_the_counts() -> None:
    assert bar(4, 4, 10) == "█" * 10
    assert bar(1, 4, 10) == "██▌"
    assert bar(0, 4, 10) == ""


async def test_f3_draws_the_bars_and_the_heat_map_from_the_counts() -> None:
    service = CodedService()
    app = make_app(service)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_codes(app, pilot)
        expected = prevalence(service.indexed_corpus())
        assert screen.prevalence == expected
        bars = screen.query_one("#code-bars", OptionList)
        assert [o.id for o in bars.options] == [r.code for r in expected.rows]
        md_bar = str(bars.get_option(MD).prompt)
        assert md_bar.startswith(MD) and md_bar.endswith(" 6  in 3/3")
        grid = screen.query_one("#heatmap", DataTable)
        assert [c.value for c in grid.columns] == ["code", "12", "3", "7", "all"]
        for row in expected.rows:
            cells = [str(grid.get_cell(row.code, c)).strip() for c in ("12", "3", "7")]
            assert cells == [str(row.cells[c]) if row.cells[c] else "·" for c in ("12", "3", "7")]
            assert str(grid.get_cell(row.code, "all")) == str(row.total)
        summary = str(screen.query_one("#codes-summary", Static).render())
        assert summary.startswith("7 codes in 3 interviews")


async def test_a_cell_lists_its_passages_then_context_and_notes_are_one_key_away() -> None:
    service = CodedService()
    app = make_app(service)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_codes(app, pilot)
        await pilot.press("m")
        grid = screen.query_one("#heatmap", DataTable)
        assert app.focused is grid
        # Row 0 is the parent MD, column 2 interview 3: its two infrastructure passages.
        grid.move_cursor(row=0, column=2)
        await pilot.press("enter")
        pane = screen.query_one("#code-quotes", EvidencePane)
        await until(pilot, lambda: bool(pane.items), "passages listed")
        assert [i.key for i in pane.items] == ["3:5", "3:6"]
        assert [i.quote for i in pane.items] == [MORE[0][3], MORE[1][3]]
        assert all(i.citation.verified for i in pane.items)
        assert str(pane.border_title) == f"{MD} · interview 3"
        assert app.focused is pane
        await pilot.press("down", "enter")
        await wait_for_screen(app, pilot, ContextScreen)
        assert isinstance(app.screen, ContextScreen) and app.screen.item.key == "3:6"
        await pilot.press("escape")
        await wait_for_screen(app, pilot, CodesScreen)
        await pilot.press("n")
        await until(pilot, lambda: bool(service.saved), "the passage saved to notes")
        question, citation, mode, _ = service.saved[0]
        assert (citation.evidence.key, citation.quote, citation.verified) == (
            "3:6",
            MORE[1][3],
            True,
        )
        assert (question, mode) == (f"Passages coded {MD} in interview 3", "code")


async def test_a_bar_lists_the_codes_passages_in_every_interview() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_codes(app, pilot)
        bars = screen.query_one("#code-bars", OptionList)
        bars.highlighted = bars.get_option_index(INFRA)
        await pilot.press("enter")
        pane = screen.query_one("#code-quotes", EvidencePane)
        await until(pilot, lambda: bool(pane.items), "passages listed")
        assert [i.key for i in pane.items] == ["3:5", "3:6", "12:41", "12:43"]
        assert str(pane.border_title) == INFRA
        await pilot.press("escape")
        await wait_for_screen(app, pilot, type(app.chat))


async def test_the_palette_opens_the_codes_screen() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert "Codes" in [c.title for c in app.get_system_commands(app.screen)]
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"codes")
        palette = app.screen
        await until(
            pilot,
            lambda: any("Codes" in str(o.prompt) for o in palette.query_one(OptionList).options),
            "the palette lists Codes",
        )
        await pilot.press("enter")
        await wait_for_screen(app, pilot, CodesScreen)


async def _bars_with_passages(pilot: Pilot) -> None:
    app = pilot.app
    assert isinstance(app, AssistantApp)
    screen = await open_codes(app, pilot)
    bars = screen.query_one("#code-bars", OptionList)
    bars.highlighted = bars.get_option_index(INFRA)
    await pilot.press("enter")
    await settle(app, pilot)


async def _heat_map_cell(pilot: Pilot) -> None:
    app = pilot.app
    assert isinstance(app, AssistantApp)
    screen = await open_codes(app, pilot)
    await pilot.press("m")
    screen.query_one("#heatmap", DataTable).move_cursor(row=0, column=2)
    await pilot.press("enter")
    await settle(app, pilot)
    await pilot.press("shift+tab")  # back to the map, so its cursor shows
    await settle(app, pilot)


class TestCodesSnapshots:
    def test_bar_chart_at_80x24(self, snap_compare) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(make_app(), run_before=_bars_with_passages, terminal_size=(80, 24))

    def test_heat_map_at_120x40(self, snap_compare) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(make_app(), run_before=_heat_map_cell, terminal_size=(120, 40))


@pytest.fixture(scope="module")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from assistant.service import make_assistant

    folder = tmp_path_factory.mktemp("index")
    make_assistant(corpus_dir=SHIPPED_CORPUS, index_dir=folder).build_index()
    return folder


async def test_real_codes_screen_counts_like_the_cli_and_saves_a_passage(
    built_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.service import make_assistant

    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(built_index))
    files = make_assistant()
    from_files = files.prevalence(files.load_corpus())
    privacy = files.quotes("QM-data-privacy-issues", "12")
    app = AssistantApp()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_codes(app, pilot)
        assert screen.prevalence is not None
        assert [r.to_dict() for r in screen.prevalence.rows] == [
            r.to_dict() for r in from_files.rows
        ]
        await pilot.press("m")
        grid = screen.query_one("#heatmap", DataTable)
        row = [r.code for r in from_files.rows].index("QM-data-privacy-issues")
        grid.move_cursor(row=row, column=1)
        await pilot.press("enter")
        pane = screen.query_one("#code-quotes", EvidencePane)
        await until(pilot, lambda: bool(pane.items), "passages listed")
        assert [(i.key, i.quote) for i in pane.items] == [(q.key, q.quote) for q in privacy.items]
        await pilot.press("enter")
        await wait_for_screen(app, pilot, ContextScreen)
        await pilot.press("escape")
        await wait_for_screen(app, pilot, CodesScreen)
        await pilot.press("n")
        notes_file = Path(os.environ["ASSISTANT_NOTES_FILE"])
        await until(pilot, notes_file.exists, "the notes file written")
        notes = notes_file.read_text(encoding="utf-8")
        first = privacy.items[0]
        assert f"key={first.key}" in notes
        assert " ".join(first.quote.split())[:60] in " ".join(notes.split())
