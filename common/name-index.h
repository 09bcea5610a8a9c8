/* SPDX-License-Identifier: MIT */
/* An open-addressing index from names to the positions of the caller's items (FNV-1a, linear
 * probing, at most half full). The caller keeps the items and their names; the index keeps each
 * item's hash and position, and asks the caller for an item's name only to tell two equal hashes
 * apart. Items are not removed one by one: name_index_compact takes out all that go at once. The monitor's RAM ring and its application metrics use it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct NameIndexSlot {
        uint64_t hash;
        uint32_t item; /* position + 1; 0: empty */
} NameIndexSlot;

typedef struct NameIndex {
        NameIndexSlot *slots;
        size_t n_slots; /* a power of two, at least twice n (0 before the first add) */
        size_t n;
} NameIndex;

/* The name of item i, as the caller keeps it. */
typedef const char *(*NameIndexKey)(const void *userdata, size_t i);

uint64_t name_index_hash(const char *s);
/* The position of the item named name (hash h = name_index_hash(name)), or -ENOENT. */
int64_t name_index_find(const NameIndex *x, const char *name, uint64_t h, NameIndexKey key, const void *userdata);
/* Adds item i (not yet in the index) under hash h, growing the index as needed: 0 or -ENOMEM. */
int name_index_add(NameIndex *x, uint64_t h, size_t i);
/* Takes out of the caller's array of *n items of size bytes (indexed by x) each item i for which
 * keep(userdata, i) is false, after drop(userdata, item) frees what it holds; the rest move down in
 * order and x indexes them at their new positions. Returns how many went, or -ENOMEM with nothing
 * changed (the new index is made first). */
typedef bool (*NameIndexKeep)(const void *userdata, size_t i);
int name_index_compact(NameIndex *x, void *items, size_t *n, size_t size, NameIndexKeep keep, NameIndexKey key,
                       void (*drop)(void *userdata, void *item), void *userdata);
void name_index_done(NameIndex *x);
/* Bytes the slots take. */
size_t name_index_memory(const NameIndex *x);
