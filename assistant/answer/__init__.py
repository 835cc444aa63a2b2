"""Answers built from retrieved evidence, and checked against it.

``extractive_answer`` quotes the evidence offline; ``LLMAnswerer`` asks an OpenAI-compatible
endpoint and then checks every citation and quote in code (:mod:`assistant.answer.verify`).
"""

from __future__ import annotations

from assistant.answer.extractive import extractive_answer
from assistant.answer.llm import LLMAnswerer
from assistant.answer.verify import Checked, locate_in_turn, normalise, verify_answer

__all__ = [
    "Checked",
    "LLMAnswerer",
    "extractive_answer",
    "locate_in_turn",
    "normalise",
    "verify_answer",
]
