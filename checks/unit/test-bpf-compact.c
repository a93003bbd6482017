/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Claims about spawn/bpf-compact.c: the rewritten allow list answers every (architecture, call number) as
 * libseccomp's program does, is smaller, and a program it cannot prove equal is left alone. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf-compact.h"
#include "macro.h"
#include "tap.h"

/* libseccomp's program for an allow list on three ABIs, made as seccomp-build.c makes one (a context per ABI,
 * exact rules, merged): three of every four runs of ten calls allowed (and the socket and IPC calls), every other known one EPERM, the rest ENOSYS, a foreign
 * architecture killed. */
static bool scattered;

static int arch_program(uint32_t arch, scmp_filter_ctx *ret) {
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(ENOSYS));

        if (!ctx)
                return -ENOMEM;
        if ((arch != SCMP_ARCH_NATIVE &&
             (seccomp_arch_remove(ctx, seccomp_arch_native()) < 0 || seccomp_arch_add(ctx, arch) < 0)) ||
            seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) < 0 ||
            seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0) {
                seccomp_release(ctx);
                return -EINVAL;
        }
        /* i386 also reaches these through socketcall() and ipc(): allowed, as the container's list allows them
         * and the multiplexers whole (a different answer would make libseccomp filter the multiplexers by their
         * first argument: a program this leaves alone) */
        static const char multiplexed[] = " socket bind connect listen accept accept4 getsockname getpeername "
                "socketpair send recv sendto recvfrom shutdown setsockopt getsockopt sendmsg recvmsg recvmmsg "
                "sendmmsg semop semget semctl semtimedop msgsnd msgrcv msgget msgctl shmat shmdt shmget shmctl ";

        for (int nr = 0; nr < 460; nr++) {
                char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr), word[64];
                int id = name ? seccomp_syscall_resolve_name(name) : __NR_SCMP_ERROR;
                /* runs of calls with one answer, as in a real list; or none */
                bool allow = scattered ? nr % 3 == 0 : (nr / 10) % 4 != 0;

                if (name) {
                        snprintf(word, sizeof word, " %s ", name);
                        allow = allow || strstr(multiplexed, word);
                }
                free(name);
                if (id != __NR_SCMP_ERROR) /* (EDOM: not a call of this ABI) */
                        (void) seccomp_rule_add_exact(ctx, allow ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(EPERM), id, 0);
        }
        (void) seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socketcall), 0);
        (void) seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ipc), 0);
        *ret = ctx;
        return 0;
}

static int libseccomp_program(struct sock_filter **ret, size_t *ret_n) {
        static const uint32_t arches[] = { SCMP_ARCH_X86, SCMP_ARCH_X32, SCMP_ARCH_NATIVE };
        scmp_filter_ctx all = NULL;
        struct stat st;
        int fd = -1, r = -EINVAL;

        if (seccomp_arch_native() != SCMP_ARCH_X86_64)
                return -EOPNOTSUPP;
        for (size_t i = 0; i < ELEMENTSOF(arches); i++) {
                scmp_filter_ctx ctx;

                if (arch_program(arches[i], &ctx) < 0)
                        goto finish;
                if (!all)
                        all = ctx;
                else if (seccomp_merge(all, ctx) < 0) {
                        seccomp_release(ctx);
                        goto finish;
                }
        }
        fd = memfd_create("bpf", MFD_CLOEXEC);
        if (fd < 0 || seccomp_export_bpf(all, fd) < 0 || fstat(fd, &st) < 0 || st.st_size <= 0)
                goto finish;
        *ret = malloc((size_t) st.st_size);
        if (!*ret || pread(fd, *ret, (size_t) st.st_size, 0) != st.st_size)
                goto finish;
        *ret_n = (size_t) st.st_size / sizeof(struct sock_filter);
        r = 0;
finish:
        if (fd >= 0)
                close(fd);
        seccomp_release(all);
        return r;
}

/* Disagreements of a and b over the numbers that matter (each ABI's range, the x32 bit, the edges) and a sweep
 * of pseudo-random ones, on the named architectures and a few others. */
static unsigned disagreements(const struct sock_filter *a, size_t na, const struct sock_filter *b, size_t nb) {
        static const unsigned arches[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64, 0, 1, 0xffffffffU,
                                           AUDIT_ARCH_X86_64 - 1, AUDIT_ARCH_X86_64 + 1, AUDIT_ARCH_I386 + 1 };
        unsigned bad = 0, x = 12345;

        for (size_t i = 0; i < ELEMENTSOF(arches); i++) {
                for (unsigned nr = 0; nr < 2048; nr++)
                        bad += bpf_compact_eval(a, na, nr, arches[i]) != bpf_compact_eval(b, nb, nr, arches[i]);
                for (unsigned nr = 0x40000000U - 8; nr < 0x40000000U + 2048; nr++)
                        bad += bpf_compact_eval(a, na, nr, arches[i]) != bpf_compact_eval(b, nb, nr, arches[i]);
                for (int k = 0; k < 20000; k++) {
                        x = x * 1103515245U + 12345U;
                        bad += bpf_compact_eval(a, na, x, arches[i]) != bpf_compact_eval(b, nb, x, arches[i]);
                }
                bad += bpf_compact_eval(a, na, 0xffffffffU, arches[i]) != bpf_compact_eval(b, nb, 0xffffffffU, arches[i]);
        }
        return bad;
}

int main(void) {
        _cleanup_free_ struct sock_filter *p = NULL, *q = NULL, *q2 = NULL;
        size_t np = 0, nq = 0, nq2 = 0;
        int r;

        if (libseccomp_program(&p, &np) < 0) {
                printf("1..0 # SKIP not x86-64, or libseccomp cannot build the program here\n");
                return 0;
        }
        r = bpf_compact(p, np, &q, &nq);
        is_int(r, 0, "libseccomp's allow list for x86-64, x32 and i386 is rewritten");
        ok(q && nq > 0 && nq * 2 < np, "in less than half the instructions (%zu, was %zu)", nq, np);
        ok(q && disagreements(p, np, q, nq) == 0,
           "and answers every call number on every architecture as libseccomp's program does");
        ok(bpf_compact_eval(q, nq, 0, AUDIT_ARCH_AARCH64) == SECCOMP_RET_KILL_PROCESS,
           "a foreign architecture is still killed");
        is_int((int) bpf_compact_eval(q, nq, 9999, AUDIT_ARCH_X86_64), SECCOMP_RET_ERRNO | ENOSYS,
               "a number no ABI has still gets ENOSYS");
        is_int((int) bpf_compact_eval(q, nq, 0, AUDIT_ARCH_X86_64), SECCOMP_RET_ERRNO | EPERM, "read (0) gets EPERM");
        is_int((int) bpf_compact_eval(q, nq, 10, AUDIT_ARCH_X86_64), SECCOMP_RET_ALLOW, "mprotect (10) is allowed");

        /* Every third call allowed: as many ranges as calls, which would take more instructions than one
         * comparison a call. */
        {
                _cleanup_free_ struct sock_filter *s = NULL, *out = NULL;
                size_t ns = 0, nout = 0;

                scattered = true;
                ok(libseccomp_program(&s, &ns) == 0 && bpf_compact(s, ns, &out, &nout) == -EOPNOTSUPP && !out,
                   "an allow list without runs is left as libseccomp made it (no smaller)");
        }

        /* a rewrite of the rewrite changes nothing it says */
        r = bpf_compact(q, nq, &q2, &nq2);
        ok(r == -EOPNOTSUPP || (r == 0 && disagreements(q, nq, q2, nq2) == 0),
           "compacting its own output is refused as no smaller, or equal (%d)", r);

        /* What it cannot prove equal stays as it is. */
        {
                struct sock_filter args[] = {
                        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
                        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
                        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
                        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                };
                struct sock_filter set[] = {
                        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1),
                        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
                        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                };
                struct sock_filter out_of_range[] = {
                        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 5, 0),
                        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                };
                struct sock_filter *out = NULL;
                size_t nout = 0;

                is_int(bpf_compact(args, ELEMENTSOF(args), &out, &nout), -EOPNOTSUPP,
                       "a program that reads a call's arguments is left as it is");
                is_int(bpf_compact(set, ELEMENTSOF(set), &out, &nout), -EOPNOTSUPP,
                       "so is one that tests bits of the number (JSET)");
                is_int(bpf_compact(out_of_range, ELEMENTSOF(out_of_range), &out, &nout), -EOPNOTSUPP,
                       "and one that jumps past its end");
                ok(!out, "and nothing is returned for them");
        }
        return tap_done();
}
