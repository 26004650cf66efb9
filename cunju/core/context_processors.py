"""Navigation per module, shown only where the user may go."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, permission or None); later modules add their entries here.
NAVIGATION = [
    ("dashboard:home", _("Home"), None),
    ("organizations:list", _("Party organizations"), "organizations.view_organization"),
    ("members:list", _("Party members"), "members.view_member"),
    ("development:list", _("Development"), "development.view_applicant"),
    ("mobility:list", _("Mobile members"), "mobility.view_mobility"),
    ("dues:list", _("Dues"), "dues.view_dues"),
    ("evaluation:list", _("Evaluation"), "evaluation.view_evaluation"),
    ("library:list", _("Library"), "library.view_document"),
    ("library:moderation", _("Moderation"), "library.moderate_document"),
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
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue  # a module whose pages are not built yet
        items.append({"url": url, "label": label, "active": url_name.split(":")[0] == current})
    return {"navigation": items}
