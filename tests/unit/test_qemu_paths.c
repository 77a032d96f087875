// SPDX-License-Identifier: MIT
/* test_qemu_paths.c - the paths QEMU's command line names, every form */
#include <stdarg.h>
#include <stdlib.h>

#include "plan/qemu_paths.h"
#include "tests/unit/unit.h"

#define ARGV(...) ((char *[]){ "qemu-system-x86_64", __VA_ARGS__, NULL })

/* The paths of @argv as "path use [dir] [image] opt" lines, or "ERR msg" */
static const char *paths(char **argv)
{
	static char buf[4096];
	struct qpaths p;
	struct qerr e = { 0 };
	size_t len = 0;
	int i;

	buf[0] = '\0';
	if (qemu_paths(argv, &p, &e) < 0) {
		snprintf(buf, sizeof(buf), "ERR%s %s", e.usage ? "(usage)" : "",
			 e.msg);
		qpaths_free(&p);
		return buf;
	}
	for (i = 0; i < p.n; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					"%s%s %s%s%s %s", i ? "; " : "",
					p.v[i].path, qpath_use_name(p.v[i].use),
					p.v[i].dir ? " dir" : "",
					p.v[i].image ? " image" : "", p.v[i].opt);
	qpaths_free(&p);
	return buf;
}

/* CHECK that @argv names exactly @want */
static void want(char **argv, const char *expect, const char *what)
{
	const char *got = paths(argv);

	CHECK(!strcmp(got, expect), "%s: '%.900s' (want '%.900s')", what, got,
	      expect);
}

static void disks(void)
{
	want(ARGV("-m", "1G", "disk.qcow2"),
	     "disk.qcow2 read-write image disk image", "a positional image");
	want(ARGV("-hda", "/a", "-hdb", "b", "-hdc", "c", "-hdd", "d"),
	     "/a read-write image -hda; b read-write image -hdb; "
	     "c read-write image -hdc; d read-write image -hdd",
	     "-hda..-hdd");
	want(ARGV("-cdrom", "/x.iso"), "/x.iso read image -cdrom",
	     "-cdrom: read-only");
	want(ARGV("-fda", "f", "-fdb", "g", "-mtdblock", "m", "-sd", "s"),
	     "f read-write image -fda; g read-write image -fdb; "
	     "m read-write image -mtdblock; s read-write image -sd",
	     "-fda, -fdb, -mtdblock, -sd");
	want(ARGV("-pflash", "/vars.fd"), "/vars.fd read-write image -pflash",
	     "-pflash");
	want(ARGV("-drive", "file=/d.img,if=virtio"),
	     "/d.img read-write image -drive", "-drive file=");
	want(ARGV("-drive", "if=virtio,file=/d.img,readonly=on"),
	     "/d.img read image -drive", "-drive readonly=on");
	want(ARGV("-drive", "file=/d.img,snapshot=on"),
	     "/d.img read image -drive", "-drive snapshot=on");
	want(ARGV("-drive", "file=/c.iso,media=cdrom"),
	     "/c.iso read image -drive", "-drive media=cdrom");
	want(ARGV("-drive", "if=pflash,format=raw,readonly=on,file=/code.fd",
		  "-drive", "if=pflash,format=raw,file=/vars.fd"),
	     "/code.fd read image -drive; /vars.fd read-write image -drive",
	     "-drive if=pflash: code read-only, vars read-write");
	want(ARGV("-drive", "file=/my,,disk.img,if=ide"),
	     "/my,disk.img read-write image -drive",
	     "QEMU's comma escaping: ,, is a comma in the value");
	want(ARGV("-drive", "file=a,,,,b"), "a,,b read-write image -drive",
	     "two escaped commas");
	want(ARGV("-snapshot", "-hda", "/a", "-drive", "file=/b"),
	     "/a read image -hda; /b read image -drive",
	     "-snapshot: every disk read-only, wherever it stands");
	want(ARGV("-hda", "/a", "--snapshot"), "/a read image -hda",
	     "--snapshot is -snapshot");
	want(ARGV("--drive", "file=/a"), "/a read-write image -drive",
	     "--drive is -drive");
	want(ARGV("-drive", "file=file:/x/y:z"),
	     "/x/y:z read-write image -drive", "file: prefix");
	want(ARGV("-drive", "file=fat:rw:/share"),
	     "/share read-write dir -drive", "fat:rw: a directory, writable");
	want(ARGV("-drive", "file=fat:floppy:12:/share"),
	     "/share read dir -drive", "fat:floppy:12: read-only");
	want(ARGV("-drive", "file=nbd:localhost:10809", "-hda",
		  "http://example/x", "-drive", "file=iscsi://h/t/0",
		  "-drive", "file=/dev/fdset/2"),
	     "", "protocols and fd sets name no file");
	want(ARGV("-hda", "dir/a:b"), "dir/a:b read-write image -hda",
	     "a ':' after a '/' is no protocol");
	want(ARGV("-drive", "if=none,id=x"), "", "-drive without file=");
}

/* CHECK that @argv is refused with a message that starts with @prefix */
static void refused(char **argv, const char *prefix, const char *what)
{
	const char *got = paths(argv);

	CHECK(!strncmp(got, prefix, strlen(prefix)), "%s: '%.900s'", what,
	      got);
}

static void json_forms(void)
{
	want(ARGV("-drive",
		  "file=json:{\"driver\":\"qcow2\",,\"file\":{\"driver\":"
		  "\"file\",,\"filename\":\"/j.qcow2\"}}"),
	     "/j.qcow2 read-write image -drive", "json: pseudo-filename");
	want(ARGV("-drive", "file=json:{\"driver\":\"file\",,"
			    "\"filename\":\"/j k\"},readonly=on"),
	     "/j k read image -drive", "json: read-only by the drive's flag");
	refused(ARGV("-drive", "file=json:{\"driver\":\"file\","
			       "\"filename\":\"/x\"}"),
		"ERR(usage) -drive file=json:{\"driver\":\"file\","
		"\"filename\":\"/x\"}: not JSON QEMU reads (",
		"json: with its commas not doubled is refused, as QEMU does");
	refused(ARGV("-drive", "file=json:{nope"),
		"ERR(usage) -drive file=json:{nope: not JSON QEMU reads (",
		"json: that does not parse: the option and value named");
	want(ARGV("-blockdev", "{\"driver\":\"qcow2\",\"node-name\":\"d\","
			       "\"file\":{\"driver\":\"file\",\"filename\":"
			       "\"/b.qcow2\"},\"backing\":{\"driver\":\"raw\","
			       "\"read-only\":true,\"file\":{\"driver\":"
			       "\"file\",\"filename\":\"/base.raw\"}}}"),
	     "/b.qcow2 read-write image -blockdev; "
	     "/base.raw read image -blockdev",
	     "-blockdev JSON: read-only holds below its node");
	want(ARGV("-blockdev", "[\"x\"]"), "", "-blockdev JSON without files");
	want(ARGV("-blockdev", "{\"driver\":\"vvfat\",\"dir\":\"/share\","
			       "\"rw\":true}"),
	     "/share read-write dir -blockdev", "-blockdev vvfat dir");
	want(ARGV("-blockdev", "driver=qcow2,node-name=n,file.driver=file,"
			       "file.filename=/k.qcow2"),
	     "/k.qcow2 read-write image -blockdev", "-blockdev key=value");
	want(ARGV("-blockdev", "driver=file,filename=/r,read-only=on"),
	     "/r read image -blockdev", "-blockdev read-only=on");
	refused(ARGV("-blockdev", "{\"a\":1,\"a\":2}"),
		"ERR(usage) -blockdev {\"a\":1,\"a\":2}: not JSON QEMU reads "
		"(duplicate object key",
		"-blockdev JSON with a duplicate key");
}

static void boot_and_dirs(void)
{
	want(ARGV("-kernel", "/vmlinuz", "-initrd", "i.gz", "-dtb", "t.dtb",
		  "-bios", "/b.fd", "-append", "console=ttyS0 -hda /no"),
	     "/vmlinuz read -kernel; i.gz read -initrd; t.dtb read -dtb; "
	     "/b.fd read -bios", "boot files, and -append's value is no path");
	want(ARGV("-L", "/fw", "-L", "help", "-option-rom", "/r.rom"),
	     "/fw read dir -L; /r.rom read -option-rom", "-L and -option-rom");
	want(ARGV("-fsdev", "local,id=f,path=/share,security_model=none",
		  "-virtfs", "local,path=/ro,mount_tag=t,readonly=on"),
	     "/share read-write dir -fsdev; /ro read dir -virtfs",
	     "-fsdev, -virtfs");
	want(ARGV("-fsdev", "proxy,id=p,socket=/run/p.sock"),
	     "/run/p.sock connect -fsdev", "-fsdev proxy socket");
	want(ARGV("-readconfig", "/q.cfg", "-D", "/log", "-pidfile", "/p"),
	     "/q.cfg read -readconfig; /log create -D; /p create -pidfile",
	     "-readconfig, -D, -pidfile");
}

static void chardevs(void)
{
	want(ARGV("-serial", "file:/s.log", "-monitor",
		  "unix:/m.sock,server,nowait", "-qmp",
		  "unix:/q.sock,server=on,wait=off", "-parallel", "none",
		  "-serial", "stdio", "-serial", "tcp::4444,server=on"),
	     "/s.log create -serial; /m.sock listen -monitor; "
	     "/q.sock listen -qmp", "-serial, -monitor, -qmp DEV strings");
	want(ARGV("-serial", "mon:unix:/c.sock", "-debugcon", "pipe:/p",
		  "-serial", "/dev/ttyS9"),
	     "/c.sock connect -serial; /p read-write -debugcon; "
	     "/dev/ttyS9 read-write -serial", "mon:, pipe:, a host tty");
	want(ARGV("-chardev", "socket,id=c,path=/c1.sock,server=on,wait=off",
		  "-chardev", "socket,id=d,path=/c2.sock", "-chardev",
		  "file,id=f,path=/f.log,logfile=/l.log", "-chardev",
		  "pipe,id=p,path=/pp", "-chardev", "stdio,id=s,logfile=/sl"),
	     "/c1.sock listen -chardev; /c2.sock connect -chardev; "
	     "/f.log create -chardev; /l.log create -chardev; "
	     "/pp read-write -chardev; /sl create -chardev",
	     "-chardev socket, file, pipe, logfile=");
	want(ARGV("-chardev", "socket,id=t,host=localhost,port=4,server=on"),
	     "", "-chardev socket over TCP names no file");
	want(ARGV("-chardev", "file,id=i,path=/o,input-path=/in"),
	     "/o create -chardev; /in read -chardev", "-chardev input-path=");
	want(ARGV("-incoming", "file:/state", "-incoming", "unix:/mig.sock",
		  "-incoming", "tcp:0:4444", "-incoming", "exec:cat x"),
	     "/state read -incoming; /mig.sock listen -incoming",
	     "-incoming file:, unix:; tcp: and exec: name no file");
}

static void the_rest(void)
{
	want(ARGV("-object", "memory-backend-file,id=m,size=1G,mem-path=/hp",
		  "-object", "secret,id=s,file=/sec", "-object",
		  "rng-random,id=r,filename=/dev/urandom", "-object",
		  "tls-creds-x509,id=t,dir=/pki", "-object",
		  "filter-dump,id=d,netdev=n,file=/dump.pcap", "-object",
		  "iothread,id=io"),
	     "/hp create -object; /sec read -object; /dev/urandom read -object; "
	     "/pki read dir -object; /dump.pcap create -object",
	     "-object's files");
	want(ARGV("-mem-path", "/hugepages"), "/hugepages create -mem-path",
	     "-mem-path");
	want(ARGV("-netdev", "stream,id=s,server=on,addr.type=unix,"
			     "addr.path=/s.sock", "-netdev",
		  "stream,id=c,addr.type=unix,addr.path=/c.sock", "-netdev",
		  "vde,id=v,sock=/vde.ctl", "-netdev",
		  "user,id=u,tftp=/tftp,smb=/smb", "-netdev", "tap,id=t,fd=3"),
	     "/s.sock listen -netdev; /c.sock connect -netdev; "
	     "/vde.ctl connect dir -netdev; /tftp read dir -netdev; "
	     "/smb read-write dir -netdev", "-netdev's sockets and directories");
	want(ARGV("-netdev", "dgram,id=d,local.type=unix,local.path=/l,"
			     "remote.type=unix,remote.path=/r"),
	     "/l listen -netdev; /r connect -netdev", "-netdev dgram");
	want(ARGV("-trace", "events=/ev,file=/tr", "-trace", "enable=qemu*",
		  "-plugin", "/p.so,arg=1"),
	     "/ev read -trace; /tr create -trace; /p.so read -plugin",
	     "-trace, -plugin");
	want(ARGV("-acpitable", "file=/a1:/a2", "-smbios", "file=/sm",
		  "-fw_cfg", "name=opt/x,file=/fw"),
	     "/a1 read -acpitable; /a2 read -acpitable; /sm read -smbios; "
	     "/fw read -fw_cfg", "-acpitable's list, -smbios, -fw_cfg");
	want(ARGV("-device", "virtio-net-pci,netdev=n,romfile=",
		  "-device", "e1000,romfile=/e.rom", "-device",
		  "loader,file=/blob,addr=0x1000"),
	     "/e.rom read -device; /blob read -device",
	     "-device romfile= (empty: none), loader");
	want(ARGV("-machine", "pc,dumpdtb=/t.dtb", "-M", "q35", "-boot",
		  "menu=on,splash=/s.bmp"),
	     "/t.dtb create -machine; /s.bmp read -boot",
	     "-machine dumpdtb=, -boot splash=");
	want(ARGV("-vnc", "unix:/v.sock,password=on", "-spice",
		  "unix=on,addr=/sp.sock", "-vnc", ":1"),
	     "/v.sock listen -vnc; /sp.sock listen -spice", "-vnc, -spice");
	want(ARGV("-set", "drive.d0.file=/set.img", "-set", "device.x.y=z"),
	     "/set.img read-write image -set", "-set ...file=");
	want(ARGV("-audiodev", "wav,id=a,path=/o.wav", "-tpmdev",
		  "passthrough,id=t,path=/dev/tpm0"),
	     "/o.wav create -audiodev; /dev/tpm0 read-write -tpmdev",
	     "-audiodev wav, -tpmdev passthrough");
}

static void argv_walk(void)
{
	want(ARGV("-nographic", "-m", "160", "-no-reboot", "-S", "-s",
		  "-enable-kvm", "disk.img"),
	     "disk.img read-write image disk image",
	     "flags take no value: the image after them is positional");
	want(ARGV("-name", "disk.img"), "", "an option's value is no image");
	want(ARGV("-accel", "tcg", "-unknown-opt", "x.img", "y.img"),
	     "y.img read-write image disk image",
	     "an unknown option takes a value, as QEMU's do");
	want(ARGV("-m", "1G", "-kernel"),
	     "ERR(usage) QEMU's -kernel needs a value",
	     "an option without its value");
	want(ARGV("-drive", ""), "", "an empty -drive");
	want(ARGV("-L", ""), "", "an empty path names nothing");
	want(ARGV("-"), "", "a lone '-' is QEMU's, not a path");
}

int main(void)
{
	disks();
	json_forms();
	boot_and_dirs();
	chardevs();
	the_rest();
	argv_walk();
	UNIT_END();
}
