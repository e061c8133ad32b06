"""`toolgym serve` (owned by the serve area): check the arguments, bind the port, load the model, run uvicorn."""

from __future__ import annotations

import importlib.util
import ipaddress
import socket
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from toolgym.core.errors import InputError, ToolgymError
from toolgym.core.formats import FORMATS, check_call_format
from toolgym.models.registry import DEFAULT_MODEL

API_KEY_ENV = "TOOLGYM_API_KEY"
SERVE_BACKENDS = ("transformers", "vllm")  # the backends with a tokenizer (the server renders prompts itself)


ModelOpt = Annotated[str, typer.Option("--model", "-m", help="Registry name, local path or HF id.")]
AdapterOpt = Annotated[Path | None, typer.Option("--adapter", help="LoRA adapter folder (peft) on top.")]
HostOpt = Annotated[str, typer.Option("--host", help="Address to bind; the default accepts local clients only.")]
PortOpt = Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port (0: any free port).")]
KeyOpt = Annotated[str | None, typer.Option("--api-key", envvar=API_KEY_ENV, show_envvar=True,
                                            help="Require 'Authorization: Bearer KEY' on /v1 routes.")]
NameOpt = Annotated[str | None, typer.Option("--served-name", help="Model name clients send (default: --model).")]
BackendOpt = Annotated[str, typer.Option("--backend", help=f"Generation backend: {', '.join(SERVE_BACKENDS)}.")]
FmtOpt = Annotated[str, typer.Option("--fmt", help="Call format for chat templates without native tools: "
                                     f"{', '.join(FORMATS)}.")]
BatchOpt = Annotated[int, typer.Option("--batch-size", min=1, help="Most requests in one generate batch.")]
WindowOpt = Annotated[float, typer.Option("--batch-window-ms", min=0.0, max=10_000.0,
                                          help="How long to wait for more requests before running a batch.")]
MaxTokOpt = Annotated[int, typer.Option("--max-tokens", min=1, help="max_tokens of requests that give none.")]
ConstrainOpt = Annotated[bool, typer.Option("--constrain/--no-constrain", help="Constrain calls to the offered "
                                            "tools' JSON schemas and enforce tool_choice by grammar (xgrammar; "
                                            "transformers backend, hermes format).")]
CallBiasOpt = Annotated[float, typer.Option("--call-bias", help="Logit offset on opening a call at the answer's first "
                                            "token (choose it on a dev split: toolgym eval calibrate).")]
CopyBiasOpt = Annotated[float, typer.Option("--copy-bias", min=0.0, help="Logit bonus, inside argument values, for "
                                            "tokens that continue a span of the conversation (0: off).")]
ContinueBiasOpt = Annotated[float, typer.Option("--continue-bias", min=0.0, help="Logit bonus on the comma after an "
                                                "argument value: another (optional) parameter (0: off).")]
NextCallBiasOpt = Annotated[float, typer.Option("--next-call-bias", min=0.0, help="Logit bonus on opening another "
                                                "call block after one closes (0: off).")]
DistinctOpt = Annotated[bool, typer.Option("--distinct-calls", help="Drop a call block that repeats an earlier one "
                                           "of the same answer word for word.")]


def serve(model: ModelOpt = DEFAULT_MODEL, adapter: AdapterOpt = None, host: HostOpt = "127.0.0.1",
          port: PortOpt = 8000, api_key: KeyOpt = None, served_name: NameOpt = None,
          backend: BackendOpt = "transformers", fmt: FmtOpt = "hermes", batch_size: BatchOpt = 8,
          batch_window_ms: WindowOpt = 15.0, max_tokens: MaxTokOpt = 256, constrain: ConstrainOpt = False,
          call_bias: CallBiasOpt = 0.0, copy_bias: CopyBiasOpt = 0.0, distinct_calls: DistinctOpt = False,
          continue_bias: ContinueBiasOpt = 0.0, next_call_bias: NextCallBiasOpt = 0.0) -> None:
    """Serve a model over an OpenAI-compatible API (POST /v1/chat/completions, GET /v1/models).

    Tool calls come back as message.tool_calls; concurrent requests are batched; `stream: true` sends SSE chunks once a completion is done. tool_choice none/auto/required/named is honoured: with --constrain by the grammar (and every call matches its tool's schema), without it a missing required call is retried once with sampling, then answered as text. Binds to 127.0.0.1 by default; --api-key (or TOOLGYM_API_KEY) requires 'Authorization: Bearer KEY'.

    Example: `toolgym serve --model smollm2-135m --port 8000`, then in Python `OpenAI(base_url="http://127.0.0.1:8000/v1", api_key="KEY").chat.completions.create(model="smollm2-135m", messages=[...], tools=[...])`. Details: the toolgym.serve module docstring.
    """
    check_call_format(fmt, "--fmt")
    if backend not in SERVE_BACKENDS:
        raise InputError(f"unknown backend {backend!r}; choose one of {', '.join(SERVE_BACKENDS)}",
                         field="--backend")
    if adapter is not None and not (adapter / "adapter_config.json").is_file():
        raise InputError("not a LoRA adapter folder (no adapter_config.json)", file=str(adapter), field="--adapter")
    if api_key is not None and not api_key.strip():
        raise InputError("the API key is empty", field="--api-key")
    if constrain and (backend != "transformers" or fmt != "hermes"):
        raise InputError("needs the transformers backend and the hermes format", field="--constrain")
    if constrain and importlib.util.find_spec("xgrammar") is None:
        raise InputError("needs xgrammar: pip install 'toolgym[constrain]'", field="--constrain")
    for option, used in (("--call-bias", call_bias != 0.0), ("--copy-bias", copy_bias != 0.0),
                         ("--continue-bias", continue_bias != 0.0), ("--next-call-bias", next_call_bias != 0.0),
                         ("--distinct-calls", distinct_calls)):
        if used and (backend != "transformers" or fmt != "hermes"):
            raise InputError("needs the transformers backend and the hermes format", field=option)
    try:
        import uvicorn

        from toolgym.serve.app import create_app
    except ImportError as exc:
        raise ToolgymError(f"toolgym serve needs fastapi and uvicorn ({exc.name} is missing): "
                           "pip install fastapi uvicorn") from None
    sock = bind(host, port)  # before the model loads: a taken port fails in a second, not after the load
    try:
        if api_key is None and not _is_loopback(host):
            print(f"warning: serving on {host} without --api-key: anyone who can reach it may use it",
                  file=sys.stderr)
        from toolgym.models.backends import make_generator
        from toolgym.models.constrain import CallPolicy

        generator = make_generator(backend, model, str(adapter) if adapter else None, batch_size=batch_size,
                                   progress=False, policy=CallPolicy(constrain=constrain, call_bias=call_bias,
                                                                     copy_bias=copy_bias,
                                                                     distinct_calls=distinct_calls,
                                                                     continue_bias=continue_bias,
                                                                     next_call_bias=next_call_bias))
        name = served_name or model
        app = create_app(generator, name, fmt=fmt, api_key=api_key.strip() if api_key else None,
                         max_batch=batch_size, batch_window_s=batch_window_ms / 1000.0, default_max_tokens=max_tokens)
        bound_host, bound_port = sock.getsockname()[:2]
        print(f"serving {name} at http://{_url_host(bound_host)}:{bound_port}/v1"
              f"{' (API key required)' if api_key else ''}", file=sys.stderr)
        uvicorn.Server(uvicorn.Config(app, log_level="info")).run(sockets=[sock])
    finally:
        sock.close()


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port (as uvicorn binds: SO_REUSEADDR), or an InputError naming the option."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"cannot resolve host {host!r}: {exc}", field="--host") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", field="--port") from None
    return sock


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_host(host: Any) -> str:
    return f"[{host}]" if ":" in str(host) else str(host)
