"""The address policy's judge: which IPs are public, and what a host name resolves to."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from scraper.addresses import is_public, literal_ip, non_public_addresses

NOT_PUBLIC = [
    "127.0.0.1",
    "127.0.0.2",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
]
PUBLIC = ["8.8.8.8", "93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("ip", NOT_PUBLIC)
def test_local_private_and_special_addresses_are_not_public(ip: str):
    assert not is_public(ip)
    assert not is_public(ipaddress.ip_address(ip))


@pytest.mark.parametrize("ip", PUBLIC)
def test_public_addresses_are_public(ip: str):
    assert is_public(ip)


def test_literal_ip_reads_brackets_and_zones_and_nothing_else():
    assert literal_ip("[::1]") == ipaddress.ip_address("::1")
    assert literal_ip("fe80::1%eth0") == ipaddress.ip_address("fe80::1")
    assert literal_ip("127.0.0.2") == ipaddress.ip_address("127.0.0.2")
    assert literal_ip("localhost") is None
    assert literal_ip("example.com") is None


def test_a_literal_ip_is_judged_without_dns():
    # A public literal comes back clean without a lookup (none could succeed for it here
    # without a network, and none is made).
    assert asyncio.run(non_public_addresses("93.184.215.14", 80)) == []
    assert asyncio.run(non_public_addresses("127.0.0.2", 80)) == ["127.0.0.2"]
    (mapped,) = asyncio.run(non_public_addresses("::ffff:127.0.0.1", 80))
    assert ipaddress.ip_address(mapped).ipv4_mapped == ipaddress.ip_address("127.0.0.1")


def test_a_name_is_resolved_and_its_loopback_addresses_reported():
    found = asyncio.run(non_public_addresses("localhost", 80))
    assert found
    assert all(ipaddress.ip_address(ip).is_loopback for ip in found)
