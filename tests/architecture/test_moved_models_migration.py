"""Four models moved out of `knowledge` (issue 12): a database migrated from the schema before
the move to the one after keeps every row, and its permissions keep pointing at them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from wagtail.models import Collection, Locale, Page

from documents.models import DocumentText
from editorial.models import SessionAccess
from editorial.roles import ensure_session_access
from knowledge.models import SessionPage
from tests.documents.factories import upload_document
from tests.editorial.factories import add_user
from translation.models import GlossaryTerm, MachineTranslationJob

MOVED = {
    "documenttext": "documents",
    "sessionaccess": "editorial",
    "glossaryterm": "translation",
    "machinetranslationjob": "translation",
}
BEFORE_THE_MOVE = [
    ("knowledge", "0004_seed_glossary"),
    ("documents", None),
    ("editorial", None),
    ("translation", None),
]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return [
        key
        for key in executor.loader.graph.leaf_nodes()
        if key[0] in {*MOVED.values(), "knowledge"}
    ]


def _rows() -> dict[str, list]:
    """What the database holds of the moved models, read through the current models."""
    return {
        "documenttext": list(DocumentText.objects.values_list("document_id", "status", "text")),
        "sessionaccess": list(
            SessionAccess.objects.values_list("session_id", "group_id", "collection_id")
        ),
        "glossaryterm": list(
            GlossaryTerm.objects.order_by("pk").values_list("pk", "source_term", "target_term")
        ),
        "machinetranslationjob": list(
            MachineTranslationJob.objects.values_list("pk", "page_id", "status", "error")
        ),
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_from_before_the_move_keeps_every_row_and_permission(summit):
    session = SessionPage.objects.filter(locale=Locale.get_default()).first()
    ensure_session_access(session)
    document = upload_document("Testing at the roadside", Collection.get_first_root_node())
    DocumentText.objects.filter(document=document).update(status="done", text="roadside tests")
    GlossaryTerm.objects.create(
        source_term="생활치료센터 이송", target_term="transfer to a residential treatment centre"
    )
    MachineTranslationJob.objects.create(
        page=Page.objects.get(pk=session.pk),
        target_locale=Locale.objects.exclude(pk=session.locale_id).first(),
        provider="deepl",
        status="failed",
        error="quota",
    )
    glossary_editors = Group.objects.create(name="Glossary editors")
    glossary_editors.permissions.add(
        Permission.objects.get(
            codename="change_glossaryterm", content_type__app_label="translation"
        )
    )
    add_user("terms", "Term Keeper", glossary_editors)
    rows = _rows()
    assert all(rows.values()), rows  # every moved model holds something to lose
    content_type_ids = {
        model: ContentType.objects.get(app_label=app, model=model).pk
        for model, app in MOVED.items()
    }

    try:
        # Back to the schema before the move: the rows are there, owned by `knowledge`.
        executor = _migrate(BEFORE_THE_MOVE)
        old_apps = executor.loader.project_state([BEFORE_THE_MOVE[0]]).apps
        for model in MOVED:
            assert old_apps.get_model("knowledge", model).objects.count() == len(rows[model])
            assert ContentType.objects.get(pk=content_type_ids[model]).app_label == "knowledge"
    finally:
        _migrate(_latest())

    # And forward again, as a deployment of this change migrates.
    assert _rows() == rows
    for model, app in MOVED.items():
        content_type = ContentType.objects.get(pk=content_type_ids[model])
        assert content_type.app_label == app
        assert not ContentType.objects.filter(app_label="knowledge", model=model).exists()
    assert glossary_editors.user_set.get().has_perm("translation.change_glossaryterm")
