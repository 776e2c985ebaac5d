import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from search.engines.base import EngineUnavailable
from search.indexing import rebuild_index
from search.semantic.embedders import get_embedders
from search.semantic.indexing import embed_all


class Command(BaseCommand):
    help = _(
        "Rebuild the search index from every public page, aside, then swap it in. The new "
        "index takes every passage vector the cache holds; --embeddings also computes the "
        "missing ones."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--embeddings",
            action="store_true",
            help=_(
                "After the rebuild, compute the vectors of every document that lacks current "
                "ones (a new model or model version, or vectors never computed), here."
            ),
        )

    def handle(self, *args, **options):
        show_progress = self.stdout.isatty() and options["verbosity"] > 0
        # Bars go to stderr, so the report on stdout stays one line a script can read.
        with tqdm(disable=not show_progress, unit=_("document"), file=sys.stderr) as bar:

            def progress(documents):
                for document in documents:
                    bar.update()
                    yield document

            try:
                count = rebuild_index(progress=progress)
            except EngineUnavailable as error:
                raise CommandError(
                    _("The search engine is unavailable: %(error)s") % {"error": error}
                ) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Rebuilt the search index: %(count)d documents.") % {"count": count}
            )
        )
        if options["embeddings"]:
            self._embed(show_progress, count)

    def _embed(self, show_progress: bool, total: int) -> None:
        embedders = get_embedders()
        if not embedders:
            self.stdout.write(_("No embedding model is configured (SEARCH_EMBEDDERS): words only."))
            return
        with tqdm(
            total=total, disable=not show_progress, unit=_("document"), file=sys.stderr
        ) as bar:
            try:
                done = embed_all(on_documents=bar.update)
            except EngineUnavailable as error:
                raise CommandError(
                    _("The search engine is unavailable: %(error)s") % {"error": error}
                ) from error
        self.stdout.write(
            _("Computed the vectors of %(count)d documents with %(models)s.")
            % {"count": done, "models": ", ".join(embedder.key for embedder in embedders)}
        )
