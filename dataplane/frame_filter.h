/* SPDX-License-Identifier: MIT */
/*
 * frame_filter.h - which guest frames may reach libslirp
 *
 * A host-only network has an uplink only so that its members reach the
 * host's loopback services through the host alias (192.168.56.1). libslirp
 * would happily NAT anything else to the outside world, so every frame is
 * checked before slirp_input(): ARP, and IPv4 addressed to the host alias,
 * pass; everything else is dropped.
 *
 * Every uplink also drops IPv4 fragments: Debian 12's libslirp (4.7.0-1)
 * dies on a single one (see frame_ipv4_fragment()). Pure, so unit-tested.
 */
#ifndef QBOX_FRAME_FILTER_H
#define QBOX_FRAME_FILTER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether Ethernet frame @f (@len bytes) may go to the host alias @host */
bool frame_to_host_only(const uint8_t *f, size_t len, struct in_addr host);

/**
 * frame_ipv4_fragment() - whether a frame is a piece of an IPv4 datagram
 * @f:		Ethernet frame
 * @len:	its length
 *
 * A piece is what libslirp hands to its reassembly (ip_reass): an IPv4
 * header with More Fragments set or a fragment offset. The uplink drops
 * them: in the libslirp binary Debian 12 ships, ip_reass reads the queue's
 * head before inserting the new piece (a strict-aliasing reordering by the
 * compiler that built it), so a first piece without More Fragments (the
 * last piece arriving first, or a lone forged one) is taken for a whole
 * datagram made of the queue's own header, and libslirp writes through a
 * wild pointer: one 66-byte frame from a guest killed the supervisor
 * (found by tests/fuzz/fuzz_frames.c). A guest's TCP never fragments (its
 * MSS fits the NIC's MTU); UDP and ICMP datagrams larger than the MTU
 * (1500 for a VM, 65520 for a command payload) are lost instead.
 * Return: true for an IPv4 fragment
 */
bool frame_ipv4_fragment(const uint8_t *f, size_t len);

#endif /* QBOX_FRAME_FILTER_H */
