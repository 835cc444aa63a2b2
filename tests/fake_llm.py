"""A small OpenAI-compatible chat endpoint on loopback, with scripted replies.

Tests talk to it with the real ``openai`` client over real HTTP, so the request the app sends
and the way it reads replies (JSON, SSE streams, status codes, slow or broken connections) are
exercised for real. Each request takes the next scripted :class:`Reply`; every request is
recorded so tests can check what was sent.

Register the fixture with ``pytest_plugins`` or import ``fake_llm`` from this module.
"""

from __future__ import annotations

import json
import re
import select
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

MODEL = "fake-model"
API_KEY = "sk-test-DO-NOT-LEAK-4f1c2b9e7a"


@dataclass
class Reply:
    """What the server does for one request.

    ``content`` is sent as one JSON message, or as SSE chunks when the client asks to stream
    (``chunks`` overrides how it is split). ``status`` other than 200 sends an OpenAI-style
    error body. ``delay`` holds the response back; ``chunk_delay`` spaces stream chunks;
    ``cut_after`` drops the connection after that many chunks, mid-stream.
    """

    content: str | None = ""
    status: int = 200
    delay: float = 0.0
    chunk_delay: float = 0.0
    cut_after: int | None = None
    finish_reason: str | None = "stop"
    chunks: list[str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    error: str = "scripted error"
    error_code: str | None = None
    #: Sent as the whole 200 body instead of a completion (e.g. an HTML page from a proxy).
    raw: bytes | None = None


@dataclass
class Recorded:
    """One request received; header names are lower-cased."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))


class FakeLLM:
    """The server; ``url`` is the base URL to configure (``.../v1``)."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        #: Set when a client closed its connection before the scripted reply was complete.
        self.disconnected = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> FakeLLM:
        self._thread.start()
        return self

    def close(self) -> None:
        self.stopping.set()  # releases handlers that are still holding a slow reply
        self._server.shutdown()
        self._server.server_close()

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def next_reply(self) -> Reply:
        with self._lock:
            if self._script:
                return self._script.popleft()
        return Reply(status=500, error="the fake server has no scripted reply left")

    def record(self, recorded: Recorded) -> None:
        with self._lock:
            self.requests.append(recorded)


def _tokens(reply: Reply) -> list[str]:
    if reply.chunks is not None:
        return reply.chunks
    return re.findall(r"\S+\s*|\s+", reply.content or "")


def _handler_for(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def do_POST(self) -> None:  # noqa: N802 (the http.server naming)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                body = {"_raw": raw.decode(errors="replace")}
            fake.record(Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            reply = fake.next_reply()
            if reply.delay and not self._hold(reply.delay):
                return
            self.close_connection = True
            try:
                if reply.raw is not None:
                    self._raw(reply.raw)
                elif reply.status != 200:
                    self._error(reply)
                elif body.get("stream"):
                    self._stream(reply, str(body.get("model", MODEL)))
                else:
                    self._json(reply, str(body.get("model", MODEL)))
            except (BrokenPipeError, ConnectionResetError):
                fake.disconnected.set()  # the client gave up first, as tests of timeouts intend

        def _peer_gone(self) -> bool:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            try:
                return self.connection.recv(1, socket.MSG_PEEK) == b""
            except OSError:
                return True

        def _hold(self, seconds: float) -> bool:
            """Wait ``seconds`` before replying; False when the client hung up meanwhile
            (recorded in ``fake.disconnected``) or the server is stopping."""
            until = time.monotonic() + seconds
            while time.monotonic() < until:
                if self._peer_gone():
                    fake.disconnected.set()
                    return False
                if fake.stopping.wait(0.05):
                    return False
            return True

        def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _raw(self, data: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)

        def _error(self, reply: Reply) -> None:
            error = {"message": reply.error, "type": "fake_error", "code": reply.error_code}
            self._send(reply.status, {"error": error}, reply.headers)

        def _json(self, reply: Reply, model: str) -> None:
            message = {"role": "assistant", "content": reply.content}
            choice = {"index": 0, "message": message, "finish_reason": reply.finish_reason}
            payload = {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": 0,
                "model": model,
                "choices": [choice],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
            self._send(200, payload, reply.headers)

        def _chunk(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def _event(self, model: str, delta: dict[str, Any], finish: str | None) -> bytes:
            chunk = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            return f"data: {json.dumps(chunk)}\n\n".encode()

        def _stream(self, reply: Reply, model: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            for i, token in enumerate(_tokens(reply)):
                if reply.cut_after is not None and i >= reply.cut_after:
                    # Drop the connection without ending the chunked body: a cut stream.
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if reply.chunk_delay and not self._hold(reply.chunk_delay):
                    return
                self._chunk(self._event(model, {"role": "assistant", "content": token}, None))
            if reply.cut_after is not None:
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self._chunk(self._event(model, {}, reply.finish_reason))
            self._chunk(b"data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

    return Handler


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    """A running fake endpoint; script replies with ``fake_llm.script(Reply(...))``."""
    server = FakeLLM().start()
    try:
        yield server
    finally:
        server.close()
