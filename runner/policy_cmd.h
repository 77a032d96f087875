/* SPDX-License-Identifier: MIT */
/* policy_cmd.h - `qbox policy`: check, show, dump and list policies */
#ifndef QBOX_POLICY_CMD_H
#define QBOX_POLICY_CMD_H

/* argv[0] is "policy"; returns the exit status (2 for a bad policy) */
int cmd_policy(int argc, char **argv);

/* After a payload @cmd under @policy died of SIGSYS: what to do about it */
void policy_cmd_kill_hint(const char *cmd, const char *policy);

#endif /* QBOX_POLICY_CMD_H */
