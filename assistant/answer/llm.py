"""Answers written by a language model from numbered evidence, then checked in code.

The evidence goes to the model as data: each turn in its own ``<evidence id="n">`` block, its
text escaped so that nothing a speaker said can close the block or pose as an instruction.
The model is told to cite ``[n]`` and to quote verbatim in double quotes; whatever it does,
:func:`assistant.answer.verify.verify_answer` then removes citations to turns that were not
supplied and strips the quotation marks from any quote not found in the turn it cites.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

from assistant.answer.endpoint import Endpoint
from assistant.answer.prompts import ANSWER, SYSTEM, refusal_phrase, render_prompt
from assistant.answer.verify import normalise, verify_answer
from assistant.errors import LLMError
from assistant.model import PARAGRAPH_SEPARATOR, Answer, Evidence
from assistant.settings import Settings


def evidence_block(n: int, ev: Evidence) -> str:
    """One turn as a delimited, escaped block the model can cite as ``[n]``."""
    turn = ev.turn
    attributes = {
        "id": str(n),
        "interview": turn.interview_id,
        "title": ev.title,
        "turn": str(turn.ordinal),
        "speaker": turn.speaker,
        "role": turn.role,
        "codes": "; ".join(turn.codes),
    }
    if ev.asked is not None:
        # What the participant was answering: the answer often does not name it.
        attributes["answering"] = " ".join(ev.asked.turn.text.split())
    attrs = " ".join(f'{k}="{html.escape(v, quote=True)}"' for k, v in attributes.items())
    body = PARAGRAPH_SEPARATOR.join(html.escape(p.text, quote=False) for p in turn.paragraphs)
    return f"<evidence {attrs}>\n{body}\n</evidence>"


def describe_coverage(evidence: list[Evidence], codes: Sequence[str], prevalence: Any) -> str:
    """One paragraph for the prompt: the interviews the evidence spans, and the codes the
    question matched with how widespread they are, so the model can state prevalence."""
    interviews = sorted({ev.turn.interview_id for ev in evidence})
    lines = [f"The evidence comes from {len(interviews)} interview(s): {', '.join(interviews)}."]
    for code in codes:
        counts = prevalence.codes.get(code) if prevalence is not None else None
        if counts:
            lines.append(
                f"The researchers coded {counts[1]} passages in {counts[0]} of "
                f"{prevalence.interviews} interviews as {code}."
            )
    return " ".join(lines)


def build_messages(
    question: str,
    evidence: list[Evidence],
    refusal: str,
    codes: Sequence[str] = (),
    prevalence: Any = None,
) -> list[dict[str, str]]:
    """The system and user messages for ``question`` over ``evidence`` (numbered from 1)."""
    blocks = "\n\n".join(evidence_block(n, ev) for n, ev in enumerate(evidence, start=1))
    coverage = html.escape(describe_coverage(evidence, codes, prevalence), quote=False)
    return [
        {"role": "system", "content": render_prompt(SYSTEM, refusal=refusal)},
        {
            "role": "user",
            "content": render_prompt(
                ANSWER,
                question=question,
                count=len(evidence),
                evidence=blocks,
                refusal=refusal,
                coverage=coverage,
            ),
        },
    ]


def is_refusal(text: str, refusal: str) -> bool:
    """Whether the reply is (or contains) the refusal phrase, ignoring case and spacing."""
    return normalise(refusal).lower().rstrip(".") in normalise(text).lower()


class LLMAnswerer:
    """Answers from the configured OpenAI-compatible endpoint; faults raise LLMError."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.endpoint = Endpoint(settings)

    @property
    def model(self) -> str | None:
        return self.settings.llm_model

    def answer(
        self,
        question: str,
        evidence: list[Evidence],
        on_token: Callable[[str], None] | None = None,
        codes: Sequence[str] = (),
        prevalence: Any = None,
    ) -> Answer:
        """The model's answer to ``question``, its citations and quotes verified.

        Tokens are passed to ``on_token`` as they arrive (the raw reply, before checking);
        the returned ``Answer.text`` is the checked text.
        """
        refusal = refusal_phrase()
        if not evidence:  # nothing to send: the model could only invent
            return Answer(question, "llm", refusal, model=self.model, refused=True)
        messages = build_messages(question, evidence, refusal, codes, prevalence)
        reply = self.endpoint.complete(messages, on_token)
        # The evidence was escaped on the way in; a quote copied from it comes back escaped.
        text = html.unescape(reply.text).strip()
        if not text:
            raise LLMError(
                f"the model returned an empty reply (finish reason: {reply.finish_reason})"
            )
        checked = verify_answer(text, evidence)
        notice = None
        if reply.finish_reason == "length":
            notice = "The model's reply was cut short at its length limit."
        return Answer(
            question,
            "llm",
            checked.text,
            checked.citations,
            checked.unverified,
            evidence=evidence,
            model=self.model,
            notice=notice,
            refused=is_refusal(text, refusal),
        )
