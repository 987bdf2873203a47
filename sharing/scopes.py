"""SMART scopes: which categories of the registry a scope grants, and the scopes of categories.

The consent page, the permission checks and the discovery document's `scopes_supported`
read scopes through these functions (docs/contract.md lists the catalog).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sharing.categories import (
    ALL_PATIENT_DATA,
    BY_KEY,
    CATEGORIES,
    REGISTRY,
    Category,
    CategoryKey,
    Registry,
)

__all__ = [
    "ALL_PATIENT_DATA",
    "BY_KEY",
    "CATEGORIES",
    "READ_PERMISSIONS",
    "SPECIAL_EXPLANATIONS",
    "Category",
    "CategoryKey",
    "ScopeError",
    "Scopes",
    "SpecialScope",
    "categories_of_scope",
    "granted_categories",
    "is_read_permission",
    "is_special",
    "phrase_granted",
    "required_scopes",
    "scopes_for",
    "split_scope_string",
    "supported_scopes",
]

# Permissions accepted on a resource scope. SMART v2 `rs` (read + search), its
# parts, and the v1 `read` alias; chartshare is read-only, so c/u/d are refused.
READ_PERMISSIONS = frozenset({"rs", "r", "s", "read"})
# Spellings that mean exactly what chartshare grants (echoed back in the token response).
EXACT_READ_PERMISSIONS = frozenset({"rs", "read"})
SMART_V2_PERMISSIONS = "cruds"


class SpecialScope(StrEnum):
    """Scopes that grant no data category."""

    OPENID = "openid"
    FHIR_USER = "fhirUser"
    LAUNCH_PATIENT = "launch/patient"
    OFFLINE_ACCESS = "offline_access"
    ONLINE_ACCESS = "online_access"
    PROFILE = "profile"
    EMAIL = "email"


SPECIAL_EXPLANATIONS: dict[SpecialScope, str] = {
    SpecialScope.OPENID: "Confirm who you are to the app.",
    SpecialScope.FHIR_USER: "Tell the app which person is using it.",
    SpecialScope.LAUNCH_PATIENT: "Tell the app whose record it is reading.",
    SpecialScope.OFFLINE_ACCESS: "Keep access when I am not using the app.",
    SpecialScope.ONLINE_ACCESS: "Keep access while I am using the app.",
    SpecialScope.PROFILE: "Tell the app my name.",
    SpecialScope.EMAIL: "Tell the app my email address.",
}


class ScopeError(ValueError):
    """Raised for a scope string the registry does not accept."""


def is_special(scope: str) -> bool:
    """Whether the scope is one of the special scopes (it grants no data category)."""
    return scope in _SPECIAL_VALUES


_SPECIAL_VALUES = frozenset(s.value for s in SpecialScope)


def categories_of_scope(scope: str, registry: Registry = REGISTRY) -> tuple[Category, ...]:
    """The categories one scope grants; () for special scopes; ScopeError if unknown."""
    if is_special(scope):
        return ()
    if not scope.startswith("patient/") or "." not in scope:
        raise ScopeError(f"unsupported scope {scope!r}")
    resource_part, _, query = scope.removeprefix("patient/").partition("?")
    resource_type, _, permission = resource_part.rpartition(".")
    if not is_read_permission(permission):
        raise ScopeError(f"unsupported permission in {scope!r} (chartshare is read-only)")
    if resource_type == "*":
        if query:
            raise ScopeError(f"unsupported scope {scope!r}")
        return registry.categories
    matching = tuple(c for c in registry.categories if c.resource_type == resource_type)
    if not matching:
        raise ScopeError(f"unknown resource type in {scope!r}")
    if not query:
        return matching
    name, _, value = query.partition("=")
    system, _, code = value.partition("|")
    narrowed = tuple(
        c for c in matching
        if name == "category" and c.category_system == system and c.category_code == code
    )  # fmt: skip
    if not narrowed:
        raise ScopeError(f"unknown category in {scope!r}")
    return narrowed


def is_read_permission(permission: str) -> bool:
    """`rs`, `r`, `s`, v1 `read`, or a SMART v2 permission string whose read/search part we grant.

    `cruds` or `rs` ask for more than chartshare grants only in c/u/d: the read/search
    part is granted and the rest is not (the token's `scope` says `.rs`). A v1 `*` is
    read and write, likewise granted as read.
    """
    if permission in READ_PERMISSIONS or permission == "*":
        return True
    letters = [c for c in SMART_V2_PERMISSIONS if c in permission]
    in_order = "".join(letters) == permission
    return bool(permission) and in_order and ("r" in permission or "s" in permission)


def granted_categories(scopes: Iterable[str]) -> frozenset[CategoryKey]:
    """Every category any of the (already validated) scopes grants; unknown scopes grant nothing."""
    keys: set[CategoryKey] = set()
    for scope in scopes:
        try:
            keys.update(c.key for c in categories_of_scope(scope))
        except ScopeError:
            continue
    return frozenset(keys)


def split_scope_string(raw: str) -> tuple[list[str], list[str]]:
    """Split a requested scope string into (accepted, rejected), in order, without repeats.

    Rejected scopes (`launch` without an EHR context, `user/` and `system/` scopes,
    write-only permissions, unknown names) are dropped from an authorization request,
    not fatal (RFC 6749 section 3.3); the token response's `scope` says what was granted.
    """
    accepted: list[str] = []
    rejected: list[str] = []
    for scope in dict.fromkeys(raw.split()):
        try:
            categories_of_scope(scope)
        except ScopeError:
            rejected.append(scope)
        else:
            accepted.append(scope)
    return accepted, rejected


def phrase_granted(
    requested: Iterable[str], categories: frozenset[CategoryKey], specials: Iterable[str]
) -> list[str]:
    """The granted scope in the client's own words where they fit exactly, canonical otherwise.

    A requested `.rs` or v1 `.read` scope whose categories are all granted is echoed as
    sent; the rest of the granted categories come as canonical scopes. A client that
    asked only for supported scopes and got everything sees its own scope set back.
    """
    granted_specials = list(dict.fromkeys(specials))
    result: list[str] = []
    covered: set[CategoryKey] = set()
    for scope in dict.fromkeys(requested):
        if scope in granted_specials:
            result.append(scope)
            continue
        permission = scope.partition("?")[0].rpartition(".")[2]
        try:
            keys = {c.key for c in categories_of_scope(scope)}
        except ScopeError:
            continue
        if keys and permission in EXACT_READ_PERMISSIONS and keys <= categories:
            result.append(scope)
            covered |= keys
    result.extend(s for s in granted_specials if s not in result)
    result.extend(scopes_for(categories - covered))
    return result


def scopes_for(
    categories: Iterable[CategoryKey], specials: Iterable[str] = (), registry: Registry = REGISTRY
) -> list[str]:
    """Canonical scopes for a set of categories: whole-type or `*` scopes where all are covered."""
    wanted = set(categories)
    if wanted >= set(registry.by_key):
        return [*specials, ALL_PATIENT_DATA]
    result: list[str] = list(specials)
    for resource_type in dict.fromkeys(c.resource_type for c in registry.categories):
        of_type = [c for c in registry.categories if c.resource_type == resource_type]
        chosen = [c for c in of_type if c.key in wanted]
        if chosen and len(chosen) == len(of_type):
            result.append(of_type[0].type_scope)
        else:
            result.extend(c.scope for c in chosen)
    return result


def required_scopes(key: CategoryKey) -> list[str]:
    """Scopes that would grant the category, narrowest first (for INSUFFICIENT_SCOPE errors)."""
    return BY_KEY[key].required_scopes


def supported_scopes(registry: Registry = REGISTRY) -> list[str]:
    """What the discovery document advertises as `scopes_supported`."""
    category_scopes = [c.scope for c in registry.categories]
    type_scopes = list(dict.fromkeys(c.type_scope for c in registry.categories))
    specials = [s.value for s in SpecialScope]
    return list(dict.fromkeys([*specials, ALL_PATIENT_DATA, *type_scopes, *category_scopes]))


@dataclass(frozen=True)
class Scopes:
    """Scopes parsed once: the categories they grant and the special scopes among them."""

    categories: frozenset[CategoryKey]
    specials: tuple[str, ...]

    @classmethod
    def parse(cls, scopes: str | Iterable[str]) -> "Scopes":
        """Parse a space-joined scope string or a list; unknown scopes grant nothing."""
        items = scopes.split() if isinstance(scopes, str) else list(scopes)
        specials = tuple(dict.fromkeys(s for s in items if is_special(s)))
        return cls(granted_categories(items), specials)

    def __and__(self, other: "Scopes") -> "Scopes":
        """What both allow (a token's scopes within its grant's, which may have narrowed)."""
        return Scopes(
            self.categories & other.categories,
            tuple(s for s in self.specials if s in other.specials),
        )

    def within(self, other: "Scopes") -> bool:
        """Whether these ask for nothing beyond `other` (compared by category)."""
        return self.categories <= other.categories and set(self.specials) <= set(other.specials)

    def canonical(self) -> list[str]:
        """The canonical scope list (whole-type or `*` scopes where all are covered)."""
        return scopes_for(self.categories, self.specials)

    def __str__(self) -> str:
        return " ".join(self.canonical())
