/* SPDX-License-Identifier: MIT */
#define CURL_API_IMPLEMENTATION 1
#include "curl-api.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

CurlApi curl_api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char *load_error;

static void load(void) {
        void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                if (asprintf(&load_error, "cannot load libcurl (%s): install the libcurl4 package", dlerror()) < 0)
                        load_error = NULL;
                return;
        }
        CurlApi api = {};
#define CURL_API_RESOLVE(member, name)                                                                   \
        api.member = (__typeof__(api.member)) dlsym(h, #name);                                           \
        if (!api.member) {                                                                               \
                if (asprintf(&load_error, "libcurl.so.4 lacks %s: install libcurl 7.80 or later", #name) < 0) \
                        load_error = NULL;                                                               \
                return;                                                                                  \
        }
        CURL_API_FUNCTIONS(CURL_API_RESOLVE)
#undef CURL_API_RESOLVE
        curl_api = api;
}

int curl_api_load(Error *ret_error) {
        pthread_once(&once, load);
        if (curl_api.global_init)
                return 0;
        return error_set(ret_error, -ENOENT, "%s", load_error ?: "cannot load libcurl");
}
