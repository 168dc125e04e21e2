"""The pure parts of payments: IBAN and BIC checks with German messages (`schwifty`), text in the SEPA character
set, the purpose line of a settlement and the SEPA credit transfer file (pain.001, `sepaxml`).

The payment run freezes every payee with the text that goes into the file, so the CSV and XLSX show exactly what the
bank receives.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from schwifty import BIC, IBAN
from schwifty import exceptions as bank_errors
from sepaxml import SepaTransfer

SCHEMA = "pain.001.001.09"  # ISO 20022 of 2019, as in the German banks' DK format; sepaxml ships its XSD
PURPOSE_MAX = 140  # characters of the unstructured remittance information
NAME_MAX = 70
# The Latin character set every SEPA bank accepts (EPC guidelines); anything else becomes a space.
SEPA_CHARACTERS = re.compile(r"[^A-Za-z0-9/?:().,'+ -]")
GERMAN_LETTERS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
IBAN_EXAMPLE = "zum Beispiel DE89 3704 0044 0532 0130 00"

IBAN_MESSAGES: dict[type[Exception], str] = {
    bank_errors.InvalidChecksumDigits: "Die Prüfziffer der IBAN stimmt nicht. Bitte prüfen Sie jede Ziffer.",
    bank_errors.InvalidLength: "Die IBAN hat nicht die richtige Länge für ihr Land (in Deutschland 22 Zeichen).",
    bank_errors.InvalidCountryCode: "Die IBAN muss mit einem gültigen Ländercode beginnen, zum Beispiel DE.",
}
IBAN_INVALID = f"Die IBAN ist ungültig. Bitte prüfen Sie die Eingabe, {IBAN_EXAMPLE}."
BIC_INVALID = "Die BIC ist ungültig: 8 oder 11 Zeichen, zum Beispiel COBADEFFXXX."
BIC_COUNTRY = "Die BIC gehört zu einem anderen Land als die IBAN."
NOT_SEPA = "Die IBAN gehört zu einem Land außerhalb des SEPA-Raums; dorthin kann die Stadtkasse nicht überweisen."


class BankDetailsError(ValueError):
    """A German message for the field ("iban" or "bic") with the wrong entry."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def valid_iban(value: str) -> str:
    """The IBAN in its compact form (upper case, no spaces), or BankDetailsError with the reason."""
    try:
        iban = IBAN(value)
    except bank_errors.SchwiftyException as error:
        raise BankDetailsError("iban", IBAN_MESSAGES.get(type(error), IBAN_INVALID)) from None
    if not iban.in_sepa_zone:
        raise BankDetailsError("iban", NOT_SEPA)
    return str(iban.compact)


def valid_bic(value: str, iban: str) -> str:
    """The BIC in its compact form ("" when none was given: SEPA finds the bank by the IBAN)."""
    if not value.strip():
        return ""
    try:
        bic = BIC(value)
    except bank_errors.SchwiftyException:
        raise BankDetailsError("bic", BIC_INVALID) from None
    if bic.country_code != iban[:2]:
        raise BankDetailsError("bic", BIC_COUNTRY)
    return str(bic.compact)


def sepa_text(value: str, limit: int) -> str:
    """The text in the SEPA character set (umlauts written out, accents dropped), at most `limit` characters."""
    plain = unicodedata.normalize("NFKD", value.translate(GERMAN_LETTERS))
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    return " ".join(SEPA_CHARACTERS.sub(" ", plain).split())[:limit].strip()


def purpose(year: int, month: int, offer_ids: Iterable[int]) -> str:
    """'Abrechnung 2026-11 Angebot Nr. 12, 15'; numbers that no longer fit into 140 characters become 'u. a.'."""
    head = f"Abrechnung {year}-{month:02d} Angebot Nr. "  # 31 characters: at least one number always fits
    numbers = [str(number) for number in sorted(offer_ids)]
    count = len(numbers)
    while count > 1 and len(_listed(head, numbers, count)) > PURPOSE_MAX:
        count -= 1
    return _listed(head, numbers, count)


def _listed(head: str, numbers: list[str], count: int) -> str:
    return head + ", ".join(numbers[:count]) + (" u. a." if count < len(numbers) else "")


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_exact())


@dataclass(frozen=True)
class Account:
    """Whose money moves: the city treasury's account (the debtor) or a payee's (name, IBAN, BIC)."""

    name: str
    iban: str
    bic: str = ""


@dataclass(frozen=True)
class Transfer:
    """One credit transfer of the file: the payee, the purpose, the amount and its end-to-end reference."""

    payee: Account
    purpose: str
    amount: Decimal
    reference: str


class _Transfer(SepaTransfer):
    """sepaxml's transfer with the message id of the run: the same file downloaded twice is one message for the
    bank, which refuses a repeated MsgId instead of paying twice."""

    def __init__(self, config: dict[str, object], message_id: str) -> None:
        self._message_id = message_id
        super().__init__(config, schema=SCHEMA, clean=False)

    def _create_header(self) -> None:
        self.msg_id = self._message_id
        super()._create_header()


def credit_transfer(debtor: Account, message_id: str, transfers: Sequence[Transfer], execution: date) -> bytes:
    """The pain.001 file, validated by sepaxml against the schema it ships (an invalid file raises)."""
    config: dict[str, object] = {"name": debtor.name, "IBAN": debtor.iban, "batch": True, "currency": "EUR"}
    if debtor.bic:
        config["BIC"] = debtor.bic
    document = _Transfer(config, message_id)
    for transfer in transfers:
        payment: dict[str, object] = {
            "name": transfer.payee.name,
            "IBAN": transfer.payee.iban,
            "amount": cents(transfer.amount),
            "execution_date": execution,
            "description": transfer.purpose,
            "endtoend_id": transfer.reference,
        }
        if transfer.payee.bic:
            payment["BIC"] = transfer.payee.bic
        document.add_payment(payment)
    return bytes(document.export(validate=True))
