"""How much of one file the readers take on before refusing it.

A 50 MB transcript, a 20,000-page PDF or a page of 200,000 tiny text operations is either a
mistake or hostile; reading it whole took gigabytes. Each limit is a setting (``ASSISTANT_MAX_*``)
a researcher with a genuinely huge file can raise, and each refusal is one line naming the file,
the limit and the setting. The defaults are far above any interview: a two-hour interview is
about 120,000 characters, 60 Delve pages and 500 turns.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.errors import CorpusError

#: Characters one PDF page may draw, and bytes its content may take once uncompressed. A
#: printed transcript page holds about 3,000 characters in 10-20 KB of drawing operations; far
#: past these a page is damaged or hostile, and building it (a layout object per character,
#: ~750 bytes each) or inflating it (a 150 KB compressed page held 100 MB) would exhaust memory.
PAGE_CHARS = 100_000
PAGE_CONTENT_BYTES = 16_000_000


@dataclass(frozen=True)
class Limits:
    max_file_mb: float = 20.0
    max_pages: int = 1_000
    max_chars: int = 2_000_000
    max_turns: int = 20_000

    @property
    def max_bytes(self) -> int:
        return int(self.max_file_mb * 1_000_000)

    def file_size(self, path: Path, size: int) -> None:
        if size > self.max_bytes:
            raise CorpusError(
                path,
                f"is {size / 1_000_000:.3g} MB, over the limit of {self.max_file_mb:g} MB per "
                "file (raise ASSISTANT_MAX_FILE_MB to read it)",
            )

    def pages(self, path: Path, pages: int) -> None:
        if pages > self.max_pages:
            raise CorpusError(
                path,
                f"has {pages} pages, over the limit of {self.max_pages} per file (raise "
                "ASSISTANT_MAX_PAGES to read it)",
            )

    def chars(self, path: Path, chars: int) -> None:
        if chars > self.max_chars:
            raise self.over_chars(path)

    def over_chars(self, path: Path, page: int | None = None) -> CorpusError:
        """The refusal of a file found (on ``page``) to hold more characters than the limit."""
        return CorpusError(
            path,
            f"holds more than {self.max_chars} characters, the limit per file (raise "
            "ASSISTANT_MAX_CHARS to read it)",
            page=page,
        )

    def turns(self, path: Path, turns: int) -> None:
        if turns > self.max_turns:
            raise CorpusError(
                path,
                f"has {turns} turns, over the limit of {self.max_turns} per interview (raise "
                "ASSISTANT_MAX_TURNS to read it)",
            )


def page_too_big(path: Path, page: int, what: str) -> CorpusError:
    """The refusal of a PDF page that draws or holds far more than any printed page."""
    return CorpusError(
        path, f"{what}, far more than any printed page: a damaged or hostile PDF", page=page
    )


DEFAULT_LIMITS = Limits()
