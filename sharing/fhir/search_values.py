"""Values of FHIR search parameters: tokens, dates with prefixes, references, counts.

Each parser turns the text of one parameter value into plain data or raises SearchError,
which the API answers with 400 and an OperationOutcome.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from db.fhir_search import AllOf, AnyOf, Atom, Compare

DATE_PREFIXES = ("eq", "ne", "lt", "gt", "le", "ge", "sa", "eb")
_DATE = re.compile(
    r"(?P<prefix>[a-z]{2})?"
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,6}))?)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?)?)?)?"
)
MAX_VALUE_LENGTH = 256
# Years a search may name; the margins keep every range and day bound inside datetime's.
MIN_YEAR, MAX_YEAR = 2, 9998


class SearchError(ValueError):
    """Raised for a search the API cannot run as asked (answered with 400)."""


@dataclass(frozen=True)
class Token:
    """A token: `system|code`, `|code` (no system), `system|` or a bare `code` (any system)."""

    system: str | None
    code: str | None
    any_system: bool


def split_values(raw: str) -> list[str]:
    """The comma-separated alternatives of one parameter (a backslash before a comma escapes it)."""
    if len(raw) > MAX_VALUE_LENGTH:
        raise SearchError(f"A search value is longer than {MAX_VALUE_LENGTH} characters.")
    parts = re.split(r"(?<!\\),", raw)
    values = [part.replace("\\,", ",") for part in parts if part]
    if not values:
        # `code=,` names nothing to match: an error, not a filter that matches all or none.
        raise SearchError(f"A search value lists no alternatives: {raw!r}.")
    return values


def parse_token(raw: str) -> Token:
    """One token value."""
    if "|" not in raw:
        return Token(system=None, code=raw, any_system=True)
    system, _, code = raw.partition("|")
    if not system and not code:
        raise SearchError("A token value needs a code or a system.")
    return Token(system=system or None, code=code or None, any_system=False)


@dataclass(frozen=True)
class DateRange:
    """A searched date or moment as the half-open range it stands for, with its prefix."""

    prefix: str
    start: datetime
    end: datetime


def _range(match: re.Match[str], raw: str) -> tuple[datetime, datetime]:
    parts = match.groupdict()
    year, month, day_ = int(parts["year"]), int(parts["month"] or 1), int(parts["day"] or 1)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise SearchError(f"Dates must lie in the years {MIN_YEAR} to {MAX_YEAR}: {raw!r}.")
    try:
        if parts["hour"] is None:
            start = datetime(year, month, day_, tzinfo=UTC)
            if parts["day"]:
                return start, start + timedelta(days=1)
            if parts["month"]:
                end_month = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
                return start, end_month
            return start, datetime(year + 1, 1, 1, tzinfo=UTC)
        zone = parts["zone"] or "Z"
        text = f"{year:04d}-{month:02d}-{day_:02d}T{parts['hour']}:{parts['minute']}"
        text += f":{parts['second'] or '00'}{zone.replace('Z', '+00:00')}"
        start = datetime.fromisoformat(text).astimezone(UTC)
    except (ValueError, OverflowError):
        raise SearchError(f"Not a valid date: {raw!r}.") from None
    if parts["fraction"]:
        start += timedelta(microseconds=int(parts["fraction"].ljust(6, "0")))
        return start, start + timedelta(microseconds=1)
    step = timedelta(seconds=1) if parts["second"] else timedelta(minutes=1)
    return start, start + step


def parse_date(raw: str) -> DateRange:
    """One date value with its optional prefix (`ge2024-01`, `2024-06-01T09:00:00Z`)."""
    match = _DATE.fullmatch(raw)
    if match is None:
        raise SearchError(
            f"Not a valid date: {raw!r} (use YYYY, YYYY-MM, YYYY-MM-DD or a dateTime)."
        )
    prefix = match.group("prefix") or "eq"
    if prefix not in DATE_PREFIXES:
        raise SearchError(f"The date prefix {prefix!r} is not supported.")
    start, end = _range(match, raw)
    return DateRange(prefix=prefix, start=start, end=end)


def date_atom(column: str, searched: DateRange, *, calendar_days: bool) -> Atom:
    """The condition a point in time (or a calendar day column) meets for a searched range."""
    start: date | datetime = searched.start
    end: date | datetime = searched.end
    if calendar_days:
        start = searched.start.date()
        # A day column holds the whole day: it ends where the next day starts.
        end = (
            searched.end.date()
            if searched.end.time() == datetime.min.time()
            else (searched.end.date() + timedelta(days=1))
        )
    before_start = Compare(column, "lt", start)
    from_end = Compare(column, "ge", end)
    on_or_after_start = Compare(column, "ge", start)
    before_end = Compare(column, "lt", end)
    by_prefix: dict[str, Atom] = {
        "eq": AllOf((on_or_after_start, before_end)),
        "ne": AnyOf((before_start, from_end)),
        "lt": before_start,
        "eb": before_start,
        "le": before_end,
        "gt": from_end,
        "sa": from_end,
        "ge": on_or_after_start,
    }
    return by_prefix[searched.prefix]


def parse_count(raw: str, maximum: int) -> int:
    """`_count`: 0 (the total only) up to the maximum; larger asks are capped, not refused."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise SearchError("_count must be a whole number of 0 or more.")
    return min(int(raw), maximum)


def reference_id(raw: str, resource_type: str, base_url: str) -> str:
    """The id in a reference value: `123`, `Patient/123` or `{base}/Patient/123`."""
    value = raw.removeprefix(base_url.rstrip("/") + "/")
    if "/" not in value:
        return value
    found_type, _, found_id = value.partition("/")
    if found_type != resource_type or not found_id or "/" in found_id:
        raise SearchError(f"Expected a reference to a {resource_type}: {raw!r}.")
    return found_id
