"""Delve print-outs (PDF), read with pdfplumber.

Speakers are the bold lines, paragraphs the body lines between them, codes the chips under a
paragraph. A paragraph cut by a page break is joined back together; page header and footer are
dropped. Provenance is the page span of each paragraph.
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.layout import LTPage
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFStream, resolve1
from pdfplumber.page import PDFPageAggregatorWithMarkedContent

from assistant.errors import CorpusError
from assistant.ingest.assemble import Block, add_codes, build_interview
from assistant.ingest.ids import clean_stem
from assistant.ingest.limits import (
    DEFAULT_LIMITS,
    PAGE_CHARS,
    PAGE_CONTENT_BYTES,
    Limits,
    page_too_big,
)
from assistant.ingest.pdf_lines import (
    Glyph,
    PdfLine,
    body_size,
    classify,
    in_margin,
    margin_text,
    page_glyphs,
)
from assistant.ingest.source import DELVE_FOOTER
from assistant.ingest.speakers import UNKNOWN_SPEAKER
from assistant.model import Interview, Paragraph

#: Every page of a Delve print-out carries its print URL in the footer.
DELVE_MARK = "delvetool.com"
#: Lines of one paragraph are this many body-font sizes apart at most (paragraphs ~4.4).
LINE_STEP = 3.0


def read_delve_pdf(
    path: Path, data: bytes, sha256: str, limits: Limits = DEFAULT_LIMITS
) -> Interview:
    """Read one Delve print-out; CorpusError (naming the page) for anything else."""
    lines = pdf_lines(path, data, limits)
    title = next((line.text for line in lines if line.kind == "title"), "") or clean_stem(path)
    blocks = assemble(lines)
    if not any(b.speaker != UNKNOWN_SPEAKER for b in blocks):
        raise CorpusError(path, "no speakers found (no bold speaker names above the paragraphs)")
    return build_interview(path, sha256, "delve-pdf", title, blocks, limits)


def pdf_lines(path: Path, data: bytes, limits: Limits = DEFAULT_LIMITS) -> list[PdfLine]:
    """Every classified line of the document, page by page, within ``limits`` (pages, and
    characters counted as they are drawn, so a hostile page is refused before it is built)."""
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many unrelated types for damaged files
        raise CorpusError(path, _open_problem(exc)) from None
    pages: list[tuple[float, list[Glyph]]] = []
    with pdf:
        try:
            listed = list(pdf.pages)
        except Exception as exc:
            raise CorpusError(path, _open_problem(exc)) from None
        if not listed:
            raise CorpusError(path, "the PDF has no pages")
        limits.pages(path, len(listed))
        budget = limits.max_chars
        for number, page in enumerate(listed, start=1):
            height = float(page.height)
            page_budget = min(budget, PAGE_CHARS)
            try:
                _check_content_size(path, number, page.page_obj)
                glyphs = page_glyphs(_layout(page, page_budget), height)
            except _TooManyChars:
                if page_budget < budget:
                    raise page_too_big(
                        path, number, f"the page draws more than {PAGE_CHARS} characters"
                    ) from None
                raise limits.over_chars(path, page=number) from None
            except CorpusError:
                raise
            except Exception as exc:
                raise CorpusError(
                    path, f"page cannot be read ({_describe(exc)})", page=number
                ) from None
            if number == 1 and DELVE_MARK not in margin_text(glyphs, height):
                raise CorpusError(
                    path,
                    "is not a Delve print-out (no Delve print footer on the first page)",
                    page=1 if glyphs else None,
                )
            budget -= len(glyphs)
            pages.append((height, glyphs))
    # The body size is measured over the whole document: on a short first page the title
    # can outnumber the paragraph text.
    body = body_size([g for height, glyphs in pages for g in glyphs if not in_margin(g, height)])
    out: list[PdfLine] = []
    for number, (height, glyphs) in enumerate(pages, start=1):
        out.extend(classify(glyphs, number, height, body))
    return out


class _TooManyChars(Exception):
    """The document drew more characters than the limit allows."""


class _CountingAggregator(PDFPageAggregatorWithMarkedContent):
    """pdfplumber's layout device, stopping once ``budget`` characters have been drawn: a page
    of 200,000 one-glyph operations is refused before its layout objects fill the memory."""

    def __init__(self, *args: Any, budget: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = budget

    def render_char(self, *args: Any, **kwargs: Any) -> float:
        self.budget -= 1
        if self.budget < 0:
            raise _TooManyChars
        return float(super().render_char(*args, **kwargs))


def _check_content_size(path: Path, number: int, page_obj: Any) -> None:
    """Refuse a page whose compressed drawing operations inflate past PAGE_CONTENT_BYTES,
    measured by inflating in bounded steps before pdfminer inflates them whole."""
    total = 0
    for stream in page_obj.contents:
        stream = resolve1(stream)
        if not isinstance(stream, PDFStream):
            continue
        filters = [f for f, _ in stream.get_filters()]
        if len(filters) != 1 or filters[0] not in LITERALS_FLATE_DECODE:
            total += len(stream.rawdata or b"")
            continue
        inflater = zlib.decompressobj()
        pending = stream.rawdata or b""
        while pending and total <= PAGE_CONTENT_BYTES:
            try:
                total += len(inflater.decompress(pending, 1 << 20))
            except zlib.error:
                break  # damaged: pdfminer says so, page by page
            pending = inflater.unconsumed_tail
        if total > PAGE_CONTENT_BYTES:
            raise page_too_big(
                path,
                number,
                f"the page's content is over {PAGE_CONTENT_BYTES // 1_000_000} MB uncompressed",
            )


def _layout(page: Any, budget: int) -> LTPage:
    """What ``page.layout`` computes, with a character budget, and not cached on the page (the
    cache kept every page's layout of a long document alive until the end)."""
    device = _CountingAggregator(
        page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams, budget=budget
    )
    PDFPageInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    result: LTPage = device.get_result()
    return result


def assemble(lines: list[PdfLine]) -> list[Block]:
    """Speaker blocks from classified lines: text lines gather into paragraphs, chips code
    the paragraph above them."""
    blocks: list[Block] = []
    texts: list[str] = []  # lines of the paragraph being read
    first_page = last_page = 0
    prev: PdfLine | None = None

    def close() -> None:
        nonlocal texts
        if texts:
            blocks[-1].paragraphs.append(
                Paragraph(_join_lines(texts), pages=(first_page, last_page))
            )
            texts = []

    for line in lines:
        if line.kind in ("margin", "title") or DELVE_FOOTER.match(line.text):
            continue
        if line.kind == "speaker":
            close()
            blocks.append(Block(line.text, where=line.page))
        elif line.kind == "text":
            if not blocks:
                blocks.append(Block(UNKNOWN_SPEAKER, where=line.page))
            follows = prev is not None and prev.kind == "text" and bool(texts)
            if follows and prev is not None and prev.page == line.page:
                follows = line.top - prev.top <= LINE_STEP * line.size
            if not follows:
                close()
                first_page = line.page
            texts.append(line.text)
            last_page = line.page
        elif line.kind == "chips" and blocks:
            close()
            paragraphs = blocks[-1].paragraphs
            if paragraphs:
                paragraphs[-1] = add_codes(paragraphs[-1], line.labels)
        prev = line
    close()
    return blocks


def _join_lines(texts: list[str]) -> str:
    """Printed lines back into one paragraph: a line that ends in a word's hyphen was wrapped
    inside the word (``machine-`` + ``learning``), any other wrap was a space."""
    out = texts[0]
    for text in texts[1:]:
        if len(out) > 1 and out[-1] == "-" and out[-2].isalpha() and text[:1].isalpha():
            out += text
        else:
            out += " " + text
    return out


def _unwrap(exc: Exception) -> Exception:
    """pdfplumber wraps pdfminer's exception (``PdfminerException(PDFPasswordIncorrect())``)."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else None
    return inner if inner is not None else exc


def _describe(exc: Exception) -> str:
    exc = _unwrap(exc)
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _open_problem(exc: Exception) -> str:
    name = type(_unwrap(exc)).__name__.lower()
    if "password" in name or "encrypt" in name:
        return "the PDF is encrypted (password-protected); save an unprotected copy"
    return f"is not a readable PDF, it may be damaged ({_describe(exc)})"
