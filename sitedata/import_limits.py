"""How much one practice import may read: a line's bytes, a summary's and a body's characters.

A 50 MB body took 2.5 GB to import and slowed every search that found it; now such a line is
refused, and an over-long line is never read into memory whole. docs/open-data.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings

# The rest of an over-long line is skipped in pieces of this size, never held whole.
SKIP_CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    """A line's length in bytes (its line ending included); a summary's and a body's in
    characters. The other fields are limited by their columns (practice_import.MAX_LENGTHS)."""

    line_bytes: int
    summary_chars: int
    body_chars: int

    @classmethod
    def from_settings(cls) -> ImportLimits:
        return cls(
            line_bytes=settings.IMPORT_MAX_LINE_BYTES,
            summary_chars=settings.IMPORT_MAX_SUMMARY_CHARS,
            body_chars=settings.IMPORT_MAX_BODY_CHARS,
        )

    def line_too_long(self, line: str | bytes) -> bool:
        if len(line) > self.line_bytes:
            return True  # a str has at least as many bytes as characters
        if isinstance(line, str):
            return len(line.encode("utf-8", "surrogatepass")) > self.line_bytes
        return False


def read_lines(handle: BinaryIO, max_bytes: int) -> Iterator[bytes]:
    """The lines of a binary file, each at most `max_bytes + 1` bytes long.

    Of a longer line only its first `max_bytes + 1` bytes are returned, enough to refuse it;
    the rest is skipped a piece at a time, so a line of any length costs at most a few MB.
    """
    while line := handle.readline(max_bytes + 1):
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while (rest := handle.readline(SKIP_CHUNK_BYTES)) and not rest.endswith(b"\n"):
                pass
        yield line
