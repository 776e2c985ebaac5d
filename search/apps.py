from django.apps import AppConfig


class SearchConfig(AppConfig):
    """The public knowledge index: documents, engines, the indexing outbox."""

    name = "search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: these modules use models, which exist only once apps are ready.
        from django.core import checks

        from core.throttling import check_rate_settings
        from core.wagtail_internals import double_quotes_in_sqlite_search_terms
        from search import receivers  # noqa: F401  (connects the outbox receivers)

        checks.register(check_rate_settings)
        double_quotes_in_sqlite_search_terms()
