"""Plan a FHIR search: check the parameters and the grant, and translate them into row filters.

`plan_search` is framework-free: the API passes the request's parameters and the caller's
grant, and runs the plan's `TableSearch`es with `db.fhir_search`.
"""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from db.columns import MAX_ROW_ID
from db.fhir_search import (
    AnyOf,
    Atom,
    CodeIs,
    Contains,
    Equals,
    Never,
    Position,
    RowFilter,
    TableSearch,
)
from db.records_query import (
    cursor_sort_value,
    record_date_of,
    record_status_of,
    sorts_by_timestamp,
)
from sharing.fhir.access import (
    OtherPatient,
    categories_served,
    granted_of_type,
    refuse_unless_fhir_user,
    refuse_unless_granted,
)
from sharing.fhir.codes import ICD10_CM, system_spellings, system_uri
from sharing.fhir.ids import TYPE_NAMES, parse_plain_id, parse_row_resource_id
from sharing.fhir.search_parameters import (
    CONTROL_PARAMETERS,
    PARAMETERS,
    category_coding,
    names_of,
)
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
from sharing.scopes import BY_KEY, CategoryKey

K = CategoryKey
DEFAULT_COUNT = 50
GENDER_CODES = {"female": "F", "male": "M", "unknown": "UNK"}
NPI = "http://hl7.org/fhir/sid/us-npi"
FORMATS = frozenset({"json", "application/json", "application/fhir+json"})
STATUS_NAMES = frozenset({"status", "clinical-status", "lifecycle-status"})
CONDITIONS = frozenset({K.PROBLEMS, K.HEALTH_CONCERNS, K.ENCOUNTER_DIAGNOSES})
DATE_NAMES = frozenset({"date", "recorded-date", "authoredon", "authored", "birthdate"})


@dataclass(frozen=True)
class SearchPlan:
    """What one search reads: the tables (or the patient filter), the page, the echoed links."""

    resource_type: str
    categories: tuple[CategoryKey, ...]
    tables: tuple[TableSearch, ...] = ()
    where: RowFilter = field(default_factory=RowFilter)
    ids: tuple[int, ...] | None = None
    statuses: tuple[str, ...] | None = None
    count: int = DEFAULT_COUNT
    after: Position | None = None
    echo: tuple[tuple[str, str], ...] = ()


def encode_cursor(position: Position) -> str:
    """An opaque `_cursor` for the page after a row."""
    kind = "t" if isinstance(position.value, datetime) else "d"
    raw = [kind, position.value.isoformat(), position.tag, position.row_id]
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


def decode_cursor(raw: str, tables: Sequence[TableSearch]) -> Position:
    """The position a `_cursor` stands for; SearchError if it is not one of this search's."""
    models = {table.tag: table.model for table in tables}
    try:
        kind, value, tag, row_id = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        moment = cursor_sort_value(kind, value)
        if tag not in models or type(row_id) is not int or not 0 < row_id <= MAX_ROW_ID:
            raise ValueError(tag)
        # A day where the table sorts by a moment (or the reverse) is no cursor of ours.
        if (kind == "t") != sorts_by_timestamp(models[tag]):
            raise ValueError(kind)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise SearchError("_cursor is not a cursor this search issued.") from None
    return Position(value=moment, tag=tag, row_id=row_id)


def _tokens(raw: str) -> list[Token]:
    return [parse_token(value) for value in split_values(raw)]


def _codes(raw: str) -> tuple[str, ...]:
    return tuple(t.code for t in _tokens(raw) if t.code is not None)


def _code_atom(key: CategoryKey, token: Token) -> Atom:
    if not token.any_system and token.system is None:
        # `|code`: a code without a system; every stored code has one.
        return Never()
    systems = None if token.any_system else system_spellings(token.system or "")
    atom: Atom = CodeIs("code_system", "code", token.code, systems)
    icd10 = token.any_system or system_uri(token.system or "") == ICD10_CM
    if key in CONDITIONS and icd10 and token.code:
        # Conditions carry their ICD-10-CM code beside the SNOMED CT one.
        return AnyOf((atom, Equals("icd10_code", (token.code,))))
    return atom


def _category_matches(key: CategoryKey, token: Token) -> bool:
    system, code = category_coding(key)
    if token.code is not None and token.code != code:
        return False
    return token.any_system or token.system == system


def _row_clause(key: CategoryKey, name: str, raw: str) -> tuple[Atom, ...] | None:
    """The atoms (any of) one parameter adds for one category's table; None: not a row filter."""
    model = BY_KEY[key].model
    if name in STATUS_NAMES:
        return (Equals(record_status_of(model), _codes(raw)),)
    if name == "intent":
        return (Equals("intent", _codes(raw)),)
    if name == "code":
        return tuple(_code_atom(key, token) for token in _tokens(raw))
    if name in DATE_NAMES:
        return tuple(
            date_atom(record_date_of(model), parse_date(value), calendar_days=False)
            for value in split_values(raw)
        )
    if name == "name":  # Practitioner
        return (Contains(("name",), raw),)
    if name == "identifier":  # Practitioner: the NPI
        values = tuple(t.code for t in _tokens(raw) if t.code and (t.any_system or t.system == NPI))
        return (Equals("npi", values),)
    return None


def _patient_clause(name: str, raw: str, base_url: str) -> tuple[Atom, ...]:
    if name == "name":
        return (Contains(("given_name", "middle_name", "family_name"), raw),)
    if name == "birthdate":
        return tuple(
            date_atom("birth_date", parse_date(value), calendar_days=True)
            for value in split_values(raw)
        )
    if name == "gender":
        return (Equals("sex", tuple(GENDER_CODES.get(c, "") for c in _codes(raw))),)
    mrn_system = f"{base_url.rstrip('/')}/fhir/sid/mrn"
    values = tuple(
        t.code for t in _tokens(raw) if t.code and (t.any_system or t.system == mrn_system)
    )
    return (Equals("medical_record_number", values),)


def _parse_controls(
    params: Sequence[tuple[str, str]], resource_type: str, max_count: int
) -> tuple[list[tuple[str, str]], int, str | None]:
    searched: list[tuple[str, str]] = []
    count, cursor = min(DEFAULT_COUNT, max_count), None
    allowed = names_of(resource_type)
    for name, raw in params:
        if name == "_count" and raw:
            count = parse_count(raw, max_count)
        elif name == "_cursor" and raw:
            cursor = raw
        elif name == "_format" and raw and raw not in FORMATS:
            raise SearchError("Only JSON is supported (_format=json).")
        elif name in CONTROL_PARAMETERS:
            continue
        elif ":" in name:
            raise SearchError(f"Search modifiers are not supported ({name!r}).")
        elif name not in allowed:
            raise SearchError(
                f"{resource_type} does not support the search parameter {name!r}; "
                f"it supports {', '.join(allowed)}."
            )
        elif raw:
            searched.append((name, raw))
    return searched, count, cursor


def _check_patient(searched: list[tuple[str, str]], patient_id: int, base_url: str) -> None:
    fhir_base = f"{base_url.rstrip('/')}/fhir"
    for name, raw in searched:
        if name != "patient":
            continue
        for value in split_values(raw):
            if reference_id(value, "Patient", fhir_base) != str(patient_id):
                raise OtherPatient("This access token reads only its own patient's record.")


def plan_search(
    resource_type: str,
    params: Sequence[tuple[str, str]],
    *,
    patient_id: int,
    granted: frozenset[CategoryKey],
    specials: frozenset[str],
    base_url: str,
    max_count: int,
) -> SearchPlan:
    """The plan of one search; SearchError (400), ScopeRefused or OtherPatient (403)."""
    if resource_type not in PARAMETERS:
        raise KeyError(resource_type)
    searched, count, cursor = _parse_controls(params, resource_type, max_count)
    _check_patient(searched, patient_id, base_url)
    echo = (*searched, ("_count", str(count)))
    ids = [v for name, raw in searched if name == "_id" for v in split_values(raw)]
    if resource_type in ("CareTeam", "RelatedPerson"):
        if resource_type == "RelatedPerson":
            refuse_unless_fhir_user(specials)
            keys: tuple[CategoryKey, ...] = ()
        else:
            keys = granted_of_type(resource_type, granted)
        statuses = [_codes(raw) for name, raw in searched if name == "status"]
        plain = tuple(i for i in (parse_plain_id(v) for v in ids) if i is not None)
        return SearchPlan(
            resource_type,
            keys,
            ids=plain if ids else None,
            statuses=tuple(set.intersection(*map(set, statuses))) if statuses else None,
            count=count,
            echo=echo,
        )
    if resource_type == "Patient":
        keys = granted_of_type(resource_type, granted)
        clauses = [_patient_clause(name, raw, base_url) for name, raw in searched if name != "_id"]
        if ids:
            clauses.append((Equals("id", tuple(i for i in map(parse_plain_id, ids) if i)),))
        return SearchPlan(
            resource_type, keys, where=RowFilter(tuple(clauses)), count=count, echo=echo
        )
    return _plan_rows(resource_type, searched, ids, granted, count, cursor, echo)


def _plan_rows(
    resource_type: str,
    searched: list[tuple[str, str]],
    ids: list[str],
    granted: frozenset[CategoryKey],
    count: int,
    cursor: str | None,
    echo: tuple[tuple[str, str], ...],
) -> SearchPlan:
    keys = list(categories_served(resource_type))
    narrowed = False
    for name, raw in searched:
        if name == "category":
            tokens = _tokens(raw)
            keys = [k for k in keys if any(_category_matches(k, t) for t in tokens)]
            narrowed = True
    row_ids: dict[CategoryKey, list[int]] = {}
    if ids:
        for value in ids:
            parsed = parse_row_resource_id(resource_type, value)
            if parsed is not None:
                row_ids.setdefault(parsed[0], []).append(parsed[1])
        keys = [k for k in keys if k in row_ids]
        narrowed = True
    if narrowed:
        refuse_unless_granted(keys, granted)
    else:
        keys = list(granted_of_type(resource_type, granted))
    tables = []
    for key in keys:
        clauses = [
            clause for name, raw in searched if (clause := _row_clause(key, name, raw)) is not None
        ]
        if ids:
            clauses.append((Equals("id", tuple(row_ids[key])),))
        tables.append(TableSearch(TYPE_NAMES[key], BY_KEY[key].model, RowFilter(tuple(clauses))))
    after = decode_cursor(cursor, tables) if cursor else None
    return SearchPlan(
        resource_type, tuple(keys), tables=tuple(tables), count=count, after=after, echo=echo
    )
