#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""udp-spray.py HOST PORT SECONDS SPORT SRC... - UDP datagrams of 1000
bytes to HOST:PORT, as fast as they go, for SECONDS, from each SRC address
in turn (each bound at source port SPORT, so that a second run is the same
flows again); prints the number sent. For tests/integration/
uplink_pending.sh, where SRC are addresses whose MAC nobody tells the NAT
engine, so that every reply waits in libslirp for an ARP answer that never
comes.
"""
import socket
import sys
import time


def main():
    host, port, seconds, sport = sys.argv[1], int(sys.argv[2]), \
        float(sys.argv[3]), int(sys.argv[4])
    socks = []
    for src in sys.argv[5:]:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((src, sport))
        s.setblocking(False)
        socks.append(s)
    data = b"x" * 1000
    sent = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for s in socks:
            try:
                s.sendto(data, (host, port))
                sent += 1
            except BlockingIOError:
                pass    # a full socket buffer: the next one's turn
    print(sent)


if __name__ == "__main__":
    main()
