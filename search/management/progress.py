"""What the search commands share: a progress bar over a document stream, and engine outages
told as command errors."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from search.engines.base import EngineUnavailable


@contextmanager
def document_bar(show: bool, total: int | None = None) -> Iterator[tqdm]:
    """A bar counting documents, on stderr so the report on stdout stays one line a script
    can read; `bar.wrap` passes a document stream through it."""
    with tqdm(total=total, disable=not show, unit=_("document"), file=sys.stderr) as bar:

        def wrap(documents):
            for document in documents:
                bar.update()
                yield document

        bar.wrap = wrap
        yield bar


@contextmanager
def engine_errors_as_command_errors() -> Iterator[None]:
    try:
        yield
    except EngineUnavailable as error:
        raise CommandError(
            _("The search engine is unavailable: %(error)s") % {"error": error}
        ) from error
