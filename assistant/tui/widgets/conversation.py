"""The conversation: questions, and answers rendered as Markdown (streamed in LLM mode)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import VerticalScroll
from textual.widgets import Static

from assistant.safe_text import printable

if TYPE_CHECKING:
    from assistant.model import Answer
    from assistant.tui.widgets.answer_view import AnswerView

WELCOME = """\
Ask a question about the interviews and press [b]Enter[/b].
Answers are built from verbatim quotes, each cited to its interview and turn.
Tick codes or interviews on the left to scope the next question; [b]F1[/b] lists every key.
"""


def mode_label(answer: Answer) -> str:
    if answer.mode == "llm":
        return f"LLM {answer.model or ''}".strip()
    return "extractive"


class Question(Static):
    """A question as asked, with the scope it was asked in."""


class AnswerHeader(Static):
    """How an answer was made (mode, notices), above its text."""


class Conversation(VerticalScroll, can_focus=False):
    """The questions and answers of the current conversation, newest at the bottom.

    Not focusable, so Tab goes straight from the question to the evidence; PageUp and
    PageDown scroll it from anywhere on the chat screen."""

    def on_mount(self) -> None:
        self.mount(Static(WELCOME, classes="welcome"))

    async def clear(self) -> None:
        await self.remove_children()
        await self.mount(Static(WELCOME, classes="welcome"))

    async def ask(self, question: str, scope: str) -> AnswerView:
        """Show a question and return the (still empty) view its answer will fill."""
        await self.remove_children(".welcome")
        # Imported on the first question, not with the screen: Textual's Markdown widget brings
        # markdown-it, whose import would otherwise delay the first paint by 15-35 ms.
        from assistant.tui.widgets.answer_view import AnswerView

        label = f"› {printable(question, one_line=True)}" + (
            f"\n  scope: {printable(scope, one_line=True)}" if scope else ""
        )
        view = AnswerView()
        view.question = Question(label, markup=False)
        await self.mount_all([view.question, view])
        self.scroll_end(animate=False)
        return view

    async def stream(self, view: AnswerView, text: str) -> None:
        await view.add_token(text)
        self.scroll_end(animate=False)

    async def show_answer(self, view: AnswerView, answer: Answer) -> None:
        header = mode_label(answer)
        if answer.notice:
            header += f" · {answer.notice}"
        await self.mount(AnswerHeader(printable(header, one_line=True), markup=False), before=view)
        await view.show(answer)
        # Start reading at the question, not at the end of a long answer.
        if view.question is not None:
            self.call_after_refresh(self.scroll_to_widget, view.question, top=True, animate=False)

    async def replay(self, answers: list[Answer]) -> None:
        """Show a stored conversation as it was answered."""
        await self.remove_children()
        for answer in answers:
            view = await self.ask(answer.question, "")
            await self.show_answer(view, answer)
