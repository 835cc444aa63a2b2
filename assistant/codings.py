"""Two codings of the same interviews, found from what the researcher points at.

``agree A B`` takes two files (one interview, two coders), two folders (one coder each, paired
by interview id), or one folder of per-coder print-outs such as Delve's
``2023-06-04-Interview 12 - PO.pdf`` and ``… Interview 12 - Rached.pdf``, paired by interview
id and told apart by the coder's name after the interview number, or one REFI-QDA project whose
codings carry their users (:mod:`assistant.coders`). Whatever cannot be paired is
named with the reason; nothing is read twice and no file is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant.coders import pair_by_user
from assistant.errors import AssistantError, CorpusError
from assistant.ingest.ids import clean_stem
from assistant.ingest.loader import collect_files, read_file
from assistant.model import Interview, LoadProblem, Progress
from assistant.pairs import Coding, Pairing, Unpaired

#: The coder's name in a per-coder print-out: what follows the interview number and a dash.
_CODER = re.compile(r"\binterview\s*\d+\s*[-–_]\s*(?P<coder>\S.*)$", re.IGNORECASE)

Reporter = Callable[[Progress], None]


def coder_name(path: Path) -> str | None:
    """``2023-06-04-Interview 12 - PO.pdf`` → ``PO``; None when the name carries no coder."""
    match = _CODER.search(clean_stem(path))
    return match["coder"].strip() if match else None


def find_pairs(
    a: Path,
    b: Path | None = None,
    progress: Reporter | None = None,
    users: Sequence[str] = (),
) -> Pairing:
    """The pairs of codings to compare, and everything that could not be paired.

    ``users`` picks the two coders of a REFI-QDA project coded by more than two.
    Raises AssistantError, with one line saying why, when no pair of coded interviews is left."""
    if b is None and a.is_file() and a.suffix.lower() == ".qdpx":
        return _keep_coded(pair_by_user(a, users, progress))
    if users:
        raise AssistantError(
            "--users picks two coders of one REFI-QDA project (.qdpx); "
            f"{a}{' and ' + str(b) if b else ''} is not one"
        )
    if b is None:
        if not a.is_dir():
            raise AssistantError(
                f"{a}: agree needs two codings: two files, two folders, one folder of per-coder "
                "print-outs (e.g. 'Interview 12 - PO.pdf' and 'Interview 12 - Rached.pdf') or "
                "one .qdpx project coded by two users"
            )
        pairing = _pair_by_coder(a, progress)
    elif a.is_file() and b.is_file():
        pairing = _pair_files(a, b, progress)
    elif a.is_dir() and b.is_dir():
        pairing = _pair_folders(a, b, progress)
    else:
        for path in (a, b):
            if not path.exists():
                raise AssistantError(f"{path}: no such file or folder")
        raise AssistantError(f"{a} and {b}: give two files or two folders, not one of each")
    return _keep_coded(pairing)


def _read(paths: list[Path], progress: Reporter | None) -> tuple[list[Interview], list[Unpaired]]:
    problems: list[LoadProblem] = []
    files = collect_files(paths, problems, [])
    read: list[Interview] = []
    unread = [Unpaired(p.source, p.message) for p in problems]
    for done, path in enumerate(files):
        if progress is not None:
            progress(Progress("load", done, len(files), path.name))
        try:
            read.append(read_file(path))
        except CorpusError as exc:
            where = exc.source + (f", page {exc.page}" if exc.page else "")
            where += f", line {exc.line}" if exc.line else ""
            unread.append(Unpaired(where, exc.problem))
    if progress is not None:
        progress(Progress("load", len(files), len(files), "done"))
    return read, unread


def _label(interview: Interview, fallback: str) -> str:
    return coder_name(Path(interview.source)) or fallback


def _pair_files(a: Path, b: Path, progress: Reporter | None) -> Pairing:
    read, unread = _read([a, b], progress)
    if unread:
        raise AssistantError(str(unread[0]))
    first, second = read
    if first.id != second.id:
        raise AssistantError(
            f"{a} is interview {first.id} and {b} is interview {second.id}: agree compares two "
            "codings of the same interview"
        )
    coding_a = Coding(first, _label(first, "A"))
    coding_b = Coding(second, _label(second, "B"))
    if coding_a.coder == coding_b.coder:
        coding_a, coding_b = Coding(first, "A"), Coding(second, "B")
    return Pairing(((coding_a, coding_b),), ())


def _by_id(interviews: list[Interview], unpaired: list[Unpaired]) -> dict[str, Interview]:
    out: dict[str, Interview] = {}
    for interview in interviews:
        if interview.id in out:
            unpaired.append(
                Unpaired(
                    interview.source,
                    f"interview {interview.id} is already read from {out[interview.id].source}",
                )
            )
            continue
        out[interview.id] = interview
    return out


def _pair_folders(a: Path, b: Path, progress: Reporter | None) -> Pairing:
    read_a, unpaired = _read([a], progress)
    read_b, unread_b = _read([b], progress)
    unpaired += unread_b
    left, right = _by_id(read_a, unpaired), _by_id(read_b, unpaired)
    pairs = []
    for ident, interview in left.items():
        other = right.get(ident)
        if other is None:
            unpaired.append(Unpaired(interview.source, f"no coding of interview {ident} in {b}"))
            continue
        pairs.append((Coding(interview, a.name or "A"), Coding(other, b.name or "B")))
    for ident, interview in right.items():
        if ident not in left:
            unpaired.append(Unpaired(interview.source, f"no coding of interview {ident} in {a}"))
    if not pairs and (read_a or read_b):
        raise AssistantError(f"{a} and {b} have no interview in common (matched by interview id)")
    return Pairing(tuple(pairs), tuple(unpaired))


def _pair_by_coder(folder: Path, progress: Reporter | None) -> Pairing:
    read, unpaired = _read([folder], progress)
    groups: dict[str, list[Coding]] = {}
    for interview in read:
        coder = coder_name(Path(interview.source))
        if coder is None:
            unpaired.append(
                Unpaired(
                    interview.source,
                    "no coder in the file name (expected e.g. 'Interview 12 - PO.pdf')",
                )
            )
            continue
        groups.setdefault(interview.id, []).append(Coding(interview, coder))
    pairs = []
    for ident, codings in groups.items():
        coders = sorted({c.coder.casefold() for c in codings})
        if len(codings) == 1:
            only = codings[0]
            unpaired.append(
                Unpaired(only.source, f"the only coding of interview {ident} (coder {only.coder})")
            )
        elif len(codings) > 2 or len(coders) < 2:
            names = ", ".join(c.coder for c in codings)
            unpaired.append(
                Unpaired(
                    f"interview {ident}",
                    f"{len(codings)} codings by {names}: agree compares two different coders",
                )
            )
        else:
            first, second = sorted(codings, key=lambda c: c.coder.casefold())
            pairs.append((first, second))
    if not pairs and groups and all(len(c) == 1 for c in groups.values()):
        coders = sorted({c.coder for g in groups.values() for c in g})
        raise AssistantError(
            f"{folder}: every interview has one coding only (coder {', '.join(coders)}); "
            "agree needs two coders' codings of the same interview"
        )
    return Pairing(tuple(pairs), tuple(unpaired))


def _keep_coded(pairing: Pairing) -> Pairing:
    """Pairs where a coder applied no code at all say nothing about agreement: left out."""
    kept = []
    unpaired = list(pairing.unpaired)
    for a, b in pairing.pairs:
        blank = [c for c in (a, b) if not c.coded]
        if not blank:
            kept.append((a, b))
            continue
        if len(blank) == 2:
            reason = f"neither {a.coder} nor {b.coder} applied any code"
        else:
            reason = f"{blank[0].coder} applied no code"
        unpaired.append(Unpaired(f"interview {a.interview.id} ({a.coder} vs {b.coder})", reason))
    if not kept:
        if not pairing.pairs:
            detail = "; ".join(str(u) for u in unpaired[:3]) or "no transcript found"
            raise AssistantError(f"no two codings of the same interview to compare ({detail})")
        if len(pairing.pairs) == 1:
            raise AssistantError(f"{unpaired[-1]}: agree compares coded transcripts")
        # The last ones named are the pairs just left out (earlier ones are unread files).
        raise AssistantError(
            f"in none of the {len(pairing.pairs)} pairs did both coders apply codes (e.g. "
            f"{unpaired[-len(pairing.pairs)]}): agree compares coded transcripts"
        )
    kept.sort(key=lambda pair: _natural(pair[0].interview.id))
    return Pairing(tuple(kept), tuple(sorted(unpaired, key=lambda u: _natural(u.what))))


def _natural(text: str) -> tuple[tuple[int, str], ...]:
    # Interview 2 before interview 10, as a researcher numbers them.
    return tuple(
        (int(p), "") if p.isdigit() else (0, p.casefold()) for p in re.split(r"(\d+)", text)
    )
