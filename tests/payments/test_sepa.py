"""The pure rules of payments: IBAN and BIC with German messages, the SEPA character set and the purpose line."""

from __future__ import annotations

import pytest

from portal.payments.sepa import (
    BIC_COUNTRY,
    BIC_INVALID,
    NOT_SEPA,
    PURPOSE_MAX,
    BankDetailsError,
    purpose,
    sepa_text,
    valid_bic,
    valid_iban,
)


def test_an_iban_is_stored_compact():
    assert valid_iban("de89 3704 0044 0532 0130 00") == "DE89370400440532013000"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("DE89370400440532013001", "Die Prüfziffer der IBAN stimmt nicht."),
        ("DE8937040044053201300", "nicht die richtige Länge"),
        ("XX89370400440532013000", "gültigen Ländercode"),
        ("DE89 3704 0044 0532 0130 0X", "Die IBAN ist ungültig."),
        ("TR330006100519786457841326", NOT_SEPA),  # a valid IBAN outside the SEPA area
    ],
)
def test_a_wrong_iban_gets_a_german_message_at_its_field(entry, message):
    with pytest.raises(BankDetailsError) as raised:
        valid_iban(entry)
    assert raised.value.field == "iban"
    assert message in raised.value.message


def test_the_bic_is_optional_and_checked_when_given():
    assert valid_bic("  ", "DE89370400440532013000") == ""
    assert valid_bic("cobadeffxxx", "DE89370400440532013000") == "COBADEFFXXX"
    for entry, message in (("COBADEF", BIC_INVALID), ("BNPAFRPP", BIC_COUNTRY)):
        with pytest.raises(BankDetailsError) as raised:
            valid_bic(entry, "DE89370400440532013000")
        assert (raised.value.field, raised.value.message) == ("bic", message)


def test_text_is_brought_into_the_sepa_character_set():
    assert sepa_text("Müller & Söhne  gGmbH – Straße", 70) == "Mueller Soehne gGmbH Strasse"
    assert sepa_text("Crème brûlée", 70) == "Creme brulee"
    assert sepa_text("A" * 80, 70) == "A" * 70


def test_the_purpose_names_the_month_and_the_offers():
    assert purpose(2026, 11, [15, 12]) == "Abrechnung 2026-11 Angebot Nr. 12, 15"
    assert purpose(2026, 1, [7]) == "Abrechnung 2026-01 Angebot Nr. 7"


def test_offers_beyond_140_characters_become_u_a():
    many = purpose(2026, 3, range(10000, 10030))
    assert many.startswith("Abrechnung 2026-03 Angebot Nr. 10000, 10001, ")
    assert many.endswith(" u. a.")
    # 31 characters of head, 5 for the first number, 7 for each further one (", 10001") and 6 for " u. a.":
    # 31 + 5 + 14 × 7 + 6 = 140, so 15 numbers fit.
    assert many.count(",") == 14
    assert len(many) == PURPOSE_MAX
