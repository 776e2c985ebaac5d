"""`{% page_query request number %}`: the link to another page of a paginated listing."""

from django import template
from django.http import HttpRequest

register = template.Library()


@register.simple_tag
def page_query(request: HttpRequest, number: int) -> str:
    """This request's query string with `page` set to `number` (left out for the first page),
    so a listing's other parameters survive; the link is relative, keeping the path and its
    language prefix."""
    params = request.GET.copy()
    params.pop("page", None)
    if number > 1:
        params["page"] = str(number)
    return "?" + params.urlencode()
