/* SPDX-License-Identifier: MIT */
#include "netstat.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "macro.h"
#include "textscan.h"

/* The section name of a line: its first word without the trailing ':'. */
static bool line_section(Scan line, Scan *ret) {
        Scan w;
        if (!scan_word(&line, &w) || scan_len(w) < 2 || w.end[-1] != ':')
                return false;
        *ret = (Scan) { .p = w.p, .end = w.end - 1 };
        return true;
}

/* The first byte before the strlen of scan_eq: these run for every section at every sample. */
static bool field_in(const NetstatField *f, Scan section) {
        return *section.p == *f->section && scan_eq(section, f->section);
}

/* Bit i: fields[i] is in this section. Computed once a section, for the passes below. */
static uint64_t section_fields(Scan section, const NetstatField *fields, size_t n) {
        uint64_t mask = 0;
        for (size_t i = 0; i < n; i++)
                if (field_in(&fields[i], section))
                        mask |= UINT64_C(1) << i;
        return mask;
}

/* Field i's value from the word v, when it is a number. */
static void store_value(Scan v, size_t i, uint64_t *out, uint64_t *found) {
        uint64_t x;
        if (scan_u64(&v, &x) == 0) {
                out[i] = x;
                *found |= UINT64_C(1) << i;
        }
}

/* Walk the header and value lines of one section in step, parsing only the wanted columns, and learn
 * where each wanted name sits (offset in the header line, column) for the next call. */
static void parse_pair_slow(uint64_t in_section, Scan header, Scan values, const NetstatField *fields, size_t n,
                            NetstatLayout *layout, uint64_t *out, uint64_t *found) {
        const char *line = header.p;
        Scan h, v;
        if (layout)
                layout->known &= ~in_section;
        (void) scan_word(&header, &h);          /* the "Tcp:" prefixes */
        (void) scan_word(&values, &v);
        for (uint32_t col = 0; scan_word(&header, &h); col++) {
                if (!scan_word(&values, &v))
                        return;                 /* value line cut short */
                for (size_t i = 0; i < n; i++) {
                        if (!(in_section & (UINT64_C(1) << i)) || *h.p != *fields[i].name ||
                            !scan_eq(h, fields[i].name))
                                continue;
                        store_value(v, i, out, found);
                        if (layout && header.end - line <= (ptrdiff_t) UINT32_MAX) {
                                layout->header_len[i] = (uint32_t) (header.end - line);
                                layout->offset[i] = (uint32_t) (h.p - line);
                                layout->column[i] = col;
                                layout->known |= UINT64_C(1) << i;
                        }
                        break;
                }
        }
}

/* With a learned layout: when the header line has the same length and every known name of this
 * section is still where it was, only the value line is walked. */
static bool parse_pair_fast(uint64_t in_section, Scan header, Scan values, const NetstatField *fields,
                            const NetstatLayout *layout, uint64_t *out, uint64_t *found) {
        uint64_t mine = 0;
        uint32_t last = 0;
        size_t hlen = scan_len(header);
        for (uint64_t m = in_section & layout->known; m; m &= m - 1) {
                unsigned i = (unsigned) __builtin_ctzll(m);
                size_t off = layout->offset[i], nl = strlen(fields[i].name);
                if (layout->header_len[i] != hlen || off == 0 || off + nl > hlen || header.p[off - 1] != ' ' ||
                    memcmp(header.p + off, fields[i].name, nl) != 0 || (off + nl < hlen && header.p[off + nl] != ' '))
                        return false;
                mine |= UINT64_C(1) << i;
                last = MAX(last, layout->column[i]);
        }
        if (!mine)
                return false;
        /* Read at every sample (/proc/net/snmp): only the fields still due are looked at, column by column. */
        Scan v;
        (void) scan_word(&values, &v);
        for (uint32_t col = 0; mine && col <= last && scan_word(&values, &v); col++)
                for (uint64_t m = mine; m; m &= m - 1) {
                        unsigned i = (unsigned) __builtin_ctzll(m);
                        if (layout->column[i] != col)
                                continue;
                        store_value(v, i, out, found);
                        mine &= ~(UINT64_C(1) << i);
                }
        return true;
}

int netstat_parse(const char *text, size_t len, const NetstatField *fields, size_t n, NetstatLayout *layout,
                  uint64_t *values, uint64_t *ret_found) {
        if (n > NETSTAT_FIELDS_MAX)
                return -EINVAL;
        Scan s = scan_init(text, len), header, valline;
        uint64_t found = 0;
        bool pairs = false;
        while (scan_line(&s, &header)) {
                Scan section, vsection;
                if (!line_section(header, &section))
                        continue;
                uint64_t in_section = section_fields(section, fields, n);
                if (!scan_line(&s, &valline) || !line_section(valline, &vsection) ||
                    scan_len(vsection) != scan_len(section) || memcmp(vsection.p, section.p, scan_len(section)) != 0) {
                        if (in_section)
                                return -EBADMSG;
                        continue;
                }
                pairs = true;
                if (!in_section)
                        continue;
                if (!layout || !parse_pair_fast(in_section, header, valline, fields, layout, values, &found))
                        parse_pair_slow(in_section, header, valline, fields, n, layout, values, &found);
        }
        *ret_found = found;
        return pairs ? 0 : -EBADMSG;
}

int sockstat_parse_tcp(const char *text, size_t len, SockstatTcp *ret) {
        Scan rest;
        if (!scan_find_key(scan_init(text, len), "TCP", &rest))
                return -EBADMSG;
        static const char *const names[] = { "inuse", "orphan", "tw", "alloc", "mem" };
        uint64_t *slots[] = { &ret->inuse, &ret->orphan, &ret->tw, &ret->alloc, &ret->mem };
        unsigned seen = 0;
        *ret = (SockstatTcp) {};
        Scan w;
        while (scan_word(&rest, &w)) {
                uint64_t v;
                if (scan_u64(&rest, &v) < 0)
                        return -EBADMSG;
                for (size_t i = 0; i < 5; i++)
                        if (scan_eq(w, names[i])) {
                                *slots[i] = v;
                                seen |= 1u << i;
                        }
        }
        return (seen & 0x7) == 0x7 ? 0 : -EBADMSG;    /* inuse, orphan, tw */
}
