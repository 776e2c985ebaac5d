"""Public views of the city network. Thin: the work lives in contact.py, compare.py and the
tasks."""

from __future__ import annotations

import dataclasses
import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from wagtail.models import Locale

from core.queue import run_or_queue
from knowledge.listings import topic_areas_for
from knowledge.reader_language import reader_url
from network.compare import (
    MAX_CITIES,
    comparable_cities,
    compare_on_topic,
    read_comparison_choice,
)
from network.contact import ContactMessage, contactable_practice, wait_before_sending
from network.forms import ContactForm
from network.tasks import send_practice_contact_message

logger = logging.getLogger(__name__)


@never_cache
def practice_contact(request: HttpRequest, page_id: int) -> HttpResponse:
    page = contactable_practice(page_id)
    if page is None:
        raise Http404
    context = {"page": page, "page_url": reader_url(page, request)}
    if request.method != "POST":
        return render(request, "network/contact_form.html", context | {"form": ContactForm()})

    wait = wait_before_sending(request)
    if wait is not None:
        response = render(
            request, "network/contact_form.html", context | {"form": None, "wait": wait}, status=429
        )
        response["Retry-After"] = str(wait)
        return response
    form = ContactForm(request.POST)
    if not form.is_valid():
        return render(request, "network/contact_form.html", context | {"form": form}, status=400)
    if form.is_spam():
        # Answered as a success, so that a bot learns nothing; nothing is sent.
        return render(request, "network/contact_sent.html", context)
    message = ContactMessage(
        page_id=page.pk,
        name=form.cleaned_data["name"],
        email=form.cleaned_data["email"],
        organisation=form.cleaned_data["organisation"],
        message=form.cleaned_data["message"],
        language=translation.get_language(),
    )
    try:
        run_or_queue(send_practice_contact_message, dataclasses.asdict(message))
    except Exception:
        logger.exception("A contact message for practice %s could not be sent", page.pk)
        return render(
            request,
            "network/contact_form.html",
            context | {"form": form, "not_sent": True},
            status=503,
        )
    return render(request, "network/contact_sent.html", context)


def compare_cities(request: HttpRequest) -> HttpResponse:
    """Up to four cities side by side on one topic area (network/compare.py).

    A choice that names only things we show, asked in another form than its own (the form's
    repeated and empty selects, a city twice), is sent to its one address, which the page
    cache keeps; a choice that names anything else is answered 400, with the form.
    """
    locale = Locale.get_active()
    offered = comparable_cities(locale)
    choice = read_comparison_choice(request.GET, locale, offered)
    if not choice.problems and request.META.get("QUERY_STRING", "") != choice.query:
        return redirect(f"{request.path}?{choice.query}" if choice.query else request.path)
    comparison = (
        compare_on_topic(choice.topic, choice.cities, locale, request) if choice.is_complete else []
    )
    chosen = [city.slug for city in choice.cities]
    context = {
        "choice": choice,
        "comparison": comparison,
        "topics": topic_areas_for(locale),
        "offered": offered,
        "city_selects": [chosen[n] if n < len(chosen) else "" for n in range(MAX_CITIES)],
        "max_cities": MAX_CITIES,
    }
    status = 400 if choice.problems else 200
    return render(request, "network/compare.html", context, status=status)
