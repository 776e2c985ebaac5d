"""Demo accounts for a local site: one per editorial role, with passwords everyone knows.

Only for development. `create_demo_accounts` refuses to run unless DEBUG is on, so the
well-known passwords never reach a production database by accident.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from editorial.roles import assign_rapporteur, assign_representative, ensure_editorial_roles
from knowledge.models import City, SessionPage

DEMO_RAPPORTEUR_SESSION = "education"
# A demo city whose representative writes through "My city"; found by slug, else added.
DEMO_REPRESENTATIVE_CITY = ("milan", "Milan", "IT")


class DemoAccountsError(Exception):
    pass


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Promise


# Published on purpose: these are shown on screen by `make demo`.
DEMO_ACCOUNTS = (
    DemoAccount("admin", "cac-admin-demo", _("Administrator (superuser)")),
    DemoAccount("editor", "cac-editor-demo", _("Seoul editor: writes, submits for moderation")),
    DemoAccount("moderator", "cac-moderator-demo", _("Moderator: approves, publishes")),
    DemoAccount(
        "rapporteur", "cac-rapporteur-demo", _("Rapporteur: writes the “education” session summary")
    ),
    DemoAccount(
        "representative",
        "cac-representative-demo",
        _("City representative: shares Milan's practices through “My city”"),
    ),
)


def _demo_city() -> City:
    slug, name, country = DEMO_REPRESENTATIVE_CITY
    city = City.objects.filter(slug=slug, locale=Locale.get_default()).first()
    return city or City.objects.create(name=name, slug=slug, country=country)


def admin_url() -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/admin/"


@transaction.atomic
def create_demo_accounts(*, allow_without_debug: bool = False) -> tuple[DemoAccount, ...]:
    """Create or reset the demo accounts and their roles. Safe to run again."""
    if not settings.DEBUG and not allow_without_debug:
        raise DemoAccountsError(
            _(
                "Refusing to create demo accounts with well-known passwords while DEBUG is "
                "off. This looks like production; use --force only if you are sure it is not."
            )
        )
    session = SessionPage.objects.filter(
        slug=DEMO_RAPPORTEUR_SESSION, locale=Locale.get_default()
    ).first()
    if session is None:
        raise DemoAccountsError(
            _("The “%(slug)s” session does not exist yet: run load_summit_2020 first.")
            % {"slug": DEMO_RAPPORTEUR_SESSION}
        )

    roles = ensure_editorial_roles()
    groups = {
        "admin": [],
        "editor": [roles.editors],
        "moderator": [roles.moderators],
        "rapporteur": [],
        "representative": [],
    }
    User = get_user_model()
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(**{User.USERNAME_FIELD: account.username}).first()
        if user is None:
            user = User(**{User.USERNAME_FIELD: account.username})
        user.email = f"{account.username}@cac.local"
        user.is_active = True
        user.is_superuser = user.is_staff = account.username == "admin"
        user.set_password(account.password)
        user.save()
        user.groups.set(groups[account.username])
        if account.username == "rapporteur":
            assign_rapporteur(user, session)
        if account.username == "representative":
            assign_representative(user, _demo_city())
    return DEMO_ACCOUNTS
