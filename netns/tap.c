// SPDX-License-Identifier: MIT
/*
 * tap.c - TAP devices
 *
 * Two ways to a TAP fd, one ioctl: the sandbox creates its own TAPs inside
 * its network namespace (tap_open), and a bridged NIC attaches to a TAP an
 * administrator made for the user in the host's (tap_attach). TUNSETIFF
 * does both: it attaches to the device of that name if there is one, and
 * creates one otherwise, for a caller with CAP_NET_ADMIN. So tap_attach
 * looks the device up first and never asks for one that is missing: run
 * by root, qbox must not conjure up a TAP nobody bridged.
 *
 * The device is looked up over rtnetlink (RTM_GETLINK), not in
 * /sys/class/net: sysfs shows the network namespace of whoever mounted
 * it, which need not be ours; a netlink socket is always in ours.
 */
#include "netns/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_tun.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "netns/nl.h"

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

/*
 * Open /dev/net/tun and TUNSETIFF @name with @flags: the fd (O_CLOEXEC),
 * or -errno with @step naming which of the two failed.
 */
static int tun_setiff(const char *name, short flags, const char **step)
{
	struct ifreq ifr;
	int fd = open(TUN_PATH, O_RDWR | O_CLOEXEC), err;

	*step = "opening " TUN_PATH;
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	ifr.ifr_flags = flags;
	*step = "TUNSETIFF";
	if (ioctl(fd, TUNSETIFF, &ifr) == 0)
		return fd;
	err = errno;
	close(fd);
	return -err;
}

int tap_open(const char *name, bool vnet_hdr, struct qerr *e)
{
	const char *step;
	int fd = tun_setiff(name, IFF_TAP | IFF_NO_PI |
				  (vnet_hdr ? IFF_VNET_HDR : 0), &step);

	if (fd < 0)
		return qerr_set(e, -fd, "creating TAP device %s (%s)", name,
				step);
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

/* "alice (uid 1000)", or "uid 1000" for a user with no name */
static const char *user_desc(uid_t uid, char buf[128])
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(buf, 128, "%.64s (uid %u)", pw->pw_name,
			 (unsigned int)uid);
	else
		snprintf(buf, 128, "uid %u", (unsigned int)uid);
	return buf;
}

static const char *group_desc(gid_t gid, char buf[128])
{
	struct group *gr = getgrgid(gid);

	if (gr)
		snprintf(buf, 128, "%.64s (gid %u)", gr->gr_name,
			 (unsigned int)gid);
	else
		snprintf(buf, 128, "gid %u", (unsigned int)gid);
	return buf;
}

/* The name to put in an administrator's `ip tuntap add ... user NAME` */
static const char *user_arg(char buf[32])
{
	struct passwd *pw = getpwuid(geteuid());

	if (pw)
		snprintf(buf, 32, "%.31s", pw->pw_name);
	else
		snprintf(buf, 32, "%u", (unsigned int)geteuid());
	return buf;
}

/* Whether @gid is our effective or a supplementary group */
static bool in_group(gid_t gid)
{
	gid_t groups[256];
	int i, n;

	if (getegid() == gid)
		return true;
	n = getgroups((int)(sizeof(groups) / sizeof(groups[0])), groups);
	for (i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

static int no_device(const char *name, struct qerr *e)
{
	char u[32];

	return qerr_usage(e, "no such device; an administrator creates it "
			     "with: ip tuntap add dev %s mode tap user %s",
			  name, user_arg(u));
}

/* The device exists: is it a TAP at all? */
static int check_tap(const char *name, const struct nl_link_info *li,
		     struct qerr *e)
{
	char u[32], what[48];

	if (!strcmp(li->kind, "tun") && li->tun_type == IFF_TAP)
		return 0;
	if (!strcmp(li->kind, "tun"))
		snprintf(what, sizeof(what), "a TUN device (IP packets)");
	else if (li->kind[0])
		snprintf(what, sizeof(what), "a %s device", li->kind);
	else if (li->type == ARPHRD_LOOPBACK)
		snprintf(what, sizeof(what), "the loopback device");
	else
		snprintf(what, sizeof(what), "a network device of no kind "
					     "qbox can attach to");
	return qerr_usage(e, "%s is %s, not a TAP device (Ethernet frames); "
			     "an administrator makes you one with: ip tuntap "
			     "add dev TAPDEV mode tap user %s", name, what,
			  user_arg(u));
}

/*
 * TUNSETIFF said EPERM. The kernel lets only the device's owner, and
 * members of its group, attach (either or both may be set), unless the
 * caller has CAP_NET_ADMIN; say which of the two shuts us out. With
 * neither at fault, something else refused (a security module).
 */
static int not_permitted(const char *name, const struct nl_link_info *li,
			 struct qerr *e)
{
	char me[128], who[128], why[300] = "", u[32];
	bool owner = li->has_owner && li->owner != geteuid();
	bool group = li->has_group && !in_group(li->group);

	if (!owner && !group)
		return qerr_set(e, EPERM, "attaching to TAP device %s "
					  "(TUNSETIFF; a security module?)",
				name);
	if (owner)
		snprintf(why, sizeof(why), "it belongs to %s",
			 user_desc(li->owner, who));
	if (group)
		snprintf(why + strlen(why), sizeof(why) - strlen(why),
			 "%sonly members of %s may use it", owner ? ", and " : "",
			 group_desc(li->group, who));
	return qerr_usage(e, "TAP device %s is not yours: %s, and qbox runs as "
			     "%s; an administrator gives it to you with: ip "
			     "tuntap del dev %s mode tap; ip tuntap add dev %s "
			     "mode tap user %s (then bridges it again)", name,
			  why, user_desc(geteuid(), me), name, name,
			  user_arg(u));
}

int tap_attach(const char *name, struct qerr *e)
{
	struct nl nl = { 0 };
	struct nl_link_info li;
	struct ifreq ifr;
	const char *step;
	int fd, r;

	if ((r = nl_open(&nl, e)) < 0)
		return r;
	r = nl_link_get(&nl, name, &li, e);
	nl_close(&nl);
	if (r == -ENODEV)
		return no_device(name, e);
	if (r < 0)
		return r;
	if ((r = check_tap(name, &li, e)) < 0)
		return r;
	if (!li.persist)
		return qerr_usage(e, "TAP device %s is not persistent: a "
				     "program made it for itself and has it "
				     "open; bridged needs one an administrator "
				     "made with ip tuntap add", name);
	/* attach as the sandbox's VM TAPs are made: QEMU's offloads */
	fd = tun_setiff(name, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR |
			      (li.multi_queue ? IFF_MULTI_QUEUE : 0), &step);
	if (fd == -EPERM)
		return not_permitted(name, &li, e);
	if (fd == -EBUSY)
		return qerr_usage(e, "TAP device %s is in use: another "
				     "program (another VM?) has it open", name);
	if (fd < 0)
		return qerr_set(e, -fd, "attaching to TAP device %s (%s)", name,
				step);
	/*
	 * Removed since we looked? Then TUNSETIFF made a new one (only with
	 * CAP_NET_ADMIN), which is not persistent and goes with our fd.
	 */
	if (ioctl(fd, TUNGETIFF, &ifr) < 0 || !(ifr.ifr_flags & IFF_PERSIST)) {
		close(fd);
		return no_device(name, e);
	}
	return fd;
}
