/* SPDX-License-Identifier: MIT */
/* Shared by owned-file.c (render, read back) and owned-file-edit.c (rollback's line edits): the file
 * formats and their entries. An entry is what one line sets, named by its entry key: a sysctl name,
 * "DEV ATTR" for udev, the cpufreq attribute path for tmpfiles, "DOMAIN TYPE ITEM" for limits.d,
 * "LimitX" / "DefaultLimitX" for the systemd files. */
#pragma once

#include <stddef.h>

#include "tunable.h"

/* The same header, order and line forms as skytune-helper writes (helper/persist.c), so the dry
 * run's diff is what the apply will do. */
#define OWNED_FILE_HEADER "# Written by skytune-helper; skytune rollback restores or removes this file.\n"

/* One owned-file format (OwnedFormat, the backend's place.format): its file, the mechanism name
 * plans show, the section header its lines sit under. */
typedef struct OwnedFormatInfo {
        const char *path;               /* as on the host; NULL: one per key (a unit's drop-in) */
        const char *mechanism;
        const char *section;
} OwnedFormatInfo;

const OwnedFormatInfo *owned_format_info(OwnedFormat f);
/* The kind whose live attribute is /path (the sysfs files of udev rules and tmpfiles.d w lines),
 * with its canonical key; -EINVAL when none. */
int owned_attr_kind(OwnedFormat f, const char *path, TunableKind *ret_kind, char **ret_key);

typedef struct Entry {
        char *ekey;
        char *line;
} Entry;

/* In file order; one per entry key (a later line for the same key replaces the earlier one's text). */
typedef struct Entries {
        Entry *v;
        size_t n;
} Entries;

/* The format of an owned file by its path, with or without the leading '/'. */
OwnedFormat owned_format_of_path(const char *path);
void owned_entries_done(Entries *e);
/* The entry key of one line of an owned file, NULL for comments, blank lines and section headers. */
char *owned_line_ekey(OwnedFormat f, const char *line);
int owned_parse_entries(OwnedFormat f, const char *text, Entries *e);
/* Set the entry (or entries: limits.d has a soft and a hard line) of one change with a canonical key. */
int owned_add_change(OwnedFormat f, Entries *e, TunableKind kind, const char *key, const char *value);
