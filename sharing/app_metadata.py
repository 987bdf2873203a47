"""The registration rules for an app's metadata, shared by RFC 7591/7592 and GraphQL."""

import ipaddress
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from sharing.scopes import split_scope_string

MAX_REDIRECT_URIS = 10


class RegistrationProblem(Exception):
    """Why an app cannot be registered; `code` follows RFC 7591 error codes."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code = code  # invalid_redirect_uri | invalid_client_metadata
        self.field = field
        self.message = message


@dataclass
class AppMetadata:
    """What a developer submits about an app."""

    name: str
    redirect_uris: list[str]
    confidential: bool
    description: str | None = None
    homepage_url: str | None = None
    logo_url: str | None = None
    privacy_policy_url: str | None = None
    terms_url: str | None = None
    scope: str = ""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _split(value: str) -> SplitResult | None:
    """The parts of a URL; None if it cannot be parsed (`https://[::1`, a port of 99999)."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return None
    return parts


def check_redirect_uri(uri: str) -> None:
    """HTTPS, or http on a loopback address (native apps, RFC 8252); no fragment; absolute."""
    parts = _split(uri) if isinstance(uri, str) and len(uri) <= 2000 else None
    if parts is None:
        raise RegistrationProblem("invalid_redirect_uri", "redirect_uris", "Invalid redirect URI.")
    if parts.fragment or not parts.netloc or parts.username or parts.password:
        raise RegistrationProblem(
            "invalid_redirect_uri",
            "redirect_uris",
            f"Redirect URI {uri!r} must be absolute, without fragment or credentials.",
        )
    host = parts.hostname or ""
    if parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(host)):
        return
    raise RegistrationProblem(
        "invalid_redirect_uri",
        "redirect_uris",
        f"Redirect URI {uri!r} must use https (http only on a loopback address).",
    )


def _check_link(value: str | None, name: str) -> str | None:
    if value is None or value == "":
        return None
    parts = _split(value)
    if parts is None or parts.scheme != "https" or not parts.netloc or len(value) > 2000:
        raise RegistrationProblem("invalid_client_metadata", name, f"{name} must be an https URL.")
    return value


def validate_metadata(metadata: AppMetadata) -> AppMetadata:
    """Check and tidy the submitted metadata; RegistrationProblem names the first bad field."""
    name = (metadata.name or "").strip()
    if not 1 <= len(name) <= 120:
        raise RegistrationProblem(
            "invalid_client_metadata", "client_name", "A name of 1-120 characters is required."
        )
    uris = list(dict.fromkeys(metadata.redirect_uris or []))
    if not uris or len(uris) > MAX_REDIRECT_URIS:
        raise RegistrationProblem(
            "invalid_redirect_uri",
            "redirect_uris",
            f"Give between 1 and {MAX_REDIRECT_URIS} redirect URIs.",
        )
    for uri in uris:
        check_redirect_uri(uri)
    accepted, rejected = split_scope_string(metadata.scope or "")
    if rejected:
        raise RegistrationProblem(
            "invalid_client_metadata", "scope", f"Unsupported scopes: {' '.join(rejected)}"
        )
    description = (metadata.description or "").strip() or None
    if description is not None and len(description) > 2000:
        raise RegistrationProblem(
            "invalid_client_metadata", "description", "The description is too long."
        )
    return AppMetadata(
        name=name,
        redirect_uris=uris,
        confidential=metadata.confidential,
        description=description,
        homepage_url=_check_link(metadata.homepage_url, "client_uri"),
        logo_url=_check_link(metadata.logo_url, "logo_uri"),
        privacy_policy_url=_check_link(metadata.privacy_policy_url, "policy_uri"),
        terms_url=_check_link(metadata.terms_url, "tos_uri"),
        scope=" ".join(accepted),
    )
