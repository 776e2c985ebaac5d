"""A document's title from its content, when the uploader left Wagtail's default, its file name.

The title is taken from the file's metadata title, else its first heading, else its first
meaningful line of text; a file with none of these keeps its file name. Everything here
comes from an uploaded file, so it is cleaned (control and formatting characters such as
bidi overrides dropped, spaces collapsed), capped, and refused when it says nothing
("Untitled", "Slide 1", a file name). Editors still change the title as they wish: it is
replaced only while it is still the file name.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable

TITLE_MAX_CHARS = 120
# A line longer than this is a paragraph, not a title.
LINE_MAX_CHARS = 200
LINES_LOOKED_AT = 20
MIN_LETTERS = 2

_PLACEHOLDER = re.compile(
    r"^(untitled|no title|title|document|presentation|powerpoint presentation|"
    r"slide|sheet|book|workbook|microsoft (word|powerpoint|excel) - .*)\s*\d*$",
    re.IGNORECASE,
)
# Django's storage adds "_" and seven letters or digits when a file name is taken.
_STORAGE_SUFFIX = re.compile(r"_[A-Za-z0-9]{7}$")


def clean_title(raw: str) -> str:
    """One line of visible text, at most TITLE_MAX_CHARS, cut at a word where possible."""
    visible = "".join(
        " " if unicodedata.category(char).startswith(("C", "Z")) else char
        for char in raw[: TITLE_MAX_CHARS * 20]
    )
    title = " ".join(visible.split())
    if len(title) <= TITLE_MAX_CHARS:
        return title
    cut = title[: TITLE_MAX_CHARS - 1]
    if " " in cut[TITLE_MAX_CHARS // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" -–—:;,.") + "…"


def _file_name_forms(filename: str) -> set[str]:
    name = os.path.basename(filename)
    stem = os.path.splitext(name)[0]
    forms = {name, stem}
    unsuffixed = _STORAGE_SUFFIX.sub("", stem)
    if unsuffixed != stem:
        forms |= {unsuffixed, unsuffixed + os.path.splitext(name)[1]}
    return {form.casefold() for form in forms if form}


def title_is_file_name(title: str, filename: str) -> bool:
    """Whether `title` is what Wagtail's upload views make of the file name."""
    return title.strip().casefold() in _file_name_forms(filename)


def _says_something(title: str, filename: str) -> bool:
    letters = sum(char.isalpha() for char in title)
    return (
        letters >= MIN_LETTERS
        and not _PLACEHOLDER.match(title)
        and not title_is_file_name(title, filename)
    )


def title_from_content(
    candidates: Iterable[str], text: str, filename: str, *, from_lines: bool = True
) -> str | None:
    """The first of the file's own titles, then of its first lines, that says something.

    A spreadsheet's lines are sheet names and column headings: pass from_lines=False.
    """
    lines = [line for line in text.splitlines()[:LINES_LOOKED_AT] if len(line) <= LINE_MAX_CHARS]
    if not from_lines:
        lines = []
    for raw in [*candidates, *lines]:
        title = clean_title(raw)
        if _says_something(title, filename):
            return title
    return None
