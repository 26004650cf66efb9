"""Who is acting and from where, for the audit log, without passing the request everywhere."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None = None
    user_agent: str = ""


current_request: ContextVar[RequestInfo] = ContextVar("cunju_request", default=RequestInfo())  # noqa: B039 (frozen)


def client_ip(meta: dict) -> str | None:
    # Behind nginx the proxy's own address is useless; trust X-Real-IP it sets.
    return meta.get("HTTP_X_REAL_IP") or meta.get("REMOTE_ADDR") or None
