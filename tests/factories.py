"""Factories for test data: valid objects with sensible defaults, changed by keyword."""

from __future__ import annotations

import itertools
from typing import Any

from argon2 import PasswordHasher

from portal.accounts.models import Organisation, OrgStatus, Role, Umbrella, User
from portal.extensions import db
from portal.models import utcnow

DEFAULT_PASSWORD = "ein langer Testsatz für alle"
# Fast parameters for test speed; production hashes use the library defaults.
_FAST_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(DEFAULT_PASSWORD)
_counter = itertools.count(1)


class Factories:
    def organisation(self, **values: Any) -> Organisation:
        number = next(_counter)
        data: dict[str, Any] = {
            "name": f"Testträger {number} e. V.",
            "legal_form": "e. V.",
            "umbrella": Umbrella.DIAKONIE,
            "street": "Hauptstraße 1",
            "postal_code": "50667",
            "city": "Musterstadt",
            "phone": "0221 1234",
            "email": f"info{number}@traeger.example",
            "status": OrgStatus.VERIFIED,
            "iban": "DE89370400440532013000",
        }
        data.update(values)
        organisation = Organisation(**data)
        db.session.add(organisation)
        db.session.flush()
        return organisation

    def user(self, role: Role = Role.PROVIDER, **values: Any) -> User:
        number = next(_counter)
        data: dict[str, Any] = {
            "email": f"user{number}@example.org",
            "name": f"Person {number}",
            "role": role,
            "password_hash": values.pop("password_hash", _FAST_HASH),
            "email_verified_at": utcnow(),
        }
        if role == Role.PROVIDER and "organisation" not in values:
            data["organisation"] = self.organisation()
        data.update(values)
        user = User(**data)
        db.session.add(user)
        db.session.flush()
        return user

    def provider(self, **values: Any) -> User:
        return self.user(Role.PROVIDER, **values)

    def staff(self, **values: Any) -> User:
        return self.user(Role.STAFF, **values)
