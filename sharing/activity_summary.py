"""Plain-language sentences for activity log entries ("Demo Tracker read 12 lab results")."""

import json
from typing import Any

from db.activity import ActivityEvent, EventKind
from sharing.categories import REGISTRY, Category, Registry

_FIXED: dict[str, str] = {
    EventKind.LOGIN: "Signed in.",
    EventKind.LOGIN_FAILED: "A sign-in attempt failed.",
    EventKind.LOGOUT: "Signed out.",
    EventKind.PATIENT_SELECTED: "Switched whose record this account is acting for.",
}

_ABOUT_APP: dict[str, str] = {
    EventKind.ACCESS_DENIED: "{app} was refused a record outside its access.",
    EventKind.CONSENT: "You allowed {app} to read your record.",
    EventKind.DENIAL: "You did not allow {app} to read your record.",
    EventKind.TOKEN_ISSUED: "{app} received access.",
    EventKind.TOKEN_REFRESHED: "{app} renewed its access.",
    EventKind.TOKEN_REUSE: "{app} presented a used code or token; its access was revoked.",
    EventKind.REVOCATION: "Access for {app} was revoked.",
    EventKind.GRANT_NARROWED: "You narrowed what {app} may read.",
    EventKind.REGISTRATION: "{app} was registered.",
    EventKind.REGISTRATION_UPDATED: "The details of {app} were changed by its developer.",
    EventKind.REGISTRATION_DELETED: "{app} was withdrawn by its developer.",
    EventKind.APP_STATUS_CHANGED: "The status of {app} changed.",
    EventKind.SECRET_ROTATED: "The secret of {app} was replaced.",
}


def _joined(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def describe_counts(counts: dict[str, Any], registry: Registry = REGISTRY) -> str:
    """Counts per category as a phrase ("12 lab results and 1 goal"), in registry order."""
    parts = []
    for category in registry.categories:
        one, many = category.noun
        count = counts.get(category.key.value)
        if isinstance(count, int) and count > 0:
            parts.append(f"{count} {one if count == 1 else many}")
    return _joined(parts)


def denied_categories(details: dict[str, Any], registry: Registry = REGISTRY) -> list[Category]:
    """The categories a read asked for and was refused, in registry order."""
    denied = details.get("denied", [])
    names = set(denied) if isinstance(denied, list) else set()
    return [c for c in registry.categories if c.key.value in names]


def _describe_read(app: str, outcome: str, details: dict[str, Any]) -> str:
    counts = details.get("categories", {})
    read = describe_counts(counts if isinstance(counts, dict) else {})
    if outcome == "rejected":
        return f"{app} sent a request that was refused before any data was read."
    if outcome == "error":
        return f"{app} made a request that failed on our side; no data was returned."
    sentence = f"{app} read {read}." if read else f"{app} made a request that returned no data."
    refused = _joined([category.noun[1] for category in denied_categories(details)])
    if refused:
        sentence += f" It was refused {refused}: you have not shared them with it."
    return sentence


def summarize(event: ActivityEvent, app_name: str | None) -> str:
    """One sentence a patient understands, without any clinical value."""
    details = json.loads(event.details)
    app = app_name or "An app"
    if event.kind == EventKind.DATA_READ:
        return _describe_read(app, event.outcome, details)
    if event.kind == EventKind.ENDED_ACCESS_USED:
        return f"{app}, whose access had ended, tried to read your record and was refused."
    if event.kind == EventKind.REPRESENTATIVE_REMOVED:
        who = details.get("representative_name") or "A representative"
        revoked = details.get("revoked_grants")
        lost = (
            f"; the {revoked} app{'s' if revoked != 1 else ''} they allowed lost access"
            if isinstance(revoked, int) and revoked
            else ""
        )
        return f"{who} no longer acts for this record{lost}."
    if event.kind == EventKind.REVOCATION and details.get("reason") == "representative_removed":
        return f"Access for {app} ended because the representative who allowed it was removed."
    if event.kind == EventKind.RECORD_EXPORTED:
        counts = details.get("categories", {})
        saved = describe_counts(counts if isinstance(counts, dict) else {})
        return f"You downloaded your record ({saved})." if saved else "You downloaded your record."
    if event.kind == EventKind.ACCESS_DENIED and event.app_id is None:
        return "A request for a record outside this account's access was refused."
    if event.kind == EventKind.CONSENT and details.get("updated") is True:
        return f"You updated your consent for {app}."
    if event.kind == EventKind.REVOCATION and "device_tokens_revoked" in details:
        return f"{app} signed out on one device; its other devices keep access."
    if event.kind == EventKind.REVOCATION and details.get("reason") == "superseded":
        return f"The earlier access of {app} was replaced by a new consent."
    if event.kind == EventKind.REVOCATION and details.get("reason") == "app_deleted":
        return f"Access for {app} ended because its developer withdrew the app."
    if event.kind in _FIXED:
        return _FIXED[event.kind]
    template = _ABOUT_APP.get(event.kind, "{app}: " + event.kind.replace("_", " ") + ".")
    sentence = template.format(app=app)
    return sentence[0].upper() + sentence[1:]
