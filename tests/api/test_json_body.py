"""Strict JSON bodies: nesting bounded before parsing; NaN, bad UTF-8, lone surrogates refused."""

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.json_body import MalformedJson, nesting_depth, parse_json_body


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in a parsed value (the reference for the scan)."""
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


_BRACKETY = st.text(alphabet='[]{}"\\ab', max_size=6)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _BRACKETY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_BRACKETY, inner, max_size=3),
    max_leaves=40,
)


@settings(max_examples=300)
@given(value=_JSON, limit=st.integers(min_value=0, max_value=8))
def test_a_body_is_refused_exactly_when_it_nests_deeper_than_the_limit(
    value: Any, limit: int
) -> None:
    raw = json.dumps(value).encode()
    assert nesting_depth(raw.decode()) == _depth(value)
    if _depth(value) > limit:
        with pytest.raises(MalformedJson, match=f"deeper than {limit} levels"):
            parse_json_body(raw, max_depth=limit)
    else:
        assert parse_json_body(raw, max_depth=limit) == value


def test_brackets_inside_strings_do_not_count() -> None:
    body = json.dumps({"query": "{ a { b { c { d } } } }" * 20, "x": ["[[[[", "]]"]}).encode()
    assert parse_json_body(body, max_depth=2)["x"] == ["[[[[", "]]"]


def test_deep_nesting_is_refused_before_the_parser_recurses() -> None:
    body = b"[" * 20_000 + b"]" * 20_000
    with pytest.raises(MalformedJson, match="deeper than 32 levels"):
        parse_json_body(body)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"a": NaN}', "NaN is not a JSON value"),
        (b"[Infinity]", "Infinity is not a JSON value"),
        (b'{"a": "\\ud800"}', "unpaired surrogate"),
        (b'{"a": ', "not valid JSON"),
        (b"", "not valid JSON"),
    ],
)
def test_what_is_not_json_we_accept_is_named(raw: bytes, message: str) -> None:
    with pytest.raises(MalformedJson, match=message):
        parse_json_body(raw)
