/* SPDX-License-Identifier: MIT */
/* Every tunable kind across every table: its backend (common/tunable-*.c), the place of its keys (the
 * helper's write mechanism with its writer in helper/writers.c, the owned-file format with its writer
 * in common/owned-file*.c), its offered values, and for ulimit the rlimit number of each resource. A
 * kind added to the enum without its lines here or in a table fails. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "helper-core.h"
#include "macro.h"
#include "owned-file.h"
#include "owned-file-internal.h"
#include "support.h"
#include "tunable.h"
#include "ulimit.h"

typedef struct Sample {
        const char *key, *value;
        bool offered;           /* the kind offers a list of values for this key */
} Sample;

/* One line per kind, each with a key of every place its keys can have. */
static const Sample samples[][5] = {
        [TUNABLE_SYSCTL] = { { "vm.swappiness", "10", false }, { "net.ipv4.tcp_congestion_control", "bbr", true } },
        [TUNABLE_CPU_GOVERNOR] = { { "policy0", "performance", true } },
        [TUNABLE_CPU_EPP] = { { "policy0", "balance_power", true } },
        [TUNABLE_IO_SCHEDULER] = { { "vda", "mq-deadline", true } },
        [TUNABLE_READ_AHEAD_KB] = { { "vda", "256", false } },
        [TUNABLE_NR_REQUESTS] = { { "vda", "256", false } },
        [TUNABLE_ULIMIT] = { { "process:nginx:nofile", "4096", false },
                             { "unit:nginx.service:nofile", "4096:8192", false },
                             { "login:*:memlock", "65536", false },
                             { "default:*:nproc", "4096", false } },
};
static_assert(ELEMENTSOF(samples) == _TUNABLE_KIND_MAX, "a tunable kind without its samples");

static void test_backend_fields(void **state) {
        for (int k = 0; k < _TUNABLE_KIND_MAX; k++) {
                const TunableBackend *b = tunable_backend((TunableKind) k);
                assert_non_null(b);
                assert_int_equal(b->kind, k);
                assert_non_null(b->name);
                assert_int_equal(tunable_kind_from_string(b->name), k);
                assert_non_null(b->canonical_key);
                assert_non_null(b->validate_value);
                assert_true(b->read || b->live_path);
                assert_non_null(b->normalize);
                assert_non_null(b->key_help);
                assert_non_null(b->value_help);
                assert_non_null(b->sample_element);
                assert_true(b->offered_path || !b->offered_enforced);
                assert_true(!b->offered_enforced || b->offered_refusal);
                assert_non_null(samples[k][0].key);
        }
        assert_null(tunable_backend(_TUNABLE_KIND_MAX));
}

/* The owned file of a key: its format's writer renders a line its reader takes back as this change. */
static void check_owned_file(TunableKind k, const char *key, const Sample *s, OwnedFormat f) {
        _cleanup_free_ char *path = NULL, *content = NULL, *value = NULL;
        assert_int_equal(owned_file_for(k, key, &path), 0);
        assert_non_null(path);
        assert_int_equal(owned_format_of_path(path), f);
        assert_true(owned_file_path_valid(path));
        const OwnedFormatInfo *info = owned_format_info(f);
        assert_non_null(info);
        assert_non_null(info->mechanism);
        assert_string_equal(owned_mechanism(k, key), info->mechanism);

        json_t *changes = json_pack("[{s:s, s:s, s:s}]", "kind", tunable_kind_to_string(k), "key", key, "proposed", s->value);
        assert_int_equal(owned_file_render(path, NULL, changes, &content), 0);
        json_decref(changes);
        assert_int_equal(owned_file_check_content(path, content, NULL), 0);
        char **keys = NULL;
        assert_int_equal(owned_file_change_keys(k, key, s->value, &keys), 0);
        assert_non_null(keys[0]);
        owned_keys_free(keys);
        _cleanup_free_ char *norm = NULL;
        assert_int_equal(tunable_normalize(k, key, s->value, &norm), 0);
        if (owned_file_only(k, key)) {
                assert_int_equal(owned_file_parse_value(content, k, key, &value), 0);
                assert_string_equal(value, norm);
        } else
                assert_non_null(strstr(content, norm));
}

/* The host's list for a key in a fixture tree: the sample value is offered, a made-up one is not. */
static void check_offered(TunableKind k, const char *key, const Sample *s) {
        const TunableBackend *b = tunable_backend(k);
        _cleanup_free_ char *dir = test_tmpdir(), *path = NULL;
        Sysroot *root = NULL;
        assert_non_null(b->offered_path);
        assert_int_equal(b->offered_path(key, &path), 0);
        assert_non_null(path);
        test_writef(dir, path, "other [%s] third\n", s->value);
        assert_int_equal(sysroot_open(dir, &root), 0);
        char **v = NULL;
        assert_int_equal(tunable_offered(root, k, key, &v), 0);
        assert_string_equal(v[0], "other");
        assert_string_equal(v[1], s->value);
        assert_string_equal(v[2], "third");
        assert_null(v[3]);
        tunable_offered_free(v);
        assert_int_equal(tunable_offers(root, k, key, s->value), 1);
        assert_int_equal(tunable_offers(root, k, key, "nosuchvalue"), 0);
        sysroot_free(root);
        test_rm_rf(dir);
}

static void check_sample(TunableKind k, const Sample *s) {
        const TunableBackend *b = tunable_backend(k);
        _cleanup_free_ char *key = NULL, *live = NULL;
        assert_int_equal(tunable_check(k, s->key, s->value, &key, NULL), 0);
        TunablePlace place;
        assert_int_equal(tunable_place(k, key, &place), 0);
        const Writer *w = writer_of_mechanism(place.mechanism);
        assert_non_null(w);
        assert_ptr_equal(writer_for(k, key), w);
        assert_true(w->name && w->read && w->prepare && w->write && w->restore);
        if (place.mechanism == TUNABLE_MECH_ATTR)
                assert_int_equal(b->live_path(key, &live), 0);
        /* A key with no live value must have a file; one with neither is unreachable. */
        assert_true(place.mechanism != TUNABLE_MECH_FILE || place.format != OWNED_NONE);
        if (place.format != OWNED_NONE)
                check_owned_file(k, key, s, place.format);
        else
                assert_string_equal(owned_mechanism(k, key), "prlimit");
        _cleanup_free_ char *offered = NULL;
        if (s->offered)
                check_offered(k, key, s);
        else if (b->offered_path) {
                assert_int_equal(b->offered_path(key, &offered), 0);
                assert_null(offered);
        }
}

static void test_every_kind_every_place(void **state) {
        bool mech_used[_TUNABLE_MECH_MAX] = {}, format_used[_OWNED_FORMAT_MAX] = {};
        for (int k = 0; k < _TUNABLE_KIND_MAX; k++)
                for (size_t i = 0; i < ELEMENTSOF(samples[k]) && samples[k][i].key; i++) {
                        check_sample((TunableKind) k, &samples[k][i]);
                        TunablePlace place;
                        _cleanup_free_ char *key = NULL;
                        assert_int_equal(tunable_check((TunableKind) k, samples[k][i].key, NULL, &key, NULL), 0);
                        assert_int_equal(tunable_place((TunableKind) k, key, &place), 0);
                        mech_used[place.mechanism] = true;
                        if (place.format != OWNED_NONE)
                                format_used[place.format] = true;
                }
        /* Every mechanism and every format has a writer and is reached by some kind. */
        for (int m = 0; m < _TUNABLE_MECH_MAX; m++) {
                assert_non_null(writer_of_mechanism((TunableMechanism) m));
                assert_true(mech_used[m]);
        }
        assert_null(writer_of_mechanism(_TUNABLE_MECH_MAX));
        for (int f = 0; f < _OWNED_FORMAT_MAX; f++) {
                assert_non_null(owned_format_info((OwnedFormat) f));
                assert_true(format_used[f]);
        }
}

/* Each resource's rlimit number is the one the kernel reports under its /proc/PID/limits label. */
static void test_rlimit_numbers(void **state) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        Sysroot *host = NULL;
        assert_int_equal(sysroot_open("/", &host), 0);
        const UlimitResource *res;
        size_t n = 0;
        for (size_t i = 0; (res = ulimit_resource_at(i)); i++, n++) {
                assert_in_range(res->rlimit, 0, RLIM_NLIMITS - 1);
                for (size_t j = 0; j < i; j++)
                        assert_int_not_equal(ulimit_resource_at(j)->rlimit, res->rlimit);
                /* A distinct soft limit per resource, so that a wrong number reads another's. */
                struct rlimit old, rl;
                assert_int_equal(getrlimit(res->rlimit, &old), 0);
                rl.rlim_cur = res->bytes ? (64 + i) << 20 : 1000 + i;   /* a stack far above what is used */
                rl.rlim_max = old.rlim_max;
                if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
                        rl.rlim_cur = rl.rlim_max;
                assert_int_equal(setrlimit(res->rlimit, &rl), 0);
                free(TAKE_PTR(text));
                assert_int_equal(sysroot_read_file(host, "proc/self/limits", &text, &len), 0);
                long long soft, hard;
                assert_int_equal(ulimit_parse_proc_limits(text, len, res, &soft, &hard), 0);
                assert_int_equal(soft, (long long) rl.rlim_cur);
                assert_int_equal(setrlimit(res->rlimit, &old), 0);
        }
        assert_true(n > 0);
        sysroot_free(host);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_backend_fields),
                cmocka_unit_test(test_every_kind_every_place),
                cmocka_unit_test(test_rlimit_numbers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
