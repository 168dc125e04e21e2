"""Passkeys (WebAuthn) with py_webauthn: the options the browser needs and the check of its answer.

The relying party is the portal's origin: PORTAL_WEBAUTHN_ORIGIN if set (behind a proxy), else the origin the
request came to. The RP ID is that origin's host name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

RP_NAME = "ARGE-Partnerportal"


@dataclass(frozen=True)
class NewCredential:
    credential_id: str  # base64url
    public_key: bytes
    sign_count: int


def origin() -> str:
    return str(current_app.config["WEBAUTHN_ORIGIN"] or request.host_url).rstrip("/")


def rp_id() -> str:
    return urlsplit(origin()).hostname or ""


def _descriptors(credential_ids: list[str]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(credential_id)) for credential_id in credential_ids]


def registration_options(user_handle: bytes, email: str, name: str, existing: list[str]) -> tuple[str, str]:
    """The options for navigator.credentials.create() as JSON, and their challenge (base64url).

    A discoverable credential with user verification: it signs in without a password as well."""
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name=RP_NAME,
        user_id=user_handle,
        user_name=email,
        user_display_name=name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED, user_verification=UserVerificationRequirement.REQUIRED
        ),
        exclude_credentials=_descriptors(existing),
    )
    return options_to_json(options), bytes_to_base64url(options.challenge)


def authentication_options(allowed: list[str]) -> tuple[str, str]:
    """The options for navigator.credentials.get(): the user's passkeys, or any of this site (`allowed` empty)."""
    options = generate_authentication_options(
        rp_id=rp_id(), allow_credentials=_descriptors(allowed), user_verification=UserVerificationRequirement.REQUIRED
    )
    return options_to_json(options), bytes_to_base64url(options.challenge)


def verify_registration(response: dict[str, Any], challenge: str) -> NewCredential | None:
    """The new credential if the browser's answer fits the challenge, the origin and the RP ID; else None."""
    try:
        verified = verify_registration_response(
            credential=response,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id(),
            expected_origin=origin(),
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError):
        return None
    return NewCredential(
        bytes_to_base64url(verified.credential_id), verified.credential_public_key, verified.sign_count
    )


def credential_id_of(response: dict[str, Any]) -> str | None:
    """The id of the credential that answered (base64url), None for a malformed answer."""
    try:
        return bytes_to_base64url(parse_authentication_credential_json(response).raw_id)
    except (WebAuthnException, ValueError, TypeError, KeyError):
        return None


def verify_assertion(response: dict[str, Any], challenge: str, public_key: bytes, sign_count: int) -> int | None:
    """The authenticator's new sign counter if the signature, challenge, origin, user verification and counter
    are right (a counter that does not grow means a cloned authenticator); else None."""
    try:
        verified = verify_authentication_response(
            credential=response,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id(),
            expected_origin=origin(),
            credential_public_key=public_key,
            credential_current_sign_count=sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError):
        return None
    return int(verified.new_sign_count)
