/* SPDX-License-Identifier: MIT */
/* db pool-sweep's and db advise's documents as outside input: `db advise --sweep FILE` reads a saved
 * sweep; an accepted one gives a size in range. Any JSON text is also rendered as a sweep and as an
 * advice document (the renderers never trust a document). The text is also a pg_settings unit and
 * a server's host as db advise reads them: a unit gives at most 2^20 TB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-advise.h"
#include "db-sweep.h"
#include "fuzz.h"
#include "render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        unsigned clients = 12345;
        Error e = ERROR_NULL;
        int r = db_sweep_read_recommended((const char *) data, size, &clients, &e);
        fuzz_check(r < 0 ? error_is_set(&e) && clients == 12345 : clients <= 1000);
        error_done(&e);
        char *text = malloc(size + 1);
        if (text) {
                memcpy(text, data, size);
                text[size] = 0;
                fuzz_check(db_advise_unit_bytes(text) <= (1ull << 60));
                (void) db_advise_host_is_local(text);
                free(text);
        }
        json_t *doc = json_loadb((const char *) data, size, 0, NULL);
        if (!doc)
                return 0;
        FILE *null = fopen("/dev/null", "we");
        if (null) {
                fuzz_check(render_db_sweep(null, doc, &(RenderView) { .width = 80 }) == 0);
                fuzz_check(render_db_advise(null, doc, &(RenderView) { .width = 80 }) == 0);
                fclose(null);
        }
        json_decref(doc);
        return 0;
}
