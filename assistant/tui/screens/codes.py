"""F3: how many coded paragraphs carry each code, as a bar chart and a code × interview heat map.

Enter on a bar lists the code's passages in every interview; Enter on a cell, its passages in
that interview. They are listed in the evidence pane the chat uses, so each is one key from its
transcript (Enter) and from the notes (n). Counts come from ``Assistant.prevalence`` over the
indexed interviews: the same paragraphs ``assistant codes --matrix`` and ``quotes`` count.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Footer,
    Header,
    OptionList,
    Static,
    TabbedContent,
    TabPane,
)
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from assistant.model import Citation, Evidence
from assistant.tui.failures import failure_line
from assistant.tui.messages import PassagesListed, PrevalenceLoaded, SaveNote
from assistant.tui.widgets.evidence import EvidencePane, QuoteItem

if TYPE_CHECKING:
    from assistant.contract import AssistantService
    from assistant.prevalence import Prevalence, PrevalenceRow

#: Eighths of a block, so a bar's length is exact to an eighth of a cell.
_EIGHTHS = " ▏▎▍▌▋▊▉"
#: Heat-map backgrounds from the least to the most coded cell; numbers stay in every cell, so
#: the map still reads without colour (NO_COLOR).
_HEAT = ("#16324f", "#1f4e79", "#2e75b6", "#5b9bd5", "#9dc3e6")
_LABEL = 34
ALL = "all"


def bar(value: int, most: int, width: int) -> str:
    """A horizontal bar ``width`` cells long at ``most``."""
    if most <= 0 or value <= 0:
        return ""
    eighths = max(1, round(8 * width * value / most))
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def _label(row: PrevalenceRow) -> str:
    name = "  " * row.depth + row.code
    return name if len(name) <= _LABEL else name[: _LABEL - 1] + "…"


def heat(value: int, most: int) -> Text:
    if value <= 0:
        return Text("·", style="dim", justify="right")
    step = min(len(_HEAT) - 1, (len(_HEAT) * value - 1) // max(most, 1))
    ink = "black" if step >= 3 else "white"
    return Text(f" {value} ", style=f"{ink} on {_HEAT[step]}", justify="right")


def passage_items(service: AssistantService, code: str, interview: str | None) -> list[QuoteItem]:
    """The passages coded ``code`` as evidence-pane items, each a paragraph of an indexed turn
    checked verbatim against it (so notes and context resolve its key)."""
    from assistant.notes import is_verbatim

    corpus = service.indexed_corpus()
    report = service.quotes(code, interview, corpus=corpus)
    where = f" in interview {interview}" if interview else ""
    question = f"Passages coded {code}{where}"
    items = []
    for n, passage in enumerate(report.items, start=1):
        found = corpus.turn(passage.key)
        if found is None:
            continue
        owner, turn = found
        evidence = Evidence(turn, owner.title, owner.source, 0.0)
        citation = Citation(n, evidence, passage.quote, is_verbatim(passage.quote, turn))
        # The passage's own paragraph codes and span, not the whole turn's.
        items.append(
            QuoteItem(
                citation,
                question,
                "code",
                None,
                codes=tuple(passage.codes),
                lines=passage.lines,
                pages=passage.pages,
            )
        )
    return items


class CodesScreen(Screen[None]):
    """Prevalence of the codes; Escape goes back to the chat."""

    CSS_PATH = Path(__file__).with_name("codes.tcss")
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("b", "show_tab('bars')", "Bar chart"),
        Binding("m", "show_tab('heat')", "Heat map"),
    ]

    def __init__(self, service: AssistantService) -> None:
        super().__init__()
        self.service = service
        self.prevalence: Prevalence | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Counting coded paragraphs…", id="codes-summary")
        with TabbedContent(initial="bars", id="codes-tabs"):
            with TabPane("Bar chart", id="bars"):
                yield OptionList(id="code-bars")
            with TabPane("Heat map", id="heat"):
                yield DataTable(id="heatmap", cursor_type="cell", zebra_stripes=False)
        yield EvidencePane(id="code-quotes")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Codes"
        self.query_one("#code-quotes", EvidencePane).border_title = "Passages"
        self._count()

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self.query_one("#code-bars" if tab == "bars" else "#heatmap").focus()

    # -- counting -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="codes", exit_on_error=False)
    def _count(self) -> None:
        self.post_message(PrevalenceLoaded(self.service.prevalence(by="interview")))

    def on_prevalence_loaded(self, message: PrevalenceLoaded) -> None:
        self.prevalence = table = message.prevalence
        summary = self.query_one("#codes-summary", Static)
        if not table.rows:
            summary.update("No codes in the indexed interviews.")
            return
        summary.update(
            f"{len(table.rows)} codes in {table.of} interview{'s' if table.of != 1 else ''}; "
            "coded paragraphs (a parent counts its children's). Enter lists the passages."
        )
        self._draw_bars(table)
        self._draw_heat(table)
        self.query_one("#code-bars", OptionList).focus()

    def _draw_bars(self, table: Prevalence) -> None:
        bars = self.query_one("#code-bars", OptionList)
        most = max(r.total for r in table.rows)
        width = max(8, (bars.size.width or 80) - _LABEL - 18)
        options = []
        for row in table.rows:
            text = Text.assemble(
                (f"{_label(row):<{_LABEL}} ", "bold" if row.depth == 0 else ""),
                f"{bar(row.total, most, width):<{width}}",
                f" {row.total:>4}  in {row.interviews}/{table.of}",
            )
            options.append(Option(text, id=row.code))
        bars.clear_options()
        bars.add_options(options)
        bars.highlighted = 0

    def _draw_heat(self, table: Prevalence) -> None:
        grid = self.query_one("#heatmap", DataTable)
        grid.clear(columns=True)
        grid.add_column("code", key="code")
        for column in table.columns:
            grid.add_column(column, key=column)
        grid.add_column("total", key=ALL)
        most = max((n for r in table.rows for n in r.cells.values()), default=0)
        for row in table.rows:
            grid.add_row(
                Text(_label(row), style="bold" if row.depth == 0 else ""),
                *(heat(row.cells[c], most) for c in table.columns),
                Text(str(row.total), justify="right", style="bold"),
                key=row.code,
            )

    # -- passages -------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#code-bars")
    def _bar_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self._list(event.option.id, None)

    @on(DataTable.CellSelected, "#heatmap")
    def _cell_chosen(self, event: DataTable.CellSelected) -> None:
        event.stop()
        code, column = event.cell_key.row_key.value, event.cell_key.column_key.value
        if code is not None:
            self._list(code, None if column in ("code", ALL) else column)

    @work(thread=True, exclusive=True, group="passages", exit_on_error=False)
    def _list(self, code: str, interview: str | None) -> None:
        items = passage_items(self.service, code, interview)
        self.post_message(PassagesListed(code, interview, items))

    def on_passages_listed(self, message: PassagesListed) -> None:
        pane = self.query_one("#code-quotes", EvidencePane)
        pane.show(message.items)
        where = f" · interview {message.interview}" if message.interview else ""
        # Text, not a string: a label such as "Deployment-issues [MD]" is not markup.
        pane.border_title = Text(f"{message.code}{where}")
        if not message.items:
            pane.border_subtitle = "no passage"
        pane.focus()

    def on_evidence_pane_chosen(self, message: EvidencePane.Chosen) -> None:
        message.stop()
        if message.action == "copy":
            self.app.copy_to_clipboard(message.item.clipboard_text())
            self.notify(f"Copied passage {message.item.key} with its citation.")
        elif message.action == "note":
            self.post_message(SaveNote(message.item))
        else:
            from assistant.tui.screens.context import ContextScreen

            self.app.push_screen(ContextScreen(message.item, self.service))

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        line = failure_line(event.worker)
        self.query_one("#codes-summary", Static).update(line)
        self.notify(line, severity="error", timeout=10)
