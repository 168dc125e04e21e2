"""Demo data for `make run` and manual testing; idempotent."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import Organisation, OrgStatus, Role, Umbrella, User
from portal.accounts.passwords import hash_password
from portal.extensions import db
from portal.models import utcnow
from portal.transactions import transactional

DEMO_ORGANISATIONS = [
    {
        "name": "Caritasverband Musterstadt e. V.",
        "legal_form": "e. V.",
        "umbrella": Umbrella.CARITAS,
        "street": "Domplatz 3",
        "postal_code": "50667",
        "city": "Musterstadt",
        "phone": "0221 123450",
        "email": "info@caritas-musterstadt.example",
        "website": "https://caritas-musterstadt.example",
        "public_contact": "Frau Beispiel, Telefon 0221 123451, Montag bis Donnerstag 9 bis 15 Uhr",
        "non_profit": True,
        "iban": "DE89370400440532013000",
        "status": OrgStatus.VERIFIED,
    },
    {
        "name": "AWO Kreisverband Musterstadt e. V.",
        "legal_form": "e. V.",
        "umbrella": Umbrella.AWO,
        "street": "Rheinstraße 12",
        "postal_code": "50676",
        "city": "Musterstadt",
        "phone": "0221 987650",
        "email": "kontakt@awo-musterstadt.example",
        "website": "",
        "public_contact": "Servicebüro, Telefon 0221 987651",
        "non_profit": True,
        "iban": "DE02120300000000202051",
        "status": OrgStatus.VERIFIED,
    },
    {
        "name": "Nachbarschaftshilfe Südstadt gGmbH",
        "legal_form": "gGmbH",
        "umbrella": Umbrella.PARITAETISCHER,
        "street": "Bonner Straße 80",
        "postal_code": "50677",
        "city": "Musterstadt",
        "phone": "0221 555000",
        "email": "post@nachbarschaft-suedstadt.example",
        "website": "",
        "public_contact": "",
        "non_profit": True,
        "iban": "",
        "status": OrgStatus.PENDING,
    },
]

# (e-mail, name, role, organisation index or None, provider admin)
DEMO_USERS = [
    ("admin@caritas.example", "Clara Caritas", Role.PROVIDER, 0, True),
    ("team@caritas.example", "Karl Kessler", Role.PROVIDER, 0, False),
    ("admin@awo.example", "Anna Arslan", Role.PROVIDER, 1, True),
    ("team@awo.example", "Ole Olsen", Role.PROVIDER, 1, False),
    ("admin@suedstadt.example", "Sina Sommer", Role.PROVIDER, 2, True),
    ("sachbearbeitung@arge.example", "Stefan Sachs", Role.STAFF, None, False),
    ("teamleitung@arge.example", "Tanja Thiel", Role.APPROVER, None, False),
    ("admin@arge.example", "Adrian Adler", Role.ADMIN, None, False),
]


@transactional
def load_demo_data(password: str) -> list[tuple[str, str, str]]:
    """Create what is missing; return (e-mail, role, organisation) of every demo account."""
    organisations = [_organisation(data) for data in DEMO_ORGANISATIONS]
    password_hash = hash_password(password)
    accounts = []
    for email, name, role, org_index, org_admin in DEMO_USERS:
        organisation = organisations[org_index] if org_index is not None else None
        if db.session.scalar(select(User).where(User.email == email)) is None:
            db.session.add(
                User(
                    email=email,
                    name=name,
                    role=role,
                    organisation=organisation,
                    is_org_admin=org_admin,
                    password_hash=password_hash,
                    email_verified_at=utcnow(),
                )
            )
        accounts.append((email, role.value, organisation.name if organisation else "ARGE"))
    return accounts


def _organisation(data: dict[str, object]) -> Organisation:
    existing = db.session.scalar(select(Organisation).where(Organisation.name == data["name"]))
    if existing is not None:
        return existing
    organisation = Organisation(**data)
    if organisation.status == OrgStatus.VERIFIED:
        organisation.verified_at = utcnow()
    db.session.add(organisation)
    return organisation
