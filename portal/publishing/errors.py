"""The one error of the publishing pipeline: its message is German and says which step failed and why."""

from __future__ import annotations


class PublishError(Exception):
    """A publish step failed; the previous site stays online."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
