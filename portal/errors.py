"""Errors that services raise for the view to show next to a field or at the top of the page."""

from __future__ import annotations


class ServiceError(Exception):
    """A business rule refused the change; `message` is German and shown to the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(ServiceError):
    """Someone else changed the object in the meantime (optimistic locking)."""

    def __init__(self) -> None:
        super().__init__(
            "Jemand anderes hat diese Daten inzwischen geändert. Ihre Änderung wurde nicht gespeichert. "
            "Bitte laden Sie die Seite neu und prüfen Sie die aktuellen Angaben."
        )


DUPLICATE_MESSAGE = (
    "Dieser Eintrag wurde bereits gespeichert, zum Beispiel durch einen doppelten Klick. "
    "Bitte laden Sie die Seite neu und prüfen Sie die aktuellen Angaben."
)


class DuplicateError(ServiceError):
    """A unique constraint refused a second copy of a record that exists already."""

    def __init__(self, message: str = DUPLICATE_MESSAGE, field: str | None = None) -> None:
        super().__init__(message, field)
