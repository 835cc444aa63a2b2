"""The code tree of a corpus, inferred from the labels coders used.

Delve has no explicit hierarchy, but this study's labels carry one by convention:
a parent carries an abbreviation (``ML-pipeline-issues [MLP]``, ``Quality-Measures (QM)``) and
its children start with it (``MLP-unstable-external-dependency``); ``X-fix`` is the mitigation
of issue ``X``; ``Q4.3`` marks where interview-guide question 4.3 was answered; every other
label stands alone. A code book that comes with the corpus (a REFI-QDA project or ``.qdc``)
says where its codes sit instead: when it nests any code, its nesting is the hierarchy of
every code it defines (a child's parent is the code it sits in, not what the names suggest);
a flat one only adds descriptions. ``resolve`` turns what a researcher types (a label in any
case, a parent's name without its abbreviation, or the abbreviation itself) into exact labels,
parents with their descendants, so filters and quotes-by-code agree.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.errors import AssistantError
from assistant.model import CodeDefinition, Turn

CodeKind = Literal["parent", "child", "mitigation", "question", "code"]

# -- the rules a label's shape carries -------------------------------------------------------
# Every other module (ingest, evaluation, themes, code matching, the TUI) asks these; none
# writes its own pattern, so a label means the same thing to the filters and to the figures.

#: ``Q4.3``, ``Q5.3.a``, ``Q5.3a``: where an interview-guide question was answered, not what
#: was said. The pattern alone, for formats that wrap it (``[Q4.3]`` in a guide).
QUESTION_TAG_PATTERN = r"Q\d+(?:\.\d+)*(?:\.?[a-z])?"
QUESTION_TAG = re.compile(rf"^{QUESTION_TAG_PATTERN}$", re.IGNORECASE)
#: ``ML-pipeline-issues [MLP]`` / ``Quality-Measures (QM)``: a parent naming its abbreviation.
ABBREVIATED = re.compile(r"^(?P<name>.+?)\s*[\[(](?P<abbr>[A-Za-z][A-Za-z0-9&]*)[\])]$")
#: ``XY-drift``, ``MLP-costly-platforms``: an all-capitals family head, whatever the study.
FAMILY_HEAD = re.compile(r"^(?P<head>[A-Z][A-Z0-9&]{1,5})-[^\W_]")
FIX_SUFFIX = "-fix"
#: Labels coders use for what fits nowhere else or for where it was said; like question tags,
#: they name no topic.
CATCH_ALLS = frozenset({"misc", "other", "last-question-answers"})


def is_question_tag(label: str) -> bool:
    return bool(QUESTION_TAG.match(label))


def split_abbreviation(label: str) -> tuple[str, str] | None:
    """``(name, abbreviation)`` of a parent label such as ``ML-pipeline-issues [MLP]``."""
    match = ABBREVIATED.match(label)
    if match is None or is_question_tag(label):
        return None
    return match["name"], match["abbr"]


def mitigated_issue(label: str) -> str | None:
    """The issue ``X`` a mitigation ``X-fix`` answers (any case of ``fix``)."""
    if label.casefold().endswith(FIX_SUFFIX) and len(label) > len(FIX_SUFFIX):
        return label[: -len(FIX_SUFFIX)]
    return None


def family_head(label: str) -> str:
    """The token before the first hyphen (``MLP`` of ``MLP-x``): the abbreviation a child
    shares with its parent. Empty for a label without a hyphen."""
    head, sep, _ = label.partition("-")
    return head if sep else ""


def has_family_shape(label: str) -> bool:
    """Starts with an all-capitals family head (``QM-robustness``, ``XY-drift``)."""
    return bool(FAMILY_HEAD.match(label))


def is_weak(label: str) -> bool:
    """A question tag or a catch-all: says where something was said, not what it is about."""
    return is_question_tag(label) or label.casefold() in CATCH_ALLS


@dataclass
class Code:
    """One label, where it sits in the tree and how often it was applied."""

    label: str
    abbreviation: str | None = None
    parent: str | None = None
    mitigates: str | None = None
    children: list[str] = field(default_factory=list)
    applications: int = 0
    turns: int = 0
    interviews: int = 0
    description: str = ""

    @property
    def kind(self) -> CodeKind:
        if is_question_tag(self.label):
            return "question"
        if self.abbreviation or self.children:
            return "parent"
        if self.mitigates:
            return "mitigation"
        if self.parent:
            return "child"
        return "code"

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "kind": self.kind,
            "abbreviation": self.abbreviation,
            "parent": self.parent,
            "mitigates": self.mitigates,
            "children": list(self.children),
            "applications": self.applications,
            "turns": self.turns,
            "interviews": self.interviews,
            "description": self.description,
        }


class Codebook:
    """Every code of a set of turns, with its place in the tree and its counts."""

    def __init__(self, codes: dict[str, Code]) -> None:
        self.codes = dict(sorted(codes.items(), key=lambda item: item[0].casefold()))
        self._family_prefixes: set[str] | None = None
        self._link()

    @classmethod
    def from_turns(
        cls, turns: Iterable[Turn], definitions: Iterable[CodeDefinition] = ()
    ) -> Codebook:
        """The codes of ``turns``, placed and described by ``definitions`` where given (a code
        defined but never applied is listed with no applications)."""
        codes: dict[str, Code] = {}
        interviews: dict[str, set[str]] = {}
        for turn in turns:
            for paragraph in turn.paragraphs:
                for label in paragraph.codes:
                    codes.setdefault(label, Code(label)).applications += 1
            for label in turn.codes:
                codes[label].turns += 1
                interviews.setdefault(label, set()).add(turn.interview_id)
        for label, ids in interviews.items():
            codes[label].interviews = len(ids)
        defined = list(definitions)
        for definition in defined:
            codes.setdefault(definition.label, Code(definition.label))
        book = cls(codes)
        book._place(defined)
        return book

    @classmethod
    def from_labels(cls, labels: Iterable[str]) -> Codebook:
        """The tree the labels' shapes imply, without counts."""
        return cls({label: Code(label) for label in labels})

    @classmethod
    def from_counts(
        cls,
        counts: Iterable[tuple[str, int, int, int]],
        definitions: Iterable[CodeDefinition] = (),
    ) -> Codebook:
        """The same book as :meth:`from_turns`, from each code's (label, paragraphs, turns,
        interviews) as an index keeps them, without reading the turns."""
        codes = {
            label: Code(label, applications=paragraphs, turns=turns, interviews=interviews)
            for label, paragraphs, turns, interviews in counts
        }
        defined = list(definitions)
        for definition in defined:
            codes.setdefault(definition.label, Code(definition.label))
        book = cls(codes)
        book._place(defined)
        return book

    def _place(self, definitions: list[CodeDefinition]) -> None:
        for definition in definitions:
            if definition.description:
                self.codes[definition.label].description = definition.description
        if not any(d.parent for d in definitions):
            return
        for definition in definitions:
            code = self.codes[definition.label]
            parent = definition.parent if definition.parent in self.codes else None
            if parent is not None and self._above(parent, code.label):
                continue  # two code books disagree into a loop; keep the first placement
            if code.parent is not None and code.label in self.codes[code.parent].children:
                self.codes[code.parent].children.remove(code.label)
            code.parent = parent
            if parent is not None:
                self.codes[parent].children.append(code.label)
        for code in self.codes.values():
            code.children.sort(key=str.casefold)

    def _above(self, label: str, target: str) -> bool:
        """True when ``target`` is ``label`` or one of its ancestors."""
        seen: set[str] = set()
        current: str | None = label
        while current is not None and current not in seen:
            if current == target:
                return True
            seen.add(current)
            current = self.codes[current].parent
        return False

    def descendants(self, label: str) -> list[str]:
        """Every code under ``label``, at any depth."""
        out: list[str] = []
        stack = list(self.codes[label].children)
        while stack:
            child = stack.pop(0)
            if child not in out:
                out.append(child)
                stack.extend(self.codes[child].children)
        return out

    def _link(self) -> None:
        self._by_abbreviation: dict[str, str] = {}
        for code in self.codes.values():
            split = split_abbreviation(code.label)
            if split is not None:
                code.abbreviation = split[1]
                self._by_abbreviation.setdefault(split[1].casefold(), code.label)
        for code in self.codes.values():
            code.mitigates = mitigated_issue(code.label)
            parent = self._by_abbreviation.get(family_head(code.label).casefold())
            if parent and parent != code.label:
                code.parent = parent
                self.codes[parent].children.append(code.label)

    # -- queries ----------------------------------------------------------------------------

    def __contains__(self, label: object) -> bool:
        return label in self.codes

    def __len__(self) -> int:
        return len(self.codes)

    def get(self, label: str) -> Code | None:
        return self.codes.get(label)

    def in_words(self, label: str) -> str:
        """What a code is about, as a search query: its name in words, then its parent's
        (``MLP-unstable-external-dependency`` -> ``unstable external dependency, ML pipeline
        issues``). The parent is the one the filters use, code book placements included."""
        prefixes = self._prefixes()
        text = _words(label, prefixes)
        code = self.codes.get(label)
        parent = code.parent if code is not None else None
        return f"{text}, {_words(parent, prefixes)}" if parent else text

    def _prefixes(self) -> set[str]:
        if self._family_prefixes is None:
            self._family_prefixes = _family_prefixes(list(self.codes))
        return self._family_prefixes

    def mitigations_of(self, label: str) -> list[str]:
        return [c.label for c in self.codes.values() if c.mitigates == label]

    def resolve(self, names: Iterable[str]) -> frozenset[str]:
        """Exact labels for names or abbreviations (any case); a parent brings its children.

        A bare abbreviation whose family has no parent label (``QM`` with only ``QM-…``
        codes) gives the family. Unknown names raise AssistantError with close matches."""
        out: set[str] = set()
        for raw in names:
            name = raw.strip()
            if not name:
                continue
            labels = self._resolve_one(name)
            if not labels:
                raise AssistantError(self._unknown(name))
            out.update(labels)
        return frozenset(out)

    def _resolve_one(self, name: str) -> set[str]:
        folded = name.casefold()
        exact = [c for c in self.codes.values() if c.label.casefold() == folded]
        if not exact:
            exact = [
                c
                for c in self.codes.values()
                if c.abbreviation
                and folded in (c.abbreviation.casefold(), _parent_name(c.label).casefold())
            ]
        if exact:
            found: set[str] = set()
            for code in exact:
                found.add(code.label)
                found.update(self.descendants(code.label))
            return found
        return {c.label for c in self.codes.values() if c.label.casefold().startswith(folded + "-")}

    def _unknown(self, name: str) -> str:
        choices = {c.label.casefold(): c.label for c in self.codes.values()}
        choices.update(
            {
                c.abbreviation.casefold(): c.abbreviation
                for c in self.codes.values()
                if c.abbreviation
            }
        )
        close = difflib.get_close_matches(name.casefold(), list(choices), n=3, cutoff=0.6)
        if not self.codes:
            return f"unknown code {name!r}: the corpus has no codes"
        if close:
            return (
                f"unknown code {name!r}; did you mean " + ", ".join(choices[c] for c in close) + "?"
            )
        return f"unknown code {name!r} (see `assistant codes` for the {len(self.codes)} codes)"

    # -- output -----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "codes": [c.to_dict() for c in self.codes.values()],
            "distinct": len(self.codes),
            "applications": sum(c.applications for c in self.codes.values()),
        }

    def tree(self) -> list[tuple[int, Code]]:
        """Codes in display order with their depth: parents with children, then codes with
        their mitigations, then question tags."""
        rows: list[tuple[int, Code]] = []
        placed: set[str] = set()

        def add(code: Code, depth: int) -> None:
            if code.label in placed:
                return
            placed.add(code.label)
            rows.append((depth, code))
            for child in code.children:
                add(self.codes[child], depth + 1)
            for fix in self.mitigations_of(code.label):
                add(self.codes[fix], depth + 1)

        for code in self.codes.values():
            if code.kind == "parent" and not code.parent:
                add(code, 0)
        for code in self.codes.values():
            if code.kind != "question" and not code.parent and code.mitigates not in self.codes:
                add(code, 0)
        for code in self.codes.values():
            add(code, 0)
        return rows

    def render(self) -> str:
        """The tree as text: one code a line, indented under its parent or issue, with
        applications, turns and interviews."""
        rows = self.tree()
        if not rows:
            return "No codes in this corpus."
        width = max(len(code.label) + 2 * depth for depth, code in rows)
        header = f"{'code':<{width}}  {'applied':>7}  {'turns':>5}  {'interviews':>10}"
        lines = [header, "-" * len(header)]
        for depth, code in rows:
            name = "  " * depth + code.label
            note = {"mitigation": "  (mitigation)", "question": "  (question tag)"}.get(
                code.kind, ""
            )
            lines.append(
                f"{name:<{width}}  {code.applications:>7}  {code.turns:>5}  "
                f"{code.interviews:>10}{note}"
            )
        total = sum(c.applications for c in self.codes.values())
        lines.append(f"{len(self.codes)} codes, {total} applications")
        return "\n".join(lines)


def _parent_name(label: str) -> str:
    split = split_abbreviation(label)
    return split[0] if split else label


def _family_prefixes(labels: Collection[str]) -> set[str]:
    """Leading tokens that stand for a family of codes, not for a word: abbreviations named
    by a parent (``[MLP]``) and all-caps prefixes shared by several labels (``MM-drift``,
    ``MM-drift-fix``)."""
    named = {split[1] for label in labels if (split := split_abbreviation(label))}
    heads = Counter(h for label in labels if (h := family_head(label)).isupper() and len(h) > 1)
    return named | {head for head, n in heads.items() if n >= 2}


def _words(label: str, prefixes: Collection[str]) -> str:
    label = _parent_name(label)
    issue = mitigated_issue(label)
    tokens = [t for t in re.split(r"[-_\s]+", issue or label) if t]
    if len(tokens) > 1 and tokens[0] in prefixes:
        tokens = tokens[1:]
    text = " ".join(t if t.isupper() else t.lower() for t in tokens)
    return f"fix for {text}" if issue else text


def code_in_words(code: str, labels: Collection[str]) -> str:
    """The query for a code among ``labels`` (every code of a corpus): see
    ``Codebook.in_words``, which callers holding a codebook use."""
    return Codebook.from_labels(labels).in_words(code)
