from django import template

register = template.Library()


@register.filter
def openable_by(attachments, request) -> list:
    """The attachments whose file this visitor may open: a file in a collection with a
    view restriction (password, sign-in, groups) is listed only to those it admits."""
    return [
        attachment
        for attachment in attachments
        if all(
            restriction.accept_request(request)
            for restriction in attachment.document.collection.get_view_restrictions()
        )
    ]
