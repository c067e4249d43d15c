"""A JSON request body whose one big string, a file in base64, is encoded while it is sent.

An upload (CONTRACT.md 6.10) carries the file as a base64 string inside JSON. Building that text
in memory would hold the file three times over (bytes, base64, the JSON around it); this body
holds the caller's file (or not even that, for a path or an open file) plus one chunk. Its length
is known up front (4 * ceil(n / 3) base64 characters), so it goes out with a Content-Length, not
chunked: a server that refuses large bodies by their Content-Length (413) can do so before
reading them.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from . import jsonio

# Raw bytes encoded at a time: a multiple of 3, so that no chunk but the last is padded.
CHUNK_BYTES = 3 * 256 * 1024
_MARKER = "\x00FILE-CONTENT\x00"  # cannot occur in a caller's text: JSON escapes it

FileSource = bytes | bytearray | memoryview | str | os.PathLike | BinaryIO


def base64_length(size: int) -> int:
    return 4 * ((size + 2) // 3)


def file_placeholder(size: int) -> str:
    """What the call log holds instead of the file."""
    return f"<file {size} bytes>"


class _Source:
    """The file's bytes in order, readable again from the start for a replay."""

    def __init__(self, source: FileSource) -> None:
        self._bytes: memoryview | None = None
        self._path: Path | None = None
        self._file: BinaryIO | None = None
        if isinstance(source, bytes | bytearray | memoryview):
            self._bytes = memoryview(source).cast("B")
            self.size = self._bytes.nbytes
        elif isinstance(source, str | os.PathLike):
            self._path = Path(source)
            self.size = self._path.stat().st_size
        else:
            if not source.seekable():
                # Its size must be known up front, and a replay after a 401 reads it again.
                raise ValueError("An upload needs bytes, a path, or a seekable binary file")
            self._file = source
            self._start = source.tell()
            self.size = source.seek(0, os.SEEK_END) - self._start
            source.seek(self._start)

    def chunks(self, chunk_bytes: int) -> Iterator[bytes | memoryview]:
        if self._bytes is not None:
            for offset in range(0, self.size, chunk_bytes):
                yield self._bytes[offset : offset + chunk_bytes]
            return
        if self._path is not None:
            with self._path.open("rb") as handle:
                yield from _read_whole_chunks(handle, chunk_bytes)
            return
        assert self._file is not None
        self._file.seek(self._start)
        yield from _read_whole_chunks(self._file, chunk_bytes)


def _read_whole_chunks(handle: BinaryIO, chunk_bytes: int) -> Iterator[bytes]:
    """Chunks of exactly `chunk_bytes` (the last excepted), even where `read` returns less."""
    pending = b""
    while True:
        block = handle.read(chunk_bytes - len(pending))
        if not block:
            break
        pending += block
        if len(pending) == chunk_bytes:
            yield pending
            pending = b""
    if pending:
        yield pending


class Base64JsonBody:
    """`body` as JSON with `file` base64-encoded at the place of `FILE_CONTENT`. Iterable again for
    each attempt; `len()` is the exact byte length (requests sends it as Content-Length)."""

    FILE_CONTENT = object()

    def __init__(
        self, body: dict[str, Any], file: FileSource, *, chunk_bytes: int = CHUNK_BYTES
    ) -> None:
        if chunk_bytes % 3:
            raise ValueError("chunk_bytes must be a multiple of 3")
        self._source = _Source(file)
        self._chunk_bytes = chunk_bytes
        self.file_size = self._source.size
        self.record_body = _replace_marker(body, file_placeholder(self.file_size))
        encoded = jsonio.encode(_replace_marker(body, _MARKER))
        prefix, found, suffix = encoded.partition(json.dumps(_MARKER))
        if not found:
            raise ValueError("the body holds no FILE_CONTENT")
        self._prefix = (prefix + '"').encode("utf-8")
        self._suffix = ('"' + suffix).encode("utf-8")

    def __len__(self) -> int:
        return len(self._prefix) + base64_length(self.file_size) + len(self._suffix)

    def __iter__(self) -> Iterator[bytes]:
        yield self._prefix
        for chunk in self._source.chunks(self._chunk_bytes):
            yield base64.b64encode(chunk)
        yield self._suffix


def _replace_marker(value: Any, replacement: str) -> Any:
    if value is Base64JsonBody.FILE_CONTENT:
        return replacement
    if isinstance(value, dict):
        return {key: _replace_marker(item, replacement) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_marker(item, replacement) for item in value]
    return value
