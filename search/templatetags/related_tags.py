"""`{% related_practices page as practices %}`: a template tag, so that content never imports
search (knowledge/templates/knowledge/practice_page.html)."""

from django import template

from search.related import related_practices as find_related_practices

register = template.Library()


@register.simple_tag
def related_practices(page):
    return find_related_practices(page)
