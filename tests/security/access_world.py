"""The world the access matrix probes: every role, and one object of each kind that some
role may reach and another may not, each marked with a secret word.

A secret word is written into the object's title (or name, or body), so that whichever
surface shows the object, in HTML or JSON, shows the word. `World.secrets_hidden_from(role)`
says which words a role must never read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.admin.models import EditingSession
from wagtail.contrib.redirects.models import Redirect
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    Locale,
    Page,
    PageViewRestriction,
    Site,
    Task,
    UploadedFile,
    Workflow,
)
from wagtail_localize.models import (
    OverridableSegment,
    StringSegment,
    Translation,
    TranslationSource,
)
from wagtail_localize.operations import TranslationCreator

from editorial.models import SessionAccess
from editorial.roles import assign_rapporteur, assign_representative, ensure_editorial_roles
from home.site_structure import practice_index_for
from knowledge.models import City, PracticeAttachment, SessionPage, TopicArea
from network.models import RepresentativeRequest, RequestStatus
from search.models import SynonymGroup
from tests.documents import files
from tests.documents.factories import upload_document
from tests.editorial.factories import add_draft_summary, add_user
from tests.knowledge.factories import add_practice
from translation.models import GlossaryTerm

User = get_user_model()
Document = get_document_model()
Image = get_image_model()

ROLES = ("anonymous", "rapporteur", "representative", "editor", "moderator", "admin")

# Secret words, one per thing some role must not read.
DRAFT_REVISION = "Quillorb"  # a live practice's unpublished new title
NEVER_LIVE = "Marzipond"  # an editor's practice that was never published
PRIVATE_PAGE = "Lynxwhisper"  # the body of a password-protected practice
OWN_SUMMARY = "Ownquarry"  # the rapporteur's own draft summary
OTHER_SUMMARY = "Otterglade"  # another session's draft summary, in moderation
OWN_UPLOAD = "Ownpebble"  # the rapporteur's upload to their session
OTHER_UPLOAD = "Walrusfern"  # another session's upload
DRAFT_FILE = "Ospreyledger"  # a file that only the never-live practice attaches
PRIVATE_FILE = "Hushcanary"  # a file in a collection open to the Seoul staff groups only
UNUSED_IMAGE = "Tapirlantern"  # an image no page uses
OTHER_RAPPORTEUR = "Carla Culturelli"  # another session's rapporteur
EDITOR_NAME = "Eve Editorson"
STAFF_EMAIL = "eve.editor@example.org"
# A practice's contact address: the public writes through the contact form, never sees it.
PRACTICE_CONTACT_EMAIL = "stationdesk@example.org"

OWN_PRACTICE = "Ownharbor"  # the representative's own draft practice for their city
OTHER_PRACTICE = "Otterlagoon"  # another city's representative's practice, in moderation
APPLICANT_EMAIL = "pending.applicant@example.org"  # a request's address, for moderators

# Which roles may read each secret. Everyone else must never see it.
READERS = {
    DRAFT_REVISION: {"editor", "moderator", "admin"},
    NEVER_LIVE: {"editor", "moderator", "admin"},
    PRIVATE_PAGE: {"editor", "moderator", "admin"},
    OWN_SUMMARY: {"rapporteur", "editor", "moderator", "admin"},
    OTHER_SUMMARY: {"editor", "moderator", "admin"},
    OWN_UPLOAD: {"rapporteur", "editor", "moderator", "admin"},
    OTHER_UPLOAD: {"editor", "moderator", "admin"},
    DRAFT_FILE: {"editor", "moderator", "admin"},
    PRIVATE_FILE: {"editor", "moderator", "admin"},
    UNUSED_IMAGE: {"editor", "moderator", "admin"},
    OTHER_RAPPORTEUR: {"editor", "moderator", "admin"},
    EDITOR_NAME: {"rapporteur", "editor", "moderator", "admin"},
    STAFF_EMAIL: {"editor", "moderator", "admin"},
    PRACTICE_CONTACT_EMAIL: {"editor", "moderator", "admin"},
    OWN_PRACTICE: {"representative", "editor", "moderator", "admin"},
    OTHER_PRACTICE: {"editor", "moderator", "admin"},
    APPLICANT_EMAIL: {"moderator", "admin"},
}


@dataclass
class World:
    users: dict[str, object]
    pages: dict[str, Page]
    documents: dict[str, object]
    images: dict[str, object]
    objects: dict[str, object] = field(default_factory=dict)

    @staticmethod
    def secrets_hidden_from(role: str) -> list[str]:
        return [secret for secret, readers in READERS.items() if role not in readers]

    def unlisted_addresses(self) -> dict[str, str]:
        """Addresses no public listing may name: pages the public may not read (a slug is
        no title, so the secret words alone would miss them), and a city with no public page.
        """
        addresses = {
            key: self.pages[key].url
            for key in ("never_live", "private", "own_summary", "other_summary")
        }
        for draft in self.pages["live"].get_translations().filter(live=False):
            addresses[f"{draft.locale.language_code} draft translation"] = draft.url
        addresses["city with no public page"] = f"/cities/{self.objects['city'].slug}/"
        return addresses


def build_world() -> World:
    """Everything the matrix needs, as the admin's own actions would leave it."""
    roles = ensure_editorial_roles()
    default = Locale.get_default()
    education = SessionPage.objects.get(slug="education", locale=default)
    culture = SessionPage.objects.get(slug="culture", locale=default)
    users = {
        "editor": add_user("eve.editor", EDITOR_NAME, roles.editors),
        "moderator": add_user("mo.moderator", "Mo Moderata", roles.moderators),
        "admin": add_user("ada.admin", "Ada Admin", is_superuser=True, is_staff=True),
        "rapporteur": add_user("rhea.rapporteur", "Rhea Rapport"),
        "other_rapporteur": add_user("carla.culture", OTHER_RAPPORTEUR),
        "representative": add_user("rui.representative", "Rui Representa"),
        "other_representative": add_user("olga.other", "Olga Othercity"),
    }
    assign_rapporteur(users["rapporteur"], education)
    assign_rapporteur(users["other_rapporteur"], culture)
    editor = users["editor"]
    root_collection = Collection.get_first_root_node()
    staff_only = root_collection.add_child(name="Staff only")
    collection_restriction = CollectionViewRestriction.objects.create(
        collection=staff_only, restriction_type=CollectionViewRestriction.GROUPS
    )
    collection_restriction.groups.set([roles.editors, roles.moderators])

    documents = {
        "own": upload_document(
            f"{OWN_UPLOAD} slides",
            SessionAccess.objects.get(session=education).collection,
            users["rapporteur"],
        ),
        "other": upload_document(
            f"{OTHER_UPLOAD} slides",
            SessionAccess.objects.get(session=culture).collection,
            users["other_rapporteur"],
        ),
        "draft_only": upload_document(f"{DRAFT_FILE} budget", root_collection, editor),
        "private": upload_document(f"{PRIVATE_FILE} audit", staff_only, editor),
        "public": upload_document("Testing station guide", root_collection, editor),
    }
    images = {
        "public": Image.objects.create(title="Station photo", file=get_test_image_file()),
        "unused": Image.objects.create(
            title=f"{UNUSED_IMAGE} photo", file=get_test_image_file(filename="unused.png")
        ),
    }

    index = practice_index_for(default)
    live = add_practice(
        index,
        "Drive-through testing",
        topics=["quarantine"],
        body=[
            ("paragraph", "<p>Cars queue at the stations.</p>"),
            ("image", {"image": images["public"], "alt_text": "A station", "caption": ""}),
        ],
    )
    for document in (documents["public"], documents["private"]):
        PracticeAttachment.objects.create(page=live, document=document)
    live.refresh_from_db()
    live.contact_email = PRACTICE_CONTACT_EMAIL
    live.save_revision(user=editor).publish()
    draft = live.get_latest_revision_as_object()
    draft.title = f"Drive-through testing, {DRAFT_REVISION} edition"
    draft.save_revision(user=editor, log_action=True)

    never_live = add_practice(index, f"{NEVER_LIVE} plan", publish=False)
    PracticeAttachment.objects.create(page=never_live, document=documents["draft_only"])
    never_live.owner = editor
    never_live.contact_email = PRACTICE_CONTACT_EMAIL
    never_live.save()
    never_live.save_revision(user=editor, log_action=True)

    private = add_practice(
        index, "Members-only briefing", summary=f"{PRIVATE_PAGE} details for members."
    )
    private.contact_email = PRACTICE_CONTACT_EMAIL
    private.save_revision(user=editor).publish()
    page_restriction = PageViewRestriction.objects.create(
        page=private,
        restriction_type=PageViewRestriction.PASSWORD,
        password="members-only",  # noqa: S106
    )

    own_summary = add_draft_summary(
        education, users["rapporteur"], f"{OWN_SUMMARY} education summary"
    )
    other_summary = add_draft_summary(
        culture, users["other_rapporteur"], f"{OTHER_SUMMARY} culture summary"
    )
    workflow_state = other_summary.get_workflow().start(other_summary, users["other_rapporteur"])

    city_work = _city_work(users, index, roles)

    objects = _admin_objects(users, live, documents, staff_only)
    objects.update(city_work.pop("objects"))
    objects.update(
        collection_restriction=collection_restriction,
        page_restriction=page_restriction,
        workflow_state=workflow_state,
        task_state=workflow_state.current_task_state,
        education=education,
        culture=culture,
    )
    return World(
        users=users,
        pages={
            "live": live,
            "never_live": never_live,
            "private": private,
            "own_summary": own_summary,
            "other_summary": other_summary,
            "index": index,
            "education": education,
            "culture": culture,
            **city_work["pages"],
        },
        documents=documents,
        images=images,
        objects=objects,
    )


def _city_work(users, index, roles) -> dict:
    """Two cities with a representative each: one's own draft practice, the other's practice
    in moderation, and a stranger's request waiting for a moderator."""
    own_city = City.objects.create(name="Portoverde", slug="portoverde", country="PT")
    other_city = City.objects.create(name="Lagosmar", slug="lagosmar", country="NG")
    assign_representative(users["representative"], own_city)
    assign_representative(users["other_representative"], other_city)
    pages = {}
    for key, owner, city, title in (
        ("own_practice", users["representative"], own_city, f"{OWN_PRACTICE} harbour testing"),
        ("other_practice", users["other_representative"], other_city, f"{OTHER_PRACTICE} plan"),
    ):
        page = add_practice(index, title, publish=False)
        page.owner, page.city, page.shared_by_city = owner, city, True
        page.save()
        page.save_revision(user=owner, log_action=True)
        pages[key] = page
    pages["other_practice"].get_workflow().start(
        pages["other_practice"], users["other_representative"]
    )
    request = RepresentativeRequest.objects.create(
        name="Pat Pending",
        role="Mayor's office",
        email=APPLICANT_EMAIL,
        city_name="Matrixville",
        country="KR",
        language="en",
        status=RequestStatus.VERIFIED,
        verified_at=timezone.now(),
    )
    return {
        "pages": pages,
        "objects": {
            "own_city": own_city,
            "other_city": other_city,
            "representative_request": request,
        },
    }


def _admin_objects(users, live, documents, staff_only) -> dict:
    """One of each other thing an admin URL names by id."""
    editor = users["editor"]
    korean = Locale.objects.get(language_code="ko")
    TranslationCreator(user=editor, target_locales=[korean]).create_translations(live)
    source = TranslationSource.objects.get(object_id=live.translation_key)
    translation = Translation.objects.get(source=source, target_locale=korean)
    query = Query.get("testing stations")
    SearchPromotion.objects.create(query=query, page=live, sort_order=0)
    uploaded = UploadedFile.objects.create(
        file=ContentFile(files.pdf_with_text("Pending upload"), name="pending.pdf"),
        uploaded_by_user=editor,
        for_content_type=ContentType.objects.get_for_model(Document),
    )
    editing_session = EditingSession.objects.create(
        user=editor,
        content_type=ContentType.objects.get_for_model(Page),
        object_id=str(live.pk),
        last_seen_at=timezone.now(),
    )
    return {
        "translation": translation,
        "translation_source": source,
        "string_segment": StringSegment.objects.filter(source=source).first(),
        "overridable_segment": OverridableSegment.objects.filter(source=source).first(),
        "topic_area": TopicArea.objects.filter(locale=Locale.get_default()).first(),
        "city": City.objects.create(name="Matrixville", slug="matrixville", country="KR"),
        "glossary_term": GlossaryTerm.objects.first()
        or GlossaryTerm.objects.create(source_term="방역", target_term="disease control"),
        "synonym_group": SynonymGroup.objects.create(terms="mask, face covering"),
        "query": query,
        "redirect": Redirect.objects.create(old_path="/old-testing", redirect_page=live),
        "locale": korean,
        "site": Site.objects.get(is_default_site=True),
        "group": Group.objects.get(session_access__session__slug="culture"),
        "collection": staff_only,
        "workflow": Workflow.objects.first(),
        "task": Task.objects.first(),
        "uploaded_file": uploaded,
        "editing_session": editing_session,
    }
