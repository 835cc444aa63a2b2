"""The agreement screen (F4): two codings named, the κ table, the pooled κ and the
disagreements shown; bad input is one line on the screen, not a crash."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, OptionList, Static

from assistant.agreement import compare
from assistant.codings import find_pairs
from assistant.tui.app import AssistantApp
from assistant.tui.screens.agreement import AgreementScreen
from tests.test_agreement import QM, _copy
from tests.test_tui import settle, until, wait_for_screen
from tests.tui_fakes import FakeService


def _codings(folder: Path, shipped: Path) -> tuple[Path, Path]:
    folder.mkdir()
    a = _copy(shipped, folder / "Interview 12 - PO.txt", "Interview 12 - PO")
    b = _copy(shipped, folder / "Interview 12 - Rached.txt", "Interview 12 - Rached", 364)
    return a, b


async def test_f4_compares_one_folder_of_per_coder_codings(
    tmp_path: Path, shipped_file: Path
) -> None:
    folder = tmp_path / "codings"
    _codings(folder, shipped_file)
    expected = compare(find_pairs(folder))
    app = AssistantApp(lambda: FakeService())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("f4")
        await wait_for_screen(app, pilot, AgreementScreen)
        screen = app.screen
        assert isinstance(screen, AgreementScreen)
        assert app.focused is screen.query_one("#agree-paths", Input)
        await pilot.press(*f"'{folder}'", "enter")
        await until(pilot, lambda: screen.report is not None, "the codings compared")
        await settle(app, pilot)
        table = screen.query_one("#agree-codes", DataTable)
        assert table.row_count == len(expected.codes) == 10
        assert [str(table.get_cell(QM, c)) for c in ("A", "B", "both")] == ["4", "3", "3"]
        assert str(table.get_cell(QM, "κ")) == f"{expected.codes[QM].kappa:.3f}"
        text = str(screen.query_one("#agree-summary", Static).render())
        assert text.startswith(f"Pooled κ {expected.pooled.kappa:.3f} over ")
        assert "12 (PO vs Rached)" in text
        listing = screen.query_one("#agree-disagreements", OptionList)
        [only] = expected.disagreements
        assert listing.option_count == 1
        assert str(listing.get_option_at_index(0).prompt).startswith(
            f"{only.key}  {QM} — coded by PO"
        )


async def test_bad_input_is_one_line_on_the_screen(tmp_path: Path, shipped_file: Path) -> None:
    a = _copy(shipped_file, tmp_path / "Interview 12 - A.txt", "Interview 12 - A")
    b = _copy(shipped_file, tmp_path / "Interview 13 - B.txt", "Interview 13 - B")
    app = AssistantApp(lambda: FakeService())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("f4")
        await wait_for_screen(app, pilot, AgreementScreen)
        screen = app.screen
        await pilot.press(*f"'{a}' '{b}'", "enter")
        summary = screen.query_one("#agree-summary", Static)
        await until(pilot, lambda: "interview 13" in str(summary.render()), "the error shown")
        assert str(summary.render()) == (
            f"{a} is interview 12 and {b} is interview 13: agree compares two codings of the "
            "same interview"
        )
        assert isinstance(app.screen, AgreementScreen)


class TestAgreementSnapshot:
    def test_report_at_100x30(
        self,
        snap_compare,  # type: ignore[no-untyped-def]
        tmp_path: Path,
        shipped_file: Path,
        monkeypatch,  # type: ignore[no-untyped-def]
    ) -> None:
        # A relative path typed in the box, so the picture does not depend on the temp folder.
        _codings(tmp_path / "codings", shipped_file)
        monkeypatch.chdir(tmp_path)

        async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
            app = pilot.app
            await settle(app, pilot)
            await pilot.press("f4")
            await wait_for_screen(app, pilot, AgreementScreen)
            await pilot.press(*"codings", "enter")
            await until(pilot, lambda: app.screen.report is not None, "the codings compared")
            await settle(app, pilot)
            app.screen.query_one("#agree-paths", Input).cursor_blink = False

        app = AssistantApp(lambda: FakeService())
        assert snap_compare(app, run_before=run_before, terminal_size=(100, 30))
