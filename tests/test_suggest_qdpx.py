"""``assistant suggest --qdpx FILE``: the suggestions as codings of the user "interview
assistant" in a schema-valid REFI-QDA project, beside the coders' codings, each on exactly its
passage and described (confidence, reasons, model, date); the corpus files stay unchanged."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from assistant.cli import main
from assistant.ingest import load_corpus, read_file
from assistant.qdpx_export import ASSISTANT_USER

SCHEMA = Path(__file__).parent / "data" / "refi" / "Project-mrt2019.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_suggestions_become_codings_of_the_assistant_user(
    shipped_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _digest(shipped_file.parent)
    out = tmp_path / "suggested.qdpx"
    assert main(["suggest", "--json", "--threshold", "0.2", "--qdpx", str(out)]) == 0
    captured = capsys.readouterr()
    found = json.loads(captured.out)["suggestions"]
    assert found, "no suggestion on the shipped interview at 0.2"
    assert f"{len(found)} suggested coding(s) by the user 'interview assistant'" in captured.err
    assert _digest(shipped_file.parent) == before

    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    with zipfile.ZipFile(out) as archive:
        root = etree.fromstring(archive.read("project.qde"))
        [source] = root.iterfind(".//q:TextSource", NS)
        text = archive.read("sources/" + source.get("plainTextPath").split("://")[1]).decode()
    assert schema.validate(root), schema.error_log
    users = {u.get("name"): u.get("guid") for u in root.iterfind(".//q:User", NS)}
    codes = {c.get("guid"): c.get("name") for c in root.iterfind(".//q:Code", NS)}
    by_assistant = []
    for selection in source.iterfind("q:PlainTextSelection", NS):
        codings = selection.findall("q:Coding", NS)
        if all(c.get("creatingUser") != users[ASSISTANT_USER] for c in codings):
            continue
        [coding] = codings
        description = selection.findtext("q:Description", namespaces=NS)
        passage = text[int(selection.get("startPosition")) : int(selection.get("endPosition"))]
        code = codes[coding.find("q:CodeRef", NS).get("targetGUID")]
        by_assistant.append((passage, code, description))
    assert sorted((p, c) for p, c, _ in by_assistant) == sorted(
        (s["quote"], s["code"]) for s in found
    )
    for (_, _, description), item in zip(
        sorted(by_assistant), sorted(found, key=lambda s: (s["quote"], s["code"])), strict=True
    ):
        assert description.startswith(
            f"interview assistant: suggested code, confidence {item['confidence']:.2f}"
        )
        assert "model " in description and "model unknown" not in description
        assert all(reason["key"] in description for reason in item["because"])

    # Read back: the coders' codes are as they were, the suggestions are the assistant's.
    shipped = read_file(shipped_file)
    corpus = load_corpus([out])
    [again] = corpus.interviews
    assert any(ASSISTANT_USER in n.message for n in corpus.notices)
    suggested = {(s["key"], s["paragraph"], s["code"]) for s in found}
    for old, new in zip(shipped.turns, again.turns, strict=True):
        for n, (p_old, p_new) in enumerate(zip(old.paragraphs, new.paragraphs, strict=True), 1):
            added = {(code, who) for code, who in p_new.coders if who == ASSISTANT_USER}
            assert added == {
                (code, ASSISTANT_USER) for key, m, code in suggested if (key, m) == (old.key, n)
            }
            assert [c for c in p_new.codes if (c, ASSISTANT_USER) not in added] == list(p_old.codes)
