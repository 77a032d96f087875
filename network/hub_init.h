/* SPDX-License-Identifier: MIT */
/*
 * hub_init.h - the init of a named network's hub: its segment, its DHCP
 * socket, its stream relay and its socket members' TAPs (hub_init.c)
 */
#ifndef QBOX_HUB_INIT_H
#define QBOX_HUB_INIT_H

#include "netns/init.h"

extern const struct init_role hub_init_role;

/* SBMSG_TAP_REQ's, SBMSG_TAP's and SBMSG_TAP_DEL's .nic: whose TAP, a
 * socket member's (qsID, 0) or a link's (qlK, network/hub_links.c) */
#define HUB_TAP_SOCKET 0
#define HUB_TAP_LINK 1

#endif /* QBOX_HUB_INIT_H */
