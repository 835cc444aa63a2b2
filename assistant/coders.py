"""Two coders of one REFI-QDA project, as two codings of each of its interviews.

A ``.qdpx`` exported by a QDA tool records who applied each code (the coding's
``creatingUser``); the reader keeps that as each paragraph's ``coders``. Each interview of the
project is split into one copy per user, carrying only that user's codes, and the two users'
copies are paired, so ``agree study.qdpx`` compares them exactly as two print-outs are compared.
With more than two users, ``--users A,B`` says which two; codes applied without a user cannot be
told apart and are left out of the comparison (reported).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from assistant.errors import AssistantError, CorpusError
from assistant.ingest.loader import read_path
from assistant.model import Interview, Paragraph, Progress
from assistant.pairs import Coding, Pairing, Unpaired


def pair_by_user(
    path: Path, users: Sequence[str] = (), progress: Callable[[Progress], None] | None = None
) -> Pairing:
    """One pair per interview of the project at ``path``: the two users' codings of it."""
    if progress is not None:
        progress(Progress("load", 0, 1, path.name))
    try:
        interviews, _ = read_path(path)
    except CorpusError as exc:
        raise AssistantError(str(exc)) from None
    if progress is not None:
        progress(Progress("load", 1, 1, "done"))
    found = sorted(
        {
            user
            for interview in interviews
            for turn in interview.turns
            for paragraph in turn.paragraphs
            for _, user in paragraph.coders
        },
        key=str.casefold,
    )
    first, second = _two(path, found, users)
    pairs = []
    unpaired: list[Unpaired] = []
    for interview in interviews:
        pairs.append(
            (Coding(coded_by(interview, first), first), Coding(coded_by(interview, second), second))
        )
        anonymous = _without_user(interview)
        if anonymous:
            unpaired.append(
                Unpaired(
                    f"interview {interview.id}",
                    f"{anonymous} code application(s) carry no user and are not compared",
                )
            )
    return Pairing(tuple(pairs), tuple(unpaired))


def coded_by(interview: Interview, user: str) -> Interview:
    """The interview with only the codes ``user`` applied."""
    turns = tuple(
        replace(
            turn,
            paragraphs=tuple(
                Paragraph(
                    p.text,
                    tuple(dict.fromkeys(code for code, who in p.coders if who == user)),
                    p.lines,
                    p.pages,
                )
                for p in turn.paragraphs
            ),
        )
        for turn in interview.turns
    )
    return replace(interview, turns=turns)


def _two(path: Path, found: list[str], wanted: Sequence[str]) -> tuple[str, str]:
    if not wanted:
        if len(found) == 2:
            return found[0], found[1]
        if len(found) > 2:
            raise AssistantError(
                f"{path}: coded by {len(found)} users ({', '.join(found)}); pick two with "
                "--users A,B"
            )
        who = f"one user only ({found[0]})" if found else "no user"
        raise AssistantError(
            f"{path}: its codings carry {who}; agree needs two coders' codings of the same "
            "interviews"
        )
    names = [w.strip() for w in wanted if w.strip()]
    if len({n.casefold() for n in names}) != 2:
        raise AssistantError(f"--users takes two different users, e.g. --users {_example(found)}")
    by_fold = {user.casefold(): user for user in found}
    chosen = []
    for name in names:
        user = by_fold.get(name.casefold())
        if user is None:
            known = ", ".join(found) or "none"
            raise AssistantError(f"{path}: no user {name!r} coded it (users: {known})")
        chosen.append(user)
    return chosen[0], chosen[1]


def _example(found: list[str]) -> str:
    return ",".join(found[:2]) if len(found) >= 2 else "Ana,Bo"


def _without_user(interview: Interview) -> int:
    """Code applications no user is recorded for."""
    return sum(
        len(set(p.codes) - {code for code, _ in p.coders})
        for turn in interview.turns
        for p in turn.paragraphs
    )
