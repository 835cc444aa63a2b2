"""An answer rendered as Markdown (streamed in LLM mode).

Kept apart from ``conversation.py`` so the Markdown widget, and markdown-it with it, is imported
when the first answer is shown rather than before the chat's first paint.
"""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownStream

from assistant.answer.extractive import ANSWERING
from assistant.model import Answer
from assistant.safe_text import printable


def answer_markdown(answer: Answer) -> str:
    """The Markdown of an answer: what it was matched to, its text, then anything unverified."""
    text = answer.text or "_No answer._"
    if answer.mode == "extractive":
        # The question a quote answered goes on a line of its own under the quote, as in the
        # terminal; Markdown would run it on after the citation number (a hard break: "  ").
        text = text.replace(f"\n{ANSWERING}", f"  \n{ANSWERING}")
    parts = [text]
    if answer.codes:
        matched = " · ".join(
            f"{c.code} ({c.passages} passage{'s' * (c.passages != 1)} in {c.interviews} "
            f"interview{'s' * (c.interviews != 1)})"
            for c in answer.codes
        )
        parts.insert(0, f"_Codes matched: {matched} — Ctrl+O drops one._")
    if answer.guide:
        parts.insert(0, f"_Interview guide question {answer.guide.tag}: {answer.guide.text}_")
    if answer.unverified:
        parts.append("**Not verified against the corpus** (left out of the evidence):")
        parts.extend(
            f"- {u.reason}" + (f": “{u.quote}”" if u.quote else "") for u in answer.unverified
        )
    return printable("\n\n".join(parts))


class AnswerView(Markdown):
    """One answer; while an LLM streams it, fragments are appended as they arrive."""

    def __init__(self) -> None:
        super().__init__("_Searching the interviews…_")
        self._stream: MarkdownStream | None = None
        self.streamed = ""
        #: The question above this answer (the conversation scrolls to it).
        self.question: Widget | None = None

    async def add_token(self, text: str) -> None:
        if self._stream is None:
            await self.update("")
            self._stream = Markdown.get_stream(self)
        # An LLM's escape sequences must not reach the terminal the chat draws on.
        text = printable(text)
        self.streamed += text
        await self._stream.write(text)

    async def show(self, answer: Answer) -> None:
        """Replace whatever streamed with the checked answer: verification may have dropped
        citations the model invented, so the final text is the one to keep."""
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None
        await self.update(answer_markdown(answer))
