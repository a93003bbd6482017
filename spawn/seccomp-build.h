/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container's system call filter, compiled with libseccomp into classic BPF. Used by the launcher only when
 * --system-call-filter= or the capabilities change the filter, and by the build-time generator (spawn/gen/) that
 * compiles the default one into the binary. Nothing here logs above debug: callers decide. */

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Capabilities that decide whether a group is allowed (nspawn's rule: a group that only does anything with a
 * capability is allowed when the container keeps that capability). A filter compiled for one capability set is
 * good for another when both agree on these. */
uint64_t seccomp_relevant_caps(void);

/* "@group" known to us, or a system call name libseccomp knows on some architecture. */
bool syscall_filter_item_is_valid(const char *item);
/* Every group name, for --help style listings and tests. NULL-terminated. */
extern const char *const syscall_group_names[];
/* Calls f for each system call in a group, recursively; returns -EINVAL for an unknown group. */
int syscall_group_foreach(const char *group, void (*f)(const char *name, void *userdata), void *userdata);

/* The allow-list filter: groups and calls by capability, plus allow, minus deny (deny wins). Known calls that are
 * not allowed fail with EPERM; numbers nobody knows (newer than libseccomp) with ENOSYS, so that programs fall
 * back as on an older kernel. One program for the build's native architecture and its compat ABIs. */
int seccomp_compile_main(uint64_t caps, char *const *allow, char *const *deny, struct sock_filter **ret,
                         size_t *ret_n);
/* Argument checks the allow list cannot express (libseccomp drops a conditional rule next to an unconditional
 * one for the same call): a second program, default allow. */
int seccomp_compile_args(struct sock_filter **ret, size_t *ret_n);
