"""FHIR search values: dates with prefixes and precision, tokens, counts, cursors."""

import base64
import json
from datetime import UTC, date, datetime

import pytest

from db.fhir_search import AllOf, AnyOf, Compare, Position, TableSearch
from sharing.fhir.ids import BY_TYPE_NAME
from sharing.fhir.search import decode_cursor, encode_cursor
from sharing.fhir.search_values import (
    SearchError,
    Token,
    date_atom,
    parse_count,
    parse_date,
    parse_token,
    reference_id,
    split_values,
)
from sharing.scopes import BY_KEY


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "start", "end"),
    [
        ("2024", at(2024, 1, 1), at(2025, 1, 1)),
        ("2024-02", at(2024, 2, 1), at(2024, 3, 1)),
        ("2024-12", at(2024, 12, 1), at(2025, 1, 1)),
        ("2024-02-29", at(2024, 2, 29), at(2024, 3, 1)),
        ("2024-06-01T09:30", at(2024, 6, 1, 9, 30), at(2024, 6, 1, 9, 31)),
        ("2024-06-01T09:30:05Z", at(2024, 6, 1, 9, 30, 5), at(2024, 6, 1, 9, 30, 6)),
        ("2024-06-01T05:30:05-04:00", at(2024, 6, 1, 9, 30, 5), at(2024, 6, 1, 9, 30, 6)),
    ],
)
def test_a_date_is_the_range_its_precision_covers(raw: str, start: datetime, end: datetime) -> None:
    searched = parse_date(raw)
    assert (searched.prefix, searched.start, searched.end) == ("eq", start, end)


@pytest.mark.parametrize(
    "raw", ["", "24", "2024-1", "2024-13", "2023-02-29", "2024-06-01T25:00", "ap2024", "xx2024",
            "2024-06-01T09:30:05+99:00", "2024-06-01 09:30"],
)  # fmt: skip
def test_bad_dates_are_search_errors(raw: str) -> None:
    with pytest.raises(SearchError):
        parse_date(raw)


def test_prefixes_compare_with_the_range() -> None:
    searched = {
        p: parse_date(f"{p}2024-06-01") for p in ("eq", "ne", "lt", "le", "gt", "ge", "sa", "eb")
    }
    day, next_day = at(2024, 6, 1), at(2024, 6, 2)
    atoms = {p: date_atom("c", s, calendar_days=False) for p, s in searched.items()}
    assert atoms["eq"] == AllOf((Compare("c", "ge", day), Compare("c", "lt", next_day)))
    assert atoms["ne"] == AnyOf((Compare("c", "lt", day), Compare("c", "ge", next_day)))
    assert atoms["lt"] == atoms["eb"] == Compare("c", "lt", day)
    assert atoms["le"] == Compare("c", "lt", next_day)
    assert atoms["gt"] == atoms["sa"] == Compare("c", "ge", next_day)
    assert atoms["ge"] == Compare("c", "ge", day)


def test_calendar_day_columns_compare_with_days() -> None:
    atom = date_atom("birth_date", parse_date("1980-01"), calendar_days=True)
    assert atom == AllOf((Compare("birth_date", "ge", date(1980, 1, 1)),
                          Compare("birth_date", "lt", date(1980, 2, 1))))  # fmt: skip
    moment = date_atom("birth_date", parse_date("le1980-01-01T10:00:00Z"), calendar_days=True)
    assert moment == Compare("birth_date", "lt", date(1980, 1, 2))


def test_tokens_and_lists() -> None:
    assert parse_token("laboratory") == Token(None, "laboratory", any_system=True)
    assert parse_token("http://loinc.org|1-8") == Token("http://loinc.org", "1-8", any_system=False)
    assert parse_token("|1-8") == Token(None, "1-8", any_system=False)
    assert parse_token("http://loinc.org|") == Token("http://loinc.org", None, any_system=False)
    with pytest.raises(SearchError):
        parse_token("|")
    assert split_values("a,b\\,c,,d") == ["a", "b,c", "d"]
    for empty in (",", ",,"):
        with pytest.raises(SearchError):
            split_values(empty)
    with pytest.raises(SearchError):
        split_values("x" * 257)


def test_counts_and_references() -> None:
    assert parse_count("0", 100) == 0
    assert parse_count("1000", 100) == 100
    for bad in ("-1", "1.5", "", "١٢"):
        with pytest.raises(SearchError):
            parse_count(bad, 100)
    base = "http://testserver/fhir"
    assert reference_id("7", "Patient", base) == "7"
    assert reference_id("Patient/7", "Patient", base) == "7"
    assert reference_id(f"{base}/Patient/7", "Patient", base) == "7"
    with pytest.raises(SearchError):
        reference_id("Encounter/7", "Patient", base)


def _tables(*tags: str) -> list[TableSearch]:
    return [TableSearch(tag, BY_KEY[BY_TYPE_NAME[tag]].model) for tag in tags]


def test_cursors_round_trip_and_refuse_strangers() -> None:
    for position in (
        Position(at(2024, 6, 1, 9), "LabResult", 12),
        Position(date(2024, 6, 1), "Goal", 3),
    ):
        assert decode_cursor(encode_cursor(position), _tables(position.tag)) == position
    cursor = encode_cursor(Position(at(2024, 6, 1), "LabResult", 12))
    for bad, tags in ((cursor, ["VitalSign"]), ("garbage", ["LabResult"]), ("", ["LabResult"])):
        with pytest.raises(SearchError):
            decode_cursor(bad, _tables(*tags))


def _crafted(kind: str, value: str, tag: str, row_id: object) -> str:
    return base64.urlsafe_b64encode(json.dumps([kind, value, tag, row_id]).encode()).decode()


@pytest.mark.parametrize(
    ("cursor", "tag"),
    [
        (_crafted("d", "2024-06-01", "LabResult", 1), "LabResult"),  # a day on a timed table
        (_crafted("t", "2024-06-01T00:00:00+00:00", "Goal", 1), "Goal"),  # a moment on days
        (_crafted("t", "0001-01-01T00:00:00+14:00", "LabResult", 1), "LabResult"),
        (_crafted("t", "9999-12-31T23:59:59-14:00", "LabResult", 1), "LabResult"),
        (_crafted("t", "2024-06-01T09:00:00+02:00", "LabResult", 1), "LabResult"),
        (_crafted("t", "2024-06-01T09:00:00+00:00", "LabResult", 2**31), "LabResult"),
    ],
)
def test_crafted_cursors_are_search_errors(cursor: str, tag: str) -> None:
    with pytest.raises(SearchError):
        decode_cursor(cursor, _tables(tag))
