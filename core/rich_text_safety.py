"""Rich text is cleaned on every save, whichever way it arrives.

The editor (Draftail) already keeps rich text to its features, but rich text set in code -
an import, a script, a translation tool - reaches the database as given, and Wagtail renders
it unescaped. Before any model with a RichTextField or a StreamField with rich text is saved,
its rich text is reduced to the tags and attributes of Wagtail's stored format: no script,
no event handler, no javascript: link.
"""

from __future__ import annotations

import re
from functools import cache

import nh3
from wagtail import blocks
from wagtail.fields import RichTextField, StreamField

# Wagtail's stored ("database") format: <a linktype id> and <embed embedtype ...> are its
# internal links and embedded images/media, expanded when the page is rendered.
TAGS = {
    "p", "br", "b", "i", "strong", "em", "u", "s", "sub", "sup", "code", "blockquote",
    "h2", "h3", "h4", "h5", "h6", "hr", "ol", "ul", "li", "a", "embed",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "linktype", "id"},
    "embed": {"embedtype", "id", "format", "alt", "url"},
    # Draftail's key for each block: inline comments and revision diffs anchor on it.
    "*": {"data-block-key"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# The cleaner writes <embed ...>; Wagtail only expands the self-closing <embed .../>.
EMBED_TAG = re.compile(r"<embed(\b[^>]*?)\s*/?>")


def clean_rich_text(html: str) -> str:
    if not html:
        return html
    cleaned = nh3.clean(
        html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=None
    )
    return EMBED_TAG.sub(r"<embed\1/>", cleaned)


def _clean_block_value(block: blocks.Block, value):
    """`value` is a block's stored (JSON) value; rich text within it comes back cleaned."""
    if isinstance(block, blocks.RichTextBlock):
        return clean_rich_text(value) if isinstance(value, str) else value
    if isinstance(block, blocks.StreamBlock) and isinstance(value, list):
        for item in value:
            child = block.child_blocks.get(item.get("type"))
            if child is not None:
                item["value"] = _clean_block_value(child, item.get("value"))
        return value
    if isinstance(block, blocks.StructBlock) and isinstance(value, dict):
        for name, child in block.child_blocks.items():
            if name in value:
                value[name] = _clean_block_value(child, value[name])
        return value
    if isinstance(block, blocks.ListBlock) and isinstance(value, list):
        return [
            {**item, "value": _clean_block_value(block.child_block, item["value"])}
            if isinstance(item, dict) and item.get("type") == "item" and "value" in item
            else _clean_block_value(block.child_block, item)
            for item in value
        ]
    return value


@cache
def _rich_fields(model) -> tuple:
    return tuple(
        field
        for field in model._meta.concrete_fields
        if isinstance(field, RichTextField | StreamField)
    )


def clean_rich_text_before_save(sender, instance, raw=False, **kwargs):
    if raw:  # loading fixtures: stored as given
        return
    for field in _rich_fields(type(instance)):
        value = getattr(instance, field.attname)
        if isinstance(field, RichTextField):
            if isinstance(value, str):
                setattr(instance, field.attname, clean_rich_text(value))
            continue
        if value is None:
            continue
        stored = field.stream_block.get_prep_value(value)
        cleaned = _clean_block_value(field.stream_block, stored)
        setattr(instance, field.attname, field.to_python(cleaned))
