"""Password rules and hashing (argon2id)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 12
MAX_LENGTH = 1000
# Words that make a password easy to guess in this service; context words are added per user.
FORBIDDEN_WORDS = ("jobcenter", "partnerportal", "passwort", "password", "qwertz", "qwerty", "123456", "abcdef")


def password_problems(password: str, context: Iterable[str] = ()) -> list[str]:
    """German messages for every rule the password breaks; empty when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return [f"Das Passwort muss mindestens {MIN_LENGTH} Zeichen lang sein."]
    if len(password) > MAX_LENGTH:
        return [f"Das Passwort darf höchstens {MAX_LENGTH} Zeichen lang sein."]
    folded = password.casefold()
    for word in _guessable_words(context):
        if word in folded:
            return [
                "Das Passwort darf keine leicht zu erratenden Wörter enthalten, etwa den Namen "
                "Ihrer Organisation, Ihren Namen, Ihre E-Mail-Adresse oder „Jobcenter“."
            ]
    if len(set(password)) < 5:
        return ["Das Passwort besteht aus zu wenigen verschiedenen Zeichen."]
    return []


def _guessable_words(context: Iterable[str]) -> set[str]:
    words = set(FORBIDDEN_WORDS)
    for text in context:
        for part in re.split(r"[\s@._,;:()/+-]+", text.casefold()):
            if len(part) >= 5 and part not in {"gmbh", "verein", "stadt"}:
                words.add(part)
    return words


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True for a hash made with other parameters than the configured ones: it is renewed at the next sign-in."""
    return _hasher().check_needs_rehash(password_hash)


def _hasher() -> PasswordHasher:
    """argon2id with the app's PASSWORD_HASH_PARAMETERS (portal/config.py)."""
    return PasswordHasher.from_parameters(current_app.config["PASSWORD_HASH_PARAMETERS"])
