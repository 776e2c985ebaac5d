"""A new page whose title's web address is taken says so on its title, not on the slug.

Wagtail 7.4 autosaves the add form: once an editor types a title, the page exists as a
draft, even if they then leave. Starting again with the same title then failed with a slug
error on the Promote tab, which a new editor never opens. Here, when the slug is the one
made from the title, the clash is reported on the title: an abandoned draft of the editor's
own is named, with a link to continue it; another page is named only to someone who may
edit it. A slug typed by hand keeps Wagtail's error where it was typed.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext
from wagtail.models import Page


def is_abandoned_draft_of(page: Page, user) -> bool:
    """Never published, owned by `user`, and not waiting for a moderator."""
    return (
        not page.live
        and page.first_published_at is None
        and user is not None
        and page.owner_id == user.pk
        and not page.workflow_in_progress
    )


class SlugClashOnTitleMixin:
    """For WagtailAdminPageForm subclasses; they are given `parent_page` and `for_user`."""

    def clean(self):
        slug = self.cleaned_data.get("slug")
        self._title_slug_clash = None
        cleaned_data = super().clean()
        clash = self._sibling_with_slug(slug)
        if clash is not None and self._slug_follows_title(slug):
            self._title_slug_clash = clash
        return cleaned_data

    def _post_clean(self):
        # The slug's error stays until the model is validated: a field with an error is left
        # out of that, so it cannot come back as "this field cannot be blank".
        super()._post_clean()
        clash = getattr(self, "_title_slug_clash", None)
        if clash is not None:
            self._report_clash_on_title(clash)

    def _sibling_with_slug(self, slug) -> Page | None:
        parent = getattr(self, "parent_page", None)
        if not slug or parent is None or self.instance.pk is not None:
            return None  # only new pages: an edited page's slug is the editor's own choice
        return parent.get_children().filter(slug=slug).first()

    def _slug_follows_title(self, slug: str) -> bool:
        allow_unicode = getattr(settings, "WAGTAIL_ALLOW_UNICODE_SLUGS", True)
        title = self.cleaned_data.get("title") or ""
        return slug == slugify(title, allow_unicode=allow_unicode)

    def _report_clash_on_title(self, clash: Page) -> None:
        user = getattr(self, "for_user", None)
        self.errors.pop("slug", None)
        if is_abandoned_draft_of(clash, user):
            self.add_error(
                "title",
                gettext(
                    "You already started a page with this title here and never published "
                    "it (“%(title)s”). Continue that draft, or change this title."
                )
                % {"title": clash.draft_title},
            )
            edit_url = reverse("wagtailadmin_pages:edit", args=[clash.pk])
            self.add_error(
                None,
                format_html(
                    '<a href="{}">{}</a>',
                    edit_url,
                    gettext("Continue your draft “%(title)s”") % {"title": clash.draft_title},
                ),
            )
        elif user is not None and clash.permissions_for_user(user).can_edit():
            self.add_error(
                "title",
                gettext(
                    "“%(title)s” already has the web address made from this title. "
                    "Change the title, or choose another slug on the Promote tab."
                )
                % {"title": clash.draft_title},
            )
        else:
            self.add_error(
                "title",
                gettext(
                    "Another page here already has the web address made from this title. "
                    "Change the title, or choose another slug on the Promote tab."
                ),
            )
