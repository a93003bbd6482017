/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <syslog.h>

#include "macro.h"

/* Logs once, at the place the decision is made. The *_errno variants set errno so "%m" names the error, and return
 * the (negative) error so they can end a function: `return log_error_errno(r, "Failed to …: %m");` */
void log_set_max_level(int level);
void log_open(void);
int log_internal(int level, int error, const char *file, int line, const char *fmt, ...) _printf_(5, 6);

#define log_full_errno(level, error, ...) log_internal((level), (error), __FILE__, __LINE__, __VA_ARGS__)
#define log_full(level, ...) ((void) log_internal((level), 0, __FILE__, __LINE__, __VA_ARGS__))

#define log_debug(...) log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, __VA_ARGS__)

#define log_debug_errno(e, ...) log_full_errno(LOG_DEBUG, (e), __VA_ARGS__)
#define log_info_errno(e, ...) log_full_errno(LOG_INFO, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, (e), __VA_ARGS__)
#define log_error_errno(e, ...) log_full_errno(LOG_ERR, (e), __VA_ARGS__)

/* For errors in what the user gave us: same as log_error_errno() with -EINVAL. */
#define log_invalid(...) log_error_errno(-EINVAL, __VA_ARGS__)

/* Out of memory: logged once, where it happened. */
#define log_oom() log_error_errno(-ENOMEM, "Out of memory.")
