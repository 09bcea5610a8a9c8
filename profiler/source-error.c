/* SPDX-License-Identifier: MIT */
#include "source-error.h"

#include <errno.h>

const char *source_error_hint(int error) {
        switch (error) {
        case -ENOENT:
                return " (this kernel or host does not provide it; nothing to do unless you expected it)";
        case -EACCES:
        case -EPERM:
                return " (permission denied: run skytune as root to read it)";
        case -EBADMSG:
                return " (unexpected format: please report it to skytune with the file's content)";
        case -EOPNOTSUPP:
                return " (the kernel has the file but the feature is switched off)";
        case -EBADFD:
                return " (not a regular file: a FIFO, socket or device there is never read; remove it from the sysroot)";
        case -EFBIG:
                return " (larger than the 16 MiB skytune reads of one file)";
        default:
                return "";
        }
}
