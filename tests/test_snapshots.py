"""Snapshots of the key screens (pytest-textual-snapshot), grouped by feature.

Data comes from ``FakeService`` (fixed turns of Interview 12), so nothing depends on the
embedding model, the clock or timing. Regenerate after a deliberate change with
``pytest tests/test_snapshots.py --snapshot-update`` and review the SVGs in the diff.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input

from assistant.tui.app import AssistantApp
from assistant.tui.widgets.code_tree import CodeTree
from tests.tui_fakes import FakeService

QUESTION = "why did projects run late because of the environment?"


def make_app() -> AssistantApp:
    return AssistantApp(lambda: FakeService())


async def ready(pilot: Pilot) -> None:
    app = pilot.app
    assert isinstance(app, AssistantApp)
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()
    for field in app.query(Input):
        field.cursor_blink = False


async def asked(pilot: Pilot) -> None:
    await ready(pilot)
    await pilot.press(*QUESTION, "enter")
    await ready(pilot)


class TestChat:
    def test_main_screen_at_80x24(self, snap_compare) -> None:
        assert snap_compare(make_app(), run_before=ready, terminal_size=(80, 24))

    def test_answer_with_evidence(self, snap_compare) -> None:
        async def run_before(pilot: Pilot) -> None:
            await asked(pilot)
            await pilot.press("tab")  # the evidence pane, first quote highlighted

        assert snap_compare(make_app(), run_before=run_before, terminal_size=(100, 30))


class TestContext:
    def test_quote_in_its_transcript(self, snap_compare) -> None:
        async def run_before(pilot: Pilot) -> None:
            await asked(pilot)
            await pilot.press("tab", "down", "enter")
            await ready(pilot)

        assert snap_compare(make_app(), run_before=run_before, terminal_size=(100, 30))


class TestFilters:
    def test_code_tree_with_a_parent_ticked(self, snap_compare) -> None:
        async def run_before(pilot: Pilot) -> None:
            await ready(pilot)
            tree = pilot.app.query_one(CodeTree)
            tree.focus()
            await pilot.press("down", "space", "enter")  # expand Deployment, tick it
            await pilot.pause()

        assert snap_compare(make_app(), run_before=run_before, terminal_size=(100, 30))


class TestHelp:
    def test_help_screen(self, snap_compare) -> None:
        async def run_before(pilot: Pilot) -> None:
            await ready(pilot)
            await pilot.press("f1")
            await pilot.pause()

        assert snap_compare(make_app(), run_before=run_before, terminal_size=(100, 30))
