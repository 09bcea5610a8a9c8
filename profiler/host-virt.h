/* SPDX-License-Identifier: MIT */
/* The virtualization of the host under a sysroot, from the evidence it exposes (virt_detect in
 * host-facts.h): the profile's host facts and the benchmark fingerprint (suite/) share it. */
#pragma once

#include "sysroot.h"

/* hypervisor_flag: cpuinfo_has_flag(cpuinfo, "hypervisor"). A static string (virt_detect's names). */
const char *host_virt_read(const Sysroot *root, int hypervisor_flag);
