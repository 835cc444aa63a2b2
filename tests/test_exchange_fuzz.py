"""Odd Word, caption and REFI-QDA files: an interview, a code book or one CorpusError naming
the file, never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qdpx_samples import pack

from assistant.errors import CorpusError
from assistant.ingest.loader import read_path

PIECES = st.sampled_from(
    [
        "WEBVTT\n\n",
        "00:00:01.000 --> 00:00:02.000\n",
        "00:00:0x --> 00:00:02,000\n",
        "1\n00:00:01,000 --> 00:00:02,000\n",
        "<v Ana>",
        "</v>",
        "Ana: ",
        "&amp;",
        "\n\n",
        "<Project xmlns='urn:QDA-XML:project:1.0'>",
        "<Sources><TextSource guid='a' name='Interview 1'><PlainTextContent>",
        "</PlainTextContent>",
        "<PlainTextSelection guid='s' startPosition='0' endPosition='4'>",
        "<Coding guid='c'><CodeRef targetGUID='k'/></Coding>",
        "<CodeBook><Codes><Code guid='k' name='X' isCodable='true'>",
        "</Code></Codes></CodeBook>",
        "</PlainTextSelection></TextSource></Sources></Project>",
        "<CodeBook xmlns='urn:QDA-XML:codebook:1.0'>",
    ]
)
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=20)), max_size=25).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["a.vtt", "a.srt", "a.qdc", "a.docx", "a.qdpx", "a"]),
    st.one_of(
        TEXTS.map(str.encode),
        st.binary(max_size=200),
        TEXTS.map(lambda t: pack({"project.qde": t.encode()})),
        TEXTS.map(lambda t: pack({"word/document.xml": t.encode()})),
    ),
)
def test_odd_files_give_interviews_or_one_corpus_error(name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            interviews, codes = read_path(path)
        except CorpusError as exc:
            assert str(exc).startswith(str(path))
            assert "\n" not in str(exc)
            # The loader's last resort for reader bugs: never the way a bad file is reported.
            assert "could not be read (" not in str(exc), str(exc)
        else:
            assert interviews or codes
            assert all(i.turns for i in interviews)
