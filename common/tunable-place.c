/* SPDX-License-Identifier: MIT */
/* Where a key's value lives: the backend's place, or per key for kinds whose keys differ. */
#include <errno.h>

#include "tunable.h"

int tunable_place(TunableKind kind, const char *key, TunablePlace *ret) {
        const TunableBackend *b = tunable_backend(kind);
        if (!b || !key)
                return -EINVAL;
        if (b->place_of)
                return b->place_of(key, ret);
        *ret = b->place;
        return 0;
}
