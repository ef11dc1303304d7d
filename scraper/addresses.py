"""Which addresses a fetch may reach: public ones, unless the user named the host."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public(ip: str | IPAddress) -> bool:
    """Whether `ip` is a public unicast address: not loopback, private, link-local,
    multicast, reserved or unspecified (an IPv4-mapped IPv6 address counts as its IPv4)."""
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def literal_ip(host: str) -> IPAddress | None:
    """`host` as an IP address if it is written as one (brackets and a zone allowed)."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


async def non_public_addresses(host: str, port: int) -> list[str]:
    """The addresses of `host` that are not public; empty when all of them are.

    A literal IP is judged without DNS; a name is resolved with the running loop's
    `getaddrinfo`, whose `OSError` (no such host, no answer) is left to the caller.
    """
    literal = literal_ip(host)
    if literal is not None:
        return [] if is_public(literal) else [str(literal)]
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found = {str(info[4][0]).split("%", 1)[0] for info in infos}
    return sorted(ip for ip in found if not is_public(ip))
