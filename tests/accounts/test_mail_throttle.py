"""Registration and reset mails are throttled per address and per IP (docs/security.md 1), in the database like
the sign-in throttle; over the limit the answer stays the same and no mail goes out (no account enumeration)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.accounts.helpers import REGISTRANT_EMAIL, audit, register, subjects, text, user_by_email

PER_ADDRESS, PER_IP = 3, 20  # portal/config.py: MAIL_REQUESTS_PER_ADDRESS, MAIL_REQUESTS_PER_IP


def from_ip(address: str) -> dict[str, object]:
    return {"environ_base": {"REMOTE_ADDR": address}}


def ask_reset(client, email: str, ip: str = "192.0.2.1") -> str:
    response = client.post("/portal/passwort-vergessen", data={"email": email}, **from_ip(ip))
    assert response.status_code == 200
    return text(response).replace(email, "ADDRESS")


def test_reset_mails_to_one_address_are_limited(client, factories, mailbox):
    user = factories.provider()
    answers = [ask_reset(client, user.email, ip=f"192.0.2.{number}") for number in range(PER_ADDRESS + 2)]
    assert len(set(answers)) == 1  # the same answer over the limit
    assert subjects(mailbox, user.email) == ["Passwort zurücksetzen"] * PER_ADDRESS
    assert [entry.actor_email for entry in audit("reset_throttled")] == [user.email] * 2
    other = factories.provider()
    ask_reset(client, other.email)
    assert subjects(mailbox, other.email) == ["Passwort zurücksetzen"]


def test_reset_mails_from_one_ip_are_limited(client, factories, mailbox):
    for number in range(PER_IP):
        ask_reset(client, f"niemand{number}@example.org")  # unknown addresses count as well
    user = factories.provider()
    assert ask_reset(client, user.email) == ask_reset(client, user.email, ip="198.51.100.7")
    assert subjects(mailbox, user.email) == ["Passwort zurücksetzen"]  # only the one from the other IP


def test_the_limit_ends_with_the_window(client, factories, mailbox, clock):
    user = factories.provider()
    for _ in range(PER_ADDRESS + 1):
        ask_reset(client, user.email)
    clock.shift(timedelta(hours=1, seconds=1))
    ask_reset(client, user.email)
    assert len(subjects(mailbox, user.email)) == PER_ADDRESS + 1


@pytest.mark.parametrize("known", [True, False], ids=["known address", "new address"])
def test_registration_mails_are_limited_with_the_same_answer(client, factories, mailbox, known):
    email = factories.provider().email if known else REGISTRANT_EMAIL
    pages = [
        text(register(client, name=f"Verein {number} e. V.", email=email, **from_ip(f"192.0.2.{number}")))
        for number in range(PER_ADDRESS + 2)
    ]
    assert len(mailbox.to(email)) == PER_ADDRESS  # a new address: its verification link, then "already known"
    assert len({page.replace(f"Verein {number}", "") for number, page in enumerate(pages)}) == 1
    assert len(audit("register_throttled")) == 2


def test_registrations_from_one_ip_are_limited(client, mailbox):
    for number in range(PER_IP):
        register(client, name=f"Verein {number} e. V.", email=f"person{number}@example.org")
    page = text(register(client, name="Noch ein Verein e. V.", email=REGISTRANT_EMAIL))
    assert "Bitte bestätigen Sie Ihre E-Mail-Adresse" in page
    assert user_by_email(REGISTRANT_EMAIL) is None
    assert mailbox.to(REGISTRANT_EMAIL) == []
