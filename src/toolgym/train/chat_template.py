"""A chat template that renders `tools` the way toolgym trained the model (`toolgym.core.formats.render_prompt`).

A tokenizer whose own template reads `tools` keeps it (render_prompt hands it the tools). Otherwise the template
written here rebuilds render_prompt's text-only conversation in jinja (tool system prompt merged into the system
turn, assistant calls as text in the call format, tool results as user turns in <tool_response> tags) and hands it,
as `messages`, to the base template (or toolgym's ChatML fallback when the tokenizer has none).

Checked in transformers 5.24 (utils/chat_template_utils.py, render_jinja_template): dict `tools` reach the template
unchanged as `tools` (key order kept by _plain_template_data), `tojson` is json.dumps with ensure_ascii=False and
optional separators and sort_keys, and the environment has trim_blocks/lstrip_blocks (so this template has no
newlines of its own). Tools and call arguments are printed by macros here, in `core.schema`'s canonical parameter
order (required first), as `core.formats.tool_json` and `render_prompt` print them; tojson alone cannot.

The template prints each tool's function dict as given; render_prompt first normalises it (Tool.from_dict: BFCL
docs converted, `x-` annotations dropped), so the two agree for plain OpenAI/JSON-Schema tools. Python-format calls
assume printable strings (repr escapes others).
"""

from __future__ import annotations

import json
import keyword
from typing import Any

from toolgym.core.formats import (
    CHATML_TEMPLATE,
    check_call_format,
    supports_tools,
    tool_system_prompt,
)

_TOOLS_GAP = "<tools>\n\n</tools>"  # tool_system_prompt([]) has no tool lines between the tags
_KEYSEP = "\u241f"  # joins a mapping's ordered keys between macros (jinja macros return text); assumed absent from keys

# Rebuilds `messages` as render_prompt's _messages_as_text + tool system prompt; placeholders are filled in below.
_PREFIX = r"""{%- macro pystr(s) -%}
{%- set q = '"' if ("'" in s and '"' not in s) else "'" -%}
{%- set e = s.replace('\\', '\\\\').replace('\n', '\\n').replace('\r', '\\r').replace('\t', '\\t') -%}
{{- q + (e.replace("'", "\\'") if q == "'" else e) + q -}}
{%- endmacro -%}
{%- macro ordered_keys(v, schema) -%}
{#- the keys of mapping v in core.schema.order_arguments' order, joined by KEYSEP (for a schema's own
`properties`, core.schema.parameter_order) -#}
{%- set props = schema['properties'] if (schema is mapping and schema['properties'] is mapping) else {} -%}
{%- set req = schema['required'] if (schema is mapping and schema['required'] is iterable and schema['required'] is not string and schema['required'] is not mapping) else [] -%}
{%- set o = namespace(keys=[]) -%}
{%- for r in req -%}{%- if r in props and r in v and r not in o.keys -%}{%- set o.keys = o.keys + [r] -%}{%- endif -%}{%- endfor -%}
{%- for k in v.keys() | list | sort(case_sensitive=true) -%}{%- if k in props and k not in o.keys -%}{%- set o.keys = o.keys + [k] -%}{%- endif -%}{%- endfor -%}
{%- for k in v.keys() | list | sort(case_sensitive=true) -%}{%- if k not in props -%}{%- set o.keys = o.keys + [k] -%}{%- endif -%}{%- endfor -%}
{{- o.keys | join(KEYSEP) -}}
{%- endmacro -%}
{%- macro pyval(v, schema) -%}
{%- if v is none -%}None{%- elif v is boolean -%}{{ 'True' if v else 'False' }}
{%- elif v is string -%}{{ pystr(v) }}{%- elif v is number -%}{{ v }}
{%- elif v is mapping -%}{%- set props = schema['properties'] if (schema is mapping and schema['properties'] is mapping) else {} -%}
{{ '{' }}{%- for k in (ordered_keys(v, schema).split(KEYSEP) if v else []) -%}{{ pystr(k | string) }}: {{ pyval(v[k], props[k] if k in props else none) }}{{ ', ' if not loop.last }}{%- endfor -%}{{ '}' }}
{%- else -%}[{%- for x in v -%}{{ pyval(x, schema['items'] if schema is mapping else none) }}{{ ', ' if not loop.last }}{%- endfor -%}]{%- endif -%}
{%- endmacro -%}
{%- macro jsonval(v, schema) -%}
{%- if v is mapping -%}{%- set props = schema['properties'] if (schema is mapping and schema['properties'] is mapping) else {} -%}
{{ '{' }}{%- for k in (ordered_keys(v, schema).split(KEYSEP) if v else []) -%}{{ k | tojson }}: {{ jsonval(v[k], props[k] if k in props else none) }}{{ ', ' if not loop.last }}{%- endfor -%}{{ '}' }}
{%- elif v is string or v is number or v is boolean or v is none -%}{{ v | tojson }}
{%- else -%}[{%- for x in v -%}{{ jsonval(x, schema['items'] if schema is mapping else none) }}{{ ', ' if not loop.last }}{%- endfor -%}]{%- endif -%}
{%- endmacro -%}
{%- macro tooljson(v) -%}
{#- core.formats.tool_json: compact, sorted keys, every `properties` object in core.schema.parameter_order -#}
{%- if v is mapping -%}{{ '{' }}{%- for k in v.keys() | list | sort(case_sensitive=true) -%}{{ k | tojson }}:
{%- if k == 'properties' and v[k] is mapping -%}{%- set p = v[k] -%}
{{ '{' }}{%- for q in (ordered_keys(p, v).split(KEYSEP) if p else []) -%}{{ q | tojson }}:{{ tooljson(p[q]) }}{{ ',' if not loop.last }}{%- endfor -%}{{ '}' }}
{%- else -%}{{ tooljson(v[k]) }}{%- endif -%}{{ ',' if not loop.last }}{%- endfor -%}{{ '}' }}
{%- elif v is string or v is number or v is boolean or v is none -%}{{ v | tojson }}
{%- else -%}[{%- for x in v -%}{{ tooljson(x) }}{{ ',' if not loop.last }}{%- endfor -%}]{%- endif -%}
{%- endmacro -%}
{%- macro call_text(call) -%}
{%- set fn = call.function if call.function is mapping else call -%}
{%- set args = fn.arguments if fn.arguments is defined else fn.parameters -%}
{%- if args is none or args is undefined or (args is string and not args.strip()) -%}{%- set args = {} -%}{%- endif -%}
{%- set found = namespace(schema=none) -%}
{%- for tool in (tools or []) -%}{%- set f = tool.function if tool.function is mapping else tool -%}
{%- if f['name'] == fn.name -%}{%- set found.schema = f['parameters'] -%}{%- endif -%}{%- endfor -%}
{%- if FMT == 'python' -%}
{%- set plain = namespace(items=[], other={}) -%}
{%- set props = found.schema['properties'] if (found.schema is mapping and found.schema['properties'] is mapping) else {} -%}
{%- for k in (ordered_keys(args, found.schema).split(KEYSEP) if args else []) -%}{%- set v = args[k] -%}
{%- if k.isascii() and k.isidentifier() and k not in KEYWORDS -%}{%- set plain.items = plain.items + [k + '=' + pyval(v, props[k] if k in props else none)] -%}
{%- else -%}{%- set plain.other = dict(plain.other, **{k: v}) -%}{%- endif -%}
{%- endfor -%}
{%- if plain.other -%}{%- set plain.items = plain.items + ['**' + pyval(plain.other, found.schema)] -%}{%- endif -%}
{{- fn.name + '(' + plain.items | join(', ') + ')' -}}
{%- elif args is string -%}{{- '{"name": ' + fn.name | tojson + ', "arguments": ' + args + '}' -}}
{%- else -%}{{- '{"name": ' + fn.name | tojson + ', "arguments": ' + jsonval(args, found.schema) + '}' -}}{%- endif -%}
{%- endmacro -%}
{%- macro calls_text(calls) -%}
{%- if FMT == 'hermes' -%}
{%- for c in calls -%}{{ '<tool_call>\n' + call_text(c) + '\n</tool_call>' }}{{ '\n' if not loop.last }}{%- endfor -%}
{%- else -%}[{%- for c in calls -%}{{ call_text(c) }}{{ ', ' if not loop.last }}{%- endfor -%}]{%- endif -%}
{%- endmacro -%}
{%- set tg = namespace(msgs=[], tool_turn=false, lines=[]) -%}
{%- for message in messages -%}
{%- if message.content is string -%}{%- set content = message.content -%}
{%- elif message.content is none or message.content is undefined -%}{%- set content = '' -%}
{%- else -%}{%- set content = message.content | map(attribute='text') | join('') -%}{%- endif -%}
{%- if message.role == 'tool' -%}
{%- set text = '<tool_response>\n' + content + '\n</tool_response>' -%}
{%- if tg.tool_turn -%}{%- set tg.msgs = tg.msgs[:-1] + [{'role': 'user', 'content': tg.msgs[-1].content + '\n' + text}] -%}
{%- else -%}{%- set tg.msgs = tg.msgs + [{'role': 'user', 'content': text}] -%}{%- endif -%}
{%- set tg.tool_turn = true -%}
{%- else -%}
{%- if message.role == 'assistant' and message.tool_calls -%}
{%- set calls = calls_text(message.tool_calls) -%}
{%- set content = (content.rstrip() + '\n' + calls) if content.strip() else calls -%}
{%- endif -%}
{%- set tg.msgs = tg.msgs + [{'role': message.role, 'content': content}] -%}
{%- set tg.tool_turn = false -%}
{%- endif -%}
{%- endfor -%}
{%- if tools -%}
{%- for tool in tools -%}{%- set tg.lines = tg.lines + [tooljson(tool.function if tool.function is mapping else tool)] -%}{%- endfor -%}
{%- set system = HEAD + tg.lines | join('\n') + TAIL -%}
{%- if tg.msgs and tg.msgs[0].role == 'system' -%}
{%- set tg.msgs = [{'role': 'system', 'content': tg.msgs[0].content.rstrip() + '\n\n' + system}] + tg.msgs[1:] -%}
{%- else -%}{%- set tg.msgs = [{'role': 'system', 'content': system}] + tg.msgs -%}{%- endif -%}
{%- endif -%}
{%- set messages = tg.msgs %}{{ '' }}"""


def tool_chat_template(tokenizer: Any, fmt: str = "hermes") -> str:
    """The chat template to ship with a model trained through render_prompt(tokenizer, ..., fmt)."""
    check_call_format(fmt, "--call-format")
    if supports_tools(tokenizer):
        return tokenizer.chat_template
    base = getattr(tokenizer, "chat_template", None)
    if isinstance(base, dict):
        base = base.get("default") or next(iter(base.values()), None)
    head, tail = tool_system_prompt([], fmt).split(_TOOLS_GAP)
    values = {"FMT": fmt, "HEAD": head + "<tools>\n", "TAIL": "\n</tools>" + tail, "KEYWORDS": keyword.kwlist,
              "KEYSEP": _KEYSEP}
    sets = "".join("{%- set " + k + " = " + json.dumps(v) + " -%}" for k, v in values.items())
    return sets + _PREFIX + (base if isinstance(base, str) else CHATML_TEMPLATE)
