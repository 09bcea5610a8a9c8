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

int curl_api_load(char **ret_error) {
        pthread_once(&once, load);
        if (curl_api.global_init)
                return 0;
        if (ret_error)
                *ret_error = load_error ? strdup(load_error) : strdup("cannot load libcurl");
        return -ENOENT;
}

/* The block cache behind curl_api_global_init(). Every block carries a 16-byte header (its size class
 * and requested size, keeping malloc's 16-byte alignment); sizes up to 1 KiB come in 16-byte classes,
 * up to 4 KiB in 256-byte ones, larger blocks go straight to malloc. A thread keeps at most
 * CACHE_DEPTH free blocks a class, so what it holds is bounded by its peak use. Under
 * AddressSanitizer blocks are never kept, so that it still sees every use after free. */
enum { CACHE_SMALL = 64, CACHE_CLASSES = CACHE_SMALL + 12, CACHE_DEPTH = 256, CACHE_NONE = UINT32_MAX };

typedef struct BlockHeader {
        _Alignas(max_align_t) uint32_t cls;     /* the header is a multiple of malloc's alignment */
        uint32_t unused;
        size_t size;
} BlockHeader;
_Static_assert(sizeof(BlockHeader) % _Alignof(max_align_t) == 0, "blocks after the header stay aligned");

typedef struct FreeBlock {
        struct FreeBlock *next;
} FreeBlock;

static __thread struct {
        bool on;
        FreeBlock *head[CACHE_CLASSES];
        uint16_t n[CACHE_CLASSES];
} cache;

static uint32_t size_class(size_t size) {
        if (size <= 16 * CACHE_SMALL)
                return (uint32_t) (size == 0 ? 0 : (size - 1) / 16);
        if (size <= 4096)
                return CACHE_SMALL + (uint32_t) ((size - 16 * CACHE_SMALL - 1) / 256);
        return CACHE_NONE;
}

static size_t class_size(uint32_t cls) {
        return cls < CACHE_SMALL ? 16 * ((size_t) cls + 1) : 16 * CACHE_SMALL + 256 * ((size_t) (cls - CACHE_SMALL) + 1);
}

static bool cache_usable(void) {
#if defined(__SANITIZE_ADDRESS__)
        return false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
        return false;
#else
        return cache.on;
#endif
#else
        return cache.on;
#endif
}

static void *block_malloc(size_t size) {
        uint32_t cls = size_class(size);
        BlockHeader *h;
        if (cls != CACHE_NONE && cache.head[cls] && cache_usable()) {
                FreeBlock *b = cache.head[cls];
                cache.head[cls] = b->next;
                cache.n[cls]--;
                h = (BlockHeader *) b - 1;
        } else {
                if (size > SIZE_MAX - sizeof(BlockHeader) - 4096)
                        return NULL;
                h = malloc(sizeof(BlockHeader) + (cls == CACHE_NONE ? size : class_size(cls)));
                if (!h)
                        return NULL;
        }
        h->cls = cls;
        h->size = size;
        return h + 1;
}

static void block_free(void *p) {
        if (!p)
                return;
        BlockHeader *h = (BlockHeader *) p - 1;
        uint32_t cls = h->cls;
        if (cls != CACHE_NONE && cache.n[cls] < CACHE_DEPTH && cache_usable()) {
                FreeBlock *b = p;
                b->next = cache.head[cls];
                cache.head[cls] = b;
                cache.n[cls]++;
                return;
        }
        free(h);
}

static void *block_calloc(size_t n, size_t size) {
        if (size && n > SIZE_MAX / size)
                return NULL;
        void *p = block_malloc(n * size);
        if (p)
                memset(p, 0, n * size);
        return p;
}

static void *block_realloc(void *p, size_t size) {
        if (!p)
                return block_malloc(size);
        BlockHeader *h = (BlockHeader *) p - 1;
        if (h->cls != CACHE_NONE && size_class(size) == h->cls) {
                h->size = size;
                return p;
        }
        void *q = block_malloc(size);
        if (!q)
                return NULL;
        memcpy(q, p, h->size < size ? h->size : size);
        block_free(p);
        return q;
}

static char *block_strdup(const char *s) {
        size_t n = strlen(s) + 1;
        char *p = block_malloc(n);
        if (p)
                memcpy(p, s, n);
        return p;
}

CURLcode curl_api_global_init(long flags) {
        return curl_api.global_init_mem(flags, block_malloc, block_free, block_realloc, block_strdup, block_calloc);
}

void curl_api_cache_begin(void) {
        cache.on = true;
}

void curl_api_cache_end(void) {
        cache.on = false;
        for (size_t i = 0; i < CACHE_CLASSES; i++)
                while (cache.head[i]) {
                        FreeBlock *b = cache.head[i];
                        cache.head[i] = b->next;
                        free((BlockHeader *) b - 1);
                }
        memset(cache.n, 0, sizeof(cache.n));
}
