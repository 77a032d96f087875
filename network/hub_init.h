/* SPDX-License-Identifier: MIT */
/*
 * hub_init.h - the init of a named network's hub: its segment, its DHCP
 * socket, its stream relay and its socket members' TAPs (hub_init.c)
 */
#ifndef QBOX_HUB_INIT_H
#define QBOX_HUB_INIT_H

#include "netns/init.h"

extern const struct init_role hub_init_role;

#endif /* QBOX_HUB_INIT_H */
