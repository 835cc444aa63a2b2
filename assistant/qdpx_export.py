"""Writing the corpus as a REFI-QDA project (``.qdpx``) that NVivo, ATLAS.ti, MAXQDA or QualCoder
can open: ``assistant export --qdpx FILE [--notes]``.

Each interview becomes a text source whose plain text is its turns, one ``Speaker: text`` line
per paragraph (a speaker named on a turn's first line), turns apart by a blank line, so the
assistant reads it back into the same turns and paragraphs. Each coded paragraph is one
selection carrying its codes (and who applied them, where known); the code book is the
corpus's code tree with its descriptions. With ``--notes`` every quote saved in the notes is
also a selection, coded with a code named after its question (under the code
``Interview assistant``), by the user ``interview assistant``, the model and date as the
selection's description; ``assistant suggest --qdpx`` adds its suggested codes the same way, as
codings of the codes themselves. Cases and variables go out as the project's ``<Cases>`` and
``<Variables>`` (:mod:`assistant.qdpx_cases`). The XML is written with lxml and the archive
with ``zipfile``.
GUIDs are derived from names, so exporting the same corpus twice gives the same ids.
"""

from __future__ import annotations

import datetime as _dt
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import __version__
from assistant.codebook import Codebook
from assistant.errors import AssistantError
from assistant.ingest.ids import interview_id
from assistant.ingest.qdpx import ASSISTANT_USER, OWN_ORIGIN, title
from assistant.model import Corpus, Interview, Turn, parse_citation_key
from assistant.notes_markers import SavedQuote
from assistant.qdpx_cases import write_cases, write_values

if TYPE_CHECKING:
    from assistant.suggest import Suggestion

NS = "urn:QDA-XML:project:1.0"
NOTES_CODE = "Interview assistant"
_GUIDS = uuid.UUID("5b0f3c1e-8d2a-4f61-9a57-2f0e6f3b9c11")


def guid(kind: str, name: str) -> str:
    return str(uuid.uuid5(_GUIDS, f"{kind}\x00{name}"))


@dataclass
class ExportReport:
    """What was written; ``skipped_notes`` are saved quotes whose turn changed or vanished."""

    path: Path
    interviews: int = 0
    codes: int = 0
    codings: int = 0
    notes: int = 0
    skipped_notes: list[str] = field(default_factory=list)
    suggestions: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "interviews": self.interviews,
            "codes": self.codes,
            "codings": self.codings,
            "notes": self.notes,
            "skipped_notes": list(self.skipped_notes),
            "suggestions": self.suggestions,
        }

    def summary(self) -> str:
        out = (
            f"Wrote {self.path}: {self.interviews} interview(s), {self.codes} code(s), "
            f"{self.codings} coding(s)"
        )
        if self.notes or self.skipped_notes:
            out += f", {self.notes} saved quote(s)"
        if self.suggestions:
            out += f", {self.suggestions} suggested coding(s) by the user {ASSISTANT_USER!r}"
        if self.skipped_notes:
            out += (
                f"; {len(self.skipped_notes)} saved quote(s) left out because their turn "
                f"changed or is gone: {', '.join(self.skipped_notes)}"
            )
        return out + "."


@dataclass
class _Layout:
    """An interview's plain text and where each paragraph of each turn stands in it."""

    text: str
    spans: dict[tuple[int, int], tuple[int, int]]  # (turn ordinal, paragraph index) → span


def source_name(interview: Interview) -> str:
    """The title, made to give the title and id back when the project is read again."""
    name = interview.title
    if interview_id(name, Path(name)) != interview.id:
        name = f"{name} (Interview {interview.id})" if interview.id.isdigit() else interview.id
    # "Interview 21 - Mouna.txt" is a title; the reader would take ".txt" for the file's.
    return f"{name}.txt" if title(name) != name else name


def layout(interview: Interview) -> _Layout:
    parts: list[str] = []
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    position = 0

    def put(piece: str) -> None:
        nonlocal position
        parts.append(piece)
        position += len(piece)

    for number, turn in enumerate(interview.turns):
        if number:
            put("\n\n")
        for index, paragraph in enumerate(turn.paragraphs):
            put(f"{turn.speaker}: " if index == 0 else "\n")
            spans[(turn.ordinal, index)] = (position, position + len(paragraph.text))
            put(paragraph.text)
    return _Layout("".join(parts) + "\n", spans)


def export_qdpx(
    corpus: Corpus,
    codebook: Codebook,
    out: Path,
    notes: Sequence[SavedQuote] = (),
    *,
    now: _dt.datetime | None = None,
    suggestions: Sequence[Suggestion] = (),
    model: str = "",
) -> ExportReport:
    """Write ``corpus`` (and the saved ``notes``) to ``out``; AssistantError if it cannot.

    ``suggestions`` (:mod:`assistant.suggest`, made with the embedding ``model``) become
    codings of their code by the user ``interview assistant``, each on its own selection
    whose description gives the confidence, the passages behind it, the model and the date,
    so the researcher accepts or rejects them in the QDA tool beside the coders' codings."""
    from lxml import etree

    if not corpus.interviews:
        raise AssistantError("nothing to export: no interview loaded")
    stamp = (now or _dt.datetime.now(_dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    report = ExportReport(Path(out))
    users = _users(corpus, bool(notes) or bool(suggestions))
    project = etree.Element(
        f"{{{NS}}}Project",
        nsmap={None: NS},
        name=Path(out).stem,
        origin=f"{OWN_ORIGIN} {__version__}",
        creationDateTime=stamp,
    )
    if users:
        holder = etree.SubElement(project, f"{{{NS}}}Users")
        for name, user_guid in users.items():
            etree.SubElement(holder, f"{{{NS}}}User", guid=user_guid, name=name)
    questions = list(dict.fromkeys(n.question for n in notes))
    code_guids, question_guids = _codebook(etree, project, codebook, questions)
    report.codes = len(code_guids)
    variable_guids = write_cases(etree, project, corpus.interviews, guid)
    sources = etree.SubElement(project, f"{{{NS}}}Sources")
    files: dict[str, str] = {}
    by_key = {t.key: (i, t) for i in corpus.interviews for t in i.turns}
    placed = _place_notes(notes, by_key, report)
    suggested: dict[str, list[Suggestion]] = {}
    for item in suggestions:
        suggested.setdefault(item.passage.interview, []).append(item)
    for interview in corpus.interviews:
        shape = layout(interview)
        source_guid = guid("source", interview.id)
        files[f"sources/{source_guid}.txt"] = shape.text
        element = etree.SubElement(
            sources,
            f"{{{NS}}}TextSource",
            guid=source_guid,
            name=source_name(interview),
            plainTextPath=f"internal://{source_guid}.txt",
            creationDateTime=stamp,
        )
        for turn in interview.turns:
            for index, paragraph in enumerate(turn.paragraphs):
                if not paragraph.codes:
                    continue
                start, end = shape.spans[(turn.ordinal, index)]
                selection = _selection(etree, element, f"{turn.key}/{index}", start, end, stamp)
                for label in paragraph.codes:
                    # One coding per person who applied the code, so coders stay apart.
                    by: list[str | None] = [
                        users[u] for code, u in paragraph.coders if code == label
                    ]
                    by = by or [None]
                    for coder in by:
                        _coding(etree, selection, code_guids[label], coder)
                        report.codings += 1
        for place in placed.get(interview.id, []):
            note = place.note
            start = shape.spans[place.first][0] + place.start
            end = shape.spans[place.last][0] + place.end
            selection = _selection(etree, element, f"note/{note.line}", start, end, stamp)
            etree.SubElement(selection, f"{{{NS}}}Description").text = (
                f"{ASSISTANT_USER}: {note.mode} answer, model {note.model or 'none'}, "
                f"saved {note.date}"
            )
            _coding(etree, selection, question_guids[note.question], users[ASSISTANT_USER])
            report.notes += 1
        for item in suggested.get(interview.id, []):
            ordinal = parse_citation_key(item.passage.key)[1]
            start, end = shape.spans[(ordinal, item.passage.paragraph - 1)]
            name = f"suggest/{item.passage.key}/{item.passage.paragraph}/{item.code}"
            selection = _selection(etree, element, name, start, end, stamp)
            etree.SubElement(selection, f"{{{NS}}}Description").text = suggestion_note(
                item, model, stamp
            )
            _coding(etree, selection, code_guids[item.code], users[ASSISTANT_USER])
            report.suggestions += 1
        write_values(etree, element, interview, variable_guids)
        report.interviews += 1
    xml = etree.tostring(project, xml_declaration=True, encoding="utf-8", pretty_print=True)
    _write_zip(Path(out), xml, files)
    return report


def suggestion_note(item: Suggestion, model: str, stamp: str) -> str:
    """What a QDA tool shows beside a suggested coding: why, by what, when."""
    like = ", ".join(r.key for r in item.because)
    return (
        f"{ASSISTANT_USER}: suggested code, confidence {item.confidence:.2f} (the similarity-"
        f"weighted share of the most similar paragraphs carrying it; like {like}), "
        f"model {model or 'unknown'}, suggested {stamp}. Not a coder's decision: accept or "
        "reject it."
    )


def _users(corpus: Corpus, with_assistant: bool) -> dict[str, str]:
    names = sorted(
        {
            user
            for interview in corpus.interviews
            for turn in interview.turns
            for paragraph in turn.paragraphs
            for _, user in paragraph.coders
        }
    )
    if with_assistant:
        names.append(ASSISTANT_USER)
    return {name: guid("user", name) for name in names}


def _codebook(
    etree: Any, project: Any, codebook: Codebook, questions: list[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The code tree under ``project``: the guid of every code by label, and of every
    question's code by question."""
    guids: dict[str, str] = {}
    asked: dict[str, str] = {}
    if not codebook.codes and not questions:
        return guids, asked
    codes = etree.SubElement(etree.SubElement(project, f"{{{NS}}}CodeBook"), f"{{{NS}}}Codes")

    def add(parent: Any, label: str, description: str = "", kind: str = "code") -> Any:
        code_guid = guid(kind, label)
        (asked if kind == "question" else guids)[label] = code_guid
        element = etree.SubElement(
            parent, f"{{{NS}}}Code", guid=code_guid, name=label, isCodable="true"
        )
        if description:
            etree.SubElement(element, f"{{{NS}}}Description").text = description
        return element

    elements: dict[str, Any] = {}
    for _, code in codebook.tree():
        if code.label in elements:
            continue
        # A mitigation is listed under its issue, but it is a code of its own: nesting it
        # would make it a child on the way back.
        holder = elements.get(code.parent or "", codes)
        elements[code.label] = add(holder, code.label, code.description)
    if questions:
        top = NOTES_CODE if NOTES_CODE not in guids else f"{NOTES_CODE} (notes)"
        notes_code = add(codes, top, "Quotes saved by the interview assistant", kind="notes")
        for question in questions:
            add(notes_code, question, kind="question")
    return guids, asked


def _selection(etree: Any, source: Any, name: str, start: int, end: int, stamp: str) -> Any:
    return etree.SubElement(
        source,
        f"{{{NS}}}PlainTextSelection",
        guid=guid("selection", f"{source.get('guid')}/{name}/{start}/{end}"),
        startPosition=str(start),
        endPosition=str(end),
        creationDateTime=stamp,
    )


def _coding(etree: Any, selection: Any, code_guid: str, user_guid: str | None) -> None:
    name = f"{selection.get('guid')}/{code_guid}/{user_guid or ''}"
    coding = etree.SubElement(selection, f"{{{NS}}}Coding", guid=guid("coding", name))
    if user_guid:
        coding.set("creatingUser", user_guid)
    etree.SubElement(coding, f"{{{NS}}}CodeRef", targetGUID=code_guid)


@dataclass(frozen=True)
class _NotePlace:
    """A saved quote's place: from ``start`` in paragraph ``first`` to ``end`` in ``last``
    (each a (turn ordinal, paragraph index))."""

    note: SavedQuote
    first: tuple[int, int]
    last: tuple[int, int]
    start: int
    end: int


def _place_notes(
    notes: Sequence[SavedQuote],
    by_key: dict[str, tuple[Interview, Turn]],
    report: ExportReport,
) -> dict[str, list[_NotePlace]]:
    """Where each saved quote stands; a quote whose turn changed is left out and reported."""
    from assistant.notes import locate

    out: dict[str, list[_NotePlace]] = {}
    for note in notes:
        found = by_key.get(note.key)
        if found is None or found[1].content_hash != note.turn_hash:
            report.skipped_notes.append(note.key)
            continue
        interview, turn = found
        where = locate(note.quote, turn)
        if where is None:
            report.skipped_notes.append(note.key)
            continue
        exact, paragraph = where
        if paragraph is None:
            last = len(turn.paragraphs) - 1
            place = _NotePlace(
                note, (turn.ordinal, 0), (turn.ordinal, last), 0, len(turn.paragraphs[last].text)
            )
        else:
            index = turn.paragraphs.index(paragraph)
            # A quote of excerpts ("a … b") is selected from its first to its last excerpt.
            pieces = exact.split(" \u2026 ")
            start = paragraph.text.find(pieces[0])
            end = paragraph.text.find(pieces[-1], start) + len(pieces[-1])
            place = _NotePlace(note, (turn.ordinal, index), (turn.ordinal, index), start, end)
        out.setdefault(interview.id, []).append(place)
    return out


def _write_zip(out: Path, xml: bytes, files: dict[str, str]) -> None:
    """The archive, written beside ``out`` and moved over it: a failed export leaves any
    earlier file whole."""
    partial = out.with_name(out.name + ".partial")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("project.qde", xml)
            for name, text in files.items():
                archive.writestr(name, text.encode("utf-8"))
        partial.replace(out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise AssistantError(f"cannot write {out} ({exc.strerror or exc})") from None
