"""The one rich progress bar every long loop shows (generation, evaluation, evolution rounds)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


@contextmanager
def progress_bar(total: int, description: str, *, enabled: bool = True,
                 done: int = 0) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr starting at `done` of `total`; yields `advance(n)` (a no-op when disabled)."""
    if not enabled or total == 0:
        yield lambda n: None
        return
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(description, total=total, completed=done)
        yield lambda n: bar.advance(task, n)
