"""Public forms of the city network. Each has a honeypot: a field people never see."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

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
