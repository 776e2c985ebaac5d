from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from search.indexing import index_status
from search.semantic.embedders import configured_embedder_names, get_embedders
from search.semantic.indexing import vector_report


class Command(BaseCommand):
    help = _(
        "Documents indexed, the indexing backlog, the search engine's health, and how many "
        "documents can be found by meaning."
    )

    def handle(self, *args, **options):
        status = index_status()
        health = status.health
        state = _("ok") if health.ok else _("UNAVAILABLE (%(detail)s)") % {"detail": health.detail}
        age = (
            f"{status.oldest_pending_age.total_seconds():.0f} s"
            if status.oldest_pending_age is not None
            else "-"
        )
        documents = "?" if status.documents is None else status.documents
        self.stdout.write(
            _("Engine: %(engine)s, %(state)s") % {"engine": health.engine, "state": state}
        )
        self.stdout.write(_("Documents indexed: %(count)s") % {"count": documents})
        self.stdout.write(
            _("Outbox backlog: %(backlog)s (%(failing)s failing)")
            % {"backlog": status.backlog, "failing": status.failing}
        )
        self.stdout.write(_("Oldest pending change: %(age)s") % {"age": age})
        if not configured_embedder_names():
            self.stdout.write(_("Search by meaning: off (SEARCH_EMBEDDERS is empty)"))
            return
        if not health.ok:
            return
        report = vector_report()
        models = ", ".join(embedder.key for embedder in get_embedders())
        self.stdout.write(
            _("Search by meaning (%(models)s): %(current)d of %(documents)d documents")
            % {"models": models, "current": report.current, "documents": report.documents}
        )
        if report.missing:
            self.stdout.write(
                _(
                    "%(count)d documents are found by their words only until their vectors "
                    "arrive: run `manage.py search_rebuild --embeddings` if this lasts."
                )
                % {"count": len(report.missing)}
            )
