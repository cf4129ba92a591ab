/* The runtime's own log: stderr by default, or --log FILE as text or JSON lines for conmon/containerd. */
#pragma once
#include "core/error.h"

enum log_level { LOG_ERROR = 0, LOG_WARNING = 1, LOG_DEBUG = 2 };
enum log_format { LOG_TEXT, LOG_JSON };

int log_init(const char *dest, enum log_format fmt, enum log_level level, struct error **err);
enum log_level log_get_level(void);
void log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A warning the runtime spec says MUST be logged (a failed poststart or poststop hook): shown at every
 * --log-level, the default (error) included. */
void log_required_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The final error of a command: one record in the log, and the text on stderr too. */
void log_final_error(const struct error *err);
/* Parse level / format names; -1 when unknown. Pure. */
int log_level_from_name(const char *name);
int log_format_from_name(const char *name);
/* Format one JSON record (without newline) into a heap string. Pure but for the clock argument. */
char *log_format_json_record(const char *level, const char *msg, long long sec, long usec);
