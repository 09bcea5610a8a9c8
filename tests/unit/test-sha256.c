/* SPDX-License-Identifier: MIT */
/* common/sha256: FIPS 180-4's examples ("abc", a million 'a') and the padding's edges (55, 56, 63,
 * 64, 119, 120 bytes: one or two tail blocks), against digests another implementation gave. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "support.h"

static void hex(const void *data, size_t len, char out[2 * SHA256_BYTES + 1]) {
        uint8_t md[SHA256_BYTES];
        sha256(data, len, md);
        for (size_t i = 0; i < SHA256_BYTES; i++)
                snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void test_fips_examples(void **state) {
        char h[2 * SHA256_BYTES + 1];
        hex("abc", 3, h);
        assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        char *a = malloc(1000000);
        assert_non_null(a);
        memset(a, 'a', 1000000);
        hex(a, 1000000, h);
        assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        free(a);
}

static void test_padding_edges(void **state) {
        static const struct {
                size_t n;
                const char *hex;
        } cases[] = {
                { 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
                { 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
                { 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
                { 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
                { 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
                { 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
                { 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
        };
        char a[128], h[2 * SHA256_BYTES + 1];
        memset(a, 'a', sizeof(a));
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                hex(a, cases[i].n, h);
                assert_string_equal(h, cases[i].hex);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fips_examples),
                cmocka_unit_test(test_padding_edges),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
