"""Every page of the site, checked for who may open it and whose data it shows.

The URL list is read from the resolver, so a page added later is checked without anyone
remembering to: anonymous visitors are sent to sign in, and a page about one object must be
registered below with a way to point it at community B, so that someone in community A can
be shown to get "not found".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from cunju.accounts.middleware import PUBLIC_URL_NAMES
from cunju.accounts.models import User
from cunju.core.actions import record_event
from cunju.core.models import AuditEvent
from cunju.organizations.models import Organization
from cunju.places.actions import update_place
from cunju.places.models import Place
from tests.world import client_for, xlsx_text

# --- The URL map ---------------------------------------------------------------------------


def walk(patterns: list, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner)
        else:
            yield f"{namespace}{entry.name or ''}", entry


ALL_URLS = sorted(walk(get_resolver().url_patterns), key=lambda item: item[0])
URL_NAMES = [name for name, _pattern in ALL_URLS]


def takes_arguments(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return True
    return False


URLS_WITH_ARGUMENTS = [name for name in URL_NAMES if takes_arguments(name)]
URLS_WITHOUT_ARGUMENTS = [name for name in URL_NAMES if not takes_arguments(name)]


@dataclass
class ObjectPage:
    """How to point a page at an object in community B, and what it answers to."""

    args: Callable[[SimpleNamespace], list]
    # The permission the view checks before it looks the object up.
    permission: str
    methods: set[str] = field(default_factory=lambda: {"GET"})


# Every URL that takes arguments needs an entry here (the test below fails without one).
OBJECT_PAGES: dict[str, ObjectPage] = {
    "places:detail": ObjectPage(lambda w: [w.village_b.pk], "places.view_place"),
    "places:edit": ObjectPage(lambda w: [w.village_b.pk], "places.change_place", {"GET", "POST"}),
    "organizations:detail": ObjectPage(
        lambda w: [w.branch_b1.pk], "organizations.view_organization"
    ),
    "organizations:edit": ObjectPage(
        lambda w: [w.branch_b1.pk], "organizations.change_organization", {"GET", "POST"}
    ),
    "accounts:detail": ObjectPage(lambda w: [w.secretary_b.pk], "accounts.view_user"),
    "accounts:unlock": ObjectPage(lambda w: [w.secretary_b.pk], "accounts.change_user", {"POST"}),
    "core:reveal": ObjectPage(
        lambda w: ["accounts.user", w.secretary_b.pk, "id_number"],
        "core.reveal_personal_data",
        {"POST"},
    ),
}


# Each module's tests register their own object pages in tests/<app>/object_pages.py.
for _module in (
    "places",
    "organizations",
    "members",
    "development",
    "mobility",
    "dues",
    "evaluation",
    "library",
    "points",
    "notices",
):
    try:
        OBJECT_PAGES.update(import_module(f"tests.{_module}.object_pages").OBJECT_PAGES)
    except ModuleNotFoundError as _missing:
        if not f"tests.{_module}.object_pages".startswith(_missing.name or "-"):
            raise


def url_of(name: str, world: SimpleNamespace) -> str:
    if name in OBJECT_PAGES:
        return reverse(name, args=OBJECT_PAGES[name].args(world))
    return reverse(name)


def test_every_url_has_a_name():
    # Unnamed URLs cannot be on the public allow-list or in the registry, so nothing checks them.
    unnamed = [str(pattern.pattern) for name, pattern in ALL_URLS if name.endswith(":") or not name]
    assert not unnamed, f"give these URL patterns a name: {unnamed}"


def test_the_public_pages_are_exactly_sign_in_language_and_health_check():
    public = set(PUBLIC_URL_NAMES)
    assert public == {"accounts:login", "set_language", "healthz"}
    assert public <= set(URL_NAMES), "a public URL name no longer exists"


@pytest.mark.parametrize("name", URLS_WITH_ARGUMENTS)
def test_every_page_about_an_object_is_registered_for_the_scope_test(name):
    assert name in OBJECT_PAGES, (
        f"{name} takes arguments: add it to OBJECT_PAGES in tests/<app>/object_pages.py with a way "
        f"to build its arguments for an object in community B"
    )


def test_the_registry_has_no_stale_entries():
    assert set(OBJECT_PAGES) <= set(URLS_WITH_ARGUMENTS)


# --- Anonymous visitors --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(set(URL_NAMES) - PUBLIC_URL_NAMES))
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in(name, method, world, anonymous):
    url = url_of(name, world)
    response = getattr(anonymous, method)(url)
    login = reverse("accounts:login")
    assert response.status_code == 302, f"{method.upper()} {url} answered {response.status_code}"
    assert response["Location"].startswith(f"{login}?next="), response["Location"]
    # The object's own page never answered, so nothing about it leaked into the redirect.
    assert not any(word in response.content.decode() for word in world.b_names)


@pytest.mark.parametrize("name", sorted(set(URL_NAMES) - PUBLIC_URL_NAMES))
def test_htmx_requests_of_anonymous_visitors_get_401_and_load_the_sign_in_page(
    name, world, anonymous
):
    response = anonymous.get(url_of(name, world), HTTP_HX_REQUEST="true")
    assert response.status_code == 401
    assert response["HX-Redirect"] == reverse("accounts:login")


def test_the_public_pages_open_without_signing_in(anonymous):
    assert anonymous.get(reverse("accounts:login")).status_code == 200
    health = anonymous.get(reverse("healthz"))
    assert (health.status_code, health.content) == (200, b"ok")
    # Switching language works before signing in (the login page has the switch).
    switched = anonymous.post(
        reverse("set_language"), {"language": "en", "next": reverse("accounts:login")}
    )
    assert switched.status_code == 302
    assert switched["Location"] == reverse("accounts:login")


# --- Objects outside the user's scope ------------------------------------------------------


def call(client, method: str, url: str):
    return client.get(url) if method == "GET" else client.post(url)


ACCEPTED = [
    (name, method) for name in sorted(OBJECT_PAGES) for method in sorted(OBJECT_PAGES[name].methods)
]


@pytest.mark.parametrize(("name", "method"), ACCEPTED)
def test_someone_in_community_a_gets_not_found_for_community_b(name, method, world):
    page = OBJECT_PAGES[name]
    url = url_of(name, world)
    # The secretary's role may lack the permission altogether: then it is 403 for every
    # object alike, which says nothing about B. The liaison holds every permission.
    secretary = call(client_for(world.secretary_a), method, url)
    expected = 404 if world.secretary_a.has_perm(page.permission) else 403
    assert secretary.status_code == expected, f"{method} {url}"
    liaison = call(client_for(world.liaison_a), method, url)
    assert liaison.status_code == 404, f"{method} {url}"
    for response in (secretary, liaison):
        body = response.content.decode()
        assert not any(word in body for word in world.b_names), body
        assert world.secretary_b.id_number.reveal() not in body


@pytest.mark.parametrize("name", sorted(OBJECT_PAGES))
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_town_admin_opens_community_b_pages(name, method, world):
    page = OBJECT_PAGES[name]
    url = url_of(name, world)
    response = call(client_for(world.town_admin), method, url)
    if method not in page.methods:
        assert response.status_code == 405, f"{method} {url}"
    elif page.methods == {"POST"}:
        # Actions answer with their result or send the user back to the object.
        assert response.status_code in (200, 302), f"{method} {url}"
    else:
        assert response.status_code == 200, f"{method} {url}"


@pytest.mark.parametrize("name", URLS_WITHOUT_ARGUMENTS)
def test_every_page_opens_for_the_system_admin(name, world):
    # Nothing raises on an ordinary visit; POST-only pages say so.
    response = client_for(world.admin).get(reverse(name))
    assert response.status_code in (200, 302, 405), f"{name}: {response.status_code}"


@pytest.mark.parametrize("viewer", ["secretary_a", "liaison_a"])
@pytest.mark.parametrize("name", URLS_WITHOUT_ARGUMENTS)
def test_no_page_shown_to_community_a_mentions_community_b(name, viewer, world):
    # Home, lists, forms with their choices, the import page: whatever the page is.
    activity_in_both_communities(world)
    response = client_for(getattr(world, viewer)).get(reverse(name))
    body = response.content.decode()
    leaked = [word for word in world.b_names if word in body]
    assert not leaked, f"{name} shows community B to {viewer}: {leaked}"


@pytest.mark.parametrize(
    ("name", "viewer", "data", "created"),
    [
        (
            "places:add",
            "secretary_a",
            lambda w: {"parent": w.community_b.pk, "kind": "village", "name": "南湖村"},
            lambda: Place.objects.filter(name="南湖村").exists(),
        ),
        (
            "organizations:add",
            "secretary_a",
            lambda w: {
                "parent": w.committee_b.pk,
                "kind": "branch",
                "category": "village",
                "name": "南湖村党支部",
                "place": w.village_b.pk,
            },
            lambda: Organization.objects.filter(name="南湖村党支部").exists(),
        ),
        (
            "accounts:add",
            "liaison_a",
            lambda w: {
                "username": "new-b",
                "full_name": "吴新",
                "role": "member",
                "scope": w.branch_b1.pk,
                "password": "Hqzt2026pass",
            },
            lambda: User.objects.filter(username="new-b").exists(),
        ),
    ],
    ids=["places:add", "organizations:add", "accounts:add"],
)
def test_forms_refuse_community_b_choices_from_community_a(name, viewer, data, created, world):
    response = client_for(getattr(world, viewer)).post(reverse(name), data(world))
    assert response.status_code == 200, "the form is shown again with the error"
    assert response.context["form"].errors
    assert not created()


# --- Lists show only what is in scope, on screen, in Excel and in the live table ------------


def activity_in_both_communities(world: SimpleNamespace) -> None:
    """Sign-ins and an edit in each community, so the audit log has rows on both sides."""
    for user, place in ((world.secretary_a, world.village_a), (world.secretary_b, world.village_b)):
        record_event(user, "accounts.login", target=user)
        update_place(user, place, name=place.name, code="320506111201")


LISTS = [
    ("places:list", "secretary_a", lambda w: w.village_a.name),
    ("organizations:list", "secretary_a", lambda w: w.branch_a1.name),
    ("accounts:list", "secretary_a", lambda w: w.member_a.username),
    # No role scoped to a community may read the audit log, so the liaison looks.
    ("core:audit-list", "liaison_a", lambda w: w.secretary_a.username),
]


@pytest.mark.parametrize(("name", "viewer", "own_row"), LISTS, ids=[n for n, _v, _o in LISTS])
def test_lists_for_community_a_never_mention_community_b(name, viewer, own_row, world):
    activity_in_both_communities(world)
    client = client_for(getattr(world, viewer))
    url = reverse(name)

    page = client.get(url)
    partial = client.get(url, HTTP_HX_REQUEST="true")
    export = client.get(url, {"export": "xlsx"})

    assert page.status_code == partial.status_code == export.status_code == 200
    assert "<html" not in partial.content.decode(), "the htmx answer is only the table"
    assert export["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    for label, text in (
        ("page", page.content.decode()),
        ("htmx partial", partial.content.decode()),
        ("Excel export", xlsx_text(export.content)),
    ):
        # The list is not simply empty: A's own rows are there.
        assert own_row(world) in text, f"{label} of {name} lacks A's own rows"
        leaked = [word for word in world.b_names if word in text]
        assert not leaked, f"{label} of {name} shows community B: {leaked}"


def test_the_town_admin_sees_both_communities_in_the_audit_log(world):
    activity_in_both_communities(world)
    text = client_for(world.town_admin).get(reverse("core:audit-list")).content.decode()
    assert world.secretary_a.username in text
    assert world.secretary_b.username in text
    assert AuditEvent.objects.for_user(world.town_admin).filter(username="secretary-b").exists()
