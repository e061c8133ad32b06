"""The `toolgym` command. Each area owns its sub-commands in `<area>/commands.py`; this file wires them."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Sequence
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from toolgym.core.errors import ToolgymError
from toolgym.data import commands as data_commands
from toolgym.data.io import STRICT_ENV
from toolgym.eval import commands as eval_commands
from toolgym.models import commands as model_commands
from toolgym.recipes import commands as recipe_commands
from toolgym.serve import commands as serve_commands
from toolgym.train import commands as train_commands

try:  # typer >= 0.2x vendors click; older versions use click itself
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover
    from click import exceptions as click_errors  # type: ignore[no-redef]

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Train language models to call tools, and measure them.")
app.add_typer(model_commands.app, name="models")
app.add_typer(train_commands.app, name="export")
app.add_typer(eval_commands.app, name="eval")
app.add_typer(data_commands.app, name="data")
app.command("demo")(model_commands.demo)
app.command("call")(model_commands.call)
app.command("run")(recipe_commands.run)
app.command("ablate")(recipe_commands.ablate)
app.command("serve")(serve_commands.serve)
app.command("soup")(train_commands.soup)


@app.callback()
def _options(
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first bad record of any JSONL file "
                                         "instead of counting and skipping it.")] = False,
) -> None:
    """Train language models to call tools, and measure them."""
    if strict:
        os.environ[STRICT_ENV] = "1"


@functools.cache
def _command() -> Any:
    """The click command typer builds from `app` (built once: it inspects every command's signature)."""
    return typer.main.get_command(app)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: bad input prints one line on stderr and exits 2, never a traceback.

    `argv` defaults to the process arguments; tests pass their own.
    """
    strict_before = os.environ.get(STRICT_ENV)
    try:
        code = _command().main(args=list(argv) if argv is not None else None, prog_name="toolgym",
                               standalone_mode=False)
    except click_errors.NoArgsIsHelpError as exc:  # `toolgym data`: the help, as click prints it
        print(exc.ctx.get_help())
        sys.exit(exc.exit_code)
    except click_errors.UsageError as exc:  # unknown option, bad value: typer would draw a box around it
        path = exc.ctx.command_path if exc.ctx else "toolgym"
        _fail(f"{exc.format_message()} (see '{path} --help')", exc.exit_code)
    except click_errors.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code)
    except typer.Abort:
        _fail("aborted", 130)
    except ToolgymError as exc:
        _fail(str(exc), 2)
    except OSError as exc:  # the system refused (disk full, permissions): a line, not a traceback
        _fail(f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""), 1)
    finally:  # `--strict` holds for this invocation only (main may be called again in one process)
        if strict_before is None:
            os.environ.pop(STRICT_ENV, None)
        else:
            os.environ[STRICT_ENV] = strict_before
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> NoReturn:
    line = Text("error: ", style="red") + Text(" ".join(message.split()))  # one line, whatever the message
    Console(stderr=True, soft_wrap=True, highlight=False).print(line)
    sys.exit(code)


if __name__ == "__main__":
    main()
