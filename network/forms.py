"""Public forms of the city network. Each has a honeypot: a field people never see."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from wagtail.images.fields import WagtailImageField
from wagtail.models import Locale

from documents.forms import check_uploads
from editorial.forms import MultipleFileField
from editorial.new_cities import NAME_MAX_LENGTH, clean_city_name, country_choices
from editorial.summaries import paragraphs_to_html, plain_paragraphs
from knowledge.models import CostBand, PracticeKind, PracticeStatus, TopicArea
from network.contributions import PracticeContent
from network.models import DigestFrequency

MESSAGE_MAX_CHARS = 5000
# C0 control characters and DEL; a message keeps its line breaks and tabs.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAKS = re.compile(r"[\r\n\t]")


def contains_control_characters(value: str, *, allow_newlines: bool) -> bool:
    return bool(CONTROL_CHARACTERS.search(value)) or (
        not allow_newlines and bool(LINE_BREAKS.search(value))
    )


class HoneypotMixin(forms.Form):
    """A field hidden from people (and from screen readers), which bots fill in."""

    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_spam(self) -> bool:
        return bool(self.data.get("website", "").strip())


class ContactForm(HoneypotMixin):
    """A message to a practice's contact, who answers the sender's address directly."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("The contact replies to this address. It is not published."),
    )
    organisation = forms.CharField(label=_("Your organisation"), max_length=200, required=False)
    message = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def clean(self):
        cleaned = super().clean()
        for name in ("name", "organisation", "message"):
            value = cleaned.get(name, "")
            # A newline is fine in a message; other control characters and NULs are not.
            if value and contains_control_characters(value, allow_newlines=name == "message"):
                self.add_error(name, _("This field contains characters that are not text."))
        return cleaned


def _check_text(form: forms.Form, names: tuple[str, ...], *, multiline: tuple[str, ...] = ()):
    for name in names:
        value = form.cleaned_data.get(name, "")
        if value and contains_control_characters(value, allow_newlines=name in multiline):
            form.add_error(name, _("This field contains characters that are not text."))


class RepresentativeRequestForm(HoneypotMixin):
    """An official asks to share their city's practices; their address is verified next."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    role = forms.CharField(
        label=_("Your role"),
        max_length=200,
        help_text=_("Your position in the city government, e.g. Director of Public Health."),
    )
    email = forms.EmailField(
        label=_("Your official e-mail address"),
        help_text=_(
            "Use your address at the city government: moderators check it. We send a link "
            "to it to confirm that it is yours."
        ),
    )
    city_name = forms.CharField(label=_("City"), max_length=NAME_MAX_LENGTH)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices)
    message = forms.CharField(
        label=_("Anything the moderators should know (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_city_name(self) -> str:
        return clean_city_name(self.cleaned_data["city_name"])

    def clean(self):
        cleaned = super().clean()
        _check_text(self, ("name", "role", "message"), multiline=("message",))
        return cleaned


class SharedPracticeForm(forms.Form):
    """The representative's guided form: the practice's fields in plain words, one page."""

    language = forms.ChoiceField(
        label=_("Language of this practice"),
        help_text=_("Write in the language you choose here; it cannot be changed later."),
    )
    title = forms.CharField(label=_("Title"), max_length=255)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Two or three sentences: what the city did, for whom, and why."),
    )
    body = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("How it works, step by step. Leave a blank line between paragraphs."),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topic areas"),
        queryset=TopicArea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=PracticeKind.choices)
    practice_status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *PracticeStatus.choices], required=False
    )
    started = forms.DateField(
        label=_("Started"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ended = forms.DateField(
        label=_("Ended"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    outcome = forms.CharField(
        label=_("Outcome or evidence"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What came of it, with figures where there are any, and how it is known."),
    )
    target_group = forms.CharField(label=_("Target group"), max_length=200, required=False)
    cost_band = forms.ChoiceField(
        label=_("Cost"), choices=[("", "—"), *CostBand.choices], required=False
    )
    source_url = forms.URLField(
        label=_("Source link"),
        max_length=500,
        assume_scheme="https",
        help_text=_("A public page of the city that supports what you write: required."),
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=200)
    contact_organisation = forms.CharField(
        label=_("Contact organisation"), max_length=200, required=False
    )
    contact_email = forms.EmailField(
        label=_("Contact e-mail address"),
        help_text=_("Never published: visitors write through a contact form."),
    )
    keep_documents = forms.TypedMultipleChoiceField(
        label=_("Attached files"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick a file to remove it from the practice."),
    )
    new_files = MultipleFileField(label=_("Add reports or guidelines (optional)"), required=False)
    new_image = WagtailImageField(label=_("Add a photo (optional)"), required=False)
    image_alt_text = forms.CharField(
        label=_("What the photo shows"),
        max_length=255,
        required=False,
        help_text=_("For people who cannot see it. Required with a photo."),
    )

    TEXT_FIELDS = (
        "title",
        "summary",
        "body",
        "outcome",
        "target_group",
        "contact_name",
        "contact_organisation",
        "image_alt_text",
    )
    MULTILINE = ("summary", "body", "outcome")

    def __init__(self, *args, page=None, languages=(), default_language="", **kwargs):
        self.page = page.get_latest_revision_as_object() if page else None
        initial = kwargs.pop("initial", None) or self._initial(default_language)
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["language"].choices = list(languages)
        if self.page is not None:
            # Fixed once the practice exists: its translations hang off this language.
            self.fields["language"].disabled = True
        self.fields["topics"].queryset = TopicArea.objects.filter(locale=Locale.get_default())
        attachments = list(self.page.attachments.all()) if self.page else []
        self.fields["keep_documents"].choices = [
            (attachment.document_id, attachment.document.title) for attachment in attachments
        ]
        self.fields["new_files"].help_text = _(
            "PDF, Word (.docx), PowerPoint (.pptx) or Excel (.xlsx), up to %(limit)s each. "
            "You can choose several files at once."
        ) % {"limit": filesizeformat(settings.WAGTAILDOCS_MAX_UPLOAD_SIZE)}

    def _initial(self, default_language: str) -> dict:
        page = self.page
        if page is None:
            return {"language": default_language}
        default = Locale.get_default()
        return {
            "language": page.locale.language_code,
            "title": page.title,
            "summary": page.summary,
            "body": plain_paragraphs(
                "".join(str(b.value) for b in page.body if b.block_type == "paragraph")
            ),
            "topics": [t.get_translation_or_none(default) or t for t in page.topics.all()],
            "kind": page.kind,
            "practice_status": page.practice_status,
            "started": page.started,
            "ended": page.ended,
            "outcome": page.outcome,
            "target_group": page.target_group,
            "cost_band": page.cost_band,
            "source_url": page.source_url,
            "contact_name": page.contact_name,
            "contact_organisation": page.contact_organisation,
            "contact_email": page.contact_email,
            "keep_documents": [a.document_id for a in page.attachments.all()],
        }

    def clean_new_files(self):
        # Every refused file is named with its reason; none of them is stored.
        return check_uploads(self.cleaned_data.get("new_files") or [])

    def clean(self):
        cleaned = super().clean()
        _check_text(self, self.TEXT_FIELDS, multiline=self.MULTILINE)
        started, ended = cleaned.get("started"), cleaned.get("ended")
        if started and ended and ended < started:
            self.add_error("ended", _("A practice cannot end before it started."))
        if cleaned.get("new_image") and not cleaned.get("image_alt_text", "").strip():
            self.add_error("image_alt_text", _("Say what the photo shows."))
        return cleaned

    def content(self) -> PracticeContent:
        data = self.cleaned_data
        body = data["body"]
        unchanged = self.page is not None and body.split() == self.initial["body"].split()
        return PracticeContent(
            title=" ".join(data["title"].split()),
            summary=data["summary"].strip(),
            body_html=None if unchanged else paragraphs_to_html(body),
            kind=data["kind"],
            topics=list(data["topics"]),
            practice_status=data["practice_status"],
            started=data["started"],
            ended=data["ended"],
            outcome=data["outcome"].strip(),
            target_group=data["target_group"].strip(),
            cost_band=data["cost_band"],
            source_url=data["source_url"],
            contact_name=data["contact_name"].strip(),
            contact_organisation=data["contact_organisation"].strip(),
            contact_email=data["contact_email"],
            keep_document_ids=list(data["keep_documents"]),
            new_files=data["new_files"],
            new_image=data["new_image"],
            image_alt_text=data["image_alt_text"].strip(),
        )


class AlertSubscriptionForm(HoneypotMixin):
    """E-mail alerts of new practices on chosen topic areas and cities."""

    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("We send a link to it first; nothing is sent until you open it."),
    )
    topics = forms.MultipleChoiceField(
        label=_("Topic areas"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cities = forms.MultipleChoiceField(
        label=_("Cities"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Choose none for every city. Hold Ctrl (or ⌘) to choose several."),
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=DigestFrequency.choices,
        initial=DigestFrequency.WEEKLY,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, topics=(), cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Values are translation keys: the choice holds for the practices of every language.
        self.fields["topics"].choices = [(str(t.translation_key), t.name) for t in topics]
        self.fields["cities"].choices = [(str(c.translation_key), c.name) for c in cities]
