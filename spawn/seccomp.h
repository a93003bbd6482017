/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

/* The filter PID 1 loads before exec. The default one is compiled into the binary at build time (a start pays
 * nothing for it); only --system-call-filter= or capabilities that change it make the monitor compile one. */
typedef struct SeccompPlan {
        const struct sock_filter *main; /* the allow list */
        size_t n_main;
        const struct sock_filter *args; /* argument checks (audit sockets, TIOCSTI) */
        size_t n_args;
        struct sock_filter *compiled; /* owned, when main is not the built-in one */
} SeccompPlan;

#define SECCOMP_PLAN_NULL ((SeccompPlan) {})

/* Monitor side, before clone. Logs its failures. */
int seccomp_plan(SeccompPlan *ret, uint64_t caps, char *const *allow, char *const *deny);
void seccomp_plan_done(SeccompPlan *p);
/* Child side: installs both programs. No allocation, no libseccomp. */
int seccomp_apply(const SeccompPlan *p);
/* Whether p uses the filter compiled in at build time. */
int seccomp_plan_is_builtin(const SeccompPlan *p);
