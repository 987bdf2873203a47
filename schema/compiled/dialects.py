"""How each database builds JSON: PostgreSQL (json_build_object, LATERAL) and SQLite (json_object).

Every value comes out exactly as the Strawberry executor would print it: ISO dates,
`isoformat()` timestamps in UTC, Python's float repr, base64 global IDs and cursors.
"""

from dataclasses import dataclass


def quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Dialect:
    """The SQL spelling of the JSON building blocks for one database."""

    name: str

    @property
    def postgres(self) -> bool:
        return self.name == "postgresql"

    def obj(self, pairs: list[tuple[str, str]]) -> str:
        """A JSON object of (key, SQL value) pairs, keys in order."""
        function = "json_build_object" if self.postgres else "json_object"
        inner = ", ".join(f"{quote(key)}, {value}" for key, value in pairs)
        return f"{function}({inner})"

    def array(self, values: list[str]) -> str:
        """A JSON array of SQL values."""
        function = "json_build_array" if self.postgres else "json_array"
        return f"{function}({', '.join(values)})"

    def agg(self, value: str, order: str, keep: str | None) -> str:
        """A JSON array aggregate in `order` (SQLite: the rows' order), of rows matching `keep`."""
        filtered = f" FILTER (WHERE {keep})" if keep else ""
        if self.postgres:
            return f"coalesce(json_agg({value} ORDER BY {order}){filtered}, '[]'::json)"
        return f"json_group_array({value}){filtered}"

    def json_bool(self, condition: str) -> str:
        """A JSON true/false from a SQL condition."""
        if self.postgres:
            return f"({condition})"
        return f"(CASE WHEN {condition} THEN json('true') ELSE json('false') END)"

    def literal_bool(self, value: bool) -> str:
        """A JSON true/false constant."""
        if self.postgres:
            return "true" if value else "false"
        return "json('true')" if value else "json('false')"

    def column_bool(self, column: str) -> str:
        """A boolean column as JSON."""
        if self.postgres:
            return column
        return f"(CASE {column} WHEN 1 THEN json('true') WHEN 0 THEN json('false') END)"

    def number(self, column: str) -> str:
        """A float column printed as Python prints floats (5.0, 0.81, 1e-05)."""
        if self.postgres:
            return (
                f"(CASE WHEN {column} = trunc({column}) AND abs({column}) < 1e16 "
                f"THEN (trunc({column})::numeric::text || '.0')::json ELSE to_json({column}) END)"
            )
        return f"json(chartshare_float({column}))"

    def day(self, column: str) -> str:
        """A date column as YYYY-MM-DD."""
        if self.postgres:
            return f"to_char({column}, 'YYYY-MM-DD')"
        return f"substr({column}, 1, 10)"

    def moment(self, column: str) -> str:
        """A UTC timestamp column as Python's isoformat() (microseconds only when non-zero)."""
        if self.postgres:
            utc = f"({column} AT TIME ZONE 'UTC')"
            return (
                f"(CASE WHEN date_trunc('second', {column}) = {column} "
                f'THEN to_char({utc}, \'YYYY-MM-DD"T"HH24:MI:SS"+00:00"\') '
                f'ELSE to_char({utc}, \'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"\') END)'
            )
        return (
            f"(CASE WHEN {column} IS NULL THEN NULL ELSE substr({column}, 1, 10) || 'T' || "
            f"substr({column}, 12, 8) || (CASE WHEN substr({column}, 20) IN ('', '.000000') "
            f"THEN '' ELSE substr({column}, 20) END) || '+00:00' END)"
        )

    def base64(self, text: str) -> str:
        """Standard base64 of a text (global IDs)."""
        if self.postgres:
            return f"replace(encode(convert_to({text}, 'UTF8'), 'base64'), E'\\n', '')"
        return f"chartshare_base64({text})"

    def base64url(self, text: str) -> str:
        """URL-safe base64 of a text, with padding (cursors)."""
        if self.postgres:
            return f"translate({self.base64(text)}, '+/', '-_')"
        return f"chartshare_base64url({text})"

    def least(self, left: str, right: str) -> str:
        """The smaller of two values."""
        return f"least({left}, {right})" if self.postgres else f"min({left}, {right})"

    def status_in(self, column: str, parameter: str) -> str:
        """`column` is one of the statuses bound as `parameter`."""
        if self.postgres:
            return f"{column} = ANY(:{parameter})"
        return f"{column} IN (SELECT value FROM json_each(:{parameter}))"


POSTGRES = Dialect("postgresql")
SQLITE = Dialect("sqlite")
