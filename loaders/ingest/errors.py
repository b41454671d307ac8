"""The one error of ingestion: what went wrong and where (file, line or proposal)."""

from __future__ import annotations


class IngestError(Exception):
    """Bad input: ``where`` names the file, line or proposal; ``exit_code`` 1 (bad data) or
    2 (bad usage: unknown source, unreadable arguments)."""

    def __init__(self, where: str, message: str, exit_code: int = 1):
        super().__init__(f"{where}: {message}")
        self.where = where
        self.exit_code = exit_code
