/* SPDX-License-Identifier: MIT */
/* Letting go of resident code pages (text-trim.h). */
#include <elf.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "text-trim.h"

typedef struct Walk {
        uintptr_t page, vdso;
        size_t bytes;
} Walk;

/* Text relocations write into the code: its pages are no longer the file's. */
static bool has_textrel(const struct dl_phdr_info *info) {
        for (size_t i = 0; i < info->dlpi_phnum; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                if (ph->p_type != PT_DYNAMIC)
                        continue;
                for (const ElfW(Dyn) *d = (const ElfW(Dyn) *) (info->dlpi_addr + ph->p_vaddr); d->d_tag != DT_NULL; d++)
                        if (d->d_tag == DT_TEXTREL || (d->d_tag == DT_FLAGS && (d->d_un.d_val & DF_TEXTREL)))
                                return true;
        }
        return false;
}

static bool is_vdso(const struct dl_phdr_info *info, uintptr_t vdso) {
        for (size_t i = 0; vdso && i < info->dlpi_phnum; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
                if (ph->p_type == PT_LOAD && vdso >= lo && vdso < lo + ph->p_memsz)
                        return true;
        }
        return false;
}

/* [lo, hi) overlaps the object's RELRO range (relocated, then made read-only). */
static bool in_relro(const struct dl_phdr_info *info, uintptr_t lo, uintptr_t hi) {
        for (size_t i = 0; i < info->dlpi_phnum; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                uintptr_t a = info->dlpi_addr + ph->p_vaddr;
                if (ph->p_type == PT_GNU_RELRO && a < hi && lo < a + ph->p_memsz)
                        return true;
        }
        return false;
}

#define SEGMENTS_MAX 16

static int trim_object(struct dl_phdr_info *info, size_t size, void *userdata) {
        Walk *w = userdata;
        if (is_vdso(info, w->vdso) || has_textrel(info))
                return 0;
        /* Every program header read before any page goes: they sit in the first segment, and
         * reading one again would fault it back with its neighbours (fault-around). */
        struct {
                uintptr_t lo, hi;
        } seg[SEGMENTS_MAX];
        size_t n = 0;
        for (size_t i = 0; i < info->dlpi_phnum && n < SEGMENTS_MAX; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) || ph->p_filesz == 0)
                        continue;
                uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_filesz;
                /* Whole pages of this segment only: none shared with a writable neighbour. */
                lo = (lo + w->page - 1) & ~(w->page - 1);
                hi &= ~(w->page - 1);
                if (hi > lo && !in_relro(info, lo, hi))
                        seg[n].lo = lo, seg[n++].hi = hi;
        }
        for (size_t i = 0; i < n; i++)
                if (madvise((void *) seg[i].lo, seg[i].hi - seg[i].lo, MADV_DONTNEED) == 0)
                        w->bytes += seg[i].hi - seg[i].lo;
        return 0;
}

void text_trim(size_t *ret_bytes) {
        Walk w = { .page = (uintptr_t) sysconf(_SC_PAGESIZE), .vdso = (uintptr_t) getauxval(AT_SYSINFO_EHDR) };
        (void) dl_iterate_phdr(trim_object, &w);
        *ret_bytes = w.bytes;
}
