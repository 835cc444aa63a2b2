"""Loading a corpus: every transcript under the given files and folders, each problem reported.

One bad file never stops the others: it becomes a LoadProblem naming the file (and line or
page). When one interview is found in several formats the coded one wins (``FORMAT_PRIORITY``)
and the choice is reported as a notice; the same interview twice in one format is an error for
the second file, which is not loaded.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Literal

from assistant.errors import CorpusError
from assistant.ingest.delve_pdf import read_delve_pdf
from assistant.ingest.delve_text import read_delve_text
from assistant.ingest.limits import DEFAULT_LIMITS, Limits
from assistant.ingest.source import Source, read_source
from assistant.ingest.transcript import read_transcript
from assistant.model import (
    FORMAT_PRIORITY,
    CodeDefinition,
    Corpus,
    Interview,
    LoadProblem,
    Progress,
)
from assistant.safe_text import display_path

#: Files in a corpus folder that document it rather than hold an interview.
_DOCUMENTATION = re.compile(r"^(readme|licen[cs]e|notice|changelog|copying)\b", re.IGNORECASE)
_FORMAT_NAMES = {
    "delve-pdf": "Delve PDF",
    "delve-text": "Delve text export",
    "transcript": "plain transcript",
    "qdpx": "REFI-QDA project",
    "docx": "Word transcript",
    "captions": "caption file",
}


def read_file(
    path: Path,
    known_codes: Collection[str] = (),
    notices: list[LoadProblem] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Interview:
    """Read one transcript of any supported format, chosen by its content.

    ``known_codes`` are labels already seen elsewhere in the corpus; they help recognise
    one-word code lines (``Misc``) in a Delve text export. ``notices`` receives the reader's
    guesses worth a look (a line kept as speech, a label not taken as a speaker). Raises
    CorpusError only, also for a project or code book, which are not one interview.
    """
    interviews, _ = read_path(path, known_codes, notices, limits)
    if len(interviews) != 1:
        raise CorpusError(
            path, "is a REFI-QDA project or code book, not one interview: load it as a corpus"
        )
    return interviews[0]


def read_path(
    path: Path,
    known_codes: Collection[str] = (),
    notices: list[LoadProblem] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[list[Interview], list[CodeDefinition]]:
    """The interviews in one file (a project holds several, a code book none) and the code
    definitions it brings. Raises CorpusError only."""
    path = Path(path)
    sink: list[LoadProblem] = notices if notices is not None else []
    try:
        source = read_source(path, limits)
        if source.kind == "qdpx":
            from assistant.ingest.qdpx import read_qdpx

            project = read_qdpx(path, source.data, sink)
            return project.interviews, project.codes
        if source.kind == "qdc":
            from assistant.ingest.refi import read_qdc

            definitions, found = read_qdc(path, source.data)
            sink.extend(found)
            return [], definitions
        interview = _read_one(path, source, known_codes, sink, limits)
        limits.turns(path, len(interview.turns))
        return [interview], []
    except CorpusError:
        raise
    except RecursionError:
        raise CorpusError(path, "is nested too deeply to be read") from None
    except Exception as exc:  # a reader bug must still name the file, not crash the load
        raise CorpusError(path, f"could not be read ({type(exc).__name__}: {exc})") from None


def _read_one(
    path: Path,
    source: Source,
    known_codes: Collection[str],
    notices: list[LoadProblem],
    limits: Limits,
) -> Interview:
    if source.kind == "pdf":
        return read_delve_pdf(path, source.data, source.sha256, limits)
    if source.kind == "delve-text":
        return read_delve_text(path, source.text, source.sha256, known_codes, notices, limits)
    if source.kind == "docx":
        from assistant.ingest.word import read_docx

        return read_docx(path, source.data, source.sha256, notices)
    if source.kind in ("vtt", "srt"):
        from assistant.ingest.captions import read_captions

        return read_captions(path, source.text, source.sha256, source.kind)
    return read_transcript(path, source.text, source.sha256, notices, limits)


def collect_files(
    paths: Iterable[Path], problems: list[LoadProblem], notices: list[LoadProblem]
) -> list[Path]:
    """Files named, and every file under folders named (recursively, hidden ones skipped).

    A folder that cannot be read or entered is a problem naming it, as an unreadable file is;
    a symbolic link back to a folder already walked (a loop) and a broken link are notices. The
    rest of the corpus still loads.
    """
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        try:
            is_file, is_dir = path.is_file(), path.is_dir()
        except OSError as exc:
            problems.append(LoadProblem(str(path), f"cannot be read ({_why(exc)})"))
            continue
        if is_file:
            files.append(path)
        elif is_dir:
            _walk(path, files, problems, notices, visited={})
        else:
            problems.append(LoadProblem(str(path), "no such file or folder"))
    return list(dict.fromkeys(files))


def _walk(
    folder: Path,
    files: list[Path],
    problems: list[LoadProblem],
    notices: list[LoadProblem],
    visited: dict[tuple[int, int], Path],
    above: frozenset[tuple[int, int]] = frozenset(),
) -> None:
    # os.scandir rather than Path.rglob: rglob skips a folder it cannot read without a word and
    # raises PermissionError from is_file() in a folder it can list but not enter.
    try:
        identity = _identity(folder)
        with os.scandir(folder) as scan:
            # Real folders before symbolic links to folders, so a link to a folder that is
            # also in the corpus is the one reported as skipped.
            entries = sorted(scan, key=lambda e: (e.is_symlink(), e.name))
    except OSError as exc:
        problems.append(_skipped_folder(folder, f"cannot be read ({_why(exc)})", "error"))
        return
    if identity in above:
        notices.append(_skipped_folder(folder, "a symbolic link loop back to a folder above it"))
        return
    if identity in visited:
        notices.append(_skipped_folder(folder, f"the same folder as {visited[identity]}/"))
        return
    visited[identity] = folder
    blocked = 0
    for entry in entries:
        if entry.name.startswith("."):
            continue
        found = Path(entry.path)
        try:
            is_dir = entry.is_dir()
            is_file = not is_dir and entry.is_file()
        except OSError:
            blocked += 1
            continue
        if is_dir:
            _walk(found, files, problems, notices, visited, above | {identity})
        elif is_file:
            if _DOCUMENTATION.match(found.name):
                notices.append(
                    LoadProblem(
                        str(found),
                        "skipped: documentation, not an interview (name the file to read it)",
                        severity="notice",
                    )
                )
                continue
            files.append(found)
        elif entry.is_symlink():
            notices.append(
                LoadProblem(str(found), "skipped: a broken symbolic link", severity="notice")
            )
    if blocked:
        problems.append(
            _skipped_folder(
                folder,
                f"can be listed but not entered (permission denied): {blocked} skipped",
                "error",
            )
        )


def _identity(folder: Path) -> tuple[int, int]:
    info = folder.stat()
    return info.st_dev, info.st_ino


def _skipped_folder(
    folder: Path, why: str, severity: Literal["error", "notice"] = "notice"
) -> LoadProblem:
    return LoadProblem(f"{folder}/", f"skipped: {why}; its files are not read", severity=severity)


def _why(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def load_corpus(
    paths: list[Path],
    progress: Callable[[Progress], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Corpus:
    """Every interview under ``paths``, with every problem found; never raises for bad files
    (a file over one of ``limits`` is one of them)."""
    errors: list[LoadProblem] = []
    notices: list[LoadProblem] = []
    files = collect_files(paths, errors, notices)
    # PDFs first, so the labels of the coded print-outs help recognise the code lines of
    # Delve text exports read after them.
    ordered = sorted(files, key=lambda p: not _is_pdf(p))
    loaded: list[Interview] = []
    definitions: list[CodeDefinition] = []
    known: set[str] = set()
    for done, path in enumerate(ordered, start=1):
        if progress is not None:
            progress(Progress("load", done - 1, len(ordered), display_path(path.name)))
        found: list[LoadProblem] = []
        try:
            interviews, defined = read_path(path, known, found, limits)
        except CorpusError as exc:
            errors.append(LoadProblem(exc.source, exc.problem, line=exc.line, page=exc.page))
            continue
        notices.extend(found)
        for interview in interviews:
            known.update(c for t in interview.turns for c in t.codes)
        loaded.extend(interviews)
        definitions.extend(defined)
    if progress is not None:
        progress(Progress("load", len(ordered), len(ordered), "done"))
    # Restore the order files were given in, so "the second file" means what a user expects.
    position = {display_path(path): i for i, path in enumerate(files)}
    loaded.sort(key=lambda i: position.get(i.source, len(files)))
    kept = _choose(loaded, errors, notices)
    codes = _merge_definitions(definitions, notices)
    return Corpus(tuple(sorted(kept, key=_id_order)), tuple(errors), tuple(notices), codes)


def _merge_definitions(
    definitions: list[CodeDefinition], notices: list[LoadProblem]
) -> tuple[CodeDefinition, ...]:
    """One definition per code: the first file's place in the tree; the first description."""
    merged: dict[str, CodeDefinition] = {}
    for definition in definitions:
        first = merged.get(definition.label)
        if first is None:
            merged[definition.label] = definition
            continue
        if first.parent != definition.parent:
            notices.append(
                LoadProblem(
                    definition.source,
                    f"code {definition.label!r} sits under {definition.parent or 'the top'} "
                    f"here but under {first.parent or 'the top'} in {first.source}; "
                    "the first is used",
                    severity="notice",
                )
            )
        if not first.description and definition.description:
            merged[definition.label] = replace(first, description=definition.description)
    return tuple(merged.values())


def _choose(
    loaded: list[Interview], errors: list[LoadProblem], notices: list[LoadProblem]
) -> list[Interview]:
    by_id: dict[str, list[Interview]] = {}
    for interview in loaded:
        same = by_id.setdefault(interview.id, [])
        twin = next((i for i in same if i.format == interview.format), None)
        if twin is not None:
            errors.append(
                LoadProblem(
                    interview.source,
                    f"interview {interview.id} is already loaded from {twin.source} "
                    f"(same format, {_FORMAT_NAMES[interview.format]}); this file is skipped",
                )
            )
            continue
        same.append(interview)
    kept = []
    for ident, versions in by_id.items():
        versions.sort(key=lambda i: FORMAT_PRIORITY[i.format])
        best = versions[0]
        kept.append(best)
        for other in versions[1:]:
            notices.append(
                LoadProblem(
                    other.source,
                    f"not used: interview {ident} is also in {best.source}, and a "
                    f"{_FORMAT_NAMES[best.format]} is preferred to a "
                    f"{_FORMAT_NAMES[other.format]} (coded formats first)",
                    severity="notice",
                )
            )
    return kept


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(1024).lstrip()[:5] == b"%PDF-"
    except OSError:
        return False


def _id_order(interview: Interview) -> tuple[int, int, str]:
    if interview.id.isdigit():
        return (0, int(interview.id), "")
    return (1, 0, interview.id)
