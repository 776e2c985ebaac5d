"""Public views of the city network. Thin: the work lives in contact.py and the tasks."""

from __future__ import annotations

import dataclasses
import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache

from core.queue import run_or_queue
from knowledge.reader_language import reader_url
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
