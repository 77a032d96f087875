/* SPDX-License-Identifier: MIT */
/*
 * frame_filter.h - which guest frames may reach a host-only network's NAT
 *
 * A host-only network has an uplink only so that its members reach the
 * host's loopback services through the host alias (192.168.56.1). libslirp
 * would happily NAT anything else to the outside world, so every frame is
 * checked before slirp_input(): ARP, and IPv4 addressed to the host alias,
 * pass; everything else is dropped. Pure, so it is unit-tested.
 */
#ifndef QBOX_FRAME_FILTER_H
#define QBOX_FRAME_FILTER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether Ethernet frame @f (@len bytes) may go to the host alias @host */
bool frame_to_host_only(const uint8_t *f, size_t len, struct in_addr host);

#endif /* QBOX_FRAME_FILTER_H */
