// SPDX-License-Identifier: MIT
/* tap.c - TAP devices */
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int tap_check_access(struct qerr *e)
{
	if (access(TUN_PATH, R_OK | W_OK) == 0)
		return 0;
	if (errno == ENOENT)
		return qerr_usage(e, "%s does not exist: load the tun module "
				     "(modprobe tun)", TUN_PATH);
	return qerr_usage(e, "%s is not accessible (%s): rootless networking "
			     "needs it world read-writable, mode 0666 "
			     "(as root: chmod 0666 %s)", TUN_PATH,
			  strerror(errno), TUN_PATH);
}

int tap_open(const char *name, bool vnet_hdr, struct qerr *e)
{
	struct ifreq ifr;
	int fd = open(TUN_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return qerr_set(e, errno, "opening %s", TUN_PATH);
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet_hdr ? IFF_VNET_HDR : 0);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int err = errno;

		close(fd);
		return qerr_set(e, err, "creating TAP device %s (TUNSETIFF)",
				name);
	}
	/*
	 * Persistent, so that the last close does not unregister the device
	 * synchronously; it lives only as long as the sandbox's network
	 * namespace, whose teardown (a kernel worker) removes it.
	 */
	if (ioctl(fd, TUNSETPERSIST, 1) < 0) {
		int err = errno;

		close(fd);
		return qerr_set(e, err, "making TAP device %s persistent "
				"(TUNSETPERSIST)", name);
	}
	return fd;
}
