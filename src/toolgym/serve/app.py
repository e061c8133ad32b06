"""The FastAPI app: `/v1/chat/completions`, `/v1/models` and `/health` over any toolgym Generator.

`create_app(generator, "name")` needs a generator with a tokenizer (transformers or vLLM backend): prompts are
rendered here with `core.formats.render_prompt`, so a request whose chat template fails gets its own 400, and
the batcher (`serve.batcher`) hands rendered prompts to `generator.generate`.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from toolgym.core.errors import InputError
from toolgym.core.formats import render_prompt
from toolgym.serve.batcher import Batcher, Output, constrains, context_limit
from toolgym.serve.protocol import (
    DEFAULT_MAX_TOKENS,
    ChatCompletionRequest,
    Choice,
    Prepared,
    Sampling,
    ServeError,
    build_choice,
    completion_response,
    error_body,
    merge_retry,
    models_list,
    new_id,
    prepare,
    sse_stream,
    stream_chunks,
    validation_error,
)


def create_app(generator: Any, model_name: str, *, fmt: str = "hermes", api_key: str | None = None,
               max_batch: int | None = None, batch_window_s: float = 0.015,
               default_max_tokens: int = DEFAULT_MAX_TOKENS) -> FastAPI:
    """An OpenAI-compatible app serving `generator` as `model_name`.

    `api_key`: when set, /v1 routes need `Authorization: Bearer <api_key>`. `max_batch` defaults to the
    generator's batch_size. `app.state.batcher.batches_run` counts the generate batches run.
    """
    if getattr(generator, "tokenizer", None) is None:
        raise ValueError("the server renders prompts itself: it needs a generator with a tokenizer")
    batcher = Batcher(generator, max_batch=max_batch or int(getattr(generator, "batch_size", 8)),
                      window_s=batch_window_s, context_limit=context_limit(generator))
    created = int(time.time())
    constrained = constrains(generator)  # the grammar enforces tool_choice: no retry needed

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        batcher.start()
        try:
            yield
        finally:
            await asyncio.to_thread(batcher.stop)

    app = FastAPI(title="toolgym", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.batcher = batcher
    app.state.model_name = model_name
    _add_error_handlers(app)

    async def check_key(request: Request) -> None:
        if api_key is None:
            return
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), api_key.encode()):
            raise ServeError("invalid or missing API key: send 'Authorization: Bearer <key>'", status=401,
                             code="invalid_api_key")

    router = APIRouter(prefix="/v1", dependencies=[Depends(check_key)])

    @router.get("/models")
    async def list_models() -> dict[str, Any]:
        return models_list(model_name, created)

    @router.post("/chat/completions")
    async def chat_completions(body: ChatCompletionRequest) -> Response:
        if body.model is not None and body.model != model_name:
            raise ServeError(f"the model {body.model!r} does not exist here; this server serves {model_name!r}",
                             status=404, param="model", code="model_not_found")
        prepared = prepare(body, default_max_tokens)
        prompt = _render(generator.tokenizer, prepared, fmt)
        out = await _generate(batcher, prompt, prepared.sampling, prepared)
        choices = _choices(out, prepared)
        if prepared.must_call and any(not c.tool_calls for c in choices) and not constrained:
            # No constrained decoding here: sample once more, then answer honestly with whatever came back.
            retry = await _generate(batcher, prompt, prepared.sampling.for_retry())
            choices = merge_retry(choices, _choices(retry, prepared))
        response_id = new_id("chatcmpl-")
        if prepared.stream:
            chunks = stream_chunks(response_id, model_name, choices, out.prompt_tokens,
                                   include_usage=prepared.include_usage)
            return StreamingResponse(sse_stream(chunks), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache"})
        return JSONResponse(completion_response(response_id, model_name, choices, out.prompt_tokens))

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "model": model_name, "batches_run": batcher.batches_run,
                "requests_run": batcher.requests_run}

    app.include_router(router)
    return app


def _render(tokenizer: Any, prepared: Prepared, fmt: str) -> str:
    try:
        return render_prompt(tokenizer, prepared.messages, prepared.offered, fmt=fmt)
    except InputError as exc:
        raise ServeError(f"the messages cannot be rendered: {exc}", param="messages") from None
    except RecursionError:
        raise ServeError("the messages are nested too deeply to render", param="messages") from None


async def _generate(batcher: Batcher, prompt: str, sampling: Sampling, prepared: Prepared | None = None) -> Output:
    if prepared is None:
        return await asyncio.wrap_future(batcher.submit(prompt, sampling))
    choice = prepared.forced if prepared.tool_choice == "named" else prepared.tool_choice
    return await asyncio.wrap_future(batcher.submit(prompt, sampling, list(prepared.offered), choice))


def _choices(out: Output, prepared: Prepared) -> list[Choice]:
    return [build_choice(i, text, prepared, tokens)
            for i, (text, tokens) in enumerate(zip(out.texts, out.completion_tokens, strict=True))]


def _add_error_handlers(app: FastAPI) -> None:
    """Every error answers in OpenAI's shape; malformed requests are 400s, never 500s or FastAPI's 422."""

    @app.exception_handler(ServeError)
    async def _serve_error(_: Request, exc: ServeError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        err = validation_error(exc.errors())
        return JSONResponse(err.body(), status_code=err.status)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code in (404, 405):
            message = f"Invalid URL ({request.method} {request.url.path})"
        elif exc.status_code == 400 and request.method == "POST":  # FastAPI could not decode the body
            message = f"the request body is not valid JSON (UTF-8): {exc.detail}"
        else:
            message = str(exc.detail)
        return JSONResponse(error_body(message), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _internal(_: Request, exc: Exception) -> JSONResponse:
        message = " ".join(str(exc).split()) or type(exc).__name__
        return JSONResponse(error_body(f"generation failed: {message}", type="server_error"), status_code=500)
