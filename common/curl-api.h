/* SPDX-License-Identifier: MIT */
/* libcurl, loaded when a user of it (the load engine, the monitor's notifiers) first needs it.
 * Linking libcurl pulls in some thirty libraries (TLS, Kerberos, LDAP, RTMP...) whose start-up costs
 * about 10 ms on every run of skytune, including `skytune profile --duration 0` and `skytune plan`,
 * which never make a request. Files that use libcurl include this header instead of <curl/curl.h>;
 * the calls go through a table filled by curl_api_load(). */
#pragma once

#define CURL_DISABLE_TYPECHECK 1   /* the type-checking macros would hide the plain declarations */
#include <curl/curl.h>

#include "error.h"

#define CURL_API_FUNCTIONS(X)                                                                     \
        X(global_init, curl_global_init) X(global_cleanup, curl_global_cleanup)                  \
        X(easy_init, curl_easy_init) X(easy_cleanup, curl_easy_cleanup)                          \
        X(easy_setopt, curl_easy_setopt) X(easy_getinfo, curl_easy_getinfo)                      \
        X(easy_strerror, curl_easy_strerror) X(easy_send, curl_easy_send)                        \
        X(easy_recv, curl_easy_recv) X(multi_init, curl_multi_init)                              \
        X(multi_cleanup, curl_multi_cleanup) X(multi_add_handle, curl_multi_add_handle)          \
        X(multi_remove_handle, curl_multi_remove_handle) X(multi_info_read, curl_multi_info_read) \
        X(multi_socket_action, curl_multi_socket_action)                                         \
        X(multi_setopt, curl_multi_setopt) X(multi_assign, curl_multi_assign)                        \
        X(slist_append, curl_slist_append)                    \
        X(slist_free_all, curl_slist_free_all) X(url, curl_url) X(url_cleanup, curl_url_cleanup) \
        X(url_set, curl_url_set) X(url_get, curl_url_get) X(url_strerror, curl_url_strerror)    \
        X(free, curl_free)

typedef struct CurlApi {
#define CURL_API_MEMBER(member, name) __typeof__(name) *member;
        CURL_API_FUNCTIONS(CURL_API_MEMBER)
#undef CURL_API_MEMBER
} CurlApi;

extern CurlApi curl_api;

/* dlopen libcurl.so.4 once; on failure -ENOENT and ret_error (when not NULL) says what is missing and
 * how to fix it. */
int curl_api_load(Error *ret_error);


#ifndef CURL_API_IMPLEMENTATION
/* curl.h maps these three to themselves as function-like macros; route them to the table instead. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt
#define curl_global_init (*curl_api.global_init)
#define curl_global_cleanup (*curl_api.global_cleanup)
#define curl_easy_init (*curl_api.easy_init)
#define curl_easy_cleanup (*curl_api.easy_cleanup)
#define curl_easy_setopt (*curl_api.easy_setopt)
#define curl_easy_getinfo (*curl_api.easy_getinfo)
#define curl_easy_strerror (*curl_api.easy_strerror)
#define curl_easy_send (*curl_api.easy_send)
#define curl_easy_recv (*curl_api.easy_recv)
#define curl_multi_init (*curl_api.multi_init)
#define curl_multi_cleanup (*curl_api.multi_cleanup)
#define curl_multi_add_handle (*curl_api.multi_add_handle)
#define curl_multi_remove_handle (*curl_api.multi_remove_handle)
#define curl_multi_socket_action (*curl_api.multi_socket_action)
#define curl_multi_info_read (*curl_api.multi_info_read)
#define curl_multi_setopt (*curl_api.multi_setopt)
#define curl_multi_assign (*curl_api.multi_assign)
#define curl_slist_append (*curl_api.slist_append)
#define curl_slist_free_all (*curl_api.slist_free_all)
#define curl_url (*curl_api.url)
#define curl_url_cleanup (*curl_api.url_cleanup)
#define curl_url_set (*curl_api.url_set)
#define curl_url_get (*curl_api.url_get)
#define curl_url_strerror (*curl_api.url_strerror)
#define curl_free (*curl_api.free)
#endif
