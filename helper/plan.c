/* SPDX-License-Identifier: MIT */
/* Transaction ids. Plans are validated by common/plan-validate.c, the code the dry run runs too. */
#include <ctype.h>
#include <string.h>

#include "helper-core.h"

bool tx_id_valid(const char *id) {
        size_t n = id ? strlen(id) : 0;
        if (n == 0 || n > 64)
                return false;
        for (const char *p = id; *p; p++)
                if (!isalnum((unsigned char) *p) && *p != '-')
                        return false;
        return true;
}
