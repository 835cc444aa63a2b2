"""F4: inter-coder agreement between two codings, as ``assistant agree`` reports it.

The researcher names the codings (two files, two folders, or one folder of per-coder
print-outs); the comparison runs in a worker, since reading print-outs takes a while. The codes
table shows κ per code, the summary the pooled κ, and the list below every disagreement with
its quote and citation key, ready to copy (y) for the coders' reconciliation.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from assistant.tui.failures import failure_line
from assistant.tui.messages import AgreementLoaded

if TYPE_CHECKING:
    from assistant.agreement import AgreementReport, Disagreement
    from assistant.contract import AssistantService


def _kappa(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def summary(report: AgreementReport) -> str:
    pooled = report.pooled
    pairs = ", ".join(f"{p.a.interview.id} ({p.a.coder} vs {p.b.coder})" for p in report.pairs)
    lines = [
        f"Pooled κ {_kappa(pooled.kappa)} over {pooled.n} (paragraph, code) decisions, "
        f"agreement {100 * pooled.observed:.1f}%; {report.units} paragraphs of "
        f"interview{'s' if len(report.pairs) > 1 else ''} {pairs}.",
    ]
    if report.unpaired:
        lines.append(
            f"Not paired ({len(report.unpaired)}): " + "; ".join(str(u) for u in report.unpaired)
        )
    return "\n".join(lines)


def disagreement_text(item: Disagreement) -> Text:
    return Text.assemble(
        (f"{item.key}  ", "bold"),
        (item.code, "bold"),
        f" — coded by {item.coded_by} only\n",
        f"“{item.quote}”",
    )


class AgreementScreen(Screen[None]):
    """Compare two codings; Escape goes back to the chat."""

    CSS_PATH = Path(__file__).with_name("agreement.tcss")
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("y", "copy", "Copy disagreement"),
    ]

    def __init__(self, service: AssistantService) -> None:
        super().__init__()
        self.service = service
        self.report: AgreementReport | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder="Two coded files or folders, or one folder of per-coder print-outs; Enter",
            id="agree-paths",
        )
        yield Static(
            "Name the codings to compare (quote paths with spaces), then press Enter.",
            id="agree-summary",
        )
        yield DataTable(id="agree-codes", cursor_type="row")
        yield OptionList(id="agree-disagreements")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Inter-coder agreement"
        self.query_one("#agree-disagreements", OptionList).border_title = "Disagreements"
        self.query_one("#agree-paths", Input).focus()

    @on(Input.Submitted, "#agree-paths")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            paths = [Path(p).expanduser() for p in shlex.split(event.value)]
        except ValueError as exc:
            self._show_error(f"Cannot read the paths: {exc}")
            return
        if not 1 <= len(paths) <= 2:
            self._show_error("Name one folder, or two files or folders.")
            return
        self.query_one("#agree-summary", Static).update("Reading and comparing the codings…")
        self._compare(paths[0], paths[1] if len(paths) == 2 else None)

    @work(thread=True, exclusive=True, group="agree", exit_on_error=False)
    def _compare(self, a: Path, b: Path | None) -> None:
        self.post_message(AgreementLoaded(self.service.agreement(a, b)))

    def on_agreement_loaded(self, message: AgreementLoaded) -> None:
        self.report = report = message.report
        self.query_one("#agree-summary", Static).update(Text(summary(report)))
        table = self.query_one("#agree-codes", DataTable)
        table.clear(columns=True)
        for label in ("code", "A", "B", "both", "agree", "κ"):
            table.add_column(label, key=label)
        for code, counts in report.codes.items():
            table.add_row(
                Text(code),
                *(Text(str(n), justify="right") for n in (counts.a, counts.b, counts.both)),
                Text(f"{100 * counts.observed:.1f}%", justify="right"),
                Text(_kappa(counts.kappa), justify="right"),
                key=code,
            )
        listing = self.query_one("#agree-disagreements", OptionList)
        listing.clear_options()
        listing.add_options(
            Option(disagreement_text(d), id=f"{i}") for i, d in enumerate(report.disagreements)
        )
        listing.border_subtitle = f"{len(report.disagreements)}"
        table.focus()

    def action_copy(self) -> None:
        listing = self.query_one("#agree-disagreements", OptionList)
        if self.report is None or listing.highlighted is None or not self.report.disagreements:
            self.notify("No disagreement selected.", severity="warning")
            return
        item = self.report.disagreements[listing.highlighted]
        self.app.copy_to_clipboard(
            f"“{item.quote}” — [{item.key}] {item.code}, coded by {item.coded_by} only"
        )
        self.notify(f"Copied disagreement {item.key} ({item.code}).")

    def _show_error(self, text: str) -> None:
        self.query_one("#agree-summary", Static).update(Text(text))
        self.notify(text, severity="error", timeout=10)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self._show_error(failure_line(event.worker))
