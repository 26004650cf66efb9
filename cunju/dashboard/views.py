"""The home page: what is in the user's scope at a glance."""

from django.db.models import Count
from django.shortcuts import render

from cunju.core.models import AuditEvent
from cunju.organizations.models import Organization
from cunju.places.models import Place


def home(request):
    user = request.user
    orgs = Organization.objects.for_user(user).current()
    places = Place.objects.for_user(user)
    context = {
        "scope": user.scope,
        "org_counts": {
            row["kind"]: row["n"] for row in orgs.values("kind").annotate(n=Count("id")).order_by()
        },
        "place_counts": {
            row["kind"]: row["n"]
            for row in places.values("kind").annotate(n=Count("id")).order_by()
        },
        "org_kinds": Organization.Kind,
        "place_kinds": Place.Kind,
        "communities": places.filter(kind=Place.Kind.COMMUNITY).annotate(n=Count("children")),
        "recent": AuditEvent.objects.filter(user=user).order_by("-at")[:5],
    }
    return render(request, "dashboard/home.html", context)
