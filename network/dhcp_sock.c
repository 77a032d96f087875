// SPDX-License-Identifier: MIT
/*
 * dhcp_sock.c - the DHCP server's socket, driven by its owner's poll loop
 *
 * A plain UDP socket on port 67, tied to the bridge with SO_BINDTODEVICE:
 * the kernel does Ethernet, IP and UDP (checksums, broadcast delivery,
 * ARP for unicast replies), so the server never parses a frame header, and
 * a datagram that arrives through any other interface is never seen.
 * Requests from clients without an address (source 0.0.0.0, to
 * 255.255.255.255) reach an unconnected socket bound to INADDR_ANY on the
 * device; replies to 255.255.255.255 leave through that device.
 */
#include "network/dhcp.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/util.h"

int dhcp_socket(const char *ifname, struct qerr *e)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(67),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int one = 1;
	cleanup_fd int fd = -1;

	if (strlen(ifname) >= IFNAMSIZ)
		return qerr_usage(e, "dhcp: interface name '%s' is too long",
				  ifname);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return qerr_set(e, errno, "dhcp: UDP socket");
	/* the device first, so that the bind is the device's alone */
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       (socklen_t)strlen(ifname) + 1) < 0)
		return qerr_set(e, errno, "dhcp: binding to device %s", ifname);
	if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) < 0)
		return qerr_set(e, errno, "dhcp: SO_BROADCAST on %s", ifname);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return qerr_set(e, errno, "dhcp: binding 0.0.0.0:67 on %s",
				ifname);
	return steal_fd(&fd);
}

int dhcp_serve(struct dhcp_server *srv, int fd, int64_t now, struct qerr *e)
{
	/* larger than any Ethernet payload: MSG_TRUNC reports anything longer */
	uint8_t buf[1600];
	struct dhcp_reply reply;
	int handled = 0;

	while (handled < DHCP_SERVE_BATCH) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_TRUNC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0)
			return qerr_set(e, errno, "dhcp: receiving");
		handled++;
		if ((size_t)n > sizeof(buf)) {
			/* a datagram cut short is not parsed at all */
			dhcp_note_oversized(srv);
			continue;
		}
		if (dhcp_handle(srv, now, buf, (size_t)n, &reply) != 1)
			continue;
		if (sendto(fd, reply.buf, reply.len, MSG_DONTWAIT | MSG_NOSIGNAL,
			   (struct sockaddr *)&reply.dest,
			   sizeof(reply.dest)) < 0)
			dhcp_note_send_error(srv);
	}
	return handled;
}
