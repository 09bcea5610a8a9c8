/* SPDX-License-Identifier: MIT */
/* Parsers behind the host facts: CPU list ranges, /proc/cpuinfo fields, /etc/os-release, /proc/meminfo
 * sizes, and the virtualization guess from the evidence a host exposes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "0-3,8,10-11\n" -> 7. An empty list is 0. -EBADMSG when malformed or a range is reversed. */
int cpulist_count(const char *text, size_t len, unsigned *ret);

/* The first "model name" (x86), "Processor" or "cpu model" (older ARM, MIPS), "cpu" (PowerPC),
 * "uarch" (RISC-V) or "CPU part" (ARM64, as a hex id) value, in that order of preference. -ENOENT
 * when none is present. */
int cpuinfo_model(const char *text, size_t len, char *buf, size_t size);
/* 1 when the first "flags" line holds the flag, 0 when it does not, -ENOENT without a flags line
 * (not x86). */
int cpuinfo_has_flag(const char *text, size_t len, const char *flag);

/* PRETTY_NAME of an os-release file, unquoted and unescaped; -ENOENT when absent. */
int os_release_pretty_name(const char *text, size_t len, char *buf, size_t size);

/* A "Key:   N kB" line of /proc/meminfo, in bytes; -ENOENT when absent. */
int meminfo_bytes(const char *text, size_t len, const char *key, uint64_t *ret);

typedef struct VirtEvidence {
        bool container;              /* run/systemd/container, run/.containerenv, container= in PID 1's environment */
        const char *hypervisor_type; /* sys/hypervisor/type ("xen") or NULL */
        const char *sys_vendor;      /* sys/class/dmi/id/sys_vendor or NULL */
        const char *product_name;    /* sys/class/dmi/id/product_name or NULL */
        int cpu_hypervisor_flag;     /* cpuinfo_has_flag(..., "hypervisor") */
        const char *clocksources;    /* available_clocksource or NULL */
} VirtEvidence;

/* "none", "kvm", "qemu", "xen", "vmware", "microsoft", "oracle", "container" or "unknown". A guest
 * that exposes no vendor string (Firecracker has no DMI) is named from its paravirtual clock source;
 * without that it is "unknown", never a guess. */
const char *virt_detect(const VirtEvidence *e);
