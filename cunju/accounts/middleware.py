"""Sign-in required everywhere but a short allow-list; idle sessions end after 30 minutes."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

# Pages anyone may open (by URL name); the every-URL test checks this list is all there is.
PUBLIC_URL_NAMES = {
    "accounts:login",
    "set_language",
    "healthz",
}
PUBLIC_PREFIXES = ("/static/", "/favicon.ico")


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(PUBLIC_PREFIXES):
            return None
        match = request.resolver_match
        name = (
            f"{match.namespace}:{match.url_name}"
            if match and match.namespace
            else (match.url_name if match else "")
        )
        if request.user.is_authenticated:
            last_seen = request.session.get("last_seen")
            now = time.time()
            if last_seen is None or now - last_seen <= settings.SESSION_COOKIE_AGE:
                request.session["last_seen"] = now
                return None
            # Idle too long: sign out, then answer like any anonymous request (an htmx
            # partial must not get the login page swapped into it).
            logout(request)
            messages.info(
                request,
                _("You were signed out after %(minutes)d minutes without activity.")
                % {"minutes": settings.SESSION_COOKIE_AGE // 60},
            )
        if name in PUBLIC_URL_NAMES:
            return None
        if request.htmx:
            # A partial cannot show the login page; ask htmx to load it as a whole page.
            from django.http import HttpResponse
            from django.shortcuts import resolve_url

            response = HttpResponse(status=401)
            response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
            return response
        return redirect_to_login(request.get_full_path())
