r"""Strict JSON request bodies: UTF-8, nesting bounded before parsing, only valid Unicode.

`json.loads` recurses once per nesting level (20,000 nested arrays exhaust the stack),
accepts NaN and Infinity, and lets `\ud800` through as a lone surrogate that no
database or encoder accepts later. This module refuses all three up front.
"""

import json
import re
from itertools import accumulate
from typing import Any

# Deeper than any request of ours: a GraphQL body with nested input variables needs ~6.
MAX_JSON_DEPTH = 32

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class MalformedJson(ValueError):
    """The body is not a JSON text we accept; the message says why, for the client."""


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text (brackets in strings do not count)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    steps = (1 if bracket in "[{" else -1 for bracket in brackets)
    return max(accumulate(steps), default=0)


def _refuse_constant(name: str) -> Any:
    raise MalformedJson(f"The body is not valid JSON ({name} is not a JSON value).")


def parse_json_body(raw: bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The parsed body; MalformedJson unless it is UTF-8 JSON, nested at most `max_depth`."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedJson("The body is not UTF-8.") from None
    # Fewer brackets than the limit cannot nest deeper than it (most bodies: skip the scan).
    brackets = text.count("[") + text.count("{")
    if brackets > max_depth and nesting_depth(text) > max_depth:
        raise MalformedJson(f"The body nests arrays or objects deeper than {max_depth} levels.")
    try:
        parsed = json.loads(text, parse_constant=_refuse_constant)
    except MalformedJson:
        raise
    except ValueError:
        raise MalformedJson("The body is not valid JSON.") from None
    try:
        json.dumps(parsed, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedJson("The body holds an unpaired surrogate (not valid Unicode).") from None
    return parsed
