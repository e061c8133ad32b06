"""Samples -> training examples, one builder per task, with the papers' prompts.

| task              | source                          | prompt                                   | target                         |
|-------------------|---------------------------------|------------------------------------------|--------------------------------|
| `invocation`      | ToolDev Fig. 5, GenTool stage 2 | query + tools (chat template `tools=`)   | calls (hermes) or a text answer|
| `doc_adaption`    | ToolDev Fig. 6 (stage 1)        | "Generate a tool definition ... : desc"  | `<tools>` full tool JSON       |
| `tool_generation` | ToolDev Fig. 7 (stage 2a)       | "Generate tools to solve the query: q"   | `<tools>` the candidate tools  |
| `ranking`         | GenTool stage 1                 | query + tools + ranking instruction      | JSON list of tool names        |
| `trajectory`      | TL-Training                     | multi-turn with tool feedback            | every assistant turn           |

An example is conversational (OpenAI messages + tools, what TRL and chat templates read) plus the indices of the
assistant turns that train, their MAE feedback categories and their gold call names (for PKT). `render_example`
renders it through the model's chat template (`toolgym.core.formats.render_prompt`: `tools=` when the template
reads tools, the ToolDev-style system prompt otherwise) and returns the character span of every trained turn,
so that train/ can label tokens through the tokenizer's offset mapping.

`tool_generation` targets the candidate toolset T of the record (ToolDev eqs. 3 and 6: query -> T), in the record's
order; `tool_generation_target="used"` keeps only the tools the gold calls use. Either way a record without a gold
call to one of its tools yields no example (its tools do not solve its query).

MAE labels: a trajectory's assistant call turns carry `feedback_category` when toolgym made them (`meta.trajectory`)
or when any turn has one. A trajectory with no label at all (user-supplied) is labelled here from its tool replies
with `toolgym.envs.feedback.classify`: a call turn gets the first error category its following tool messages report.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from toolgym.core.errors import InputError
from toolgym.core.formats import render_prompt, tool_json
from toolgym.core.schema import Message, Sample, Tool
from toolgym.envs.feedback import classify

TASKS = ("invocation", "doc_adaption", "tool_generation", "ranking", "trajectory")
TOOL_GENERATION_TARGETS = ("candidates", "used")

# The target for `gold: []` when the record carries no assistant answer of its own.
NO_CALL_ANSWER = "None of the available tools can help with this request, so I will answer directly without a tool call."

# ToolDev Appendix B, Figures 6 and 7 (the repeated first sentence of the figure is dropped; the skeleton uses
# toolgym's tool format, the JSON-Schema function doc, instead of the paper's "arguments"/"results" dialect).
TOOL_SIGNATURE_SYSTEM = (
    "You are a helpful assistant. You are skilled in generating tool signatures. You can generate high-quality "
    "tool signature according to the instruction.\n"
    "Output the tool signature within <tools></tools> XML tags, one JSON object per line:\n"
    "<tools>\n"
    '{"name":"xxx","description":"xxx","parameters":{"type":"object","properties":'
    '{"arg1":{"type":"xxx","description":"xxx"},"arg2":{...}},"required":["arg1",...]}}\n'
    "</tools>"
)
DOC_ADAPTION_USER = "Generate a tool definition according to the description: {description}"
TOOL_GENERATION_USER = "Generate tools to solve the query: {query}"

# GenTool stage 1 (the paper's exact prompt is not public): rank every candidate by how well it solves the query.
RANKING_USER = (
    "Rank all the available tools by how well each one solves the query below, from the most to the least "
    "suitable. A tool that fully solves the query ranks above one that solves it only partly. Answer with a JSON "
    "list of tool names only, without calling any tool.\nQuery: {query}"
)


@dataclass
class TrainExample:
    """One conversational training example.

    `messages` are OpenAI dicts (assistant calls as `tool_calls`), `tools` OpenAI tool dicts or [] (no tool
    prompt). `targets` lists the indices of the assistant messages that train. `feedback` maps a target index to
    its feedback category (MAE), `call_names` maps it to the names of the calls it makes (PKT), and `candidates`
    are the names of the tools on offer.
    """

    id: str
    task: str
    messages: list[dict]
    tools: list[dict] = field(default_factory=list)
    targets: list[int] = field(default_factory=list)
    feedback: dict[int, str | None] = field(default_factory=dict)
    call_names: dict[int, list[str]] = field(default_factory=dict)
    candidates: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "task": self.task, "messages": self.messages, "tools": self.tools,
                "targets": self.targets, "feedback": {str(k): v for k, v in self.feedback.items()},
                "call_names": {str(k): v for k, v in self.call_names.items()}, "candidates": self.candidates}


@dataclass
class RenderedExample:
    """The chat-template text of an example, the (start, end, message index) of each trained turn, and where the
    first user message's text starts (None when the example has none or the template rewrites it)."""

    text: str
    spans: list[tuple[int, int, int]]
    query_char: int | None = None


@dataclass
class BuildStats:
    """What `build_examples` made and skipped."""

    records: int = 0
    bad_records: int = 0
    examples: Counter = field(default_factory=Counter)
    not_eligible: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------ tasks

def _query(sample: Sample) -> str:
    users = [m.content for m in sample.messages if m.role == "user" and m.content]
    if not users:
        raise InputError("no user message with content", record=sample.id, field="messages")
    return users[0]


def _prompt_messages(sample: Sample) -> list[Message]:
    """The conversation up to (not including) a trailing assistant answer."""
    msgs = list(sample.messages)
    while msgs and msgs[-1].role == "assistant":
        msgs.pop()
    return msgs


def tools_block(tools: Iterable[Tool]) -> str:
    """`<tools>` block with one tool JSON per line (doc_adaption / tool_generation targets)."""
    return "<tools>\n" + "\n".join(tool_json(t) for t in tools) + "\n</tools>"


def parse_tools_block(text: str) -> list[dict]:
    """Inverse of `tools_block`: tool dicts from a model's `<tools>` output (one JSON per line, or a JSON list).

    Unparsable lines are dropped (the evolve rule checker decides what to keep); never raises.
    """
    match = re.search(r"<tools>(.*?)(?:</tools>|\Z)", text, re.S)
    body = (match.group(1) if match else text).strip()
    try:
        value = json.loads(body)
        items = value if isinstance(value, list) else [value]
    except ValueError:
        items = []
        for line in body.splitlines():
            try:
                items.append(json.loads(line))
            except ValueError:
                continue
    out = []
    for item in items:
        if isinstance(item, Mapping) and isinstance(item.get("function"), Mapping):
            item = item["function"]
        if isinstance(item, Mapping) and isinstance(item.get("name"), str):
            out.append(dict(item))
    return out


def invocation_examples(sample: Sample, fmt: str = "hermes") -> list[TrainExample]:
    """Query + tools -> the gold calls, or a text answer when `gold` is empty (ToolDev Fig. 5)."""
    prompt = [m.to_openai() for m in _prompt_messages(sample)]
    if not prompt:
        return []
    if sample.gold:
        answer = {"role": "assistant", "content": None, "tool_calls": [c.to_openai() for c in sample.gold]}
        names = [c.name for c in sample.gold]
    else:
        last = sample.messages[-1]
        text = last.content if last.role == "assistant" and last.content and not last.tool_calls else NO_CALL_ANSWER
        answer = {"role": "assistant", "content": text}
        names = []
    messages = prompt + [answer]
    target = len(messages) - 1
    return [TrainExample(sample.id, "invocation", messages, [t.to_openai() for t in sample.tools], [target],
                         {target: None}, {target: names}, [t.name for t in sample.tools])]


def doc_adaption_examples(sample: Sample, fmt: str = "hermes") -> list[TrainExample]:
    """Description -> full tool definition, one example per described tool (ToolDev Fig. 6)."""
    out = []
    for tool in sample.tools:
        if not tool.description.strip():
            continue
        messages = [{"role": "system", "content": TOOL_SIGNATURE_SYSTEM},
                    {"role": "user", "content": DOC_ADAPTION_USER.format(description=tool.description.strip())},
                    {"role": "assistant", "content": tools_block([tool])}]
        out.append(TrainExample(f"{sample.id}:{tool.name}", "doc_adaption", messages, [], [2]))
    return out


def tool_generation_examples(sample: Sample, fmt: str = "hermes", target: str = "candidates") -> list[TrainExample]:
    """Query -> tools in `<tools>` (ToolDev Fig. 7): the candidate toolset (`target="candidates"`, the paper's T)
    or only the tools the gold calls use (`"used"`); records without a gold call to their tools yield none."""
    if target not in TOOL_GENERATION_TARGETS:
        raise InputError(f"unknown tool_generation target {target!r}; choose from "
                         f"{', '.join(TOOL_GENERATION_TARGETS)}", field="tool_generation_target")
    by_name = {t.name: t for t in sample.tools}
    used = [by_name[name] for name in dict.fromkeys(c.name for c in sample.gold) if name in by_name]
    if not used:
        return []
    messages = [{"role": "system", "content": TOOL_SIGNATURE_SYSTEM},
                {"role": "user", "content": TOOL_GENERATION_USER.format(query=_query(sample))},
                {"role": "assistant", "content": tools_block(sample.tools if target == "candidates" else used)}]
    return [TrainExample(sample.id, "tool_generation", messages, [], [2])]


def ranking_examples(sample: Sample, fmt: str = "hermes") -> list[TrainExample]:
    """Query + tools -> tool names from most to least suitable (GenTool stage 1), from the record's `ranking`."""
    if not sample.ranking or not sample.tools:
        return []
    known = {t.name for t in sample.tools}
    unknown = [name for name in sample.ranking if name not in known]
    if unknown:
        raise InputError(f"ranked tool {unknown[0]!r} is not among the record's tools", record=sample.id,
                         field="ranking")
    messages = [{"role": "user", "content": RANKING_USER.format(query=_query(sample))},
                {"role": "assistant", "content": json.dumps(sample.ranking, ensure_ascii=False)}]
    return [TrainExample(sample.id, "ranking", messages, [t.to_openai() for t in sample.tools], [1])]


def trajectory_examples(sample: Sample, fmt: str = "hermes") -> list[TrainExample]:
    """A multi-turn episode: every assistant turn trains; call turns keep their feedback_category for MAE (or get
    one from their tool replies when the trajectory has no labels, see `feedback_labels`)."""
    if not any(m.role == "assistant" and m.tool_calls for m in sample.messages):
        return []
    messages = [m.to_openai() for m in sample.messages]
    targets = [i for i, m in enumerate(sample.messages) if m.role == "assistant"]
    feedback = feedback_labels(sample, targets)
    names = {i: [c.name for c in sample.messages[i].tool_calls or []] for i in targets}
    return [TrainExample(sample.id, "trajectory", messages, [t.to_openai() for t in sample.tools], targets,
                         feedback, names, [t.name for t in sample.tools])]


def is_labelled(sample: Sample) -> bool:
    """Whether the trajectory's MAE labels are its own: toolgym made it, or some assistant turn carries one."""
    return "trajectory" in sample.meta or any(m.feedback_category is not None for m in sample.messages
                                              if m.role == "assistant")


def classify_turn(messages: Sequence[Message], index: int) -> str | None:
    """The first error category the tool replies right after assistant turn `index` report (None: all fine).

    The replies are the tool messages that follow the turn; when the calls have ids, only replies to them count."""
    ids = {c.id for c in messages[index].tool_calls or [] if c.id}
    for message in messages[index + 1:]:
        if message.role != "tool":
            break
        if ids and message.tool_call_id is not None and message.tool_call_id not in ids:
            continue
        category = classify(message.content or "")
        if category is not None:
            return str(category)
    return None


def feedback_labels(sample: Sample, targets: Sequence[int]) -> dict[int, str | None]:
    """target index -> MAE feedback category: the stored labels, or, for a trajectory without any, the
    categories `toolgym.envs.feedback.classify` reads from each call turn's tool replies."""
    if is_labelled(sample):
        return {i: sample.messages[i].feedback_category for i in targets}
    return {i: classify_turn(sample.messages, i) if sample.messages[i].tool_calls else None for i in targets}


BUILDERS = {
    "invocation": invocation_examples,
    "doc_adaption": doc_adaption_examples,
    "tool_generation": tool_generation_examples,
    "ranking": ranking_examples,
    "trajectory": trajectory_examples,
}


def examples_for(sample: Sample, task: str, fmt: str = "hermes", *,
                 tool_generation_target: str = "candidates") -> list[TrainExample]:
    """The examples `sample` yields for `task` ([] when the sample is not eligible)."""
    if task not in BUILDERS:
        raise InputError(f"unknown task {task!r}; choose from {', '.join(TASKS)}", field="tasks")
    if task == "tool_generation":
        return tool_generation_examples(sample, fmt, tool_generation_target)
    return BUILDERS[task](sample, fmt)


def build_examples(records: Iterable[Mapping | Sample], tasks: Mapping[str, float] | Sequence[str], *,
                   seed: int = 0, fmt: str = "hermes", file: str | None = None,
                   tool_generation_target: str = "candidates") -> tuple[list[TrainExample], BuildStats]:
    """Examples for the task mix over `records`; a bad record is counted in the stats and skipped.

    `tasks` maps task -> rate: each eligible record yields floor(rate) examples plus one more with probability
    frac(rate) (seeded), so 1.0 = every record once, 0.5 = a seeded half, 2.0 = every record twice.
    `tool_generation_target`: "candidates" (ToolDev's T, the default) or "used" (see `tool_generation_examples`).
    """
    mix = {t: 1.0 for t in tasks} if not isinstance(tasks, Mapping) else dict(tasks)
    for task in mix:
        if task not in BUILDERS:
            raise InputError(f"unknown task {task!r}; choose from {', '.join(TASKS)}", field="tasks")
    if tool_generation_target not in TOOL_GENERATION_TARGETS:
        raise InputError(f"unknown tool_generation target {tool_generation_target!r}; choose from "
                         f"{', '.join(TOOL_GENERATION_TARGETS)}", field="tool_generation_target")
    rng = random.Random(seed)
    stats = BuildStats()
    out: list[TrainExample] = []
    for line, record in enumerate(records, start=1):
        stats.records += 1
        try:
            sample = record if isinstance(record, Sample) else Sample.from_record(record, file=file, line=line)
            made = {task: examples_for(sample, task, fmt, tool_generation_target=tool_generation_target)
                    for task in mix}
        except InputError as exc:
            stats.bad_records += 1
            if len(stats.errors) < 20:
                stats.errors.append(str(exc) if exc.record is not None else f"record {line}: {exc}")
            continue
        for task, rate in mix.items():
            if not made[task]:
                stats.not_eligible[task] += 1
                continue
            copies = int(rate) + (1 if rng.random() < rate - int(rate) else 0)
            for _ in range(copies):
                out.extend(made[task])
                stats.examples[task] += len(made[task])
    return out, stats


# ------------------------------------------------------------------------------------------------ rendering

def render_example(example: TrainExample, tokenizer: Any, fmt: str = "hermes") -> RenderedExample:
    """Chat-template text of the whole example and the character span of each trained assistant turn.

    A turn's span runs from the end of the prompt that precedes it (with the generation prompt) to the end of the
    turn's own text, including the template's end-of-turn token (so the model learns to stop) but not the
    whitespace after it. Raises InputError when the template does not render prefixes as prefixes.
    """
    text = render_prompt(tokenizer, example.messages, example.tools, fmt=fmt, add_generation_prompt=False)
    spans = []
    for index in example.targets:
        head = render_prompt(tokenizer, example.messages[:index], example.tools, fmt=fmt,
                             add_generation_prompt=True)
        upto = render_prompt(tokenizer, example.messages[: index + 1], example.tools, fmt=fmt,
                             add_generation_prompt=False)
        if not (upto.startswith(head) and text.startswith(upto)):
            raise InputError("the chat template does not render the conversation prefix as a prefix, so the "
                             "assistant turn cannot be located", record=example.id, field=f"messages[{index}]")
        spans.append((len(head), len(upto.rstrip()), index))
    return RenderedExample(text, spans, _first_user_char(example, tokenizer, fmt, text))


def _first_user_char(example: TrainExample, tokenizer: Any, fmt: str, text: str) -> int | None:
    """Where the text of the example's first user message starts in `text`, the whole example rendered."""
    first = next((i for i, m in enumerate(example.messages) if m.get("role") == "user"), None)
    content = str(example.messages[first].get("content") or "").strip() if first is not None else ""
    if not content:
        return None
    upto = render_prompt(tokenizer, example.messages[: first + 1], example.tools, fmt=fmt,
                         add_generation_prompt=False)
    at = upto.rfind(content)
    return at if at >= 0 and text.startswith(upto[:at]) else None
