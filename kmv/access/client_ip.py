"""The client's address, the same for the lockout (django-axes) and the audit log."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or behind `KMV_TRUSTED_PROXY_COUNT` proxies the address the outermost
    of them saw, read from the right of `KMV_TRUSTED_PROXY_HEADER` (X-Forwarded-For): the
    entries to its left came from the client and may be forged."""
    if request is None:
        return None
    meta = request.META
    remote = meta.get("REMOTE_ADDR") or None
    count = settings.KMV_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [h.strip() for h in meta.get(settings.KMV_TRUSTED_PROXY_HEADER, "").split(",")]
    hops = [h for h in hops if h]
    if not hops:
        return remote
    candidate = hops[-min(count, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
