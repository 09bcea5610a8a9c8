/* SPDX-License-Identifier: MIT */
/* sysctl keys that the kernel couples: vm.dirty_bytes and vm.dirty_ratio, vm.dirty_background_bytes
 * and vm.dirty_background_ratio. Writing one makes the kernel zero the other, so a plan may set only
 * one of a pair (plan.c), the journal records the partner's old value (writers.c), and the owned
 * sysctl.d file never keeps the partner's line next to the one just written (persist.c).
 * (Its place is helper.h; kept apart while that file is being edited elsewhere.) */
#pragma once

/* The partner of a coupled sysctl key (canonical dotted form), or NULL. */
const char *sysctl_coupled_partner(const char *key);
