// SPDX-License-Identifier: MIT
/* test_qemu_argv.c - the NIC arguments qbox gives QEMU */
#include "plan/qemu_argv.h"
#include "tests/unit/unit.h"

static int argc_of(char **v)
{
	int n = 0;

	while (v[n])
		n++;
	return n;
}

int main(void)
{
	char *user[] = { "qemu-system-x86_64", "-m", "1G", NULL };
	char *own[] = { "qemu-system-x86_64", "-device",
			"e1000,netdev=qbox0,mac=52:54:00:00:00:09", NULL };
	char *other[] = { "qemu-system-x86_64", "-device",
			  "e1000,netdev=qbox01", "-device", "x,mynetdev=qbox1",
			  NULL };
	struct qemu_nic two[2] = {
		{ 5, { 0x52, 0x54, 0, 1, 2, 3 } },
		{ 6, { 0x52, 0x54, 0, 4, 5, 6 } },
	};
	struct qemu_nic none = { -1, { 0 } };
	char *nomac[] = { "qemu-system-x86_64", "-device",
			  "e1000,netdev=qbox0,romfile=", NULL };
	char *badmac[] = { "qemu-system-x86_64", "-device",
			   "e1000,netdev=qbox0,mac=52:54", NULL };
	struct qemu_extra nomon = { .qmp_fd = -1 };
	struct qemu_extra mon = { .qmp_fd = 7 }, held = { .qmp_fd = 7,
							 .hold = true };
	char *paused[] = { "qemu", "-S", NULL };
	char *incoming[] = { "qemu", "-incoming", "defer", NULL };
	struct qerr e = { 0 };
	uint8_t mac[6];
	char **v;

	v = qemu_argv_build(user, two, 2, &nomon);
	CHECK(v && argc_of(v) == 11, "two NICs add 8 words");
	CHECK(v && !strcmp(v[0], "qemu-system-x86_64") && !strcmp(v[2], "1G"),
	      "user's argv kept in front");
	CHECK(v && !strcmp(v[3], "-netdev") &&
		      !strcmp(v[4], "tap,id=qbox0,fd=5"),
	      "netdev tap with the fd");
	CHECK(v && !strcmp(v[5], "-device") &&
		      !strcmp(v[6], "virtio-net-pci,netdev=qbox0,"
				    "mac=52:54:00:01:02:03"),
	      "virtio-net-pci with the MAC");
	CHECK(v && !strcmp(v[8], "tap,id=qbox1,fd=6") &&
		      !strcmp(v[10], "virtio-net-pci,netdev=qbox1,"
				     "mac=52:54:00:04:05:06"),
	      "second NIC is qbox1");
	qemu_argv_free(v);

	v = qemu_argv_build(own, two, 1, &nomon);
	CHECK(v && argc_of(v) == 5 && !strcmp(v[4], "tap,id=qbox0,fd=5"),
	      "user's own -device netdev=qbox0: only -netdev added");
	CHECK(v && !strcmp(v[2], own[2]), "and its mac= is kept");
	qemu_argv_free(v);

	v = qemu_argv_build(nomac, two, 1, &nomon);
	CHECK(v && argc_of(v) == 5 &&
		      !strcmp(v[2], "e1000,netdev=qbox0,romfile=,"
				    "mac=52:54:00:01:02:03"),
	      "user's own -device without mac= gets the NIC's MAC");
	qemu_argv_free(v);

	CHECK(qemu_argv_user_mac(own, "qbox0", mac, &e) == 1 &&
		      mac[5] == 9 && mac[0] == 0x52,
	      "the user's -device's mac= is found");
	CHECK(qemu_argv_user_mac(nomac, "qbox0", mac, &e) == 0,
	      "no mac= in the user's -device: none");
	CHECK(qemu_argv_user_mac(user, "qbox0", mac, &e) == 0,
	      "no -device of the user's: none");
	CHECK(qemu_argv_user_mac(badmac, "qbox0", mac, &e) == -EINVAL &&
		      e.usage && strstr(e.msg, "e1000,netdev=qbox0,mac=52:54"),
	      "a malformed mac= is refused, naming the argument (%s)", e.msg);

	CHECK(qemu_argv_names_netdev(own, "qbox0"), "names netdev=qbox0");
	CHECK(!qemu_argv_names_netdev(other, "qbox0"),
	      "netdev=qbox01 is not qbox0");
	CHECK(!qemu_argv_names_netdev(other, "qbox1"),
	      "mynetdev=qbox1 is not netdev=qbox1");
	{
		char *esc[] = { "qemu", "-device", "e1000,id=a,,netdev=qbox0",
				NULL };
		char *twice[] = { "qemu", "-device",
				  "e1000,netdev=qbox1,netdev=qbox0", NULL };

		CHECK(!qemu_argv_names_netdev(esc, "qbox0"),
		      "id=a,,netdev=qbox0 is one id with a comma (QEMU's ,,)");
		CHECK(qemu_argv_names_netdev(twice, "qbox0") &&
			      !qemu_argv_names_netdev(twice, "qbox1"),
		      "netdev= given twice: the last counts, as in QEMU");
	}

	v = qemu_argv_build(user, &none, 1, &nomon);
	CHECK(v && argc_of(v) == 5 && !strcmp(v[3], "-nic") &&
		      !strcmp(v[4], "none"),
	      "--net none adds -nic none");
	qemu_argv_free(v);

	v = qemu_argv_build(user, two, 1, &mon);
	CHECK(v && argc_of(v) == 11 && !strcmp(v[7], "-chardev") &&
		      !strcmp(v[8], "socket,id=qbox-qmp,fd=7,server=on,"
				    "wait=off") &&
		      !strcmp(v[9], "-mon") &&
		      !strcmp(v[10], "chardev=qbox-qmp,mode=control"),
	      "qbox's QMP monitor on the inherited listening socket, after "
	      "the NICs");
	qemu_argv_free(v);
	v = qemu_argv_build(user, two, 1, &held);
	CHECK(v && argc_of(v) == 12 && !strcmp(v[11], "-S"),
	      "held: -S after the monitor");
	qemu_argv_free(v);
	CHECK(!qemu_argv_holds(user) && qemu_argv_holds(paused) &&
		      qemu_argv_holds(incoming),
	      "the user's -S or -incoming holds the guest already");
	UNIT_END();
}
