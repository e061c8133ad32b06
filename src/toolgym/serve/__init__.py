"""An OpenAI-compatible server over any toolgym model: `toolgym serve`.

Usage:

    toolgym serve --model smollm2-135m [--adapter runs/x/sft/adapter] [--host 127.0.0.1 --port 8000]
                  [--api-key KEY] [--batch-size 8] [--batch-window-ms 15] [--max-tokens 256]

    from openai import OpenAI
    client = OpenAI(base_url="http://127.0.0.1:8000/v1", api_key="KEY")  # any key when --api-key is unset
    reply = client.chat.completions.create(model="smollm2-135m", messages=[...], tools=[...], max_tokens=64)
    reply.choices[0].message.tool_calls  # [ChatCompletionMessageToolCall(id="call_...", function=...)]

Endpoints: `POST /v1/chat/completions`, `GET /v1/models`, `GET /health` (no key needed; it reports the
number of generate batches run).

Behaviour:
- `messages` may hold assistant `tool_calls` turns and `tool` result turns; `tools` are OpenAI function
  tools, checked with `core.schema.Tool.validate` (a bad schema is a 400 naming the tool and the field).
  Prompts are rendered with the model's chat template (`core.formats.render_prompt`, `--fmt` for templates
  without native tools); the model's text is read with `core.formats.parse_calls` (hermes, JSON or python
  calls). Calls of offered tools come back as `message.tool_calls` (arguments as a JSON string) with
  `finish_reason: "tool_calls"`; anything else comes back as `content`, with `finish_reason` `length` when the
  completion used all of `max_tokens` and `stop` otherwise.
- `tool_choice`: `auto` (the default with tools), `none` (the tools are not shown in the prompt),
  `required`, or `{"type": "function", "function": {"name": ...}}` (only that tool is shown; only its calls
  count). Decoding is not constrained: when a choice has no (matching) call, the request is generated once
  more with sampling (temperature at least 0.7); a choice still without one comes back honestly as text
  with `finish_reason` `stop` (or `length`), never as an invented call.
- `temperature` (0 = greedy, the default), `top_p`, `max_tokens` / `max_completion_tokens`, `n` (at most 16),
  `stop`, `parallel_tool_calls: false` (keeps the first call) and `stream` are honoured; other fields are
  ignored. `model` must be the served name (`--served-name`, default the `--model` value) or absent.
- `stream: true` answers with server-sent events in OpenAI's chunk format (the role, the content, each tool
  call, the finish_reason, with `stream_options.include_usage` a usage chunk, then `data: [DONE]`). The chunks
  are sent once the completion is finished: the batched generator does not yield tokens one by one.
- Concurrent requests are batched: requests arriving within `--batch-window-ms` (up to `--batch-size`) with
  the same sampling parameters run as one generate batch; requests that arrive while a batch runs form the
  next one.
- Errors use OpenAI's body, `{"error": {"message", "type", "param", "code"}}`: malformed requests are 400s
  (`invalid_request_error`, `param` names the field), a wrong key is a 401, an unknown model a 404, a prompt
  beyond the model's context a 400 with code `context_length_exceeded`.
- The server binds to 127.0.0.1 unless `--host` says otherwise. `--api-key` (or `TOOLGYM_API_KEY`) requires
  `Authorization: Bearer KEY` on /v1 routes.
"""
