"""The city network in the admin: "My city" for representatives, request review for
moderators, and the representative's verification shown to whoever reviews their practice."""

from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from editorial.models import representative_cities
from knowledge.models import PracticePage
from network import admin_urls
from network.representatives import approval_behind


@hooks.register("register_admin_urls")
def register_network_urls():
    return admin_urls.urlpatterns


class MyCityMenuItem(MenuItem):
    def is_shown(self, request):
        return representative_cities(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_my_city_menu_item():
    return MyCityMenuItem(_("My city"), reverse("my_city:index"), icon_name="site", order=51)


class RequestsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("network.change_representativerequest")


@hooks.register("register_admin_menu_item")
def register_requests_menu_item():
    return RequestsMenuItem(
        _("Representative requests"),
        reverse("representative_requests:index"),
        icon_name="user",
        order=620,
    )


@hooks.register("before_edit_page")
def show_representatives_verification(request, page):
    """Whoever reviews a practice a representative shared sees who vouched for them."""
    practice = page.specific
    if not isinstance(practice, PracticePage) or not practice.shared_by_city:
        return None
    approval = approval_behind(practice)
    if approval is None:
        messages.warning(
            request,
            gettext(
                "Marked as shared by the city, but its author is not a verified representative."
            ),
        )
        return None
    messages.info(
        request,
        gettext(
            "Shared by %(city)s: written by %(name)s (%(role)s), whose official address "
            "%(email)s was verified on %(verified)s; approved as the city's representative by "
            "%(moderator)s on %(decided)s."
        )
        % {
            "city": approval.city.name if approval.city else approval.city_name,
            "name": approval.name,
            "role": approval.role,
            "email": approval.email,
            "verified": approval.verified_at.date().isoformat() if approval.verified_at else "?",
            "moderator": approval.decided_by.get_full_name() if approval.decided_by else "?",
            "decided": approval.decided_at.date().isoformat() if approval.decided_at else "?",
        },
    )
    return None
