"""The rapporteur's guided summary form: plain fields, one page, no CMS vocabulary."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from documents.forms import check_uploads
from editorial.new_cities import NewCityRows
from editorial.summaries import SummaryContent, paragraphs_to_html, plain_paragraphs
from knowledge.models import City, SessionSummaryPage

ACCEPTED_TYPES = ".pdf,.docx,.pptx,.xlsx"
QUOTE_ROWS = 3


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_TYPES}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


class QuoteForm(forms.Form):
    text = forms.CharField(
        label=_("Quote"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    speaker = forms.CharField(label=_("Speaker"), required=False, max_length=255)

    def clean(self):
        cleaned = super().clean()
        text, speaker = cleaned.get("text", "").strip(), cleaned.get("speaker", "").strip()
        if text and not speaker:
            self.add_error("speaker", _("Who said it?"))
        if speaker and not text:
            self.add_error("text", _("Add the quote, or clear the speaker."))
        return cleaned


class BaseQuoteFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": _("A summary holds at most %(num)d quotes. Remove the extra rows."),
    }


QUOTES_MAX = 20
# validate_max: rows added in the browser count too; more than the cap is an error, not a cut.
QuoteFormSet = forms.formset_factory(
    QuoteForm,
    formset=BaseQuoteFormSet,
    extra=0,
    max_num=QUOTES_MAX,
    absolute_max=QUOTES_MAX,
    validate_max=True,
)


class SessionSummaryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    key_messages = forms.CharField(
        label=_("Key messages"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One key message per line."),
    )
    recommendations = forms.CharField(
        label=_("Recommendations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One recommendation per line."),
    )
    cities = forms.ModelMultipleChoiceField(
        label=_("Participating cities"),
        queryset=City.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    full_summary = forms.CharField(
        label=_("Full summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Leave a blank line between paragraphs."),
    )
    keep_documents = forms.TypedMultipleChoiceField(
        label=_("Attached files"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick a file to remove it from the summary."),
    )
    new_files = MultipleFileField(
        label=_("Add slides or reports"),
        required=False,
    )

    def __init__(self, *args, summary: SessionSummaryPage | None, session, **kwargs):
        self.summary_page = summary.get_latest_revision_as_object() if summary else None
        initial = kwargs.pop("initial", None) or self._initial(session)
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["cities"].queryset = City.objects.filter(locale=Locale.get_default())
        attachments = list(self.summary_page.attachments.all()) if self.summary_page else []
        self.fields["keep_documents"].choices = [
            (attachment.document_id, attachment.document.title) for attachment in attachments
        ]
        self.fields["new_files"].help_text = _(
            "PDF, Word (.docx), PowerPoint (.pptx) or Excel (.xlsx), up to %(limit)s each. "
            "You can choose several files at once."
        ) % {"limit": filesizeformat(settings.WAGTAILDOCS_MAX_UPLOAD_SIZE)}
        self.quotes = QuoteFormSet(
            *args, prefix="quotes", initial=self._initial_quotes(), form_kwargs={}
        )
        self.new_cities = NewCityRows(*args, prefix="new_cities")
        if not self.is_bound:
            # Empty rows to type into; the form needs no JavaScript to add quotes.
            self.quotes.extra = max(QUOTE_ROWS - len(self.quotes.initial or []), 1)

    def _initial(self, session) -> dict:
        page = self.summary_page
        if page is None:
            return {
                "title": _("Summary of %(session)s") % {"session": session.title},
                "cities": list(session.cities.all()),
            }
        return {
            "title": page.title,
            "key_messages": "\n".join(str(block.value) for block in page.key_messages),
            "recommendations": "\n".join(str(block.value) for block in page.recommendations),
            "cities": list(page.cities.all()),
            "full_summary": plain_paragraphs(page.full_summary),
            "keep_documents": [attachment.document_id for attachment in page.attachments.all()],
        }

    def _initial_quotes(self) -> list[dict]:
        if self.summary_page is None:
            return []
        return [
            {"text": block.value["text"], "speaker": block.value["speaker"]}
            for block in self.summary_page.notable_quotes
        ]

    def clean_new_files(self):
        # Every refused file is named with its reason; none of them is stored.
        return check_uploads(self.cleaned_data.get("new_files") or [])

    def is_valid(self) -> bool:
        # Every part is checked, so all errors show at once.
        results = [super().is_valid(), self.quotes.is_valid(), self.new_cities.is_valid()]
        return all(results)

    def content(self) -> SummaryContent:
        data = self.cleaned_data
        full_summary = data["full_summary"]
        # Unchanged text keeps the stored rich text, with any links an editor added.
        unchanged = self.summary_page is not None and full_summary.split() == (
            self.initial.get("full_summary", "").split()
        )
        return SummaryContent(
            title=data["title"].strip(),
            key_messages=_lines(data["key_messages"]),
            recommendations=_lines(data["recommendations"]),
            quotes=[
                (quote["text"].strip(), quote["speaker"].strip())
                for quote in self.quotes.cleaned_data
                if quote.get("text", "").strip()
            ],
            cities=list(data["cities"]),
            new_cities=self.new_cities.new_cities(),
            full_summary_html=None if unchanged else paragraphs_to_html(full_summary),
            keep_document_ids=list(data["keep_documents"]),
            new_files=data["new_files"],
        )
