"""Request-wide context for the audit log."""

from .requestcontext import RequestInfo, client_ip, current_request


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(
            RequestInfo(
                ip=client_ip(request.META), user_agent=request.META.get("HTTP_USER_AGENT", "")[:300]
            )
        )
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
