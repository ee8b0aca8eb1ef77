/* strf.h: printf into a new string, for the messages the layers above the engine build. */
#ifndef CORRAL_STRF_H
#define CORRAL_STRF_H

#include <stdarg.h>

/* An owned (malloc'ed) copy of the printf-formatted text; NULL when memory is short. */
char *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *vstrf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
