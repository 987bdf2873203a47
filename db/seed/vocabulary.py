"""Reads the seed's vocabularies, the files in db/seed/data/, checking every cell on the way.

SCHEMAS says what each CSV file holds: its columns in order, what a cell of each may be,
which columns identify a row, and which pairs are a low-high range. A file that breaks
it raises ValueError naming the file and line. The files are read through
importlib.resources, so an installed package reads them as a checkout does.
"""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib.resources import files
from typing import NamedTuple

from db import code_systems

# The code systems a `system` cell may name, by the name db.code_systems gives them.
SYSTEMS: dict[str, str] = {
    "LOINC": code_systems.LOINC,
    "SNOMED": code_systems.SNOMED,
    "RXNORM": code_systems.RXNORM,
    "CVX": code_systems.CVX,
    "CPT": code_systems.CPT,
    "NUCC": code_systems.NUCC,
    "CDC_RACE_ETHNICITY": code_systems.CDC_RACE_ETHNICITY,
}

INTEGER = re.compile(r"-?[0-9]+")
DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+")
KEY = re.compile(r"[a-z][a-z0-9_]*")


class Cell(Enum):
    """What a cell of a column may hold."""

    KEY = "key"  # a name the generator uses: lower case letters, digits and underscores
    TEXT = "text"
    OPTIONAL_TEXT = "text or empty"
    NUMBER = "number"  # "70" reads as the int 70, "0.7" as a float
    OPTIONAL_NUMBER = "number or empty"
    INTEGER = "integer"
    OPTIONAL_INTEGER = "integer or empty"
    SYSTEM = "code system name"  # a name of SYSTEMS, read as its URI
    KEYS = "keys separated by spaces"


@dataclass(frozen=True)
class Schema:
    """A CSV file's columns in order, the columns that identify a row, its low-high ranges."""

    columns: dict[str, Cell]
    key: tuple[str, ...]
    ranges: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Record:
    """One data row of a vocabulary file, with where it stands for error messages."""

    file: str
    line: int
    cells: dict[str, str]

    def error(self, message: str) -> ValueError:
        """A ValueError that names this row's file and line."""
        return ValueError(f"db/seed/data/{self.file}, line {self.line}: {message}")

    def key(self, column: str) -> str:
        """A key: lower case letters, digits and underscores."""
        value = self.text(column)
        if not KEY.fullmatch(value):
            raise self.error(f"{column} is {value!r}, not a key (lower case, digits, _)")
        return value

    def text(self, column: str) -> str:
        """A cell that must not be empty."""
        value = self.cells[column]
        if not value:
            raise self.error(f"{column} is empty")
        return value

    def optional_text(self, column: str) -> str | None:
        """A cell that may be empty (None)."""
        return self.cells[column] or None

    def number(self, column: str) -> float:
        """A decimal number; an integer stays an int, so 70 and 70.0 read as written."""
        value = self.text(column)
        if INTEGER.fullmatch(value):
            return int(value)
        if DECIMAL.fullmatch(value):
            return float(value)
        raise self.error(f"{column} is {value!r}, not a number")

    def optional_number(self, column: str) -> float | None:
        """A number, or None for an empty cell."""
        return self.number(column) if self.cells[column] else None

    def integer(self, column: str) -> int:
        """A whole number."""
        value = self.text(column)
        if not INTEGER.fullmatch(value):
            raise self.error(f"{column} is {value!r}, not a whole number")
        return int(value)

    def optional_integer(self, column: str) -> int | None:
        """A whole number, or None for an empty cell."""
        return self.integer(column) if self.cells[column] else None

    def system(self, column: str) -> str:
        """The URI of the code system a cell names (see SYSTEMS)."""
        value = self.text(column)
        if value not in SYSTEMS:
            raise self.error(f"{column} is {value!r}, not one of {', '.join(SYSTEMS)}")
        return SYSTEMS[value]

    def coded(self, column: str) -> tuple[str, str]:
        """The code in a column with the row's display."""
        return self.text(column), self.text("display")

    def system_coded(self) -> tuple[str, str, str]:
        """The row's system (as a URI), code and display."""
        return self.system("system"), self.text("code"), self.text("display")

    def keys(self, column: str) -> tuple[str, ...]:
        """Keys separated by single spaces."""
        words = tuple(self.text(column).split(" "))
        for word in words:
            if not KEY.fullmatch(word):
                raise self.error(f"{column} holds {word!r}, not a key (lower case, digits, _)")
        return words


READERS: dict[Cell, Callable[[Record, str], object]] = {
    Cell.KEY: Record.key,
    Cell.TEXT: Record.text,
    Cell.OPTIONAL_TEXT: Record.optional_text,
    Cell.NUMBER: Record.number,
    Cell.OPTIONAL_NUMBER: Record.optional_number,
    Cell.INTEGER: Record.integer,
    Cell.OPTIONAL_INTEGER: Record.optional_integer,
    Cell.SYSTEM: Record.system,
    Cell.KEYS: Record.keys,
}

# Short names for the schemas below.
K, T, O_T, SYS, KEYS = Cell.KEY, Cell.TEXT, Cell.OPTIONAL_TEXT, Cell.SYSTEM, Cell.KEYS
NUM, O_NUM, INT, O_INT = Cell.NUMBER, Cell.OPTIONAL_NUMBER, Cell.INTEGER, Cell.OPTIONAL_INTEGER
MEASURE = Schema(
    {"key": K, "loinc": T, "display": T, "unit": T, "low": O_NUM, "high": O_NUM, "mean": NUM,
     "sd": NUM, "decimals": INT},
    ("key",),
    (("low", "high"),),
)  # fmt: skip
CONDITION = {"snomed": T, "display": T, "icd10": T, "icd10_display": T}
MEDICINE = {"condition": K, "rxcui": T, "display": T, "dosage": T, "route": T}
DEVICE = Schema(
    {"key": K, "snomed": T, "display": T, "procedure": K, "manufacturer": T, "model_prefix": T,
     "shelf_life_years": INT},
    ("key",),
)  # fmt: skip

SCHEMAS: dict[str, Schema] = {
    # people.py
    "races.csv": Schema({"cdc_code": T, "display": T, "percent": INT}, ("cdc_code",)),
    "languages.csv": Schema({"bcp47": T, "percent": INT}, ("bcp47",)),
    "clinics.csv": Schema({"name": T, "area_code": T}, ("name",)),
    "named_codes.csv": Schema({"key": K, "system": SYS, "code": T, "display": T}, ("key",)),
    # terminology.py
    "labs.csv": MEASURE,
    "vitals.csv": MEASURE,
    "female_ranges.csv": Schema(
        {"lab": K, "low": NUM, "high": NUM, "mean": NUM}, ("lab",), (("low", "high"),)
    ),
    "panels.csv": Schema({"panel": K, "lab": K}, ("panel", "lab")),
    "condition_lab_effects.csv": Schema(
        {"condition": K, "lab": K, "value": NUM}, ("condition", "lab")
    ),
    "smoking_answers.csv": Schema({"key": K, "snomed": T, "display": T}, ("key",)),
    "mental_assessments.csv": Schema(
        {"key": K, "loinc": T, "display": T, "maximum": INT, "cutoff": O_INT}, ("key",)
    ),
    "functional_items.csv": Schema({"loinc": T, "display": T}, ("loinc",)),
    "functional_levels.csv": Schema({"level": INT, "display": T}, ("level",)),
    # catalog.py
    "chronic_conditions.csv": Schema({"key": K, **CONDITION}, ("key",)),
    "acute_conditions.csv": Schema({"key": K, **CONDITION}, ("key",)),
    "health_concerns.csv": Schema(CONDITION, ("snomed",)),
    "chronic_medicines.csv": Schema(MEDICINE, ("condition", "rxcui")),
    "acute_medicines.csv": Schema(MEDICINE, ("condition",)),
    "vaccines.csv": Schema({"key": K, "cvx": T, "display": T}, ("key",)),
    "visit_types.csv": Schema(
        {"key": K, "system": SYS, "code": T, "display": T, "class": T}, ("key",)
    ),
    "procedures.csv": Schema(
        {"key": K, "system": SYS, "code": T, "display": T, "body_site": O_T}, ("key",)
    ),
    "care_plans.csv": Schema({"key": K, "snomed": T, "display": T}, ("key",)),
    # care.py
    "specialists.csv": Schema({"specialty": K, "nucc": T, "display": T}, ("specialty",)),
    "specialty_of.csv": Schema({"condition": K, "specialty": K}, ("condition",)),
    "goals.csv": Schema(
        {"key": K, "system": SYS, "code": T, "display": T, "description": T}, ("key",)
    ),
    "allergens.csv": Schema(
        {"system": SYS, "code": T, "display": T, "category": T, "reactions": KEYS},
        ("system", "code"),
    ),
    "reactions.csv": Schema({"key": K, "snomed": T, "display": T}, ("key",)),
    "devices.csv": DEVICE,
}

# Plain lists, one name a line.
NAME_LISTS = (
    "given_names_female.txt",
    "given_names_male.txt",
    "family_names.txt",
    "middle_initials.txt",
)


def _read(name: str) -> str:
    return (files("db.seed") / "data" / name).read_text(encoding="utf-8")


def parse_table(name: str, text: str) -> tuple[Record, ...]:
    """Check a CSV file's text against its schema and return its data rows."""
    schema = SCHEMAS[name]
    columns = tuple(schema.columns)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = next(reader, None)
    if header is None or tuple(header) != columns:
        found = ",".join(header) if header else "nothing"
        raise ValueError(
            f"db/seed/data/{name}, line 1: the header is {found}, expected {','.join(columns)}"
        )
    records: list[Record] = []
    seen: dict[tuple[str, ...], int] = {}
    try:
        for cells in reader:
            records.append(_record(name, reader.line_num, cells, schema, seen))
    except csv.Error as error:
        raise ValueError(f"db/seed/data/{name}, line {reader.line_num}: {error}") from error
    if not records:
        raise ValueError(f"db/seed/data/{name}: no rows under the header")
    return tuple(records)


def _record(
    name: str, line: int, cells: list[str], schema: Schema, seen: dict[tuple[str, ...], int]
) -> Record:
    columns = tuple(schema.columns)
    record = Record(name, line, dict(zip(columns, cells, strict=False)))
    if not cells:
        raise record.error("the line is empty")
    if len(cells) != len(columns):
        raise record.error(f"{len(cells)} cells, expected {len(columns)} ({','.join(columns)})")
    for column, kind in schema.columns.items():
        if record.cells[column] != record.cells[column].strip():
            raise record.error(f"{column} has spaces around it: {record.cells[column]!r}")
        READERS[kind](record, column)
    for low_column, high_column in schema.ranges:
        low, high = record.optional_number(low_column), record.optional_number(high_column)
        if low is not None and high is not None and low > high:
            raise record.error(f"{low_column} {low} is above {high_column} {high}")
    key = tuple(record.cells[column] for column in schema.key)
    if key in seen:
        raise record.error(f"{' '.join(key)} repeats line {seen[key]}")
    seen[key] = line
    return record


def table(name: str) -> tuple[Record, ...]:
    """The checked rows of a CSV file of db/seed/data/, in file order."""
    return parse_table(name, _read(name))


class Code(NamedTuple):
    """A code with its system (URI) and display."""

    system: str
    code: str
    display: str

    @property
    def pair(self) -> tuple[str, str]:
        """The code and its display."""
        return self.code, self.display


@cache
def _named_codes() -> dict[str, Code]:
    return {row.text("key"): Code(*row.system_coded()) for row in table("named_codes.csv")}


def named_code(key: str) -> Code:
    """A code the generator refers to by name, from named_codes.csv."""
    codes = _named_codes()
    if key not in codes:
        raise ValueError(f"db/seed/data/named_codes.csv has no row for {key}")
    return codes[key]


def parse_names(name: str, text: str) -> tuple[str, ...]:
    """Check a name list's text (one name a line, no blanks, no repeats) and return it."""
    found: list[str] = []
    seen: dict[str, int] = {}
    for line, value in enumerate(text.splitlines(), start=1):
        where = f"db/seed/data/{name}, line {line}"
        if not value.strip():
            raise ValueError(f"{where}: the line is empty")
        if value != value.strip():
            raise ValueError(f"{where}: {value!r} has spaces around it")
        if value in seen:
            raise ValueError(f"{where}: {value} repeats line {seen[value]}")
        seen[value] = line
        found.append(value)
    if not found:
        raise ValueError(f"db/seed/data/{name}: the list is empty")
    return tuple(found)


def names(name: str) -> tuple[str, ...]:
    """A name list of db/seed/data/, in file order."""
    return parse_names(name, _read(name))


def grouped(records: tuple[Record, ...], column: str) -> dict[str, list[Record]]:
    """Rows by the value of a column, groups and rows in file order."""
    groups: dict[str, list[Record]] = {}
    for record in records:
        groups.setdefault(record.text(column), []).append(record)
    return groups
