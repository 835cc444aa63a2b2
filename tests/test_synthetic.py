"""The synthetic-corpus generator used by the scale benchmark."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).parent / "bench" / "make_synthetic_corpus.py"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_synthetic_corpus", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


def _blocks(path: Path) -> list[tuple[str, str]]:
    out = []
    for block in path.read_text(encoding="utf-8").rstrip("\n").split("\n\n"):
        speaker, sep, text = block.partition(": ")
        assert sep, f"{path.name}: block without 'Speaker: ' prefix: {block[:60]!r}"
        out.append((speaker, text))
    return out


def test_n_files_deterministic_per_seed(
    generator: ModuleType, tmp_path: Path, shipped_file: Path
) -> None:
    first = generator.make_corpus(tmp_path / "a", 7, seed=3, sources=[shipped_file])
    again = generator.make_corpus(tmp_path / "b", 7, seed=3, sources=[shipped_file])
    other = generator.make_corpus(tmp_path / "c", 7, seed=4, sources=[shipped_file])
    assert [p.name for p in first] == [f"Synthetic {i:04d}.txt" for i in range(1, 8)]
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [p.name for p in first]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    assert [p.read_bytes() for p in first] != [p.read_bytes() for p in other]
    assert len({p.read_bytes() for p in first}) == 7  # interviews differ from each other


def test_every_turn_is_verbatim_from_a_real_file(
    generator: ModuleType, tmp_path: Path, shipped_file: Path
) -> None:
    source = shipped_file.read_text(encoding="utf-8")
    paths = generator.make_corpus(tmp_path, 5, seed=0, sources=[shipped_file])
    speakers = set()
    for path in paths:
        blocks = _blocks(path)
        assert len(blocks) >= 10
        for speaker, text in blocks:
            assert text.strip() and text in source, f"{path.name}: not verbatim: {text[:60]!r}"
            speakers.add(speaker)
    assert {"Interviewee", "Interviewer 1"} <= speakers


def test_output_loads_as_plain_transcripts(
    generator: ModuleType, tmp_path: Path, shipped_file: Path
) -> None:
    from assistant.ingest import load_corpus

    paths = generator.make_corpus(tmp_path, 3, seed=1, sources=[shipped_file])
    corpus = load_corpus([tmp_path])
    assert not corpus.errors
    assert sorted(i.id for i in corpus.interviews) == [f"synthetic-000{n}" for n in (1, 2, 3)]
    for interview, path in zip(sorted(corpus.interviews, key=lambda i: i.id), paths, strict=True):
        assert interview.format == "transcript"
        # each block reads back as one turn, its text exactly the block's text
        assert [p.text for t in interview.turns for p in t.paragraphs] == [
            text for _, text in _blocks(path)
        ]
        assert len(interview.turns) == len(_blocks(path))


@pytest.mark.shared_corpus
def test_mixes_the_shared_transcripts_when_present(
    generator: ModuleType, tmp_path: Path, shared_corpus: Path, shipped_file: Path
) -> None:
    sources = [shipped_file, shared_corpus / "transcripts"]
    paths = generator.make_corpus(tmp_path, 20, seed=0, sources=sources)
    texts = [shipped_file.read_text(encoding="utf-8")] + [
        p.read_text(encoding="utf-8") for p in sorted((shared_corpus / "transcripts").iterdir())
    ]
    from_shared = 0
    for path in paths:
        for _, text in _blocks(path):
            homes = [i for i, t in enumerate(texts) if text in t]
            assert homes, f"{path.name}: not verbatim: {text[:60]!r}"
            from_shared += homes[0] > 0
    assert from_shared > 0
