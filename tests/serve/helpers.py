"""Helpers for the serve tests: a uvicorn server in a thread on a free 127.0.0.1 port, and model-free fakes."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jinja2


@contextmanager
def running(app: Any) -> Iterator[str]:
    """Serve `app` with uvicorn in a thread; yields the base URL (…/v1); stops the server on exit."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


class FakeTokenizer:
    """Enough of a HF tokenizer for render_prompt and token counts: no template (ChatML fallback), words as tokens."""

    chat_template = None
    bos_token = None

    def apply_chat_template(self, messages: list[dict], *, chat_template: str, tokenize: bool = False,
                            add_generation_prompt: bool = True, **_: Any) -> str:
        return jinja2.Environment().from_string(chat_template).render(
            messages=messages, add_generation_prompt=add_generation_prompt)

    def __call__(self, text: str, add_special_tokens: bool = True) -> dict[str, list[str]]:
        return {"input_ids": text.split()}


class ScriptedGenerator:
    """A Generator that answers from a script: `reply(prompt, temperature)` -> text; records its batches."""

    def __init__(self, reply: Any = None, batch_size: int = 8, delay_s: float = 0.0) -> None:
        self.tokenizer = FakeTokenizer()
        self.batch_size = batch_size
        self.reply = reply or (lambda prompt, temperature: "hello there")
        self.delay_s = delay_s
        self.calls: list[dict[str, Any]] = []

    def generate(self, prompts: list[str], *, n: int = 1, temperature: float = 0.0, **kwargs: Any) -> list[list[str]]:
        self.calls.append({"prompts": list(prompts), "n": n, "temperature": temperature, **kwargs})
        time.sleep(self.delay_s)
        return [[self.reply(p, temperature) for _ in range(n)] for p in prompts]
