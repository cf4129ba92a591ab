/* Scope-bound cleanup, so every early return is leak-free (systemd's _cleanup_ idiom). */
#pragma once
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/error.h"

static inline void cleanup_freep(void *p)
{
        free(*(void **)p);
}
static inline void cleanup_closep(const int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
static inline void cleanup_fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
}
static inline void cleanup_errorp(struct error **e)
{
        error_free(e);
}
/* NULL-terminated string vectors. */
static inline void cleanup_strvp(char ***v)
{
        if (!*v)
                return;
        for (char **p = *v; *p; p++)
                free(*p);
        free(*v);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(cleanup_freep)
#define _cleanup_close_ _cleanup_(cleanup_closep)
#define _cleanup_fclose_ _cleanup_(cleanup_fclosep)
#define _cleanup_error_ _cleanup_(cleanup_errorp)
#define _cleanup_strv_ _cleanup_(cleanup_strvp)

/* Steal ownership from a cleanup variable. */
#define TAKE_PTR(p)                                                                                                    \
        ({                                                                                                             \
                __typeof__(p) _tmp_ = (p);                                                                             \
                (p) = NULL;                                                                                            \
                _tmp_;                                                                                                 \
        })
#define TAKE_FD(fd)                                                                                                    \
        ({                                                                                                             \
                int _tmp_fd_ = (fd);                                                                                   \
                (fd) = -1;                                                                                             \
                _tmp_fd_;                                                                                              \
        })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
