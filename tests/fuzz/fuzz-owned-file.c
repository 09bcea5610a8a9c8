/* SPDX-License-Identifier: MIT */
/* The files skytune owns under /etc (common/owned-file.c): an administrator may edit them, so their
 * content is outside input. Byte 0 picks the file (sysctl.d, udev rules, limits.d, a unit drop-in,
 * system.conf.d, tmpfiles.d), the rest is its content: checked, compared with itself (the same
 * entries, no key changed), and one key's line looked up, replaced and removed. */
#include "fuzz.h"
#include "owned-file.h"

static const struct {
        TunableKind kind;
        const char *key;
} owners[] = {
        { TUNABLE_SYSCTL, "vm.swappiness" },
        { TUNABLE_IO_SCHEDULER, "sda" },
        { TUNABLE_CPU_GOVERNOR, "policy0" },
        { TUNABLE_ULIMIT, "login:@builders:nproc" },
        { TUNABLE_ULIMIT, "unit:nginx.service:nofile" },
        { TUNABLE_ULIMIT, "default:*:nofile" },
};
enum { N_OWNERS = sizeof(owners) / sizeof(owners[0]) };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        unsigned pick = data[0] % N_OWNERS;
        char *path = NULL, *content = fuzz_cstr(data + 1, size - 1);
        if (owned_file_for(owners[pick].kind, owners[pick].key, &path) < 0 || !path) {
                free(content);
                return 0;
        }
        Error reason = ERROR_NULL;
        (void) owned_file_check_content(path, content, &reason);
        error_done(&reason);
        int same = owned_file_same_entries(path, content, content);
        fuzz_check(same != 0); /* a content sets the same entries as itself */
        char **keys = NULL;
        if (owned_file_changed_keys(path, content, content, &keys) >= 0) {
                fuzz_check(keys && !keys[0]); /* and turning it into itself changes no key */
                owned_keys_free(keys);
        }
        char *value = NULL, *line = NULL, *edited = NULL;
        (void) owned_file_parse_value(content, owners[pick].kind, owners[pick].key, &value);
        free(value);
        char **ekeys = NULL;
        if (owned_file_change_keys(owners[pick].kind, owners[pick].key, "1", &ekeys) >= 0 && ekeys && ekeys[0]) {
                (void) owned_file_line(path, content, ekeys[0], &line);
                if (owned_file_set_line(path, content, ekeys[0], NULL, &edited) >= 0)
                        free(edited);
        }
        owned_keys_free(ekeys);
        free(line);
        free(path);
        free(content);
        return 0;
}
