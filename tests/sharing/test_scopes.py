"""The scope registry: SMART v2 syntax, the v1 alias, whole-type and `*` scopes."""

import pytest

from sharing.scopes import (
    CATEGORIES,
    CategoryKey,
    ScopeError,
    Scopes,
    SpecialScope,
    categories_of_scope,
    granted_categories,
    is_special,
    phrase_granted,
    required_scopes,
    scopes_for,
    split_scope_string,
    supported_scopes,
)

LAB = "patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory"


def test_every_category_has_one_narrowest_scope_that_grants_exactly_it() -> None:
    for category in CATEGORIES:
        assert granted_categories([category.scope]) == {category.key}


def test_star_grants_everything_and_whole_type_grants_its_categories() -> None:
    assert granted_categories(["patient/*.rs"]) == set(CategoryKey)
    assert granted_categories(["patient/Condition.rs"]) == {
        CategoryKey.PROBLEMS,
        CategoryKey.HEALTH_CONCERNS,
        CategoryKey.ENCOUNTER_DIAGNOSES,
    }


def test_v1_read_is_an_alias_of_rs() -> None:
    assert granted_categories(["patient/AllergyIntolerance.read"]) == {CategoryKey.ALLERGIES}


@pytest.mark.parametrize(
    ("scope", "type_"),
    [
        ("patient/Observation.cruds", "Observation"),
        ("patient/Goal.rs", "Goal"),
        ("patient/Goal.crs", "Goal"),
        ("patient/Goal.s", "Goal"),
        ("patient/Goal.*", "Goal"),
    ],
)
def test_smart_permission_strings_grant_their_read_search_part(scope: str, type_: str) -> None:
    assert granted_categories([scope]) == {c.key for c in CATEGORIES if c.resource_type == type_}


def test_the_grant_is_phrased_in_the_clients_words_where_they_fit() -> None:
    everything = frozenset(CategoryKey)
    requested = ["openid", "patient/Observation.read", "patient/Goal.cruds", "patient/*.rs"]
    assert phrase_granted(
        requested, granted_categories(["patient/Observation.rs"]), ["openid"]
    ) == [
        "openid",
        "patient/Observation.read",
    ]
    assert phrase_granted(requested, everything, ["openid"]) == [
        "openid",
        "patient/Observation.read",
        "patient/*.rs",
    ]
    labs_only = frozenset({CategoryKey.LAB_RESULTS})
    assert phrase_granted(requested, labs_only, []) == [LAB]


@pytest.mark.parametrize(
    "scope",
    [
        "patient/Observation.cud",
        "patient/Observation.sr",
        "patient/Observation.write",
        "launch",
        "user/Observation.rs",
        "system/*.rs",
        "patient/Unknown.rs",
        "patient/Observation.rs?category=http://example.org|nothing",
        "patient/*.rs?category=x|y",
        "",
        "patient/",
    ],
)
def test_unsupported_scopes_are_refused(scope: str) -> None:
    with pytest.raises(ScopeError):
        categories_of_scope(scope)
    assert granted_categories([scope]) == frozenset()


def test_split_keeps_order_drops_repeats_and_reports_rejects() -> None:
    accepted, rejected = split_scope_string(
        f"openid {LAB} openid patient/Observation.cud launch/patient"
    )
    assert accepted == ["openid", LAB, "launch/patient"]
    assert rejected == ["patient/Observation.cud"]


def test_scopes_for_collapses_complete_types_and_everything() -> None:
    assert scopes_for(set(CategoryKey)) == ["patient/*.rs"]
    observation_keys = granted_categories(["patient/Observation.rs"])
    assert scopes_for(observation_keys | {CategoryKey.LAB_RESULTS}, ["openid"]) == [
        "openid",
        "patient/Observation.rs",
    ]
    assert scopes_for({CategoryKey.LAB_RESULTS}) == [LAB]


def test_required_scopes_lists_narrowest_first() -> None:
    assert required_scopes(CategoryKey.LAB_RESULTS) == [
        LAB,
        "patient/Observation.rs",
        "patient/*.rs",
    ]
    assert required_scopes(CategoryKey.GOALS) == ["patient/Goal.rs", "patient/*.rs"]


def test_supported_scopes_cover_every_category_and_special() -> None:
    supported = supported_scopes()
    assert {"openid", "fhirUser", "launch/patient", "offline_access", "patient/*.rs"} <= set(
        supported
    )
    assert all(c.scope in supported for c in CATEGORIES)
    assert len(supported) == len(set(supported))


def test_scopes_parse_once_intersect_and_compare_by_category() -> None:
    token = Scopes.parse(f"openid offline_access patient/Observation.rs patient/Goal.rs {LAB}")
    grant = Scopes.parse(["openid", LAB, "patient/Goal.rs", "unknown/scope"])
    assert token.specials == ("openid", "offline_access")
    both = token & grant
    assert both.categories == {CategoryKey.LAB_RESULTS, CategoryKey.GOALS}
    assert both.specials == ("openid",)
    assert str(both) == f"openid {LAB} patient/Goal.rs"
    assert both.within(token) and both.within(grant)
    assert not token.within(grant)  # more observation categories and offline_access
    assert not Scopes.parse("offline_access").within(Scopes.parse("openid patient/*.rs"))
    assert Scopes.parse("patient/Goal.rs").within(Scopes.parse("patient/*.rs"))


def test_special_scopes_are_recognised_by_value_only() -> None:
    assert all(is_special(s.value) for s in SpecialScope)
    assert not is_special("OPENID")
    assert not is_special("patient/*.rs")
