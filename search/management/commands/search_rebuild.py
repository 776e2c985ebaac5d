from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from search.indexing import rebuild_index
from search.management.progress import document_bar, engine_errors_as_command_errors
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
        with document_bar(show_progress) as bar, engine_errors_as_command_errors():
            count = rebuild_index(progress=bar.wrap)
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
        with document_bar(show_progress, total) as bar, engine_errors_as_command_errors():
            done = embed_all(on_documents=bar.update)
        self.stdout.write(
            _("Computed the vectors of %(count)d documents with %(models)s.")
            % {"count": done, "models": ", ".join(embedder.key for embedder in embedders)}
        )
