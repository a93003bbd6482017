/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A smaller program for a seccomp filter that decides on the system call number and the architecture alone (the
 * allow list: libseccomp's output has one comparison per call it knows, ~1500 instructions for three ABIs). The
 * kernel checks, converts and JIT-compiles every instruction of a filter when it is loaded, once per container
 * start: that load was 0.5 ms of a start's CPU. Calls that share an answer and sit next to each other in number
 * share one range, so the new program is a binary search over ranges per architecture (about a third of the size,
 * and no deeper).
 *
 * Exactness: both programs compare the number and the architecture only with constants (JEQ, JGT, JGE), so each
 * is constant on every cell of the grid that all their constants cut the (architecture, number) plane into; the new
 * program is checked against the old on one point of every cell, and is used only if they agree everywhere. A
 * program with anything else in it (arguments, the instruction pointer, arithmetic) is left as it is: -EOPNOTSUPP.
 * Pure: no system calls, no logging. */

#include <linux/filter.h>
#include <stddef.h>

int bpf_compact(const struct sock_filter *p, size_t n, struct sock_filter **ret, size_t *ret_n);
/* Runs program p on (nr, arch) as the kernel would on a seccomp_data with all other fields 0: its return value.
 * (Exported for the tests; p must have passed bpf_compact()'s checks or come from it.) */
unsigned bpf_compact_eval(const struct sock_filter *p, size_t n, unsigned nr, unsigned arch);
