/* SPDX-License-Identifier: MIT */
/* --test-fault KIND:N:WHAT: fail (WHAT = ENOSPC or EIO) or die by SIGKILL (WHAT = KILL) at the Nth
 * file operation of KIND (open, write, fsync, rename, unlink, mkdir, or any) that the journal and the
 * owned files make through common/fileio.h. A kill at a write first writes half of the buffer, so a
 * test sees a torn temp file. Read only from argv (see main.c); each counted operation is logged so
 * that a test can learn how many points an apply has. And --test-crash-after N: die by SIGKILL right
 * after the Nth system write (helper_count_write, called by the writers and the owned files). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "helper-core.h"
#include "log.h"

static int fault_hook(FileOp op, void *userdata) {
        TestFault *t = userdata;
        if (t->kill_next) {
                log_notice("test hook: killing myself after a partial write");
                raise(SIGKILL);
        }
        if (t->kind >= 0 && (FileOp) t->kind != op)
                return 0;
        t->seen++;
        log_notice("test hook: file operation %lu (%s)", t->seen, file_op_to_string(op));
        if (t->seen != t->at)
                return 0;
        if (t->error > 0) {
                log_notice("test hook: failing it with %s", strerror(t->error));
                return -t->error;
        }
        if (op == FILE_OP_WRITE) {
                t->kill_next = true;        /* write half, die at the next call */
                return 1;
        }
        log_notice("test hook: killing myself before it");
        raise(SIGKILL);
        return -EIO;
}

int test_fault_parse(const char *spec, TestFault *ret) {
        static const struct {
                const char *name;
                int error;
        } whats[] = { { "ENOSPC", ENOSPC }, { "EIO", EIO }, { "KILL", 0 } };
        char kind[16], what[16];
        unsigned long at;
        int n = -1;
        if (sscanf(spec, "%15[a-z]:%lu:%15[A-Z]%n", kind, &at, what, &n) != 3 || n < 0 || spec[n] || at == 0)
                return -EINVAL;
        *ret = (TestFault) { .kind = -1, .at = at, .error = -1 };
        if (strcmp(kind, "any") != 0) {
                int k = 0;
                while (k < _FILE_OP_MAX && strcmp(file_op_to_string((FileOp) k), kind) != 0)
                        k++;
                if (k == _FILE_OP_MAX)
                        return -EINVAL;
                ret->kind = k;
        }
        for (size_t i = 0; i < ELEMENTSOF(whats); i++)
                if (strcmp(whats[i].name, what) == 0)
                        ret->error = whats[i].error;
        return ret->error < 0 ? -EINVAL : 0;
}

void test_fault_enable(TestFault *t) {
        fileio_set_fault_hook(fault_hook, t);
}

void helper_count_write(Helper *h) {
        h->writes++;
        if (h->test_crash_after >= 0 && h->writes >= (unsigned long) h->test_crash_after) {
                /* Die like kill -9 would, right after this write and before the journal records it. */
                log_notice("test hook: killing myself after %lu system writes", h->writes);
                raise(SIGKILL);
        }
}
