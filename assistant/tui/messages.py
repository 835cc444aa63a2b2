"""What the workers report back to the screens: one message per event, never a return value
read from another thread; and what the app announces about the service and its index."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

from assistant.model import Answer, Evidence, Progress

if TYPE_CHECKING:
    from assistant.agreement import AgreementReport
    from assistant.contract import AssistantService
    from assistant.history import History
    from assistant.prevalence import Prevalence
    from assistant.tui.widgets.code_tree import CodeNode
    from assistant.tui.widgets.evidence import QuoteItem


@dataclass
class CorpusSummary:
    """What the status line and the filters show about the indexed corpus."""

    interviews: list[tuple[str, str]]  # (id, title), in index order
    turns: int
    codes: list[CodeNode] = field(default_factory=list)


@dataclass
class ServiceReady(Message):
    """The service is up and the index is open."""

    mode: str
    summary: CorpusSummary


@dataclass
class IndexNeeded(Message):
    """No usable index yet (none built, or built differently): one must be built first."""

    reason: str


@dataclass
class IndexProgress(Message):
    progress: Progress


@dataclass
class IndexBuilt(Message):
    """A build finished; ``report`` is ``IndexReport.to_dict()``."""

    report: dict[str, object]
    summary: CorpusSummary


@dataclass
class AnswerToken(Message):
    """A fragment of an LLM answer as it streams in."""

    request: int
    text: str


@dataclass
class AnswerReady(Message):
    request: int
    answer: Answer


@dataclass
class ContextLoaded(Message):
    key: str
    turns: list[Evidence]


@dataclass
class SaveNote(Message):
    """A screen asks for a quote to be added to the notes (the app owns the notes worker)."""

    item: QuoteItem


@dataclass
class PrevalenceLoaded(Message):
    """The Codes screen's counts: ``prevalence`` is a ``Prevalence`` of the indexed corpus."""

    prevalence: Prevalence


@dataclass
class PassagesListed(Message):
    """The coded passages of one code (in one interview, or in all when ``interview`` is
    None), as the evidence pane shows them."""

    code: str
    interview: str | None
    items: list[QuoteItem]


@dataclass
class AgreementLoaded(Message):
    """Two codings compared: ``report`` is an ``AgreementReport``."""

    report: AgreementReport


# -- what the app announces (its ``index_events`` signal) ---------------------------------


@dataclass(frozen=True)
class Ready:
    """The service is up and its index open (again, after a build)."""

    service: AssistantService
    history: History | None
    mode: str
    summary: CorpusSummary


@dataclass(frozen=True)
class Building:
    """An index build started; ``state`` is what the status line says, ``in_background`` when
    the chat stays usable beside it (a re-index) rather than behind the progress view."""

    state: str
    in_background: bool


@dataclass(frozen=True)
class Progressed:
    progress: Progress


@dataclass(frozen=True)
class Stopped:
    """Opening or building the index failed; ``state`` is what the status line says."""

    state: str


@dataclass(frozen=True)
class Watched:
    """The corpus watcher indexed a change (``line`` says what), or found nothing new to do
    (``line`` empty). ``summary`` is the corpus after the change; ``keep_bar`` when another
    build is still under way."""

    line: str
    summary: CorpusSummary | None
    keep_bar: bool


IndexEvent = Ready | Building | Progressed | Stopped | Watched
