#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""dns-answer ADDR PORT IPV4 - a DNS server for the NAT tests

Answers every A query on UDP ADDR:PORT with IPV4 (TTL 60), and any other
query with an empty answer, so that a test can check that a guest's query
to the NAT's DNS forwarder (10.0.2.3) reached the host's resolver and came
back. Prints "ready" once bound; runs until killed.
"""
import socket
import struct
import sys


def answer(query, ipv4):
    if len(query) < 12:
        return None
    qid, _flags, qdcount = struct.unpack("!HHH", query[:6])
    if qdcount != 1:
        return None
    end = 12
    while end < len(query) and query[end] != 0:
        end += query[end] + 1
    if end + 5 > len(query):
        return None
    qtype, _qclass = struct.unpack("!HH", query[end + 1:end + 5])
    question = query[12:end + 5]
    ancount = 1 if qtype == 1 else 0
    reply = struct.pack("!HHHHHH", qid, 0x8180, 1, ancount, 0, 0) + question
    if ancount:
        reply += struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4)
        reply += socket.inet_aton(ipv4)
    return reply


def main():
    addr, port, ipv4 = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, port))
    print("ready", flush=True)
    while True:
        query, peer = sock.recvfrom(512)
        reply = answer(query, ipv4)
        if reply:
            sock.sendto(reply, peer)


main()
