/* SPDX-License-Identifier: MIT */
/* Lets go of the resident pages of the program's and its libraries' code and read-only data: what
 * the start-up, a reload or the hourly seal ran once (configuration and rule parsing, the store's
 * checks, SQL compiled once) stays mapped otherwise, and counts in the daemon's RSS and USS for as
 * long as it runs. The ticks fault back what they use, from the page cache (minor faults). */
#pragma once

#include <stddef.h>

/* madvise(MADV_DONTNEED) on the whole pages of each loaded ELF object's segments that are neither
 * writable nor RELRO, in objects without text relocations (their pages are the file's, so nothing
 * is lost; the vDSO is left alone). The walk holds the dynamic loader's lock (dl_iterate_phdr): no
 * object is loaded or unloaded meanwhile, so no range it covers can be another thread's memory by
 * then. A debugger's breakpoint or a uprobe (perf probe, bpftrace) in that code lives in a copied
 * page and is lost until the probe is set again. The bytes let go of (resident or not) in
 * *ret_bytes. */
void text_trim(size_t *ret_bytes);
