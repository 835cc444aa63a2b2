"""Small Delve-like PDF print-outs written byte by byte, so the PDF reader is tested on a
clean clone too (the study's print-outs are not part of the repository).

Layout follows a real Delve print: header (date, file name) and footer (print URL, page/N) in
8pt at the page edges, title at 18pt, bold 10.5pt speaker names, 10.5pt text lines 23pt apart,
and 7.9pt code chips spaced well apart on a line under the paragraph they code.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field

HEIGHT = 791.0
WIDTH = 612.0


@dataclass
class Page:
    items: list[tuple[float, float, str, float, str]] = field(default_factory=list)

    def put(self, x: float, top: float, text: str, size: float = 10.5, bold: bool = False) -> None:
        self.items.append((x, top, "F2" if bold else "F1", size, text))

    def chips(self, top: float, labels: list[str]) -> None:
        x = 50.0
        for label in labels:
            self.put(x, top, label, size=7.9)
            x += len(label) * 4.6 + 25  # chips are boxes with wide gaps between them


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def write_pdf(pages: list[Page], *, encrypted: bool = False) -> bytes:
    """A valid PDF 1.4 file with Helvetica and Helvetica-Bold; ``encrypted`` adds a standard
    security handler whose (random) user password the reader cannot know."""
    objects: list[bytes] = []
    kids = []
    page_ids = []
    first_page = 5
    for i, _ in enumerate(pages):
        page_ids.append(first_page + 2 * i)
        kids.append(f"{first_page + 2 * i} 0 R")
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>")
    for i, page in enumerate(pages):
        ops = []
        for x, top, font, size, text in page.items:
            baseline = HEIGHT - top - size * 0.75
            ops.append(f"BT /{font} {size} Tf {x:.2f} {baseline:.2f} Td ({_escape(text)}) Tj ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] "
                f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
                f"/Contents {page_ids[i] + 1} 0 R >>"
            ).encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    trailer_extra = ""
    if encrypted:
        offsets.append(len(out))
        secret = hashlib.sha256(b"a password nobody knows").hexdigest()
        out += (
            f"{len(objects) + 1} 0 obj\n<< /Filter /Standard /V 1 /R 2 /Length 40 "
            f"/P -44 /O <{secret}> /U <{secret[::-1]}> >>\nendobj\n"
        ).encode()
        trailer_extra = f" /Encrypt {len(objects) + 1} 0 R /ID [<{secret[:32]}> <{secret[:32]}>]"
    xref = len(out)
    out += f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R{trailer_extra} >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def delve_printout(
    title: str,
    blocks: list[tuple[str, list[tuple[list[str], list[str]]]]],
    *,
    lines_per_page: int = 26,
    footer: bool = True,
) -> bytes:
    """A print-out of ``blocks``: (speaker, [(paragraph lines, code labels), …]).

    Pages break after ``lines_per_page`` printed rows, even inside a paragraph, as a browser
    print does."""
    pages: list[Page] = []
    top = 0.0

    def new_page() -> Page:
        nonlocal top
        page = Page()
        number = len(pages) + 1
        page.put(26.5, 16, "6/4/23, 6:10 PM", size=8)
        page.put(288.7, 16, f"2023-06-04-{title}", size=8)
        if footer:
            page.put(26.5, 768, "https://app.delvetool.com/transcripts/100665/print", size=8)
        page.put(567.6, 768, f"{number}/N", size=8)
        pages.append(page)
        top = 59.0
        return page

    page = new_page()
    page.put(45, 73, title, size=18)
    top = 101.0
    rows = 0

    def row(step: float) -> Page:
        nonlocal rows, top, page
        rows += 1
        if rows > lines_per_page:
            rows = 1
            page = new_page()
        else:
            top += step
        return page

    first = True
    for speaker, paragraphs in blocks:
        row(0 if first else 42).put(45, top, speaker, bold=True)
        first = False
        step = 19.0
        for text_lines, labels in paragraphs:
            for text in text_lines:
                row(step).put(45, top, text)
                step = 23.0
            if labels:
                row(19.0).chips(top, labels)
            step = 46.0
    return write_pdf(pages)


def hostile_pdf(operations: int = 200_000, pages: int = 1, *, compressed: bool = False) -> bytes:
    """A small PDF whose pages each carry ``operations`` one-glyph text operations (``(x)'``,
    5 bytes each: about 1 MB for 200,000), for a reader that would build an object per glyph
    and then group them all."""
    # A Delve footer and a speaker, so the reader goes past the first page's check, then the
    # operations: each shows a glyph on a line of its own (the ' operator with a tiny leading).
    stream = (
        b"BT /F1 8 Tf 26 15 Td (https://app.delvetool.com/transcripts/1/print) Tj ET\n"
        b"BT /F2 10.5 Tf 45 700 Td (Interviewee) Tj ET\n"
        b"BT /F1 10.5 Tf 45 680 Td 0.003 TL\n" + b"(x)'\n" * operations + b"ET"
    )
    extra = b""
    if compressed:  # a zip bomb: 20 million operations (100 MB) in about 150 KB
        stream, extra = zlib.compress(stream, 9), b" /Filter /FlateDecode"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % (5 + 2 * i) for i in range(pages))
        + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
    ]
    for i in range(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 791] "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>" % (6 + 2 * i)
        )
        objects.append(
            b"<< /Length %d%s >>\nstream\n" % (len(stream), extra) + stream + b"\nendstream"
        )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(offsets) + 1,
        xref,
    )
    return bytes(out)
