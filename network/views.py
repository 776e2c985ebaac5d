"""Public views of the city network. Thin: the work lives in contact.py, representatives.py,
alerts.py, compare.py and the tasks."""

from __future__ import annotations

import dataclasses
import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from wagtail.models import Locale

from core.queue import run_or_queue
from knowledge.listings import topic_areas_for
from knowledge.localized import prefer_locale
from knowledge.models import City, PracticePage, TopicArea
from knowledge.reader_language import reader_url
from knowledge.visibility import visible_pages
from network.alerts import (
    AlertChoice,
    choice_for_token,
    confirm,
    describe_choice,
    unsubscribe,
    unsubscribe_url,
    wait_before_subscribing,
)
from network.compare import (
    MAX_CITIES,
    comparable_cities,
    compare_on_topic,
    read_comparison_choice,
)
from network.contact import ContactMessage, contactable_practice, wait_before_sending
from network.forms import AlertSubscriptionForm, ContactForm, RepresentativeRequestForm
from network.representatives import (
    RequestDetails,
    record_request,
    request_for_token,
    verify,
    wait_before_requesting,
)
from network.tasks import (
    send_alert_confirmation,
    send_practice_contact_message,
    send_representative_email,
)

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


@never_cache
def share_request(request: HttpRequest) -> HttpResponse:
    """ "Share your city's practice": an official asks for an account for their city."""
    template = "network/share_request.html"
    if request.method != "POST":
        return render(request, template, {"form": RepresentativeRequestForm()})
    wait = wait_before_requesting(request)
    if wait is not None:
        response = render(request, template, {"form": None, "wait": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    form = RepresentativeRequestForm(request.POST)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    if form.is_spam():
        # Answered as a success, so that a bot learns nothing; nothing is stored.
        return render(request, "network/share_request_sent.html", {"email": ""})
    data = form.cleaned_data
    details = RequestDetails(
        name=data["name"],
        role=data["role"],
        email=data["email"],
        city_name=data["city_name"],
        country=data["country"],
        message=data["message"],
        language=translation.get_language(),
    )
    # Stored first (committed), so that the worker finds it; withdrawn if its e-mail cannot
    # be queued, so that no request waits for a link that was never sent.
    representative_request = record_request(details)
    try:
        run_or_queue(send_representative_email, representative_request.pk, "verify")
    except Exception:
        logger.exception("A verification e-mail could not be queued")
        representative_request.delete()
        return render(request, template, {"form": form, "not_sent": True}, status=503)
    return render(request, "network/share_request_sent.html", {"email": details.email})


@never_cache
def verify_request(request: HttpRequest, token: str) -> HttpResponse:
    """The signed link from the verification e-mail: proves the address, tells moderators."""
    representative_request = request_for_token(token)
    if representative_request is None:
        return render(request, "network/share_request_verified.html", {"invalid": True}, status=400)
    if verify(representative_request):
        try:
            run_or_queue(send_representative_email, representative_request.pk, "moderators")
        except Exception:
            # The request is verified and listed for moderators; only their e-mail is late.
            logger.exception(
                "Moderators could not be told of request %s", representative_request.pk
            )
    return render(
        request,
        "network/share_request_verified.html",
        {"representative_request": representative_request},
    )


def _alert_form_choices() -> dict:
    """Topic areas, and cities with public practices, in the reader's language."""
    locale = Locale.get_active()
    public = visible_pages(PracticePage.objects.all())
    cities = City.objects.filter(translation_key__in=public.values("city__translation_key"))
    return {
        "topics": prefer_locale(TopicArea.objects.all(), locale).order_by("name"),
        "cities": prefer_locale(cities, locale).order_by("name"),
    }


@never_cache
def alerts_subscribe(request: HttpRequest) -> HttpResponse:
    template = "network/alerts_form.html"
    choices = _alert_form_choices()
    if request.method != "POST":
        return render(request, template, {"form": AlertSubscriptionForm(**choices)})
    wait = wait_before_subscribing(request)
    if wait is not None:
        response = render(request, template, {"form": None, "wait": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    form = AlertSubscriptionForm(request.POST, **choices)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    if form.is_spam():
        return render(request, "network/alerts_sent.html", {"email": ""})
    choice = AlertChoice(
        email=form.cleaned_data["email"],
        language=translation.get_language(),
        frequency=form.cleaned_data["frequency"],
        topic_keys=form.cleaned_data["topics"],
        city_keys=form.cleaned_data["cities"],
    )
    try:
        run_or_queue(send_alert_confirmation, dataclasses.asdict(choice))
    except Exception:
        logger.exception("An alert confirmation could not be queued")
        return render(request, template, {"form": form, "not_sent": True}, status=503)
    return render(request, "network/alerts_sent.html", {"email": choice.email})


@never_cache
def alerts_confirm(request: HttpRequest, token: str) -> HttpResponse:
    choice = choice_for_token(token)
    if choice is None:
        return render(request, "network/alerts_done.html", {"invalid": True}, status=400)
    subscription = confirm(choice)
    return render(
        request,
        "network/alerts_done.html",
        {
            "subscription": subscription,
            "described": describe_choice(subscription.topic_keys, subscription.city_keys),
            "unsubscribe_url": unsubscribe_url(subscription),
        },
    )


@csrf_exempt  # a mail program's one-click POST (RFC 8058) carries no CSRF token; the link is signed
@never_cache
@require_http_methods(["GET", "POST"])
def alerts_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    result = unsubscribe(token)
    if result is None:
        return render(request, "network/alerts_done.html", {"invalid": True}, status=400)
    return render(request, "network/alerts_done.html", {"unsubscribed": True})


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
