/* SPDX-License-Identifier: MIT */
/* libmicrohttpd at its first use (http-mhd.h): the functions http-server.c calls, each forwarding to
 * libmicrohttpd.so.12's. Without the library each one answers as MHD does when it fails. */
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dl-forward.h"
#include "http-mhd.h"

#define MHD_SONAME "libmicrohttpd.so.12"

typedef struct MHD_Daemon Daemon;
typedef struct MHD_Connection Connection;
typedef struct MHD_Response Response;
typedef const union MHD_DaemonInfo *DaemonInfo;
typedef const union MHD_ConnectionInfo *ConnInfo;

/* X(return type, name, parameters, arguments, the answer without the library); V(...) for void
 * ones. The two info functions are variadic: no type asked here takes an argument. */
#define MHD_FUNCTIONS(X, V)                                                                                           \
        X(Daemon *, MHD_start_daemon_va,                                                                              \
          (unsigned flags, uint16_t port, MHD_AcceptPolicyCallback apc, void *apc_cls, MHD_AccessHandlerCallback dh,  \
           void *dh_cls, va_list ap),                                                                                 \
          (flags, port, apc, apc_cls, dh, dh_cls, ap), NULL)                                                          \
        X(enum MHD_Result, MHD_run, (Daemon * d), (d), MHD_NO)                                                        \
        X(enum MHD_Result, MHD_get_timeout, (Daemon * d, MHD_UNSIGNED_LONG_LONG * ms), (d, ms), MHD_NO)               \
        X(DaemonInfo, MHD_get_daemon_info, (Daemon * d, enum MHD_DaemonInfoType t, ...), (d, t), NULL)                \
        X(ConnInfo, MHD_get_connection_info, (Connection * c, enum MHD_ConnectionInfoType t, ...), (c, t), NULL)      \
        X(Response *, MHD_create_response_from_buffer, (size_t n, void *b, enum MHD_ResponseMemoryMode m), (n, b, m), \
          NULL)                                                                                                       \
        X(Response *, MHD_create_response_from_callback,                                                              \
          (uint64_t n, size_t block, MHD_ContentReaderCallback crc, void *cls, MHD_ContentReaderFreeCallback f),      \
          (n, block, crc, cls, f), NULL)                                                                              \
        X(enum MHD_Result, MHD_add_response_header, (Response * r, const char *h, const char *v), (r, h, v), MHD_NO)  \
        X(enum MHD_Result, MHD_queue_response, (Connection * c, unsigned code, Response *r), (c, code, r), MHD_NO)    \
        X(const char *, MHD_lookup_connection_value, (Connection * c, enum MHD_ValueKind k, const char *key),         \
          (c, k, key), NULL)                                                                                          \
        V(MHD_stop_daemon, (Daemon * d), (d))                                                                         \
        V(MHD_destroy_response, (Response * r), (r))

static struct { MHD_FUNCTIONS(DL_FIELD, DL_VFIELD) } mhd;
static pthread_mutex_t mhd_lock = PTHREAD_MUTEX_INITIALIZER;
static bool mhd_loaded, mhd_tried;
static char mhd_why[600];

static void mhd_load(void) {
        static const char *const names[] = { MHD_FUNCTIONS(DL_NAME, DL_VNAME) };
        char err[384] = "";
        mhd_loaded = dl_forward_load(MHD_SONAME, names, &mhd, sizeof(names) / sizeof(names[0]), err, sizeof(err));
        snprintf(mhd_why, sizeof(mhd_why),
                 "the HTTP server library cannot be loaded (%s): install libmicrohttpd12 (apt-get install "
                 "libmicrohttpd12; dnf install libmicrohttpd)",
                 err);
}

const char *http_mhd_missing(void) {
        pthread_mutex_lock(&mhd_lock);
        if (!mhd_tried)
                mhd_load();
        mhd_tried = true;
        bool loaded = mhd_loaded;
        pthread_mutex_unlock(&mhd_lock);
        return loaded ? NULL : mhd_why;
}

void http_mhd_try_again(void) {
        pthread_mutex_lock(&mhd_lock);
        mhd_tried = mhd_loaded;
        pthread_mutex_unlock(&mhd_lock);
}

#define DL_TABLE   mhd
#define DL_MISSING http_mhd_missing
MHD_FUNCTIONS(DL_WRAP, DL_VWRAP)

struct MHD_Daemon *MHD_start_daemon(unsigned flags, uint16_t port, MHD_AcceptPolicyCallback apc, void *apc_cls,
                                    MHD_AccessHandlerCallback dh, void *dh_cls, ...) {
        va_list ap;
        va_start(ap, dh_cls);
        struct MHD_Daemon *d = MHD_start_daemon_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
        va_end(ap);
        return d;
}
