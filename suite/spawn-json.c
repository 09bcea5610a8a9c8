/* SPDX-License-Identifier: MIT */
/* Running skytune itself with --json and parsing its document (kind-load and later kinds). */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>

#include "spawn.h"

int suite_self_json(char *const argv[], int64_t timeout_ms, const volatile sig_atomic_t *stop, json_t **ret,
                    int *ret_exit, Error *e) {
        const char *what = argv[1];
        SuiteChild ch;
        *ret = NULL;
        int r = suite_child_run(argv, timeout_ms, true, stop, &ch, e);
        if (r == -ETIME)
                r = error_set(e, r, "skytune %s ran longer than %g s: raise 'timeout'", what,
                              (double) timeout_ms / 1000);
        else if (r == -EMSGSIZE)
                r = error_set(e, r, "skytune %s printed more than %d MiB: not a document it writes", what,
                              SUITE_CHILD_OUT_MAX >> 20);
        else if (r < 0 && r != -EINTR && !(e && e->code))
                r = error_set(e, r, "running skytune %s: %s", what, strerror(-r));
        else if (r == 0 && !WIFEXITED(ch.status))
                r = error_set(e, -EPROTO, "skytune %s was killed by signal %d", what, WTERMSIG(ch.status));
        else if (r == 0) {
                *ret_exit = WEXITSTATUS(ch.status);
                json_error_t jerr;
                *ret = json_loads(ch.out ? ch.out : "", 0, &jerr);
                if (!json_is_object(*ret)) {
                        json_decref(*ret);
                        *ret = NULL;
                        r = error_set(e, -EPROTO,
                                      "skytune %s printed no JSON document (%s): run the benchmark's "
                                      "command by hand with --json to see why",
                                      what, jerr.text[0] ? jerr.text : "not an object");
                }
        }
        suite_child_done(&ch);
        return r;
}
