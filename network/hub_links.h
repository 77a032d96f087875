/* SPDX-License-Identifier: MIT */
/*
 * hub_links.h - a named network's links to VDE networks (hub_links.c)
 *
 * `qbox net create natnet:lab0,link=LOCATOR` (or `qbox net link lab0
 * LOCATOR` while it runs) extends the network's segment over the VDE
 * network at LOCATOR: a TAP qlK on the hub's bridge, made by the hub's
 * init with its link chain (netns/antispoof.h: antispoof_build_link),
 * and a relay on it (supervisor/sup_vde.c). Hubs on two machines whose
 * networks link to one VDE network share one Ethernet segment.
 */
#ifndef QBOX_HUB_LINKS_H
#define QBOX_HUB_LINKS_H

#include "common/sbmsg.h"
#include "supervisor/sup.h"

/* Once the hub runs: the links the network was created with, asked for
 * (one that cannot be shows as failed, with why) */
void hub_links_start(struct sup *s);

/* Init's answer to a link's TAP request (SBMSG_TAP, .nic HUB_TAP_LINK):
 * its relay starts, or the link is given up, with why */
void hub_link_tap(struct sup *s, const struct sbmsg *m, int fd);

/* `net-link LOCATOR`: one more link (its TAP asked for: its state shows
 * in net inspect). 0 or -errno with @e (a usage error for a bad, double
 * or one too many locator). */
int hub_link_add(struct sup *s, const char *locator, struct qerr *e);

/* `net-unlink LOCATOR`: that link goes (relay, TAP, chain). 0 or a usage
 * error when the network has no such link. */
int hub_link_remove(struct sup *s, const char *locator, struct qerr *e);

/* "links":[...] and "serve":BOOL, for net inspect */
void hub_links_json(struct sup *s, struct strbuf *b);

#endif /* QBOX_HUB_LINKS_H */
