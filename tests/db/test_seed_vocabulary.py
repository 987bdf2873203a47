"""The seed's vocabulary files: well formed, consistent with each other, clear when broken."""

import csv
import io
from importlib.resources import files

import pytest

from db.seed import care, catalog, people, schedule, terminology
from db.seed.vocabulary import (
    NAME_LISTS,
    SCHEMAS,
    SYSTEMS,
    Cell,
    names,
    parse_names,
    parse_table,
    table,
)

DATA = files("db.seed") / "data"
NUMERIC = {Cell.NUMBER, Cell.OPTIONAL_NUMBER, Cell.INTEGER, Cell.OPTIONAL_INTEGER}
OPTIONAL = {Cell.OPTIONAL_TEXT, Cell.OPTIONAL_NUMBER, Cell.OPTIONAL_INTEGER}
HEADER = "key,loinc,display,unit,low,high,mean,sd,decimals\n"
GOOD = "glucose,2345-7,Glucose,mg/dL,70,99,88,8,0\n"


def test_every_data_file_has_a_schema_and_every_schema_a_file() -> None:
    found = {entry.name for entry in DATA.iterdir() if entry.is_file()}
    assert found == {*SCHEMAS, *NAME_LISTS, "README.md"}
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in (*SCHEMAS, *NAME_LISTS))


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_csv_file_is_well_formed(name: str) -> None:
    """Read without the loader: header, filled cells, numbers, unique keys, low <= high."""
    schema = SCHEMAS[name]
    reader = csv.DictReader(io.StringIO((DATA / name).read_text(encoding="utf-8"), newline=""))
    assert tuple(reader.fieldnames or ()) == tuple(schema.columns)
    rows = list(reader)
    assert rows
    keys = [tuple(row[column] for column in schema.key) for row in rows]
    assert len(keys) == len(set(keys)), name
    for row in rows:
        assert None not in row and None not in row.values(), (name, row)  # cell count
        for column, kind in schema.columns.items():
            value = row[column]
            assert value == value.strip(), (name, column, value)
            if kind not in OPTIONAL:
                assert value, (name, column, row)
            if value and kind in NUMERIC:
                float(value)
            if kind is Cell.SYSTEM:
                assert value in SYSTEMS, (name, value)
        for low, high in schema.ranges:
            if row[low] and row[high]:
                assert float(row[low]) <= float(row[high]), (name, row)
    assert len(table(name)) == len(rows)  # and the loader accepts it


@pytest.mark.parametrize("name", NAME_LISTS)
def test_name_list_is_well_formed(name: str) -> None:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    assert lines
    assert all(line and line == line.strip() for line in lines)
    assert len(lines) == len(set(lines))
    assert names(name) == tuple(lines)


def test_the_files_refer_to_each_other() -> None:
    labs, chronic, acute = set(terminology.LABS), set(catalog.CHRONIC), set(catalog.ACUTE)
    assert {lab for panel in terminology.PANELS.values() for lab in panel} <= labs
    assert set(terminology.FEMALE_RANGES) <= labs
    assert set(terminology.CONDITION_LAB_EFFECTS) <= chronic
    assert {lab for e in terminology.CONDITION_LAB_EFFECTS.values() for lab in e} <= labs
    assert set(catalog.CHRONIC_MEDICINES) <= chronic
    assert set(catalog.ACUTE_MEDICINES) <= acute
    assert set(catalog.CARE_PLANS) <= chronic | {"infection", "general"}
    assert set(care.SPECIALTY_OF) <= chronic
    assert set(care.SPECIALTY_OF.values()) <= set(care.SPECIALISTS)
    assert set(care.GOALS) <= chronic | {"healthy_weight"}
    assert {r for allergen in care.ALLERGENS for r in allergen.reactions} <= set(care.REACTIONS)
    assert {device.procedure for device in care.DEVICES.values()} <= set(catalog.PROCEDURES)
    assert {*schedule.TEEN_ILLNESSES, *schedule.ADULT_ILLNESSES} <= acute
    assert set(terminology.FUNCTIONAL_LEVELS) == set(range(1, 7))
    assert {"phq2", "phq9", "gad7", "moca"} <= set(terminology.MENTAL)
    assert sum(percent for _, percent in people.RACES) == 100
    assert sum(percent for _, percent in people.LANGUAGES) == 100


def test_numbers_keep_the_type_they_are_written_in() -> None:
    text = HEADER + "x,1-8,X,mg,70,99.5,88,0.0,2\n"
    [row] = parse_table("labs.csv", text)
    values = [row.optional_number("low"), row.number("high"), row.number("mean")]
    assert values == [70, 99.5, 88]
    assert [type(v) for v in values] == [int, float, int]
    assert type(row.number("sd")) is float
    [vital] = parse_table("vitals.csv", text.replace("70,99.5", ","))
    assert (vital.optional_number("low"), vital.optional_number("high")) == (None, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEADER + GOOD + "bun,3094-0,Urea,mg/dL,7,20,14,3\n", "line 3: 8 cells, expected 9"),
        (HEADER + GOOD + "bun,3094-0,Urea,mg/dL,seven,20,14,3,0\n", "line 3: low is 'seven'"),
        (HEADER + GOOD + "bun,,Urea,mg/dL,7,20,14,3,0\n", "line 3: loinc is empty"),
        (HEADER + GOOD + "bun,3094-0,Urea,mg/dL,27,20,14,3,0\n", "line 3: low 27 is above high"),
        (HEADER + GOOD + GOOD, "line 3: glucose repeats line 2"),
        (HEADER + GOOD + "Bun,3094-0,Urea,mg/dL,7,20,14,3,0\n", "line 3: key is 'Bun'"),
        (HEADER + GOOD + "bun,3094-0,Urea,mg/dL,7,20,14,3,1.5\n", "line 3: decimals is '1.5'"),
        (HEADER + GOOD + "bun, 3094-0,Urea,mg/dL,7,20,14,3,0\n", "line 3: loinc has spaces"),
        (HEADER + GOOD + "\n", "line 3: the line is empty"),
        (HEADER + 'bun,3094-0,"Urea,mg/dL,7,20,14,3,0\n', "line 2: unexpected end of data"),
        (HEADER.replace("loinc", "code") + GOOD, "line 1: the header is key,code,"),
        (HEADER, "no rows under the header"),
    ],
)
def test_a_malformed_row_names_the_file_and_line(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=r"db/seed/data/labs\.csv") as raised:
        parse_table("labs.csv", text)
    assert message in str(raised.value)


def test_a_wrong_system_or_reaction_names_the_file_and_line() -> None:
    header = "key,system,code,display,class\n"
    with pytest.raises(ValueError, match=r"visit_types\.csv, line 2: system is 'SNOMED-CT'"):
        parse_table("visit_types.csv", header + "new,SNOMED-CT,1,New,AMB\n")
    header = "system,code,display,category,reactions\n"
    with pytest.raises(ValueError, match=r"allergens\.csv, line 2: reactions holds ''"):
        parse_table("allergens.csv", header + "SNOMED,1,Pollen,environment,rash  cough\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Ann\n\nBea\n", "family_names.txt, line 2: the line is empty"),
        ("Ann\nBea \n", "family_names.txt, line 2: 'Bea ' has spaces around it"),
        ("Ann\nBea\nAnn\n", "family_names.txt, line 3: Ann repeats line 1"),
        ("", "family_names.txt: the list is empty"),
    ],
)
def test_a_malformed_name_list_names_the_file_and_line(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="db/seed/data/") as raised:
        parse_names("family_names.txt", text)
    assert message in str(raised.value)
