"""The study's interview guide: the questions every interview was meant to ask.

Interviewers rarely read the guide word for word, and an answer never names the guide question
it answers. With the guide loaded (``--guide FILE`` or ``ASSISTANT_GUIDE_FILE``), a user
question close to a guide question is aligned, through that guide question, to the
interviewers' questions that asked it in each interview, and the exchanges they open (their
answers) are retrieved from every interview, not only from those whose words happen to match.

A guide is read from:

* a PDF whose questions carry tags such as ``[Q4.3]`` (the study's ``new.pdf`` and
  ``old.pdf``): the text kept for a tag is its question sentence, up to the first ``?`` (a
  lead-in before a colon dropped), or its heading line when the tag opens a section;
* JSON: ``{"Q1": "text", ...}``, the same under ``"questions"``, or a list of strings or of
  ``{"tag", "question"}``;
* Markdown or plain text: one question per line, ``[Q1] text``, ``Q1. text`` or ``- text``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from assistant.codebook import QUESTION_TAG_PATTERN
from assistant.errors import AssistantError
from assistant.model import GuideQuestion

TAG = re.compile(rf"\[({QUESTION_TAG_PATTERN})\]")
#: A page's running footer in the study's guide ("New interview guide 3").
FOOTER = re.compile(r"^(New|Old)? ?interview guide \d+$", re.IGNORECASE)
#: An enumerator left at the end of a segment, just before the next tag ("... 1." / "a.").
TRAILING_ENUMERATOR = re.compile(r"\s+(?:\d+|[a-z])\.$")
_LINE = re.compile(
    rf"^\s*(?:[-*]\s+)?(?:\[(?P<bracket>Q[\w.]+)\]|(?P<plain>{QUESTION_TAG_PATTERN})[.):])?\s*(?P<text>.+?)\s*$"
)


def load_guide(path: Path) -> list[GuideQuestion]:
    """The questions of the guide at ``path``; a file that cannot be read as a guide is one
    AssistantError naming it."""
    if not path.is_file():
        raise AssistantError(f"{path}: no interview guide there (--guide / ASSISTANT_GUIDE_FILE)")
    suffix = path.suffix.lower()
    try:
        if suffix == ".pdf":
            questions = _from_pdf(path)
        elif suffix == ".json":
            questions = _from_json(json.loads(path.read_text(encoding="utf-8")))
        else:
            questions = _from_lines(path.read_text(encoding="utf-8"))
    except AssistantError:
        raise
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise AssistantError(f"{path}: cannot read the interview guide ({exc})") from None
    except Exception as exc:  # pdfminer raises its own exception types on damaged files
        raise AssistantError(
            f"{path}: cannot read the interview guide ({type(exc).__name__}: {exc})"
        ) from None
    questions = [q for q in questions if q.text]
    if not questions:
        raise AssistantError(f"{path}: no question found in the interview guide")
    return questions


def _from_pdf(path: Path) -> list[GuideQuestion]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    lines = [ln for page in pages for ln in page.splitlines() if not FOOTER.match(ln.strip())]
    text = "\n".join(lines)
    matches = list(TAG.finditer(text))
    out = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        out.append(GuideQuestion(match.group(1), _question_of(text[match.end() : end])))
    return out


def _question_of(segment: str) -> str:
    segment = TRAILING_ENUMERATOR.sub("", segment.strip())
    first_line = segment.split("\n", 1)[0].strip()
    if first_line.lower().endswith("questions") or "?" not in segment:
        return first_line
    sentence = " ".join(segment[: segment.index("?") + 1].split())
    lead_in, colon, rest = sentence.partition(": ")
    return rest if colon and "?" not in lead_in else sentence


def _from_json(data: Any) -> list[GuideQuestion]:
    if isinstance(data, dict) and isinstance(data.get("questions"), dict | list):
        data = data["questions"]
    if isinstance(data, dict):
        return [GuideQuestion(str(k), " ".join(str(v).split())) for k, v in data.items()]
    if isinstance(data, list):
        out = []
        for n, item in enumerate(data, start=1):
            if isinstance(item, str):
                out.append(GuideQuestion(f"G{n}", " ".join(item.split())))
            elif isinstance(item, dict) and "question" in item:
                tag = str(item.get("tag") or f"G{n}")
                out.append(GuideQuestion(tag, " ".join(str(item["question"]).split())))
            else:
                raise ValueError(f"item {n} is neither a question nor {{tag, question}}")
        return out
    raise ValueError("expected a mapping of tags to questions or a list of questions")


def _from_lines(text: str) -> list[GuideQuestion]:
    out: list[GuideQuestion] = []
    for line in text.splitlines():
        match = _LINE.match(line)
        if not match or line.lstrip().startswith("#"):
            continue
        tag = match["bracket"] or match["plain"] or f"G{len(out) + 1}"
        out.append(GuideQuestion(tag, match["text"]))
    return out
