"""StreamField blocks shared by the knowledge pages."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "document-link"]


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        required=False,
        help_text=_("Describe the image for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False)

    class Meta:
        icon = "image"
        template = "knowledge/blocks/image_block.html"
        label = _("Image")


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Attribution"), required=False)

    class Meta:
        icon = "openquote"
        template = "knowledge/blocks/quote_block.html"
        label = _("Quote")


class KeyFigureBlock(blocks.StructBlock):
    value = blocks.CharBlock(label=_("Figure"), help_text=_("For example 6,000,000 or 98%."))
    label = blocks.CharBlock(label=_("What it measures"))
    source = blocks.CharBlock(label=_("Source"), required=False)

    class Meta:
        icon = "pick"
        template = "knowledge/blocks/key_figure_block.html"
        label = _("Key figure")


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(
        label=_("Link text"), required=False, help_text=_("Defaults to the document's title.")
    )

    class Meta:
        icon = "doc-full"
        template = "knowledge/blocks/document_link_block.html"
        label = _("Document link")


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Paragraph"))
    heading = blocks.CharBlock(
        label=_("Heading"), form_classname="title", template="knowledge/blocks/heading_block.html"
    )
    image = ImageBlock()
    quote = QuoteBlock()
    key_figure = KeyFigureBlock()
    embed = EmbedBlock(label=_("Embedded media"))
    document = DocumentLinkBlock()


class SpeakerBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("Name"))
    role = blocks.CharBlock(label=_("Role"), required=False)
    organisation = blocks.CharBlock(label=_("Organisation"), required=False)

    class Meta:
        icon = "user"
        template = "knowledge/blocks/speaker_block.html"
        label = _("Speaker")


class NotableQuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quote"))
    speaker = blocks.CharBlock(label=_("Speaker"))

    class Meta:
        icon = "openquote"
        template = "knowledge/blocks/quote_block.html"
        label = _("Notable quote")


class SourceBlock(blocks.StructBlock):
    """A public page that supports what the page says, so a reader can check it."""

    url = blocks.URLBlock(label=_("Address"))
    title = blocks.CharBlock(
        label=_("Title"), help_text=_("What the page is and who published it.")
    )

    class Meta:
        icon = "link"
        template = "knowledge/blocks/source_block.html"
        label = _("Source")
