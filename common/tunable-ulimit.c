/* SPDX-License-Identifier: MIT */
/* ulimit: SCOPE:TARGET:RESOURCE = SOFT:HARD (see tunable.h). The live value of the "process" scope is
 * read from /proc/PID/limits of the first process whose comm is TARGET. The persistent scopes (unit,
 * login, default) have no single live file; their current value is what the owned drop-in says, read
 * by the optimizer and the helper that own those files. */
#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <jansson.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "macro.h"
#include "procfs.h"
#include "textscan.h"
#include "tunable-internal.h"
#include "ulimit.h"

static const UlimitResource resources[] = {
        /* nofile: the kernel's largest fs.nr_open; nproc: PID_MAX_LIMIT, the largest kernel.pid_max and
         * kernel.threads-max. The host's own values cap what the optimizer proposes.
         * Floors (process, unit, login, default), each the lowest value that still leaves a working
         * system: nofile 1024 is the kernel's default soft limit (INR_OPEN_CUR), which programs using
         * select(2) and most daemons assume; nproc counts every process of the user, so a service keeps
         * 256 and a login or the default for all services 1024 (0 locks them out); memlock 64 KiB is the
         * kernel's old default (MLOCK_LIMIT before 5.16), what gpg-agent, sshd and systemd need to lock
         * their keys; stack 1 MiB keeps programs and glibc's threads alive (0 makes every exec fail);
         * core 0 only turns core dumps off, a common and safe choice. */
        { "nofile", "Max open files", "NOFILE", RLIMIT_NOFILE, 1073741816LL, false, false, { 1024, 1024, 1024, 1024 },
          "below the floor of 1024 open files (the kernel's default soft limit): programs that expect 1024 "
          "descriptors fail, and 0 makes every open(2) fail" },
        { "nproc", "Max processes", "NPROC", RLIMIT_NPROC, 4194304LL, true, false, { 256, 256, 1024, 1024 },
          "below the floor of 256 processes for a process or unit (1024 for login and default): fork(2) fails "
          "for every process of that user, and 0 locks the service or the user out" },
        { "memlock", "Max locked memory", "MEMLOCK", RLIMIT_MEMLOCK, INT64_MAX, true, true, { 65536, 65536, 65536, 65536 },
          "below the floor of 64 KiB of locked memory (the kernel's old default): programs that lock their keys "
          "in memory fail" },
        { "core", "Max core file size", "CORE", RLIMIT_CORE, INT64_MAX, true, true, { 0, 0, 0, 0 }, NULL },
        { "stack", "Max stack size", "STACK", RLIMIT_STACK, INT64_MAX, true, true, { 1048576, 1048576, 1048576, 1048576 },
          "below the floor of 1 MiB of stack: programs crash at start or on a deep call, and 0 makes every "
          "exec fail" },
};

static const char *const scopes[_ULIMIT_SCOPE_MAX] = {
        [ULIMIT_SCOPE_PROCESS] = "process",
        [ULIMIT_SCOPE_UNIT] = "unit",
        [ULIMIT_SCOPE_LOGIN] = "login",
        [ULIMIT_SCOPE_DEFAULT] = "default",
};

const UlimitResource *ulimit_resource(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(resources); i++)
                if (strcmp(resources[i].name, name) == 0)
                        return &resources[i];
        return NULL;
}

const UlimitResource *ulimit_resource_at(size_t i) {
        return i < ELEMENTSOF(resources) ? &resources[i] : NULL;
}

const char *ulimit_scope_at(size_t i) {
        return i < ELEMENTSOF(scopes) ? scopes[i] : NULL;
}

int ulimit_key_parse(const char *key, UlimitKey *ret) {
        UlimitKey k = {};
        const char *c1 = strchr(key, ':'), *c2 = c1 ? strrchr(key, ':') : NULL;
        if (!c1 || c2 == c1)
                return -EINVAL;
        size_t sl = (size_t) (c1 - key), tl = (size_t) (c2 - c1 - 1);
        if (sl >= sizeof(k.scope) || tl == 0 || tl >= sizeof(k.target))
                return -EINVAL;
        memcpy(k.scope, key, sl);
        memcpy(k.target, c1 + 1, tl);
        bool known = false;
        for (size_t i = 0; !known && i < ELEMENTSOF(scopes); i++)
                if (strcmp(scopes[i], k.scope) == 0) {
                        known = true;
                        k.scope_id = (UlimitScope) i;
                }
        if (!known)
                return -EINVAL;
        if (k.scope_id == ULIMIT_SCOPE_LOGIN && strchr(k.target, ':'))
                return -EINVAL; /* a uid or gid range to pam_limits */
        k.resource = ulimit_resource(c2 + 1);
        if (!k.resource)
                return -EPERM;
        /* A target becomes part of a file name (unit drop-in) or a limits.d line: no path characters. */
        bool star_ok = strcmp(k.scope, "login") == 0 || strcmp(k.scope, "default") == 0;
        if (strcmp(k.target, "*") == 0) {
                if (!star_ok)
                        return -EINVAL;
        } else if (strcmp(k.scope, "default") == 0)
                return -EINVAL;
        else if (!tunable_component_ok(k.target[0] == '@' ? k.target + 1 : k.target, 128))
                return -EINVAL;
        *ret = k;
        return 0;
}

int ulimit_key_parse_process(const char *key, UlimitKey *ret) {
        int r = ulimit_key_parse(key, ret);
        if (r < 0)
                return r;
        return strcmp(ret->scope, "process") == 0 ? 0 : -EOPNOTSUPP;
}

/* Digits (tunable_parse_decimal: no leading zero, no sign), and for a byte resource one 1024-based
 * suffix (systemd.exec(5): K, M, G, T, P, E). */
static int parse_number(const char *s, const UlimitResource *res, long long *ret) {
        static const char suffixes[] = "KMGTPE";
        if (*s == '-')
                return -ERANGE;
        size_t n = strspn(s, "+0123456789");
        long long v;
        int r = tunable_parse_decimal(s, n, &v);
        if (r < 0)
                return r;
        const char *end = s + n;
        if (*end) {
                const char *suffix = res->bytes && end[1] == '\0' ? strchr(suffixes, *end) : NULL;
                if (!suffix)
                        return -EINVAL;
                for (long shift = (suffix - suffixes + 1) * 10; shift > 0; shift -= 10) {
                        if (v > INT64_MAX >> 10)
                                return -ERANGE;
                        v <<= 10;
                }
        }
        if (v > res->max)
                return -ERANGE;
        *ret = v;
        return 0;
}

static int parse_limit(const char *s, const UlimitResource *res, long long *ret) {
        if (strcmp(s, "infinity") == 0 || strcmp(s, "unlimited") == 0) {
                if (!res->infinity_ok)
                        return -ERANGE;
                *ret = -1;
                return 0;
        }
        return parse_number(s, res, ret);
}

int ulimit_value_parse(const char *value, const UlimitResource *res, long long *ret_soft, long long *ret_hard) {
        _cleanup_free_ char *v = NULL;
        int r = tunable_normalize_space(value, &v);
        if (r < 0)
                return r;
        char *colon = strchr(v, ':');
        if (colon)
                *colon = '\0';
        long long soft, hard;
        r = parse_limit(v, res, &soft);
        if (r < 0)
                return r;
        hard = soft;
        if (colon) {
                r = parse_limit(colon + 1, res, &hard);
                if (r < 0)
                        return r;
        }
        /* -1 is infinity: soft must not exceed hard. */
        if (hard != -1 && (soft == -1 || soft > hard))
                return -ERANGE;
        *ret_soft = soft;
        *ret_hard = hard;
        return 0;
}

int ulimit_check_floor(const UlimitKey *k, long long soft, long long hard) {
        return soft >= 0 && soft < k->resource->floor[k->scope_id] ? -ERANGE : 0;
}

int ulimit_lowered_hard_warning(const char *key, const char *current, const char *proposed, char **ret_message) {
        UlimitKey k;
        long long cs, ch, ps, ph;
        if (!current || !proposed || ulimit_key_parse(key, &k) < 0 || k.scope_id != ULIMIT_SCOPE_PROCESS ||
            ulimit_value_parse(current, k.resource, &cs, &ch) < 0 || ulimit_value_parse(proposed, k.resource, &ps, &ph) < 0)
                return 0;
        if (ph < 0 || (ch >= 0 && ph >= ch))
                return 0;
        char from[24] = "infinity";
        if (ch >= 0)
                snprintf(from, sizeof(from), "%lld", ch);
        if (asprintf(ret_message, "ulimit %s: lowers the hard limit of the running '%s' processes from %s to %lld; only "
                     "CAP_SYS_RESOURCE can raise a hard limit again, so a skytune-helper without it (its unit's "
                     "CapabilityBoundingSet) cannot roll this back: restart the processes to undo it then",
                     key, k.target, from, ph) < 0)
                return -ENOMEM;
        return 1;
}

int ulimit_value_format(long long soft, long long hard, char **ret) {
        char a[24], b[24];
        if (soft < 0)
                strcpy(a, "infinity");
        else
                snprintf(a, sizeof(a), "%lld", soft);
        if (hard < 0)
                strcpy(b, "infinity");
        else
                snprintf(b, sizeof(b), "%lld", hard);
        return asprintf(ret, "%s:%s", a, b) < 0 ? -ENOMEM : 0;
}

const char *ulimit_limits_conf_word(const UlimitResource *res, long long v, char buf[static 24]) {
        if (v < 0)
                return "unlimited";
        snprintf(buf, 24, "%lld", res->bytes ? v / 1024 + (v % 1024 != 0) : v);
        return buf;
}

int ulimit_limits_conf_parse(const UlimitResource *res, const char *word, long long *ret) {
        if (strcmp(word, "-1") == 0 || strcmp(word, "unlimited") == 0 || strcmp(word, "infinity") == 0) {
                if (!res->infinity_ok)
                        return -ERANGE;
                *ret = -1;
                return 0;
        }
        long long v;
        UlimitResource plain = *res;
        plain.bytes = false;    /* limits.conf takes no suffixes */
        if (res->bytes)
                plain.max = res->max / 1024;
        int r = parse_number(word, &plain, &v);
        if (r < 0)
                return r;
        *ret = res->bytes ? v * 1024 : v;
        return 0;
}

int ulimit_parse_proc_limits(const char *text, size_t len, const UlimitResource *res, long long *ret_soft, long long *ret_hard) {
        Scan s = scan_init(text, len), line;
        size_t nl = strlen(res->proc_label);
        while (scan_line(&s, &line)) {
                if (scan_len(line) <= nl || memcmp(line.p, res->proc_label, nl) != 0 || line.p[nl] != ' ')
                        continue;
                line.p += nl;
                long long v[2];
                for (int i = 0; i < 2; i++) {
                        Scan w;
                        if (!scan_word(&line, &w))
                                return -EBADMSG;
                        if (scan_eq(w, "unlimited")) {
                                v[i] = -1;
                                continue;
                        }
                        Scan num = w;
                        uint64_t u;
                        if (scan_u64(&num, &u) < 0 || u > INT64_MAX)
                                return -EBADMSG;
                        v[i] = (long long) u;
                }
                *ret_soft = v[0];
                *ret_hard = v[1];
                return 0;
        }
        return -ENOENT;
}

int ulimit_find_process(const Sysroot *root, const char *comm, int *ret_pid) {
        _cleanup_(proc_iter_close) ProcIter it = PROC_ITER_INIT;
        int r = proc_iter_open(&it, root);
        if (r < 0)
                return r;
        int best = 0;
        for (int pid; proc_iter_next(&it, &pid) > 0;) {
                _cleanup_free_ char *c = NULL;
                if (proc_read_line(root, pid, "comm", &c) < 0 || strcmp(c, comm) != 0)
                        continue;
                if (best == 0 || pid < best)
                        best = pid;
        }
        if (best == 0)
                return -ESRCH;
        *ret_pid = best;
        return 0;
}

/* A bare unit name means a service, as systemctl assumes: "unit:nginx:nofile" and
 * "unit:nginx.service:nofile" are one key (one drop-in directory, nginx.service.d). */
static int ulimit_canonical_key(const char *key, char **ret, Error *e) {
        UlimitKey k;
        int r = ulimit_key_parse(key, &k);
        const char *c1 = strchr(key, ':'), *c2 = strrchr(key, ':');
        if (r == -EINVAL && startswith(key, "login:") && c1 && c2 > c1 && memchr(c1 + 1, ':', (size_t) (c2 - c1 - 1)))
                return error_set(e, r, "limits.conf(5) reads a ':' in a login target as a uid or gid range: name "
                                 "one user, @group or *");
        if (r < 0)
                return r;
        /* systemd.exec(5) limits apply to these unit types; a name without one of them is a service
         * ("php7.4-fpm" too, as systemctl reads it). */
        static const char *const exec_types[] = { ".service", ".socket", ".mount", ".swap" };
        static const char *const other_types[] = { ".timer", ".target", ".path", ".slice", ".scope", ".device",
                                                   ".automount" };
        bool bare_unit = strcmp(k.scope, "unit") == 0;
        for (size_t i = 0; bare_unit && i < ELEMENTSOF(exec_types); i++)
                bare_unit = !endswith(k.target, exec_types[i]);
        for (size_t i = 0; bare_unit && i < ELEMENTSOF(other_types); i++)
                if (endswith(k.target, other_types[i]))
                        return -EINVAL; /* no process of its own: no limits to set */
        if (bare_unit && strlen(k.target) + STRLEN(".service") > 128)
                return -EINVAL;         /* the canonical name would not parse again */
        if (asprintf(ret, "%s:%s%s:%s", k.scope, k.target, bare_unit ? ".service" : "", k.resource->name) < 0)
                return -ENOMEM;
        return 0;
}

/* A canonical key and a value of its resource. */
static int ulimit_key_value_parse(const char *key, const char *value, UlimitKey *k, long long *soft, long long *hard) {
        int r = ulimit_key_parse(key, k);
        return r < 0 ? r : ulimit_value_parse(value, k->resource, soft, hard);
}

static int ulimit_validate_value(const char *key, const char *value, Error *e) {
        UlimitKey k;
        long long soft, hard;
        int r = ulimit_key_value_parse(key, value, &k, &soft, &hard);
        if (r < 0)
                return r;
        r = ulimit_check_floor(&k, soft, hard);
        if (r < 0 && k.resource->floor_reason)
                return error_set(e, r, "%s", k.resource->floor_reason);
        return r;
}

static int ulimit_read(const Sysroot *root, const char *key, char **ret) {
        UlimitKey k;
        int r = ulimit_key_parse_process(key, &k);
        if (r < 0)
                return r;
        int pid;
        r = ulimit_find_process(root, k.target, &pid);
        if (r < 0)
                return r == -ESRCH ? -ENOENT : r;
        _cleanup_free_ char *text = NULL;
        size_t len;
        r = proc_read(root, pid, "limits", &text, &len);
        if (r < 0)
                return r;
        long long soft, hard;
        r = ulimit_parse_proc_limits(text, len, k.resource, &soft, &hard);
        return r < 0 ? r : ulimit_value_format(soft, hard, ret);
}

static int ulimit_normalize(const char *key, const char *value, char **ret) {
        UlimitKey k;
        long long soft, hard;
        int r = ulimit_key_value_parse(key, value, &k, &soft, &hard);
        if (r < 0)
                return r;
        /* limits.conf(5) holds byte limits in whole KiB (written rounded up): compare as written, or
         * a value off a KiB boundary would read back as drift forever. */
        if (strcmp(k.scope, "login") == 0 && k.resource->bytes) {
                long long *v[] = { &soft, &hard };
                for (size_t i = 0; i < ELEMENTSOF(v); i++)
                        if (*v[i] > 0 && *v[i] % 1024 != 0) {
                                if (*v[i] > LLONG_MAX - 1024)
                                        return -ERANGE;
                                *v[i] += 1024 - *v[i] % 1024;
                        }
        }
        return ulimit_value_format(soft, hard, ret);
}

/* Running processes through prlimit(2) with no persistent form; the other scopes in their files. */
static int ulimit_place(const char *key, TunablePlace *ret) {
        static const TunablePlace places[] = {
                [ULIMIT_SCOPE_PROCESS] = { TUNABLE_MECH_PRLIMIT, OWNED_NONE },
                [ULIMIT_SCOPE_UNIT] = { TUNABLE_MECH_FILE, OWNED_UNIT },
                [ULIMIT_SCOPE_LOGIN] = { TUNABLE_MECH_FILE, OWNED_LIMITS },
                [ULIMIT_SCOPE_DEFAULT] = { TUNABLE_MECH_FILE, OWNED_SYSTEM },
        };
        static_assert(ELEMENTSOF(places) == _ULIMIT_SCOPE_MAX, "a ulimit scope without its place");
        UlimitKey k;
        int r = ulimit_key_parse(key, &k);
        if (r < 0)
                return r;
        *ret = places[k.scope_id];
        return 0;
}

static int ulimit_describe(json_t *entry) {
        json_t *sa = json_array(), *ra = json_array();
        for (size_t i = 0; sa && i < ELEMENTSOF(scopes); i++)
                json_array_append_new(sa, json_string(scopes[i]));
        for (size_t i = 0; ra && i < ELEMENTSOF(resources); i++) {
                const UlimitResource *r = &resources[i];
                json_array_append_new(ra, json_pack("{s:s, s:I, s:b, s:s}", "name", r->name, "max", (json_int_t) r->max,
                                                    "infinity", r->infinity_ok, "unit", r->bytes ? "bytes" : "count"));
        }
        int a = json_object_set_new(entry, "scopes", sa), b = json_object_set_new(entry, "resources", ra);
        return a < 0 || b < 0 ? -ENOMEM : 0;
}

static int ulimit_no_live_path(const char *key, char **ret) {
        return -EOPNOTSUPP;
}

const TunableBackend tunable_ulimit_backend = {
        .kind = TUNABLE_ULIMIT,
        .name = "ulimit",
        .canonical_key = ulimit_canonical_key,
        .validate_value = ulimit_validate_value,
        .live_path = ulimit_no_live_path,
        .read = ulimit_read,
        .normalize = ulimit_normalize,
        .sample_element = "process:sample",
        .describe = ulimit_describe,
        .numeric = true,
        .place_of = ulimit_place,
        .key_help = "SCOPE:TARGET:RESOURCE: process:COMM (running processes, prlimit), unit:NAME (a unit's Limit*= "
                    "drop-in), login:*|USER|@GROUP (limits.d), default:* (DefaultLimit*= of every service)",
        .value_help = "N or SOFT:HARD, numbers or infinity; memlock, core and stack in bytes with an optional K, M, "
                      "G, T, P or E suffix; per resource, below",
};
