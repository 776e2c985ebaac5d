from django.apps import AppConfig


class SearchConfig(AppConfig):
    """The public knowledge index. Its engines arrive with the search issue."""

    name = "search"
    default_auto_field = "django.db.models.BigAutoField"
