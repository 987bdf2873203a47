"""Who may read what through the FHIR API: the scope registry's decision, per resource type.

A search or read outside the grant is refused with the scopes that would allow it; a
search that names no category returns the granted categories only.
"""

from collections.abc import Iterable

from sharing.fhir.ids import categories_of_type
from sharing.scopes import ALL_PATIENT_DATA, BY_KEY, CategoryKey, SpecialScope, required_scopes

K = CategoryKey
# Resource types that one category serves whole (Patient is demographics).
SINGLE_CATEGORY_TYPES: dict[str, CategoryKey] = {
    "Patient": K.DEMOGRAPHICS,
    "CareTeam": K.CARE_TEAM,
}


class ScopeRefused(PermissionError):
    """Raised when the grant does not cover what was asked; carries the scopes that would."""

    def __init__(self, categories: Iterable[CategoryKey], scopes: list[str]) -> None:
        self.categories = tuple(categories)
        self.scopes = scopes
        super().__init__("The access token's grant does not cover this: " + " or ".join(scopes))


class OtherPatient(PermissionError):
    """Raised when a request names a patient other than the token's."""


def categories_served(resource_type: str) -> tuple[CategoryKey, ...]:
    """The categories a resource type can return."""
    if resource_type in SINGLE_CATEGORY_TYPES:
        return (SINGLE_CATEGORY_TYPES[resource_type],)
    return categories_of_type(resource_type)


def type_scopes(resource_type: str) -> list[str]:
    """Scopes that grant a whole resource type (for a refusal of a category-less search)."""
    keys = categories_served(resource_type)
    if len(keys) == 1:
        return required_scopes(keys[0])
    return [f"patient/{BY_KEY[keys[0]].resource_type}.rs", ALL_PATIENT_DATA]


def refuse_unless_granted(asked: Iterable[CategoryKey], granted: frozenset[CategoryKey]) -> None:
    """ScopeRefused naming the narrowest scopes if any asked category is outside the grant."""
    missing = [key for key in asked if key not in granted]
    if missing:
        scopes = list(dict.fromkeys(s for key in missing for s in required_scopes(key)[:1]))
        if len(missing) == 1:
            scopes = required_scopes(missing[0])
        raise ScopeRefused(missing, scopes)


def granted_of_type(resource_type: str, granted: frozenset[CategoryKey]) -> tuple[CategoryKey, ...]:
    """The categories of a type the grant covers; ScopeRefused if it covers none of them."""
    served = categories_served(resource_type)
    allowed = tuple(key for key in served if key in granted)
    if not allowed:
        raise ScopeRefused(served, type_scopes(resource_type))
    return allowed


def refuse_unless_fhir_user(specials: frozenset[str]) -> None:
    """RelatedPerson (the representative using the app) is readable with the fhirUser scope."""
    if SpecialScope.FHIR_USER not in specials:
        raise ScopeRefused((), [SpecialScope.FHIR_USER.value])
