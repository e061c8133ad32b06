"""`toolgym export …` (owned by the train area): `verl` writes the RL prompts for verl's distributed PPO, `model`
writes a trained model as a merged HF checkpoint or a GGUF file; `toolgym soup` averages adapters into one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from toolgym.core.errors import InputError

app = typer.Typer(no_args_is_help=True, help="Export training data and trained models for other frameworks.")


@app.callback()
def export() -> None:
    """Export training data and trained models for other frameworks."""


@app.command("verl")
def verl(
    data: Annotated[Path, typer.Argument(help="Dataset folder (train.jsonl, trajectories.jsonl) or a JSONL file.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")],
    model: Annotated[str, typer.Option("--model", help="Model path for the launch script (the SFT model).")]
    = "<path-to-sft-model>",
    sources: Annotated[str, typer.Option("--sources", help="Prompt sources: invocation,trajectory.")]
    = "invocation,trajectory",
    test_size: Annotated[int, typer.Option("--test-size", min=0, help="Held-out prompts in test.parquet.")] = 64,
    n_gpus: Annotated[int, typer.Option("--n-gpus", min=1, help="GPUs per node in the launch script.")] = 8,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the train/test split.")] = 0,
) -> None:
    """Write train/test parquet (verl layout), reward_fn.py (IRM compute_score) and run_verl_ppo.sh."""
    from toolgym.train.export_verl import export_verl as run_export
    from toolgym.train.export_verl import read_records
    from toolgym.train.rl_config import RLStageConfig

    if not data.exists():
        raise InputError("no such file or folder", file=str(data))
    config = RLStageConfig.from_dict({"algorithm": "ppo", "seed": seed,
                                      "sources": [s.strip() for s in sources.split(",") if s.strip()]})
    records, records_file = read_records(data)
    summary = run_export(records, out, model=model, config=config, test_size=test_size, records_file=records_file,
                         n_gpus=n_gpus)
    console = Console()
    console.print(f"train: {summary['train']} prompts, test: {summary['test']} ({summary['prompts']}; "
                  f"{summary['bad_records']} bad records skipped)")
    console.print(f"reward: {summary['compute_score']} (custom_reward_function.path={summary['files']['reward_fn']})")
    console.print(f"launch: bash {summary['files']['launch']}")


@app.command("model")
def model(
    source: Annotated[Path, typer.Argument(metavar="RUN_OR_ADAPTER", help="A LoRA adapter folder, a model folder, "
                                           "or a recipe run folder (runs/NAME: its last training step).")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")],
    fmt: Annotated[str, typer.Option("--format", help="hf (merged checkpoint + tokenizer) or gguf (llama.cpp, "
                                     "Ollama).")] = "hf",
    base: Annotated[str | None, typer.Option("--model", help="Base model of the adapter. Default: the training "
                                             "step's, else the adapter config's, else smollm2-135m.")] = None,
    call_format: Annotated[str | None, typer.Option("--call-format", help="Call format the chat template "
                                                    "renders: hermes, json, python. Default: the training "
                                                    "step's, else hermes.")] = None,
    gguf_dtype: Annotated[str, typer.Option("--gguf-dtype", help="GGUF weights: f32 or f16 (norms stay f32).")]
    = "f16",
    verify: Annotated[bool, typer.Option("--verify/--no-verify", help="gguf: reload the file with transformers "
                                         "and compare logits with the merged model.")] = True,
) -> None:
    """Merge the adapter into its base model and write it with a chat template that renders `tools` as trained."""
    from toolgym.train import export_model as ex

    for option, value, valid in (("--format", fmt, ex.EXPORT_FORMATS), ("--gguf-dtype", gguf_dtype, ex.GGUF_DTYPES)):
        if value not in valid:
            raise InputError(f"unknown value {value!r}; choose one of {', '.join(valid)}", field=option)
    check_output_folder(out)
    resolved = ex.resolve_source(source, model=base, call_format=call_format)
    console = Console(soft_wrap=True)  # one line per figure, whatever the terminal width
    for note in resolved.notes:
        console.print(note, markup=False)
    console.print(f"base model: {resolved.model}; call format: {resolved.call_format}", markup=False)
    if fmt == "hf":
        summary = ex.export_hf(resolved, out)
        console.print(f"hf: {summary['out']} (chat template reproduces toolgym's prompt on "
                      f"{summary['template_checked']} probe conversations)", markup=False)
        return
    summary = ex.export_gguf(resolved, out, dtype=gguf_dtype, verify=verify)
    console.print(f"gguf: {summary['out']} ({summary['tensors']} tensors, {gguf_dtype}, "
                  f"{summary['bytes'] / 1e6:.0f} MB, tied embeddings: {summary['tied_embeddings']})", markup=False)
    if verify:
        v = summary["verify"]
        console.print(f"verified with transformers' GGUF loader on {v['prompts']} prompts ({v['positions']} "
                      f"positions): max abs logit difference {v['max_abs_logit_diff']:.3g} (logits up to "
                      f"{v['max_abs_logit']:.3g}), same argmax at {v['same_argmax']:.1%} of positions, "
                      f"same token ids: {v['same_token_ids']}", markup=False)


def soup(
    adapters: Annotated[list[Path], typer.Argument(metavar="ADAPTERS", help="Two or more LoRA adapter folders of "
                                                   "one base model, or recipe run folders (runs/NAME: its last "
                                                   "training step's adapter), e.g. one per seed.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder for the averaged adapter.")],
    weights: Annotated[str, typer.Option("--weights", help="Comma-separated weight per adapter (default: equal, "
                                         "summing to 1).")] = "",
    base: Annotated[str | None, typer.Option("--model", help="Base model of the adapters. Default: the first "
                                             "adapter's training step's, else its adapter config's.")] = None,
) -> None:
    """Average LoRA adapters of one base model into one adapter (a model soup): the mean of their updates."""
    from toolgym.train.soup import soup_adapters

    try:
        chosen = [float(w) for w in weights.split(",")] if weights.strip() else None
    except ValueError:
        raise InputError(f"not a comma-separated list of numbers: {weights!r}", field="--weights") from None
    check_output_folder(out)
    summary = soup_adapters(adapters, out, base, chosen)
    Console(soft_wrap=True).print(f"soup: {summary['out']} ({summary['adapters']} adapters of {summary['model']}, "
                                  f"weights {', '.join(f'{w:g}' for w in summary['weights'])}, rank "
                                  f"{summary['rank']})", markup=False)


def check_output_folder(out: Path) -> None:
    """`--out` may be a new or an existing folder, not a file (one-line error)."""
    if out.exists() and not out.is_dir():
        raise InputError("not a folder", file=str(out), field="--out")
