"""An answer rendered as Markdown (streamed in LLM mode).

Kept apart from ``conversation.py`` so the Markdown widget, and markdown-it with it, is imported
when the first answer is shown rather than before the chat's first paint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownStream

from assistant.safe_text import printable
from assistant.tui.widgets.conversation import answer_markdown

if TYPE_CHECKING:
    from assistant.tui.widgets.conversation import Question


class AnswerView(Markdown):
    """One answer; while an LLM streams it, fragments are appended as they arrive."""

    def __init__(self) -> None:
        super().__init__("_Searching the interviews…_")
        self._stream: MarkdownStream | None = None
        self.streamed = ""
        self.question: Question | None = None

    async def add_token(self, text: str) -> None:
        if self._stream is None:
            await self.update("")
            self._stream = Markdown.get_stream(self)
        # An LLM's escape sequences must not reach the terminal the chat draws on.
        text = printable(text)
        self.streamed += text
        await self._stream.write(text)

    async def show(self, answer: dict[str, Any]) -> None:
        """Replace whatever streamed with the checked answer: verification may have dropped
        citations the model invented, so the final text is the one to keep."""
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None
        await self.update(answer_markdown(answer))
