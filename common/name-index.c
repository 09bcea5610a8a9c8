/* SPDX-License-Identifier: MIT */
/* The name index (name-index.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fnv1a.h"
#include "name-index.h"

uint64_t name_index_hash(const char *s) {
        return fnv1a_str(s);
}

int64_t name_index_find(const NameIndex *x, const char *name, uint64_t h, NameIndexKey key, const void *userdata) {
        if (x->n_slots == 0)
                return -ENOENT;
        size_t mask = x->n_slots - 1;
        for (size_t i = h & mask;; i = (i + 1) & mask) {
                const NameIndexSlot *s = &x->slots[i];
                if (s->item == 0)
                        return -ENOENT;
                if (s->hash == h && strcmp(key(userdata, s->item - 1), name) == 0)
                        return (int64_t) s->item - 1;
        }
}

static void slot_put(NameIndexSlot *slots, size_t n_slots, uint64_t h, uint32_t item) {
        size_t i = h & (n_slots - 1);
        while (slots[i].item)
                i = (i + 1) & (n_slots - 1);
        slots[i] = (NameIndexSlot) { h, item };
}

static int grow(NameIndex *x) {
        size_t n = x->n_slots ? 2 * x->n_slots : 64;
        NameIndexSlot *slots = calloc(n, sizeof(*slots));
        if (!slots)
                return -ENOMEM;
        for (size_t k = 0; k < x->n_slots; k++)
                if (x->slots[k].item)
                        slot_put(slots, n, x->slots[k].hash, x->slots[k].item);
        free(x->slots);
        x->slots = slots;
        x->n_slots = n;
        return 0;
}

int name_index_add(NameIndex *x, uint64_t h, size_t i) {
        if (i >= UINT32_MAX)
                return -ENOMEM;
        if ((x->n + 1) * 2 > x->n_slots) {
                int r = grow(x);
                if (r < 0)
                        return r;
        }
        slot_put(x->slots, x->n_slots, h, (uint32_t) i + 1);
        x->n++;
        return 0;
}

int name_index_compact(NameIndex *x, void *items, size_t *n, size_t size, NameIndexKeep keep, NameIndexKey key,
                       void (*drop)(void *userdata, void *item), void *userdata) {
        NameIndex fresh = {};
        size_t j = 0;
        for (size_t i = 0; i < *n; i++)
                if (keep(userdata, i) && name_index_add(&fresh, name_index_hash(key(userdata, i)), j++) < 0) {
                        name_index_done(&fresh);
                        return -ENOMEM;
                }
        if (j == *n) {
                name_index_done(&fresh);
                return 0;
        }
        char *base = items;
        j = 0;
        /* keep(i) and key(i) read item i, which is never written before it is read (j <= i). */
        for (size_t i = 0; i < *n; i++) {
                if (!keep(userdata, i)) {
                        drop(userdata, base + i * size);
                        continue;
                }
                if (j != i)
                        memcpy(base + j * size, base + i * size, size);
                j++;
        }
        int gone = (int) (*n - j);
        *n = j;
        name_index_done(x);
        *x = fresh;
        return gone;
}

void name_index_done(NameIndex *x) {
        free(x->slots);
        *x = (NameIndex) {};
}

size_t name_index_memory(const NameIndex *x) {
        return x->n_slots * sizeof(*x->slots);
}
