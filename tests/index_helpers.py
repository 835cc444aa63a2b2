"""Hand-built interviews and one shared embedder for the index and retrieval tests."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from assistant.embeddings import LocalMiniLMEmbedding
from assistant.model import Corpus, Interview, Paragraph, Turn

_EMBEDDER: LocalMiniLMEmbedding | None = None


def embedder() -> LocalMiniLMEmbedding:
    """One model per test process: loading it is the slow part."""
    global _EMBEDDER
    if _EMBEDDER is None:
        _EMBEDDER = LocalMiniLMEmbedding()
    return _EMBEDDER


def interview(
    iid: str, turns: Iterable[tuple[str, str, tuple[str, ...]]], rev: str = ""
) -> Interview:
    """An interview from (speaker, text, codes) triples, one paragraph per turn on its own line."""
    built = []
    for n, (speaker, text, codes) in enumerate(turns, start=1):
        role = "interviewer" if speaker.lower().startswith("interviewer") else "participant"
        built.append(Turn(iid, n, speaker, role, (Paragraph(text, codes, lines=(2 * n, 2 * n)),)))
    digest = hashlib.sha256(f"{iid}{rev}{built}".encode()).hexdigest()
    return Interview(
        iid, f"Interview {iid}", f"corpus/Interview {iid}.txt", "delve-text", digest, tuple(built)
    )


MLP = "ML-pipeline-issues [MLP]"
MLP_DEP = "MLP-unstable-external-dependency"
PRIVACY = "QM-data-privacy-issues"

ONE = [
    ("Interviewer 1", "What problems did you have with the data pipeline?", ()),
    (
        "Amin",
        "The upstream API changed its format and our pipeline broke overnight.",
        (MLP, MLP_DEP),
    ),
    ("Interviewer 1", "Did privacy rules limit what data you could use?", ()),
    ("Amin", "Yes, legal asked us to remove customer names before training.", (PRIVACY,)),
    ("Interviewer 2", "How did you evaluate the model with users?", ()),
    ("Amin", "Salespeople checked the predicted leads during a pilot.", ()),
]
TWO = [
    ("Interviewer1", "Tell me about your data collection.", ()),
    ("Sara", "We labelled the images by hand, it took months.", ()),
    ("Interviewer1", "Any dependency problems?", ()),
    ("Sara", "A third-party library update silently changed the preprocessing.", (MLP_DEP,)),
]
THREE = [
    ("Interviewer", "Parlez-moi de la qualité des données.", ()),
    ("Luc", "Les données des capteurs étaient souvent manquantes.", ()),
]


def corpus(*interviews: Interview) -> Corpus:
    return Corpus(tuple(interviews))


def small_corpus() -> Corpus:
    return corpus(interview("1", ONE), interview("2", TWO), interview("3", THREE))


FIVE = [
    ("Interviewer 1", "What slowed the project down?", ()),
    ("Zoe", "Waiting weeks for the client to share the sensor data.", ()),
]
SIX = [
    ("Interviewer", "How did you monitor the model in production?", ()),
    ("Ravi", "We watched drift dashboards and retrained every month.", ()),
]


def updated_corpus() -> Corpus:
    """small_corpus() a researcher worked on: 1 edited, 2 as it was, 3 removed, 5 and 6 new."""
    edited = list(ONE)
    edited[3] = ("Amin", "Legal made us drop every customer name before training.", (PRIVACY,))
    return corpus(
        interview("1", edited, rev="v2"),
        interview("2", TWO),
        interview("5", FIVE),
        interview("6", SIX),
    )


class FakeCodebook:
    """Stands in for assistant.codebook.Codebook.resolve: abbreviation → parent and children."""

    def __init__(self, turns: Iterable[Turn]) -> None:
        self.labels = sorted({c for t in turns for c in t.codes})

    def resolve(self, names: Iterable[str]) -> frozenset[str]:
        out: set[str] = set()
        for name in names:
            if name in self.labels:
                out.add(name)
                if name.endswith("]"):
                    abbr = name[name.index("[") + 1 : -1]
                    out.update(c for c in self.labels if c.startswith(abbr + "-"))
            elif any(c.endswith(f"[{name}]") for c in self.labels):
                out.update(self.resolve([c for c in self.labels if c.endswith(f"[{name}]")]))
            else:
                from assistant.errors import AssistantError

                raise AssistantError(f"unknown code {name!r}")
        return frozenset(out)


def embedded_texts(item: Interview) -> set[str]:
    """The distinct texts an index build embeds for ``item``: its turns and its units."""
    from assistant.index import nodes
    from assistant.units import build_units

    texts = set(nodes.embedding_texts(item.turns))
    by_ordinal = {t.ordinal: t for t in item.turns}
    for unit in build_units(item.turns):
        members = [by_ordinal[o] for o in unit.ordinals]
        texts.add(nodes.make_unit_node(item, unit, members)[1])
    return texts


def embedded_count(c: Corpus) -> int:
    """Texts a first build of ``c`` embeds (identical texts are embedded once)."""
    return len(set().union(*(embedded_texts(i) for i in c.interviews)))
