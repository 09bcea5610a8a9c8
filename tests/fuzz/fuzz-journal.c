/* SPDX-License-Identifier: MIT */
/* A transaction record in the helper's journal (helper/journal.c, journal-index.c): the bytes are
 * the file <state>/tx/0fuzz.json, read by journal_load(), by the start-up scan's "finished" filter
 * and by the summaries `skytune history` lists (the index is dropped each run, so that it is built
 * from the file). A corrupt record is moved to corrupt/, which each run empties again. */
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"
#include "helper-core.h"
#include "log.h"

static void empty_dir(int dfd) {
        DIR *d = fdopendir(dup(dfd));
        fuzz_check(d);
        for (struct dirent *e; (e = readdir(d));)
                if (e->d_name[0] != '.')
                        unlinkat(dfd, e->d_name, 0);
        closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static Helper h = { .state_fd = -1, .tx_fd = -1, .lock_fd = -1 };
        if (!h.state_dir) {
                log_set_level(LOG_LEVEL_ERR - 1); /* quarantine() reports every corrupt record */
                fuzz_check(asprintf(&h.state_dir, "%s/state", fuzz_tmpdir()) > 0);
                fuzz_check(journal_open(&h) == 0);
        }
        int fd = openat(h.tx_fd, "0fuzz.json", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        fuzz_check(fd >= 0);
        fuzz_check(write(fd, data, size) == (ssize_t) size);
        close(fd);
        json_t *tx = NULL, *list = NULL;
        if (journal_load(&h, "0fuzz", &tx) >= 0)
                fuzz_check(json_is_object(tx));
        json_decref(tx);
        if (journal_list_filtered(&h, true, &list) >= 0)
                fuzz_check(json_is_array(list));
        json_decref(list);
        const json_t *summaries = NULL;
        if (journal_summaries(&h, &summaries) >= 0)
                fuzz_check(json_is_array(summaries));
        journal_index_free(&h);
        empty_dir(h.tx_fd);
        int corrupt = openat(h.state_fd, "corrupt", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (corrupt >= 0) {
                empty_dir(corrupt);
                close(corrupt);
        }
        return 0;
}
