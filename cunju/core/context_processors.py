"""Navigation per module, shown only where the user may go."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, permission or None); later modules add their entries here.
NAVIGATION = [
    ("dashboard:home", _("Home"), None),
    ("organizations:list", _("Party organizations"), "organizations.view_organization"),
    ("places:list", _("Places"), "places.view_place"),
    ("accounts:list", _("Users"), "accounts.view_user"),
    ("core:audit-list", _("Audit log"), "core.view_audit_log"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    current = getattr(getattr(request, "resolver_match", None), "namespace", "")
    items = []
    for url_name, label, permission in NAVIGATION:
        if permission and not user.has_perm(permission):
            continue
        items.append(
            {"url": reverse(url_name), "label": label, "active": url_name.split(":")[0] == current}
        )
    return {"navigation": items}
