"""FHIR input files: which paths to read, and the chunks of raw text they are read in.

A `.ndjson` / `.jsonl` file (Bulk Data export) holds one resource per line and is read in
chunks of lines, so it streams in constant memory. A `.json` file holds one Bundle or one
resource and is read whole (a Bundle is one patient's record or one page of results).
"""

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NDJSON_SUFFIXES = (".ndjson", ".jsonl")
JSON_SUFFIXES = (".json",)
CHUNK_LINES = 400
BUNDLE_TYPES = frozenset({"transaction", "collection", "searchset", "document", "batch"})


class InputError(Exception):
    """A path that cannot be read as FHIR input; the message names the path and the reason."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """Raw input to parse: some lines of an NDJSON file, or a whole JSON file."""

    path: str
    first_line: int  # 1-based line number of lines[0]; 0 for a whole JSON document
    lines: tuple[bytes, ...]
    size: int  # bytes, for progress


@dataclass(frozen=True, slots=True)
class Entry:
    """One resource found in the input, or why a piece of the input holds none."""

    where: str  # "file:line 3" or "file:entry 5"
    resource: dict[str, Any] | None
    full_url: str | None = None
    error: str | None = None


def _is_fhir_file(path: Path) -> bool:
    return path.name.endswith(NDJSON_SUFFIXES + JSON_SUFFIXES)


def input_files(paths: Sequence[str]) -> list[Path]:
    """The files to import, in a stable order; InputError for a path that cannot be used."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{raw}: no such file or directory")
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and _is_fhir_file(p))
            if not found:
                raise InputError(
                    f"{raw}: no FHIR files (*.json, *.ndjson, *.jsonl) in this directory"
                )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{raw}: not a regular file")
    for path in files:
        if not os.access(path, os.R_OK):
            raise InputError(f"{path}: cannot be read (permission denied)")
    return files


def total_size(files: Sequence[Path]) -> int:
    """Bytes to read, for the progress bar."""
    return sum(path.stat().st_size for path in files)


def read_chunks(files: Sequence[Path], *, chunk_lines: int = CHUNK_LINES) -> Iterator[Chunk]:
    """The input as chunks, file by file; InputError if a file cannot be read after all."""
    for path in files:
        try:
            yield from _file_chunks(path, chunk_lines)
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _file_chunks(path: Path, chunk_lines: int) -> Iterator[Chunk]:
    """One file's chunks; only one chunk of an NDJSON file is held at a time."""
    if not path.name.endswith(NDJSON_SUFFIXES):
        data = path.read_bytes()
        yield Chunk(str(path), 0, (data,), len(data))
        return
    with path.open("rb") as stream:
        lines: list[bytes] = []
        first_line = 1
        size = 0
        for number, line in enumerate(stream, start=1):
            lines.append(line)
            size += len(line)
            if len(lines) >= chunk_lines:
                yield Chunk(str(path), first_line, tuple(lines), size)
                lines, first_line, size = [], number + 1, 0
        if lines:
            yield Chunk(str(path), first_line, tuple(lines), size)


def _load(raw: bytes) -> tuple[Any, str | None]:
    try:
        return json.loads(raw), None
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON ({exc.msg} at column {exc.colno})"


def _bundle_entries(bundle: dict[str, Any], where: str) -> Iterator[Entry]:
    kind = bundle.get("type")
    if kind not in BUNDLE_TYPES:
        yield Entry(where, None, error=f"a Bundle of type {kind!r} is not imported")
        return
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        yield Entry(where, None, error="Bundle.entry is not a list")
        return
    for index, entry in enumerate(entries):
        place = f"{where}entry {index}"
        if not isinstance(entry, dict):
            yield Entry(place, None, error="a bundle entry is not an object")
        elif isinstance(entry.get("resource"), dict):
            full_url = entry.get("fullUrl")
            yield Entry(place, entry["resource"], full_url if isinstance(full_url, str) else None)


def entries(chunk: Chunk) -> Iterator[Entry]:
    """Every resource in a chunk (bundles unpacked), with where it was found."""
    if chunk.first_line == 0:
        document, error = _load(chunk.lines[0])
        yield from _items(document, error, f"{chunk.path}:")
        return
    for offset, line in enumerate(chunk.lines):
        if not line.strip():
            continue
        document, error = _load(line)
        yield from _items(document, error, f"{chunk.path}:line {chunk.first_line + offset}")


def _items(document: Any, error: str | None, where: str) -> Iterator[Entry]:
    place = where.rstrip(":") if where.endswith(":") else where
    if error is not None:
        yield Entry(place, None, error=error)
    elif not isinstance(document, dict):
        yield Entry(place, None, error="not a FHIR resource (expected a JSON object)")
    elif document.get("resourceType") == "Bundle":
        yield from _bundle_entries(document, where if where.endswith(":") else f"{where} ")
    else:
        yield Entry(place, document)
