/* SPDX-License-Identifier: MIT */
/* monitor/text-trim: the loaded objects' code and read-only data are let go of and come back from
 * their files; what was written in memory stays: relocated RELRO data (a table of pointers), a
 * private file mapping with written pages that is no ELF object, and anonymous memory another thread
 * maps and unmaps meanwhile at the addresses a file had (the smaps-based trim zeroed such pages). */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "support.h"
#include "text-trim.h"

/* In .data.rel.ro of this PIE: relocated at load, then read-only (RELRO). */
static const char *const words[] = { "alpha", "beta", "gamma" };

static void test_self(void **state) {
        size_t bytes = 0;
        text_trim(&bytes);
        assert_true(bytes > 0);
        /* The code let go of runs again; the relocated table still points at its strings. */
        char *s = strdup("still runs");
        assert_string_equal(s, "still runs");
        free(s);
        /* Read through memory: the compiler would fold words[i] into the literals. */
        const char *const *volatile table = words;
        assert_string_equal(table[1], "beta");
        assert_string_equal(table[2], "gamma");
        text_trim(&bytes);
        assert_string_equal(table[0], "alpha");
}

/* A file mapped private and read-only after its pages were written: no loaded object, kept. */
static void test_written_mapping_kept(void **state) {
        char path[] = "/tmp/test-text-trim.XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        size_t len = 4 * (size_t) sysconf(_SC_PAGESIZE);
        assert_int_equal(ftruncate(fd, (off_t) len), 0);
        uint8_t *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        close(fd);
        unlink(path);
        assert_true(map != MAP_FAILED);
        memset(map, 0xab, len);
        assert_int_equal(mprotect(map, len, PROT_READ), 0);
        size_t bytes;
        text_trim(&bytes);
        for (size_t k = 0; k < len; k++)
                if (map[k] != 0xab)
                        fail_msg("byte %zu of a written private mapping lost", k);
        munmap(map, len);
}

/* Another thread maps a file read-only, unmaps it and maps anonymous memory at the same address,
 * with a pattern it checks, while the main thread trims. */
typedef struct Churn {
        atomic_bool stop;
        unsigned rounds, zeroed;
        int fd;
        size_t len;
} Churn;

static void *churn(void *userdata) {
        Churn *c = userdata;
        while (!atomic_load(&c->stop)) {
                void *a = mmap(NULL, c->len, PROT_READ, MAP_PRIVATE, c->fd, 0);
                if (a == MAP_FAILED)
                        break;
                munmap(a, c->len);
                uint8_t *b = mmap(a, c->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (b == MAP_FAILED)
                        break;
                memset(b, 0x5a, c->len);
                for (int spin = 0; spin < 200; spin++)
                        if (b[(size_t) spin * 37 % c->len] != 0x5a) {
                                c->zeroed++;
                                break;
                        }
                munmap(b, c->len);
                c->rounds++;
        }
        return NULL;
}

static void test_threads(void **state) {
        char path[] = "/tmp/test-text-trim.XXXXXX";
        Churn c = { .len = 16 * (size_t) sysconf(_SC_PAGESIZE) };
        c.fd = mkstemp(path);
        assert_true(c.fd >= 0);
        assert_int_equal(ftruncate(c.fd, (off_t) c.len), 0);
        unlink(path);
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, churn, &c), 0);
        for (int i = 0; i < 1500; i++) {
                size_t bytes;
                text_trim(&bytes);
        }
        atomic_store(&c.stop, true);
        pthread_join(t, NULL);
        close(c.fd);
        assert_true(c.rounds > 0);
        assert_int_equal(c.zeroed, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_self),
                cmocka_unit_test(test_written_mapping_kept),
                cmocka_unit_test(test_threads),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
