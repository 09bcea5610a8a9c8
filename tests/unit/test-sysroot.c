/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support.h"
#include "sysroot.h"

static void test_read_helpers(void **state) {
        char *dir = test_tmpdir();
        test_write(dir, "proc/sys/fs/file-max", " 9223372036854775807 \n");
        test_write(dir, "proc/sys/fs/bad", "12x\n");
        test_write(dir, "proc/sys/fs/empty", "");
        test_write(dir, "proc/sys/fs/huge", "99999999999999999999999\n");
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(dir, &root), 0);
        assert_false(sysroot_is_host(root));
        uint64_t v;
        assert_int_equal(sysroot_read_u64(root, "/proc/sys/fs/file-max", &v), 0);
        assert_true(v == 9223372036854775807ull);
        assert_int_equal(sysroot_read_u64(root, "proc/sys/fs/bad", &v), -EBADMSG);
        assert_int_equal(sysroot_read_u64(root, "proc/sys/fs/empty", &v), -EBADMSG);
        assert_int_equal(sysroot_read_u64(root, "proc/sys/fs/huge", &v), -ERANGE);
        assert_int_equal(sysroot_read_u64(root, "proc/sys/fs/missing", &v), -ENOENT);
        char *line = NULL;
        assert_int_equal(sysroot_read_line(root, "proc/sys/fs/file-max", &line), 0);
        assert_string_equal(line, " 9223372036854775807 ");
        free(line);
        sysroot_free(root);
        test_rm_rf(dir);
        free(dir);
}

static void test_stays_inside_root(void **state) {
        char *dir = test_tmpdir();
        test_write(dir, "inside", "in\n");
        /* An absolute symlink in a fixture resolves inside the tree, as the tree were "/". */
        char *link;
        assert_true(asprintf(&link, "%s/abs", dir) > 0);
        assert_int_equal(symlink("/inside", link), 0);
        free(link);
        assert_true(asprintf(&link, "%s/escape", dir) > 0);
        assert_int_equal(symlink("../../../../../../etc/passwd", link), 0);
        free(link);

        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(dir, &root), 0);
        char *s = NULL;
        assert_int_equal(sysroot_read_line(root, "abs", &s), 0);
        assert_string_equal(s, "in");
        free(s);
        /* ".." and symlinks cannot leave the root: /etc/passwd is not reachable. */
        assert_int_not_equal(sysroot_read_line(root, "../../../../etc/passwd", &s), 0);
        assert_int_not_equal(sysroot_read_line(root, "escape", &s), 0);
        char *target = NULL;
        assert_int_equal(sysroot_readlink(root, "abs", &target), 0);
        assert_string_equal(target, "/inside");
        free(target);
        assert_true(sysroot_exists(root, "inside"));
        assert_false(sysroot_exists(root, "nothing"));
        sysroot_free(root);
        test_rm_rf(dir);
        free(dir);
}

static void test_kept_file(void **state) {
        char *dir = test_tmpdir();
        test_write(dir, "proc/loadavg", "0.10 0.20 0.30 1/100 42\n");
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(dir, &root), 0);
        KeptFile f = KEPT_FILE_INIT;
        assert_int_equal(kept_file_open(&f, root, "proc/loadavg"), 0);
        const char *text;
        size_t len;
        assert_int_equal(kept_file_read(&f, &text, &len), 0);
        assert_string_equal(text, "0.10 0.20 0.30 1/100 42\n");
        /* Rewritten in place between samples: the kept descriptor sees the new content, and a
         * longer file grows the buffer. */
        char big[10000];
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        test_write(dir, "proc/loadavg", big);
        assert_int_equal(kept_file_read(&f, &text, &len), 0);
        assert_int_equal(len, sizeof(big) - 1);
        test_write(dir, "proc/loadavg", "");
        assert_int_equal(kept_file_read(&f, &text, &len), 0);
        assert_int_equal(len, 0);
        assert_string_equal(text, "");
        kept_file_close(&f);
        assert_int_equal(kept_file_read(&f, &text, &len), -EBADF);
        assert_int_equal(kept_file_open(&f, root, "proc/nothing"), -ENOENT);
        sysroot_free(root);
        test_rm_rf(dir);
        free(dir);
}

static void test_kept_file_head(void **state) {
        char *dir = test_tmpdir();
        test_write(dir, "proc/vmstat", "a 1\nbb 22\nc 3\n");
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(dir, &root), 0);
        KeptFile f = KEPT_FILE_INIT;
        const char *text;
        size_t len;
        bool whole;
        assert_int_equal(kept_file_read_head(&f, 8, &text, &len, &whole), -EBADF);
        assert_int_equal(kept_file_open(&f, root, "proc/vmstat"), 0);
        /* Cut inside "bb 22": only the whole line before it. */
        assert_int_equal(kept_file_read_head(&f, 8, &text, &len, &whole), 0);
        assert_string_equal(text, "a 1\n");
        assert_int_equal(len, 4);
        assert_false(whole);
        /* Ending at a line's end is still not known to be all. */
        assert_int_equal(kept_file_read_head(&f, 10, &text, &len, &whole), 0);
        assert_string_equal(text, "a 1\nbb 22\n");
        assert_false(whole);
        assert_int_equal(kept_file_read_head(&f, 100, &text, &len, &whole), 0);
        assert_string_equal(text, "a 1\nbb 22\nc 3\n");
        assert_true(whole);
        assert_int_equal(kept_file_read_head(&f, 2, &text, &len, &whole), 0);
        assert_int_equal(len, 0);
        assert_string_equal(text, "");
        assert_int_equal(kept_file_read_head(&f, 0, &text, &len, &whole), -EINVAL);
        kept_file_close(&f);
        sysroot_free(root);
        test_rm_rf(dir);
        free(dir);
}

static void test_host_root(void **state) {
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(NULL, &root), 0);
        assert_true(sysroot_is_host(root));
        assert_string_equal(sysroot_path(root), "/");
        uint64_t v;
        assert_int_equal(sysroot_read_u64(root, "proc/sys/kernel/pid_max", &v), 0);
        assert_true(v >= 301);
        sysroot_free(root);
        assert_int_equal(sysroot_open("/nonexistent/skytune", &root), -ENOENT);
}

/* A seq_file of more than a page on the real /proc: 64 sockets listening on 127.0.0.1 make
 * /proc/net/tcp about 10 KiB, given out a page a read. Every one of them is in what a kept file
 * reads, whole or as a head; a read that took a short read for the end saw about 26. */
static void test_kept_file_multi_page(void **state) {
        enum { N = 64 };
        int fds[N];
        char ports[N][8];
        for (int i = 0; i < N; i++) {
                fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                assert_true(fds[i] >= 0);
                struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
                socklen_t alen = sizeof(a);
                assert_int_equal(bind(fds[i], (struct sockaddr *) &a, sizeof(a)), 0);
                assert_int_equal(listen(fds[i], 1), 0);
                assert_int_equal(getsockname(fds[i], (struct sockaddr *) &a, &alen), 0);
                snprintf(ports[i], sizeof(ports[i]), ":%04X ", ntohs(a.sin_port)); /* 0100007F:1F90 */
        }
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(NULL, &root), 0);
        KeptFile f = KEPT_FILE_INIT;
        assert_int_equal(kept_file_open(&f, root, "proc/net/tcp"), 0);
        const char *text;
        size_t len;
        bool whole;
        for (int pass = 0; pass < 2; pass++) {
                if (pass == 0)
                        assert_int_equal(kept_file_read(&f, &text, &len), 0);
                else {
                        assert_int_equal(kept_file_read_head(&f, 1 << 20, &text, &len, &whole), 0);
                        assert_true(whole);
                }
                assert_true(len > 8192);
                assert_int_equal(strlen(text), len);
                for (int i = 0; i < N; i++) {
                        char local[32];
                        snprintf(local, sizeof(local), "0100007F%s", ports[i]);
                        if (!strstr(text, local))
                                fail_msg("pass %d: socket %d (%s) not in the %zu bytes read", pass, i, local, len);
                }
        }
        kept_file_close(&f);
        sysroot_free(root);
        for (int i = 0; i < N; i++)
                close(fds[i]);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_read_helpers), cmocka_unit_test(test_stays_inside_root),
                cmocka_unit_test(test_kept_file),    cmocka_unit_test(test_kept_file_head),
                cmocka_unit_test(test_host_root),    cmocka_unit_test(test_kept_file_multi_page),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
