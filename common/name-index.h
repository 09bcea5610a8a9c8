/* SPDX-License-Identifier: MIT */
/* An open-addressing index from names to the positions of the caller's items (FNV-1a, linear
 * probing, at most half full). The caller keeps the items and their names; the index keeps each
 * item's hash and position, and asks the caller for an item's name only to tell two equal hashes
 * apart. Items are never removed. The monitor's RAM ring and its application metrics use it. */
#pragma once

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
void name_index_done(NameIndex *x);
/* Bytes the slots take. */
size_t name_index_memory(const NameIndex *x);
