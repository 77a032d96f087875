// SPDX-License-Identifier: MIT
/*
 * cli.c - `qbox run` options
 *
 * getopt_long in POSIX mode ('+') so nothing after the payload's name is
 * taken for ours; the payload must follow a literal "--", which keeps a
 * mistyped qbox flag from silently becoming part of the payload.
 */
#include "runner/cli.h"

#include "common/util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char main_usage[] =
"Usage: qbox COMMAND [OPTIONS]\n"
"\n"
"Run QEMU virtual machines (or any command) rootless, each in its own user,\n"
"network and PID namespaces, with VirtualBox-style networking.\n"
"\n"
"Commands:\n"
"  run [OPTIONS] -- CMD [ARGS...]   run CMD in a new sandbox\n"
"  ps [--json]                     list your running sandboxes\n"
"  fwd [-n NAME] SPEC              add a port forward at run time\n"
"  fwd [-n NAME] --list [--json]   list a sandbox's forwards\n"
"  fwd [-n NAME] --remove HOSTSPEC remove a forward\n"
"  stop NAME [--timeout S] [--force] power a VM off (ACPI), then SIGTERM\n"
"  link NAME [nicN] WORD...        a NIC's cable (up, down), rate=, loss=\n"
"  capture NAME [nicN] [-w FILE]   what crosses a NIC, as pcap\n"
"  wait NAME [--timeout S]         wait until NAME is up and forwarding\n"
"  exec NAME -- CMD [ARGS...]      run CMD inside NAME's namespaces\n"
"  nc NAME HOST PORT               stdin/stdout to HOST:PORT inside NAME\n"
"  net ls|inspect|create|rm|socket named networks (see qbox net --help)\n"
"  policy check|show|dump|list     check and review seccomp policies\n"
"  help                            this text\n"
"  version                         print the version\n"
"\n"
"Examples:\n"
"  qbox run --net nat --fwd 2222:22 -- qemu-system-x86_64 -m 1G disk.qcow2\n"
"  qbox run -- curl http://10.0.2.2:8000/    # 10.0.2.2 is the host\n"
"\n"
"See 'qbox COMMAND --help' and qbox(1).\n";

const char net_usage[] =
"Usage: qbox net ls [--json]\n"
"       qbox net inspect NAME [--json]\n"
"       qbox net create MODE:NAME[,subnet=CIDR][,dhcp=on][,domain=DOMAIN]\n"
"                       [,dhcp-option=N:VALUE]...[,tftp=DIR[,bootfile=FILE]]\n"
"       qbox net create MODE:NAME[,link=LOCATOR]...[,serve=off]\n"
"       qbox net rm NAME [--force]\n"
"       qbox net socket NAME|MODE:NAME[,OPTIONS]\n"
"       qbox net link NAME LOCATOR, qbox net unlink NAME LOCATOR\n"
"       qbox net vde NAME|MODE:NAME[,OPTIONS]\n"
"\n"
"Named networks join sandboxes (VMs or commands) of the same user into one\n"
"Ethernet segment, like VirtualBox's network modes:\n"
"  natnet:NAME    NAT Network: 10.0.2.0/24, gateway and host alias 10.0.2.2,\n"
"                 DNS .1, DHCP from .15; members reach each other,\n"
"                 the host's loopback and the outside; forwards reach them\n"
"  hostonly:NAME  192.168.56.0/24; 192.168.56.1 is the host's loopback;\n"
"                 DNS .100, DHCP from .101; no way to the outside\n"
"  internal:NAME  members only; no DHCP unless dhcp=on (192.168.100.0/24)\n"
"\n"
"Members find each other by name: --name vm1 on natnet:lab0 is vm1 and\n"
"vm1.lab0.qbox.internal, and host.qbox.internal is the host alias (DNS by\n"
"dnsmasq, run confined by the network, also its DHCP server). A member's\n"
"--net may fix its address: natnet:lab0,ip=10.0.2.50. DHCP options for\n"
"the guests, e.g. an MTU and two NTP servers (values joined with +):\n"
"net create natnet:lab0,dhcp-option=26:1400,dhcp-option=42:10.0.2.2+10.0.2.3\n"
"PXE from the network: net create natnet:lab0,tftp=DIR,bootfile=FILE, then\n"
"members' VMs with -boot n boot FILE from DIR over TFTP. Where a natnet's\n"
"members may go: net create natnet:lab0,egress=deny,allow=CIDR[:PORT]\n"
"(see qbox run --help); hostloop=off too.\n"
"\n"
"IPv6: natnet, hostonly and internal,dhcp=on networks have a /64 made from\n"
"their IPv4 subnet (natnet: fd71:6278:a00:200::/64, gateway ::2, hub ::1;\n"
"hostonly: the host's [::1] at ::1, no route out; internal: members only),\n"
"advertised for SLAAC; a command member takes its MAC's EUI-64 address.\n"
"net create natnet:lab0,subnet6=PREFIX/64 picks it, ipv6=off turns it off.\n"
"\n"
"A network starts with its first member (qbox run --net natnet:lab0) and\n"
"ends with its last, unless made with `net create` or linger=on. `net rm`\n"
"refuses while members run, unless --force (they lose their link).\n"
"Forwards to a network name the guest: qbox fwd -n natnet:lab0\n"
"2222:10.0.2.15:22. Commands inside a network's namespace, where the\n"
"guests' addresses route directly: qbox exec hostonly:lab0 -- ssh\n"
"192.168.56.101, or qbox nc hostonly:lab0 vm1 22.\n"
"\n"
"Across machines: link=LOCATOR (net create, up to 4) or `net link NAME\n"
"LOCATOR` extends the segment over a VDE network (vxlan://GROUP/vni=N,\n"
"vxvde://, a vde_switch, cmd://ssh host vde_plug ...): networks on two\n"
"machines that link to one are one segment. One side serves it (NAT,\n"
"DHCP, DNS); the others are made with serve=off and serve nothing: their\n"
"VMs lease from the serving side, their commands take .4-.14 (natnet).\n"
"A link's state, counters and last failure show in net inspect.\n"
"\n"
"`net vde` prints a vde:// locator where the network is a VDE switch:\n"
"vde_plug, VirtualBox's generic VDE driver or qbox run --net vde:LOCATOR\n"
"join the segment as members of kind vde, held to their MAC and lease.\n"
"\n"
"`net socket` prints the path of the network's generic socket, where any\n"
"program speaking QEMU's stream protocol joins the segment (a plain qemu:\n"
"-netdev stream,id=n0,server=off,addr.type=unix,addr.path=PATH). Given\n"
"MODE:NAME it starts the network if needed; it then ends 10 s later unless\n"
"something joins (linger=on keeps it). Its clients are members of kind\n"
"socket.\n"
"\n"
"Examples:\n"
"  qbox run --name vm1 --net natnet:lab0 -- qemu-system-x86_64 ...\n"
"  qbox net inspect lab0\n"
"  qbox net create hostonly:ho0 && qbox net rm ho0\n"
"  qbox net create natnet:lab0,link=vxlan://239.1.2.3/vni=7   # machine A\n"
"  qbox net create natnet:lab0,serve=off,link=vxlan://239.1.2.3/vni=7  # B\n"
"  qemu-system-x86_64 ... -netdev stream,id=n0,server=off,addr.type=unix,\\\n"
"      addr.path=$(qbox net socket natnet:lab0) -device virtio-net-pci,netdev=n0\n";

const char ps_usage[] =
"Usage: qbox ps [--json]\n"
"\n"
"List your running sandboxes: name, supervisor pid, start time, NICs with\n"
"the payload's address, forwards and command. Other users' sandboxes are\n"
"not visible. --json prints an array of objects (see qbox(1), JSON).\n";

const char fwd_usage[] =
"Usage: qbox fwd [-n NAME] [tcp:|udp:][HOSTADDR:]HOSTPORT:[GUESTADDR:]GUESTPORT\n"
"       qbox fwd [-n NAME] --list [--json]\n"
"       qbox fwd [-n NAME] --remove [tcp:|udp:][HOSTADDR:]HOSTPORT\n"
"\n"
"Add, list or remove port forwards of a running sandbox. -n may be left\n"
"out when exactly one sandbox runs. SPEC is as for qbox run --fwd;\n"
"HOSTADDR defaults to 127.0.0.1. After --remove (which also takes a whole\n"
"SPEC), the host port refuses new connections; open TCP connections\n"
"finish, UDP flows end. A port range (8000-8010:8000-8010, or --remove\n"
"8000-8010) adds or removes a forward per port; an add that fails part\n"
"way takes back the ports it added.\n"
"\n"
"Examples:\n"
"  qbox fwd 2222:22\n"
"  qbox fwd -n web udp:[::1]:5353:53\n"
"  qbox fwd -n web --remove 2222\n";

const char stop_usage[] =
"Usage: qbox stop NAME [--timeout S] [--force]\n"
"\n"
"Stop the sandbox and return once it is gone and cleaned up. A VM's guest\n"
"is first asked to power off (an ACPI power button press, QMP\n"
"system_powerdown); if QEMU still runs after S seconds (default 10), or\n"
"the payload is a command, it gets SIGTERM, and everything in the sandbox\n"
"SIGKILL S seconds after that. Before the payload has started: SIGKILL.\n"
"  --force    skip the power button: SIGTERM at once\n"
"The exit status is 0; the run's own is its payload's (128+9 when it\n"
"had to be killed). Exit 1 if it is not gone 2*S+10 seconds after the\n"
"request.\n";

const char capture_usage[] =
"Usage: qbox capture NAME [nicN] [-w FILE] [-c COUNT] [FILTER...]\n"
"       qbox capture MODE:NETWORK [-w FILE] [-c COUNT] [FILTER...]\n"
"\n"
"Write the frames that cross a sandbox's NIC (nic0 unless named), or a\n"
"whole network's segment, as pcap: tcpdump -r and Wireshark read it.\n"
"FILTER is tcpdump's filter language (pcap-filter(7)); a bad one is exit\n"
"2 before anything starts. A VM's NIC is its TAP: every frame its guest\n"
"sends or gets; a command's, its bridge. The capture runs inside the\n"
"sandbox's namespaces as you, for you alone, until COUNT frames, SIGINT\n"
"or SIGTERM, or the sandbox's end; each frame is written at once, so a\n"
"killed capture keeps what it saw.\n"
"  -w FILE    write to FILE (made mode 0600); without it, to stdout,\n"
"             which must not be a terminal\n"
"  -c COUNT   stop after COUNT frames\n"
"--net ...,pcap=FILE captures NIC from the sandbox's start (a CI job's\n"
"artifact: the guest's DHCP exchange included).\n"
"  qbox capture vm1 -w vm1.pcap tcp port 22 &\n"
"  qbox capture natnet:lab0 -c 100 arp or udp port 67 | tcpdump -nr -\n";

const char link_usage[] =
"Usage: qbox link NAME [nicN] WORD...\n"
"       qbox link MODE:NETWORK MEMBER WORD...\n"
"\n"
"Pull a sandbox's network cable out, plug it back in, or make its link\n"
"slower, lossier or later. WORD is one of:\n"
"  down, up       the cable: a VM's guest sees its NIC's carrier go and\n"
"                 come back (QEMU's set_link: /sys/class/net/eth0/carrier\n"
"                 reads 0, its DHCP client keeps its lease); a command's\n"
"                 NIC goes NO-CARRIER, its address and routes stay\n"
"  rate=10mbit    at most this rate (bit, kbit, mbit, gbit per second):\n"
"                 what the payload sends, and what a VM's guest gets\n"
"  loss=1.5%      drop this share of frames, each way\n"
"  delay=50ms     hold each frame this long, each way (jitter=5ms give or\n"
"                 take); needs the kernel's netem (module sch_netem)\n"
"  clear          no rate, loss, delay or jitter (before the other words)\n"
"A word changes what it names and keeps the rest: rate=1mbit then\n"
"loss=5% gives both.\n"
"  NAME [nicN]            NIC N of sandbox NAME; without it, all of them\n"
"  MODE:NETWORK MEMBER    the NIC of sandbox MEMBER on that network\n"
"                         (natnet:lab0 vm1 down: cut it off the segment)\n"
"--net ...,link=down starts a NIC unplugged (a VM's guest never sees it\n"
"up); --net ...,rate=,loss=,delay=,jitter= start it impaired. qbox ps\n"
"--json shows each NIC's \"link_up\" and \"impairment\". Exit 2 for a\n"
"bad word, a NIC, network or sandbox that is not there, or a kernel\n"
"without what a word needs:\n"
"  qbox link vm1 down; sleep 30; qbox link vm1 up\n"
"  qbox link vm1 rate=2mbit loss=1%; ...; qbox link vm1 clear\n";

const char wait_usage[] =
"Usage: qbox wait NAME [--timeout S] [--tcp [ADDR:]PORT [--banner]]\n"
"\n"
"Return once sandbox NAME is ready: its network is up, its forwards\n"
"listen and its payload has started. NAME need not exist yet (qbox run\n"
"--name NAME ... &; qbox wait NAME). Exit 1 after S seconds (default 60)\n"
"or if the sandbox ends first. A VM's guest may still be booting:\n"
"  --tcp PORT       then wait until a connection from inside the sandbox\n"
"                   to PORT at its guest's address (its first NIC's, as\n"
"                   qbox ps --json shows it) is accepted\n"
"  --tcp ADDR:PORT  the same at ADDR (IPv6 in brackets: [fd71::5]:22);\n"
"                   NAME may be a network, MODE:NAME\n"
"  --banner         and until the server sends its first bytes (an ssh\n"
"                   server's banner: sshd is up, not only its socket)\n"
"The timeout covers both. Exit 1 names what never answered:\n"
"  qbox run --name vm1 --net nat -- qemu-system-x86_64 ... &\n"
"  qbox wait vm1 --tcp 22 --banner --timeout 120 && ssh -p 2222 ...\n";

const char exec_usage[] =
"Usage: qbox exec [--policy FILE|NAME] [--policy-log] NAME -- COMMAND [ARGS...]\n"
"\n"
"Run COMMAND inside sandbox NAME's user, network and PID namespaces,\n"
"confined like a payload (no capabilities, no_new_privs, seccomp policy\n"
"'default' unless --policy names another; see qbox run --help). There\n"
"the guest's addresses are directly reachable, e.g.\n"
"  qbox exec web -- ssh 10.0.2.15\n"
"COMMAND ends with the sandbox. Exit status: COMMAND's (128+N if killed\n"
"by signal N, e.g. 137 when the sandbox ended); 2 if NAME does not run,\n"
"COMMAND is not found or the policy is bad; 127 if COMMAND could not be\n"
"executed.\n";

const char policy_usage[] =
"Usage: qbox policy check FILE|NAME...\n"
"       qbox policy show [--log] FILE|NAME\n"
"       qbox policy dump [--log] FILE|NAME\n"
"       qbox policy list\n"
"\n"
"A seccomp policy says which system calls a payload may make. qbox ships\n"
"five: 'qemu' (given to qemu-system-* payloads), 'default' (any other\n"
"payload), 'common' (what both include), 'uplink' (qbox's own NAT\n"
"engine, not for payloads) and 'dnsmasq' (a named network's DNS server).\n"
"An argument with a '/' or ending in .policy\n"
"is a FILE; anything else is the NAME of a shipped one.\n"
"\n"
"  check   parse and compile, as qbox run does: 'FILE: ok, N syscalls\n"
"          allowed', or the FILE:LINE at fault (exit 2)\n"
"  show    the policy with its includes expanded, one syscall per line\n"
"          with its condition and action, and the FILE:LINE of each\n"
"  dump    the BPF programs the kernel will run, in libseccomp's\n"
"          pseudo-code: the policy's, then qbox's baseline\n"
"  list    the shipped policies and where each is read from: the\n"
"          policy directory ($QBOX_POLICY_DIR, else the install dir)\n"
"          first, else the copy built into qbox\n"
"  --log   as qbox run --policy-log: the default action becomes 'log'\n"
"\n"
"The language is Minijail's; one statement per line ('\\' continues it):\n"
"  @include common.policy         a FILE, relative to this one\n"
"  @include qemu                  a shipped policy: extend it this way\n"
"  @default errno ENOSYS          kill-process (if absent), kill-thread,\n"
"                                 trap, log, errno N, allow; the\n"
"                                 outermost file's wins\n"
"  read: 1                        allowed\n"
"  ioctl: arg1 == TCGETS || arg1 == TIOCGWINSZ\n"
"  mmap: arg2 in ~PROT_EXEC       && || == != < <= > >= & (any bit) in\n"
"  ptrace: return EPERM           also: log, trap, kill-process, ...\n"
"  openat: arg2 & O_CREAT; return EACCES\n"
"See qbox(1), POLICIES, for all of it.\n";

const char nc_usage[] =
"Usage: qbox nc [--timeout S] NAME HOST PORT\n"
"\n"
"Connect stdin and stdout to TCP port PORT of HOST (an IPv4 or IPv6\n"
"address; on a network, also a member's name) as seen from inside\n"
"sandbox NAME, or network MODE:NAME (e.g. hostonly:lab):\n"
"the connection starts in its namespaces, where the guests' addresses\n"
"route directly. EOF on stdin half-closes the connection; qbox nc ends\n"
"when the peer closes it (status 0), or with status 1 when the connection\n"
"is refused, HOST is unreachable, nothing answers within S seconds\n"
"(default 10), or NAME ends; 2 if NAME does not run.\n"
"\n"
"Example (an ssh ProxyCommand):\n"
"  ssh -o ProxyCommand='qbox nc hostonly:lab %h %p' root@192.168.56.101\n";

const char run_usage[] =
"Usage: qbox run [OPTIONS] -- COMMAND [ARGS...]\n"
"\n"
"Run COMMAND in new user, network and PID namespaces. If COMMAND is a QEMU\n"
"system emulator (qemu-system-*), qbox gives it one NIC per --net:\n"
"  -netdev tap,id=qboxN,fd=K -device virtio-net-pci,netdev=qboxN,mac=M\n"
"(name netdev=qboxN in your own -device to pick another model; qbox then\n"
"adds only the -netdev, so set mac= there yourself). Any other\n"
"command gets the network configured in its namespace (10.0.2.100/24,\n"
"default route via 10.0.2.2). COMMAND runs with no capabilities,\n"
"no_new_privs and a seccomp policy: 'qemu' for qemu-system-*, else\n"
"'default' (no namespaces, mount, ptrace, bpf, keyctl, perf, modules,\n"
"kexec, reboot, userfaultfd, io_uring); see qbox policy --help.\n"
"\n"
"COMMAND sees only its view of the files (qbox(1), THE PAYLOAD'S VIEW):\n"
"the system read-only, its own /tmp, /dev and /proc (its sandbox's\n"
"processes alone), nothing of your home; QEMU the paths its command line\n"
"names (disks and their backing chains, kernel, sockets, logs), another\n"
"command its working directory, read-write.\n"
"\n"
"Options:\n"
"  --name NAME      sandbox name (default qbox-PID); MACs derive from it\n"
"  --net SPEC       add a NIC (repeatable; default: one nat NIC)\n"
"      nat[,subnet=CIDR][,mac=MAC][,mtu=N]  private NAT like VirtualBox/QEMU\n"
"                   user networking: 10.0.2.0/24, host (and its 127.0.0.1)\n"
"                   at 10.0.2.2, DNS 10.0.2.3, VM lease 10.0.2.15. The\n"
"                   second nat NIC gets 10.0.3.0/24, the third 10.0.4.0/24.\n"
"                   mtu= 1280-65520 (default 65520, a VM's 1500);\n"
"                   domain=DOMAIN: DHCP's domain and search list;\n"
"                   hostloop=off: 10.0.2.2 does not reach the host's\n"
"                   loopback (also on natnet)\n"
"      nat,egress=deny,allow=CIDR[:PORT]...  where the guest may go: with\n"
"                   egress=deny only the allow= destinations (and the\n"
"                   NAT's DHCP and DNS); 169.254.0.0/16 (a cloud's\n"
"                   metadata) is refused unless allowed; a refused\n"
"                   connection fails at once (also on natnet)\n"
"      nat,ipv6=off|subnet6=PREFIX/64  IPv6 is on by default: a /64 from\n"
"                   the IPv4 subnet (fd71:6278:a00:200::/64), gateway and\n"
"                   host's [::1] at ::2, DNS ::3, a command at ::100, a VM\n"
"                   by SLAAC (named networks too: see qbox net --help)\n"
"      nat,tftp=DIR[,bootfile=FILE]  also serve DIR read-only by TFTP at\n"
"                   10.0.2.2 and offer FILE (in DIR) by DHCP: PXE boot a\n"
"                   VM run with -boot n\n"
"      ...,link=down  any mode but none: the NIC starts unplugged (qbox\n"
"                   link NAME nicN up plugs it in)\n"
"      ...,rate=10mbit,loss=1%,delay=50ms,jitter=5ms  but bridged: the\n"
"                   NIC starts impaired (see qbox link --help)\n"
"      none         not attached: QEMU gets -nic none, a command only lo\n"
"      natnet:NAME, hostonly:NAME, internal:NAME[,ip=ADDR][,domain=D]\n"
"                   a named network (see qbox net --help); ip= fixes this\n"
"                   member's address, domain= the network's domain\n"
"      bridged:TAPDEV[,mac=MAC]  VMs only: the VM's NIC on TAPDEV, a TAP\n"
"                   device an administrator made for you and bridged to a\n"
"                   LAN (ip tuntap add dev TAPDEV mode tap user $USER;\n"
"                   ip link set TAPDEV master BRIDGE up)\n"
"      vde:LOCATOR[,mtu=N][,ip=ADDR/PREFIX[,gw=ADDR]]\n"
"                   generic: the NIC joins the VDE network libvdeplug4\n"
"                   opens at LOCATOR: a vde_switch\n"
"                   (vde:///path/to/switch), vxvde://, vxlan://, cmd://\n"
"                   (e.g. ssh), agno:// (encrypted), ...; ip= and gw= are\n"
"                   a command's address and route there (a VM's guest\n"
"                   sets its own). The plug comes back by itself after\n"
"                   its far end does.\n"
"      udp:[LADDR:]LPORT:RADDR:RPORT  generic: VirtualBox's UDP tunnel,\n"
"                   Ethernet frames in UDP to RADDR:RPORT (QEMU's -netdev\n"
"                   dgram on the far end), taken from there alone; in\n"
"                   clear: for untrusted paths use vde:agno:// or cmd://\n"
"  --fwd SPEC       forward a host port into the sandbox (repeatable):\n"
"                   [tcp:|udp:][HOSTADDR:]HOSTPORT:[GUESTADDR:]GUESTPORT\n"
"                   HOSTADDR defaults to 127.0.0.1 (only this host can\n"
"                   connect; say 0.0.0.0 to listen on every address);\n"
"                   IPv6 in brackets: [::1]:8080:80. GUESTADDR defaults to\n"
"                   the VM's lease (10.0.2.15) or the command's 10.0.2.100.\n"
"                   Port ranges: 8000-8010:8000-8010 forwards each port to\n"
"                   its counterpart (equal lengths; 64 forwards at most).\n"
"  --mac MAC        MAC of the first NIC (same as nat,mac=MAC)\n"
"  --vm             treat COMMAND as QEMU even if its name does not say so\n"
"  --ready-fd N     when the network is up, forwards listen and COMMAND has\n"
"                   started, write \"ready\\n\" to fd N and close it\n"
"  --policy P       seccomp policy: a FILE (with a '/' or ending in\n"
"                   .policy) or a shipped NAME (qemu, default)\n"
"  --policy-log     let what the policy would refuse by default through,\n"
"                   and have the kernel log it (dmesg, audit log): to\n"
"                   find what a payload still needs\n"
"  --bind SRC[:DST]     show COMMAND SRC at DST (default SRC), read-write\n"
"  --ro-bind SRC[:DST]  ... read-only (both repeatable)\n"
"  --tmpfs DST      an empty tmpfs at DST\n"
"  --chdir DIR      start COMMAND in DIR (a command gets it read-write)\n"
"  --fs view|host   view (default): only what its view holds; host: all of\n"
"                   the host's files and /proc, as you see them\n"
"  -h, --help       this text\n"
"\n"
"Exit status: COMMAND's status (128+N if killed by signal N); 2 for a bad\n"
"invocation (nothing is left behind); 1 when a setup step fails.\n"
"\n"
"Examples:\n"
"  qbox run --fwd 2222:22 -- qemu-system-x86_64 -accel tcg -m 1G disk.qcow2\n"
"  qbox run --net nat --net nat -- qemu-system-x86_64 ...   # two NICs\n"
"  qbox run --net none -- qemu-system-x86_64 ...            # no network\n"
"  qbox run --net bridged:qtap0 -- qemu-system-x86_64 ...   # on the LAN\n"
"  qbox run --net vde:vde:///tmp/sw -- qemu-system-x86_64 ...  # VDE\n"
"  qbox run --fwd 8000:8000 -- busybox httpd -f -p 8000\n"
"  qbox run --policy ./my.policy -- ./server               # own policy\n"
"  qbox run --ro-bind ~/data -- ./analyse ~/data            # one more dir\n";

enum { OPT_NAME = 256, OPT_NET, OPT_FWD, OPT_MAC, OPT_VM, OPT_READY_FD,
       OPT_POLICY, OPT_POLICY_LOG, OPT_BIND, OPT_RO_BIND, OPT_TMPFS,
       OPT_CHDIR, OPT_FS };

static int add_net(struct run_opts *o, const char *arg, struct qerr *e)
{
	int r;

	if (o->n_nets == MAX_NICS)
		return qerr_usage(e, "--net %s: at most %d NICs", arg,
				  MAX_NICS);
	r = net_spec_parse(arg, &o->nets[o->n_nets], e);
	if (r < 0) {
		qerr_prefix(e, "--net %s", arg);
		return r;
	}
	o->net_text[o->n_nets++] = arg;
	return 0;
}

/* --fwd SPEC: a range is a forward per port, each with its own words */
static int add_fwd(struct run_opts *o, const char *arg, struct qerr *e)
{
	static char texts[MAX_FWDS][FWD_TEXT_MAX];
	int r, i, n;

	if (o->n_fwds == MAX_FWDS)
		return qerr_usage(e, "--fwd %s: at most %d forwards", arg,
				  MAX_FWDS);
	n = fwd_range_expand(arg, false, texts + o->n_fwds,
			     MAX_FWDS - o->n_fwds, e);
	if (n < 0) {
		qerr_prefix(e, "--fwd");
		return n;
	}
	for (i = 0; i < n; i++) {
		r = fwd_spec_parse(texts[o->n_fwds], &o->fwds[o->n_fwds], e);
		if (r < 0) {
			qerr_prefix(e, "--fwd %s", arg);
			return r;
		}
		o->fwd_text[o->n_fwds] = n == 1 ? arg : texts[o->n_fwds];
		o->n_fwds++;
	}
	return 0;
}

/*
 * --bind SRC[:DST], --ro-bind SRC[:DST], --tmpfs DST: DST is absolute, so
 * the last ":/" splits them (a SRC may hold a ':'); without one, DST is
 * SRC
 */
static int add_fs(struct run_opts *o, enum fs_kind kind, const char *arg,
		  struct qerr *e)
{
	struct fs_opt *f = &o->fs[o->n_fs];
	const char *split = NULL, *p;

	if (o->n_fs >= MAX_FS_OPTS)
		return qerr_usage(e, "%s %s: at most %d --bind, --ro-bind and "
				     "--tmpfs", fs_flag(kind), arg,
				  MAX_FS_OPTS);
	*f = (struct fs_opt){ .kind = kind, .arg = arg,
			      .src_len = strlen(arg) };
	for (p = arg; kind != FS_TMPFS && (p = strstr(p, ":/")); p++)
		split = p;
	if (split) {
		f->src_len = (size_t)(split - arg);
		f->dst = split + 1;
	}
	if (!*arg || !f->src_len)
		return qerr_usage(e, "%s needs a path", fs_flag(kind));
	if (kind == FS_TMPFS && arg[0] != '/')
		return qerr_usage(e, "--tmpfs %s: not an absolute path", arg);
	if ((f->dst && !strcmp(f->dst, "/")) ||
	    (!f->dst && f->src_len == 1 && arg[0] == '/'))
		return qerr_usage(e, "%s %s: the view's root is qbox's to "
				     "build (name a directory under it)",
				  fs_flag(kind), arg);
	o->n_fs++;
	return 0;
}

/* One option of qbox run: 0, CLI_HELP, or -errno with @e */
static int run_opt(struct run_opts *o, int c, char **argv, struct qerr *e)
{
	unsigned long fd;
	int r;

	switch (c) {
	case OPT_NAME:
		if ((r = name_check(optarg, "--name", e)) < 0)
			return r;
		o->name = optarg;
		return 0;
	case OPT_NET:
		return add_net(o, optarg, e);
	case OPT_FWD:
		return add_fwd(o, optarg, e);
	case OPT_MAC:
		if ((r = mac_parse(optarg, o->mac, e)) < 0) {
			qerr_prefix(e, "--mac %s", optarg);
			return r;
		}
		o->mac_text = optarg;
		return 0;
	case OPT_VM:
		o->force_vm = true;
		return 0;
	case OPT_READY_FD:
		if (parse_uint(optarg, 1 << 20, &fd) < 0 || fd < 3)
			return qerr_usage(e, "--ready-fd %s: not a file "
					     "descriptor number (3 or more)",
					  optarg);
		o->ready_fd = (int)fd;
		return 0;
	case OPT_POLICY:
		if (!*optarg)
			return qerr_usage(e, "--policy needs a FILE or a NAME");
		o->policy = optarg;
		return 0;
	case OPT_POLICY_LOG:
		o->policy_log = true;
		return 0;
	case OPT_BIND:
		return add_fs(o, FS_BIND, optarg, e);
	case OPT_RO_BIND:
		return add_fs(o, FS_RO_BIND, optarg, e);
	case OPT_TMPFS:
		return add_fs(o, FS_TMPFS, optarg, e);
	case OPT_CHDIR:
		if (!*optarg)
			return qerr_usage(e, "--chdir needs a directory");
		o->chdir = optarg;
		return 0;
	case OPT_FS:
		if (strcmp(optarg, "host") && strcmp(optarg, "view"))
			return qerr_usage(e, "--fs %s: 'view' (the default: "
					     "the payload sees only what it is "
					     "given) or 'host' (all the host's "
					     "files, as you see them)", optarg);
		o->fs_host = !strcmp(optarg, "host");
		return 0;
	case 'h':
		return CLI_HELP;
	case ':':
		return qerr_usage(e, "%s needs a value", argv[optind - 1]);
	default:
		if (optopt)
			return qerr_usage(e, "unknown option '-%c' (see qbox "
					     "run --help)", optopt);
		return qerr_usage(e, "unknown option '%s' (see qbox run "
				     "--help)", argv[optind - 1]);
	}
}

/* After the options: '--' and the command */
static int run_command(int argc, char **argv, struct run_opts *o,
		       struct qerr *e)
{
	if (optind <= 1 || strcmp(argv[optind - 1], "--")) {
		if (optind < argc)
			return qerr_usage(e, "missing '--' before the command "
					     "'%s' (qbox run [OPTIONS] -- "
					     "COMMAND [ARGS...])", argv[optind]);
		return qerr_usage(e, "missing '--' and a command (qbox run "
				     "[OPTIONS] -- COMMAND [ARGS...])");
	}
	if (optind >= argc || !argv[optind][0])
		return qerr_usage(e, "missing command after '--' (qbox run "
				     "[OPTIONS] -- COMMAND [ARGS...])");
	o->argv = &argv[optind];
	o->argc = argc - optind;
	return CLI_RUN;
}

int run_opts_parse(int argc, char **argv, struct run_opts *o, struct qerr *e)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, OPT_NAME },
		{ "net", required_argument, NULL, OPT_NET },
		{ "fwd", required_argument, NULL, OPT_FWD },
		{ "mac", required_argument, NULL, OPT_MAC },
		{ "vm", no_argument, NULL, OPT_VM },
		{ "ready-fd", required_argument, NULL, OPT_READY_FD },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "policy-log", no_argument, NULL, OPT_POLICY_LOG },
		{ "bind", required_argument, NULL, OPT_BIND },
		{ "ro-bind", required_argument, NULL, OPT_RO_BIND },
		{ "tmpfs", required_argument, NULL, OPT_TMPFS },
		{ "chdir", required_argument, NULL, OPT_CHDIR },
		{ "fs", required_argument, NULL, OPT_FS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, r;

	memset(o, 0, sizeof(*o));
	o->ready_fd = -1;
	optind = 0;	/* full reset: the parser may run more than once */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1)
		if ((r = run_opt(o, c, argv, e)) != 0)
			return r;
	return run_command(argc, argv, o, e);
}
