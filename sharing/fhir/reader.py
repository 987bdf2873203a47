"""FHIR input files: which paths to read, and the chunks of raw text they are read in.

A `.ndjson` / `.jsonl` file (Bulk Data export) holds one resource per line and is read in
chunks of lines. A `.json` file holds one Bundle or one resource; a Bundle's `entry`
array is read one entry at a time through a window of the file (`_Window`), so a Bundle
of any size is read in constant memory too: what is held is one window and one chunk of
entries, never the file.
"""

import codecs
import json
import os
import re
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

NDJSON_SUFFIXES = (".ndjson", ".jsonl")
JSON_SUFFIXES = (".json",)
CHUNK_LINES = 400
# Bytes read from a `.json` file at a time; the window grows only to hold one large entry.
READ_BYTES = 1 << 20
# A Bundle entry larger than this is reported instead of read (it would only grow memory).
MAX_ENTRY_CHARS = 256 << 20
BUNDLE_TYPES = frozenset({"transaction", "collection", "searchset", "document", "batch"})
_SPACE = re.compile(r"[ \t\n\r]*")
# A decoding error this close to the end of the window may only mean the value goes on.
_CUT_MARGIN = 64


class InputError(Exception):
    """A path that cannot be read as FHIR input; the message names the path and the reason."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """Raw input to parse: lines of an NDJSON file, entries of a Bundle, or a whole JSON file.

    `first_line` is the 1-based line number of lines[0] in an NDJSON file, 0 for a whole
    JSON document and -1 for Bundle entries, whose first index is `first_entry`. `error`
    says why the file could not be read on after these lines or entries (at `error_at`).
    """

    path: str
    first_line: int
    lines: tuple[bytes | str, ...]
    size: int  # bytes, for progress
    first_entry: int = 0
    error: str | None = None
    error_at: str = ""


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


def read_chunks(
    files: Sequence[Path], *, chunk_lines: int | None = None, read_bytes: int | None = None
) -> Iterator[Chunk]:
    """The input as chunks, file by file; InputError if a file cannot be read after all."""
    chunk_lines = chunk_lines or CHUNK_LINES
    read_bytes = read_bytes or READ_BYTES
    for path in files:
        try:
            if path.name.endswith(NDJSON_SUFFIXES):
                yield from _ndjson_chunks(path, chunk_lines)
            else:
                yield from _json_chunks(path, chunk_lines, read_bytes)
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _ndjson_chunks(path: Path, chunk_lines: int) -> Iterator[Chunk]:
    """One file's chunks; only one chunk of an NDJSON file is held at a time."""
    with path.open("rb") as stream:
        lines: list[bytes | str] = []
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


class _Broken(Exception):
    """The file is not valid JSON from here on; the message says why."""


class _Window:
    """A `.json` file read forwards through a window of decoded text.

    `value()` decodes the next JSON value with the C decoder's `raw_decode`. A value that
    fails to decode near the end of the window may just be cut off by it, so the window
    is extended and the value decoded again; at the end of the file, or far from the
    window's end, the error is the file's.
    """

    def __init__(self, stream: IO[bytes], read_bytes: int) -> None:
        self.stream = stream
        self.read_bytes = read_bytes
        self.text_decoder = codecs.getincrementaldecoder("utf-8")()
        self.json_decoder = json.JSONDecoder()
        self.text = ""
        self.pos = 0
        self.eof = False
        self.line = 1  # line number of text[0]
        self.bytes_read = 0
        self.reported = 0  # bytes counted in chunks already

    def start(self) -> None:
        """Read the first bytes, which tell the encoding; _Broken if they are not text."""
        start = self.stream.read(4)
        self.text_decoder = codecs.getincrementaldecoder(json.detect_encoding(start))()
        self._decode(start, final=False)
        if self.text.startswith("\ufeff"):
            self.text = self.text[1:]

    def _decode(self, data: bytes, *, final: bool) -> None:
        self.bytes_read += len(data)
        try:
            self.text += self.text_decoder.decode(data, final=final)
        except UnicodeDecodeError:
            raise _Broken("not UTF-8 text") from None

    def fill(self) -> bool:
        """Read more of the file, dropping what was consumed; False at the end of the file."""
        if self.eof:
            return False
        if self.pos:
            self.line += self.text.count("\n", 0, self.pos)
            self.text = self.text[self.pos :]
            self.pos = 0
        # A value longer than the window doubles it, so that a long one is decoded again
        # only a few times.
        data = self.stream.read(max(self.read_bytes, len(self.text)))
        if not data:
            self.eof = True
            self._decode(b"", final=True)
            return False
        self._decode(data, final=False)
        return True

    def progress(self) -> int:
        """Bytes read since the last call, for a chunk's size."""
        size, self.reported = self.bytes_read - self.reported, self.bytes_read
        return size

    def where(self, pos: int | None = None) -> str:
        """The line of a position in the window."""
        return f"line {self.line + self.text.count(chr(10), 0, self.pos if pos is None else pos)}"

    def peek(self) -> str:
        """The next character after white space; "" at the end of the file."""
        while True:
            self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.fill():
                return ""

    def expect(self, allowed: str) -> str:
        """Consume the next character, which must be one of `allowed`."""
        char = self.peek()
        if not char:
            raise _Broken("not valid JSON (the file ends too early: truncated?)")
        if char not in allowed:
            expected = " or ".join(repr(c) for c in allowed)
            raise _Broken(f"not valid JSON (expected {expected} on {self.where()})")
        self.pos += 1
        return char

    def value(self) -> tuple[Any, int, int]:
        """The next value, and where its text starts and ends in the window."""
        if not self.peek():
            raise _Broken("not valid JSON (the file ends too early: truncated?)")
        while True:
            try:
                value, end = self.json_decoder.raw_decode(self.text, self.pos)
            except RecursionError:
                raise _Broken(f"not valid JSON (nested too deeply on {self.where()})") from None
            except json.JSONDecodeError as exc:
                cut = exc.msg.startswith("Unterminated string") or (
                    exc.pos >= len(self.text) - _CUT_MARGIN
                )
                if not cut:
                    raise _Broken(f"not valid JSON ({exc.msg} on {self.where(exc.pos)})") from None
                if len(self.text) - self.pos > MAX_ENTRY_CHARS:
                    raise _Broken(f"a value longer than {MAX_ENTRY_CHARS:,} characters") from None
                if not self.fill():
                    if exc.msg.startswith("Unterminated string") or exc.pos >= len(self.text):
                        raise _Broken(
                            "not valid JSON (the file ends too early: truncated?)"
                        ) from None
                    raise _Broken(f"not valid JSON ({exc.msg} on {self.where(exc.pos)})") from None
                continue
            if end == len(self.text) and self.fill():
                continue  # a number may go on in the next part of the file
            start, self.pos = self.pos, end
            return value, start, end


def _json_chunks(path: Path, chunk_lines: int, read_bytes: int) -> Iterator[Chunk]:
    """A `.json` file's chunks: a Bundle's entries in chunks, anything else whole.

    If `entry` comes before the Bundle's `resourceType` or `type`, the entries are passed
    over and the file is read a second time, now that what it is is known.
    """
    name = str(path)
    known: dict[str, Any] | None = None
    while True:
        with path.open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            window = _Window(stream, read_bytes)
            try:
                window.start()
                header, deferred = yield from _scan(window, name, chunk_lines, stream_entries=known)
            except _Stop:
                if size > window.reported:  # the rest of the file, for progress
                    yield Chunk(name, -1, (), size - window.reported)
                return
            except _Broken as exc:
                rest = max(size - window.reported, 0)
                yield Chunk(name, -1, (), rest, error=str(exc), error_at=name)
                return
        if header is None:  # not a Bundle: one resource, read whole
            data = path.read_bytes()
            yield Chunk(name, 0, (data,), len(data))
            return
        if not deferred:
            if size > window.reported:  # the rest of the file, for progress
                yield Chunk(name, -1, (), size - window.reported)
            return
        known = header


def _bundle_problem(header: dict[str, Any]) -> str | None:
    kind = header.get("type")
    if kind not in BUNDLE_TYPES:
        return f"a Bundle of type {kind!r} is not imported"
    return None


def _scan(
    window: _Window, name: str, chunk_lines: int, *, stream_entries: dict[str, Any] | None
) -> Generator[Chunk, None, tuple[dict[str, Any] | None, bool]]:
    """Walk the top-level object; a Bundle's entries are yielded in chunks as they are read.

    Returns (the Bundle's other elements, or None if it is not a Bundle;
    whether `entry` was passed over because it came before the Bundle's `type`).
    """
    first = window.peek()
    if not first:
        raise _Broken("not valid JSON (the file is empty)")
    if first in '[-0123456789"tfn':
        raise _Broken("not a FHIR resource (expected a JSON object)")
    if first != "{":
        raise _Broken(f"not valid JSON (expected a JSON object on {window.where()})")
    window.expect("{")
    header: dict[str, Any] = {}
    deferred = False
    if window.peek() == "}":
        window.expect("}")
    else:
        while True:
            if window.peek() != '"':
                raise _Broken(f"not valid JSON (expected a property name on {window.where()})")
            key, _, _ = window.value()
            window.expect(":")
            known = stream_entries is not None or (
                header.get("resourceType") == "Bundle" and "type" in header
            )
            if key == "entry" and known:
                problem = _bundle_problem(stream_entries or header)
                if problem is not None:
                    raise _Broken(problem)
                yield from _entries(window, name, chunk_lines)
                header[key] = None
            elif key == "entry" and header.get("resourceType", "Bundle") == "Bundle":
                _skip_entries(window)
                deferred = True
            else:
                header[key] = window.value()[0]
            if window.expect(",}") == "}":
                break
    if window.peek():
        raise _Broken(f"not valid JSON (extra data after the object on {window.where()})")
    if stream_entries is not None:
        return stream_entries, False
    if header.get("resourceType") != "Bundle":
        return None, False
    problem = _bundle_problem(header)
    if problem is not None:
        raise _Broken(problem)
    return header, deferred


def _skip_entries(window: _Window) -> None:
    """Pass over an `entry` array one element at a time."""
    if window.peek() != "[":
        window.value()
        return
    window.expect("[")
    if window.peek() == "]":
        window.expect("]")
        return
    while True:
        window.value()
        if window.expect(",]") == "]":
            return


def _entries(window: _Window, name: str, chunk_lines: int) -> Iterator[Chunk]:
    """A Bundle's `entry` array in chunks of raw entry texts; an error ends the file."""
    if window.peek() != "[":
        raise _Broken("Bundle.entry is not a list")
    window.expect("[")
    first = index = 0
    texts: list[bytes | str] = []
    try:
        if window.peek() == "]":
            window.expect("]")
            return
        while True:
            _, start, end = window.value()
            texts.append(window.text[start:end])
            index += 1
            done = window.expect(",]") == "]"
            if len(texts) >= chunk_lines or done:
                yield Chunk(name, -1, tuple(texts), window.progress(), first)
                first, texts = index, []
            if done:
                return
    except _Broken as exc:
        where = f"{name}:entry {index}"
        yield Chunk(name, -1, tuple(texts), window.progress(), first, str(exc), where)
        raise _Stop from None


class _Stop(Exception):
    """A Bundle's entries ended with an error, already reported."""


def _load(raw: bytes | str) -> tuple[Any, str | None]:
    try:
        document = json.loads(raw)
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except RecursionError:
        return None, "not valid JSON (nested too deeply)"
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON ({exc.msg} at column {exc.colno})"
    escaped = b"\\u0000" in raw if isinstance(raw, bytes) else "\\u0000" in raw
    if escaped and _holds_nul(document):
        # PostgreSQL text cannot hold one: the whole run would stop at this patient's write.
        return None, "a text holds a NUL character (\\u0000)"
    return document, None


def _holds_nul(document: Any) -> bool:
    """Whether any string (key or value) in a parsed JSON document contains NUL."""
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def _bundle_entry(entry: Any, place: str) -> Iterator[Entry]:
    if not isinstance(entry, dict):
        yield Entry(place, None, error="a bundle entry is not an object")
    elif isinstance(entry.get("resource"), dict):
        full_url = entry.get("fullUrl")
        yield Entry(place, entry["resource"], full_url if isinstance(full_url, str) else None)


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
        yield from _bundle_entry(entry, f"{where} entry {index}")


def entries(chunk: Chunk) -> Iterator[Entry]:
    """Every resource in a chunk (bundles unpacked), with where it was found."""
    if chunk.first_line == -1:
        for offset, text in enumerate(chunk.lines):
            place = f"{chunk.path}:entry {chunk.first_entry + offset}"
            entry, error = _load(text)
            if error is not None:
                yield Entry(place, None, error=error)
            else:
                yield from _bundle_entry(entry, place)
        if chunk.error is not None:
            yield Entry(chunk.error_at, None, error=chunk.error)
        return
    if chunk.first_line == 0:
        document, error = _load(chunk.lines[0])
        yield from _items(document, error, chunk.path)
        return
    for offset, line in enumerate(chunk.lines):
        if not line.strip():
            continue
        document, error = _load(line)
        yield from _items(document, error, f"{chunk.path}:line {chunk.first_line + offset}")


def _items(document: Any, error: str | None, where: str) -> Iterator[Entry]:
    if error is not None:
        yield Entry(where, None, error=error)
    elif not isinstance(document, dict):
        yield Entry(where, None, error="not a FHIR resource (expected a JSON object)")
    elif document.get("resourceType") == "Bundle":
        yield from _bundle_entries(document, where)
    else:
        yield Entry(where, document)
