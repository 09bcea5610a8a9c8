/* SPDX-License-Identifier: MIT */
/* A silence file (monitor/silence.c): the bytes as the document skytune-monitor reads from the
 * silences directory, and each line of them as a matcher of `skytune alerts silence`. An accepted
 * document has 1 .. 16 matchers, one not matching an empty label, ends after it starts, and writes
 * back to a document that reads the same; a refused one says why. */
#include <errno.h>
#include <string.h>

#include "../../monitor/silence.h"
#include "fuzz.h"

static void check_document(const char *text, size_t len) {
        json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
        if (!doc)
                return;
        Silence s, again;
        const char *why = NULL;
        if (silence_from_json(doc, &s, &why) == 0) {
                fuzz_check(s.n >= 1 && s.n <= SILENCE_MATCHERS_MAX && s.ends_ms > s.starts_ms);
                fuzz_check(silence_matchers_narrow(&s, &why));
                json_t *back = silence_to_json(&s);
                fuzz_check(back && silence_from_json(back, &again, &why) == 0);
                fuzz_check(again.n == s.n && again.starts_ms == s.starts_ms && again.ends_ms == s.ends_ms);
                for (size_t i = 0; i < s.n; i++)
                        fuzz_check(strcmp(again.m[i].label, s.m[i].label) == 0 &&
                                   strcmp(again.m[i].value, s.m[i].value) == 0 && again.m[i].op == s.m[i].op);
                json_t *labels = json_object();
                (void) silence_matches(&s, labels); /* no label at all: each is "" */
                json_decref(labels);
                json_decref(back);
                silence_done(&again);
                silence_done(&s);
        } else
                fuzz_check(why != NULL);
        json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_cstr(data, size);
        check_document(text, strlen(text));
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
                SilenceMatcher m = {};
                const char *why = NULL;
                int r = silence_matcher_parse(line, &m, &why);
                fuzz_check(r == 0 || ((r == -EINVAL && why) || r == -ENOMEM));
                if (r == 0) {
                        Silence s = { .n = 1 };
                        s.m[0] = m;
                        silence_done(&s);
                }
        }
        free(text);
        return 0;
}
