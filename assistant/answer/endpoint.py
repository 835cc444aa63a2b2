"""One chat completion from an OpenAI-compatible endpoint, within a hard time limit.

The request runs in a worker thread and hands tokens to the caller through a queue, so the
caller can give up at the deadline whatever the socket is doing: the HTTP client's own
timeouts bound each read, not a reply that trickles in for ever. Retries (429, 5xx, connection
errors) are ours rather than the client's so that their back-off also counts against the
deadline; a stream is never retried once tokens have reached the caller.

Every failure becomes an :class:`LLMError` with a one-line reason that never contains the API
key.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assistant.errors import LLMError
from assistant.settings import Settings

#: First back-off delay in seconds; doubled on each retry, capped below.
BACKOFF_START = 0.5
BACKOFF_MAX = 8.0
#: Servers behind some proxies ignore a missing key but the client refuses to send none.
PLACEHOLDER_KEY = "not-needed"


@dataclass(frozen=True)
class Reply:
    text: str
    finish_reason: str | None


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def _one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"


class Endpoint:
    """Chat completions from ``settings.llm_base_url`` with ``settings.llm_model``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
        self._key = key
        self._where = settings.llm_base_url or "the OpenAI API"

    def scrub(self, text: str) -> str:
        """``text`` with the API key blanked out, should an error message ever echo it."""
        return text.replace(self._key, "***") if self._key else text

    def complete(
        self, messages: list[dict[str, str]], on_token: Callable[[str], None] | None = None
    ) -> Reply:
        """The model's reply; streamed to ``on_token`` (in the caller's thread) when given."""
        timeout = self.settings.llm_timeout
        deadline = time.monotonic() + timeout
        events: queue.Queue[tuple[str, Any]] = queue.Queue()
        cancel = threading.Event()
        worker = threading.Thread(
            target=self._work,
            args=(messages, on_token is not None, deadline, events, cancel),
            name="assistant-llm",
            daemon=True,
        )
        worker.start()
        parts: list[str] = []
        size = 0
        cap = self.settings.llm_max_reply_chars
        too_long = LLMError(
            f"the reply passed {cap} characters (ASSISTANT_LLM_MAX_REPLY_CHARS) and was abandoned"
        )
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise LLMError(
                        f"no complete reply from {self._where} within {timeout:g} s "
                        "(ASSISTANT_LLM_TIMEOUT)"
                    )
                try:
                    kind, value = events.get(timeout=remaining)
                except queue.Empty:
                    continue
                if kind == "token":
                    size += len(value)
                    if size > cap:
                        raise too_long
                    parts.append(value)
                    if on_token is not None:
                        on_token(value)
                elif kind == "done":
                    text = "".join(parts) if on_token is not None else value[0]
                    if len(text) > cap:
                        raise too_long
                    return Reply(text, value[1])
                else:
                    raise LLMError(self.scrub(value))
        finally:
            cancel.set()

    # -- the worker thread ---------------------------------------------------------------

    def _work(
        self,
        messages: list[dict[str, str]],
        stream: bool,
        deadline: float,
        events: queue.Queue[tuple[str, Any]],
        cancel: threading.Event,
    ) -> None:
        import openai

        client = openai.OpenAI(
            base_url=self.settings.llm_base_url,
            api_key=self._key or PLACEHOLDER_KEY,
            max_retries=0,
            timeout=self.settings.llm_timeout,
        )
        attempts = self.settings.llm_max_retries + 1
        sent = [False]
        try:
            for attempt in range(attempts):
                try:
                    self._attempt(client, messages, stream, deadline, events, cancel, sent)
                    return
                except _Retryable as exc:
                    if sent[0] or attempt + 1 >= attempts:
                        tries = f" after {attempt + 1} attempts" if attempt else ""
                        events.put(("error", exc.reason + tries))
                        return
                    delay = min(BACKOFF_START * 2**attempt, BACKOFF_MAX)
                    if exc.retry_after is not None:
                        delay = max(delay, min(exc.retry_after, BACKOFF_MAX))
                    if time.monotonic() + delay >= deadline:
                        events.put(("error", f"{exc.reason}; no time left to retry"))
                        return
                    if cancel.wait(delay):
                        return
        except LLMError as exc:
            events.put(("error", str(exc)))
        except Exception as exc:  # anything the client raises must reach the caller as a reason
            events.put(("error", f"unexpected failure talking to {self._where} ({exc!r:.120})"))
        finally:
            client.close()

    def _attempt(
        self,
        client: Any,
        messages: list[dict[str, str]],
        stream: bool,
        deadline: float,
        events: queue.Queue[tuple[str, Any]],
        cancel: threading.Event,
        sent: list[bool],
    ) -> None:
        import openai

        remaining = max(0.05, deadline - time.monotonic())
        try:
            response = client.chat.completions.create(
                model=self.settings.llm_model,
                messages=messages,
                temperature=self.settings.llm_temperature,
                stream=stream,
                timeout=remaining,
            )
            if not stream:
                choice = response.choices[0] if response.choices else None
                text = (choice.message.content or "") if choice else ""
                events.put(("done", (text, choice.finish_reason if choice else None)))
                return
            finish: str | None = None
            with response:
                for chunk in response:
                    if cancel.is_set():
                        return
                    for choice in chunk.choices or ():
                        token = choice.delta.content if choice.delta else None
                        if token:
                            sent[0] = True
                            events.put(("token", token))
                        finish = choice.finish_reason or finish
            if finish is None:
                raise LLMError("the reply stream was cut off mid-way (no end of reply received)")
            events.put(("done", ("", finish)))
        except openai.APITimeoutError:
            raise LLMError(
                f"no reply from {self._where} within {self.settings.llm_timeout:g} s "
                "(ASSISTANT_LLM_TIMEOUT)"
            ) from None
        except openai.APIConnectionError as exc:
            if sent[0]:
                raise LLMError("the reply stream was cut off mid-way") from None
            raise _Retryable(f"cannot reach {self._where} ({_one_line(str(exc), 80)})") from None
        except openai.APIStatusError as exc:
            raise self._status_error(exc) from None
        except (LLMError, _Retryable):
            raise
        except ValueError:  # a body that is not JSON (a proxy's HTML page), or not a completion
            if sent[0]:
                raise LLMError("the reply stream was cut off mid-way (unreadable data)") from None
            raise LLMError(
                f"unreadable reply from {self._where}: not the JSON of an OpenAI-compatible "
                "endpoint"
            ) from None
        except openai.APIError as exc:  # an error event inside the stream, a malformed body
            if sent[0]:
                raise LLMError(f"the reply stream was cut off mid-way ({exc.message})") from None
            raise LLMError(f"unreadable reply from {self._where} ({exc.message})") from None
        except Exception as exc:  # the HTTP library's own errors while reading a stream
            if sent[0]:
                raise LLMError(
                    f"the reply stream was cut off mid-way ({type(exc).__name__})"
                ) from None
            raise _Retryable(f"connection to {self._where} failed ({type(exc).__name__})") from None

    def _status_error(self, exc: Any) -> Exception:
        code = exc.status_code
        detail = _one_line(self.scrub(str(getattr(exc, "message", "") or "")), 100)
        retry_after = _retry_after(exc.response.headers.get("retry-after"))
        if code == 429:
            return _Retryable(f"rate limited by {self._where} (HTTP 429)", retry_after)
        if code >= 500 or code in (408, 409):
            return _Retryable(f"server error at {self._where} (HTTP {code})", retry_after)
        lowered = detail.lower()
        if code in (400, 413) and (
            "context" in lowered or "too long" in lowered or "maximum" in lowered
        ):
            return LLMError(
                f"the question and evidence are too long for the model's context (HTTP {code}); "
                "ask with a smaller -k"
            )
        if code in (401, 403):
            return LLMError(f"{self._where} rejected the API key (HTTP {code})")
        if code == 404:
            return LLMError(
                f"model {self.settings.llm_model!r} or its endpoint not found at {self._where} "
                "(HTTP 404)"
            )
        return LLMError(f"{self._where} refused the request (HTTP {code}: {detail})")


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
