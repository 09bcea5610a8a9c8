/* SPDX-License-Identifier: MIT */
#include "nearest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

size_t edit_distance(const char *a, const char *b) {
        size_t na = strlen(a), nb = strlen(b);
        size_t *row = malloc((nb + 1) * sizeof(size_t));
        if (!row)
                return SIZE_MAX;
        for (size_t j = 0; j <= nb; j++)
                row[j] = j;
        for (size_t i = 1; i <= na; i++) {
                size_t diag = row[0];
                row[0] = i;
                for (size_t j = 1; j <= nb; j++) {
                        size_t up = row[j];
                        size_t best = diag + (a[i - 1] != b[j - 1]);
                        best = MIN(best, up + 1);
                        best = MIN(best, row[j - 1] + 1);
                        row[j] = best;
                        diag = up;
                }
        }
        size_t d = row[nb];
        free(row);
        return d;
}

int nearest_is_close(const char *word, size_t d) {
        size_t n = strlen(word);
        return d > 0 && d <= MAX((size_t) 2, n / 3);
}

const char *nearest_name(const char *word, const char *const *names, size_t n) {
        const char *best = NULL;
        size_t best_d = SIZE_MAX;
        for (size_t i = 0; i < n; i++) {
                size_t d = edit_distance(word, names[i]);
                if (d < best_d) {
                        best_d = d;
                        best = names[i];
                }
        }
        return best && nearest_is_close(word, best_d) ? best : NULL;
}
