#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""forge.py STEP ARGS... - what a payload without capabilities can still
send that it should not, for tests/integration/antispoof.sh: no raw or
packet socket, only what any program may do.

  recv6 PORT          print "listening", then "from ADDR" for each UDP
                      datagram to [::]:PORT, until killed
  send6 IFNAME SRC PORT
                      three datagrams to [ff02::1%IFNAME]:PORT (all nodes
                      of the link) from SRC, an IPv6 address of any kind,
                      bound with IPV6_FREEBIND, which needs no capability
                      (SRC "own": not bound, the kernel's choice); tries
                      for up to 10 s (the link's IPv6 may still be coming
                      up); prints "sent N"
  dhcp N SERVER FIRST N DHCP DISCOVERs and N REQUESTs (asking for FIRST,
                      FIRST+1, ...) from an ordinary UDP socket to
                      SERVER:67, each naming another made-up client MAC
                      (chaddr 02:be:ef:00:HH:LL): a pool drained; prints
                      "asked N"
"""
import socket
import struct
import sys
import time

IPV6_FREEBIND = 78  # linux/in6.h; not in Python's socket module


def recv6(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind(("::", int(port)))
    print("listening", flush=True)
    while True:
        _, addr = s.recvfrom(2048)
        print("from", addr[0], flush=True)


def send6(ifname, src, port):
    idx = socket.if_nametoindex(ifname)
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    if src != "own":
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_FREEBIND, 1)
        s.bind((src, 0, 0, idx if src.startswith("fe80:") else 0))
    sent, give_up = 0, time.monotonic() + 10
    while sent < 3 and time.monotonic() < give_up:
        try:
            s.sendto(b"qbox-forge", ("ff02::1", int(port), 0, idx))
            sent += 1
        except OSError:
            pass  # no IPv6 on the link yet
        time.sleep(0.2)
    print("sent", sent, flush=True)


def bootp(kind, xid, mac, want=None):
    b = struct.pack("!BBBBIHH16s6s10s192s", 1, 1, 6, 0, xid, 0, 0x8000,
                    bytes(16), mac, bytes(10), bytes(192))
    b += bytes([0x63, 0x82, 0x53, 0x63, 53, 1, kind])
    if want:
        b += bytes([50, 4]) + want
    return b + bytes([255])


def dhcp(n, server, first):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    base = struct.unpack("!I", socket.inet_aton(first))[0]
    for k in range(int(n)):
        mac = bytes([2, 0xbe, 0xef, 0, k >> 8, k & 255])
        want = struct.pack("!I", base + k)
        s.sendto(bootp(1, 0x51000 + k, mac), (server, 67))
        s.sendto(bootp(3, 0x52000 + k, mac, want), (server, 67))
    print("asked", n, flush=True)


STEPS = {"recv6": recv6, "send6": send6, "dhcp": dhcp}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in STEPS:
        sys.exit(__doc__)
    STEPS[sys.argv[1]](*sys.argv[2:])
