/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpf-compact.h"
#include "macro.h"

#define OFF_NR offsetof(struct seccomp_data, nr)
#define OFF_ARCH offsetof(struct seccomp_data, arch)

enum { FIELD_NONE, FIELD_NR, FIELD_ARCH, _FIELD_MAX };

typedef struct Points {
        uint32_t *v;
        size_t n, cap;
} Points;

static int points_add(Points *s, uint32_t x) {
        if (s->n == s->cap) {
                size_t cap = s->cap ? s->cap * 2 : 256;
                uint32_t *v = realloc(s->v, cap * sizeof *v);

                if (!v)
                        return -ENOMEM;
                s->v = v;
                s->cap = cap;
        }
        s->v[s->n++] = x;
        return 0;
}

static int cmp_u32(const void *a, const void *b) {
        uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;

        return x < y ? -1 : x > y;
}

static void points_finish(Points *s) {
        size_t j = 0;

        qsort(s->v, s->n, sizeof *s->v, cmp_u32);
        for (size_t i = 0; i < s->n; i++)
                if (j == 0 || s->v[j - 1] != s->v[i])
                        s->v[j++] = s->v[i];
        s->n = j;
}

/* Where a comparison "A op k" makes the answer change: the first value of each side. */
static int add_breaks(Points *s, uint16_t code, uint32_t k) {
        int r = 0;

        switch (BPF_OP(code)) {
        case BPF_JEQ:
                r = points_add(s, k);
                if (r >= 0 && k != UINT32_MAX)
                        r = points_add(s, k + 1);
                break;
        case BPF_JGT:
                if (k != UINT32_MAX)
                        r = points_add(s, k + 1);
                break;
        case BPF_JGE:
                r = points_add(s, k);
                break;
        }
        return r;
}

/* The instructions a number-and-architecture filter is made of, with every jump inside the program. */
static bool insn_ok(const struct sock_filter *f, size_t i, size_t n) {
        size_t left = n - i - 1; /* instructions after this one */

        switch (f->code) {
        case BPF_LD | BPF_W | BPF_ABS:
                return f->k == OFF_NR || f->k == OFF_ARCH;
        case BPF_JMP | BPF_JA:
                return f->k < left;
        case BPF_JMP | BPF_JEQ | BPF_K:
        case BPF_JMP | BPF_JGT | BPF_K:
        case BPF_JMP | BPF_JGE | BPF_K:
                return f->jt < left && f->jf < left;
        case BPF_RET | BPF_K:
                return true;
        default:
                return false;
        }
}

unsigned bpf_compact_eval(const struct sock_filter *p, size_t n, unsigned nr, unsigned arch) {
        uint32_t a = 0;

        /* every jump goes forward: this ends */
        for (size_t pc = 0; pc < n;) {
                const struct sock_filter *f = &p[pc];

                switch (f->code) {
                case BPF_LD | BPF_W | BPF_ABS:
                        a = f->k == OFF_NR ? nr : arch;
                        pc++;
                        break;
                case BPF_JMP | BPF_JA:
                        pc += 1 + f->k;
                        break;
                case BPF_JMP | BPF_JEQ | BPF_K:
                        pc += 1 + (a == f->k ? f->jt : f->jf);
                        break;
                case BPF_JMP | BPF_JGT | BPF_K:
                        pc += 1 + (a > f->k ? f->jt : f->jf);
                        break;
                case BPF_JMP | BPF_JGE | BPF_K:
                        pc += 1 + (a >= f->k ? f->jt : f->jf);
                        break;
                case BPF_RET | BPF_K:
                        return f->k;
                default:
                        return SECCOMP_RET_KILL_PROCESS;
                }
        }
        return SECCOMP_RET_KILL_PROCESS;
}

/* The breakpoints of p, per field: every path is followed knowing which field A holds. */
static int collect_breaks(const struct sock_filter *p, size_t n, Points *nr, Points *arch) {
        _cleanup_free_ bool *seen = calloc(n * _FIELD_MAX, sizeof *seen);
        _cleanup_free_ size_t *stack = malloc(n * _FIELD_MAX * sizeof *stack);
        size_t top = 0;
        int r = 0;

        if (!seen || !stack)
                return -ENOMEM;
        stack[top++] = 0 * _FIELD_MAX + FIELD_NONE;
        seen[0] = true;
        while (top > 0 && r >= 0) {
                size_t s = stack[--top], pc = s / _FIELD_MAX, next[2];
                int field = (int) (s % _FIELD_MAX), nnext = 0;
                const struct sock_filter *f = &p[pc];

                switch (f->code) {
                case BPF_LD | BPF_W | BPF_ABS:
                        field = f->k == OFF_NR ? FIELD_NR : FIELD_ARCH;
                        next[nnext++] = pc + 1;
                        break;
                case BPF_JMP | BPF_JA:
                        next[nnext++] = pc + 1 + f->k;
                        break;
                case BPF_RET | BPF_K:
                        break;
                default: /* a comparison (insn_ok() let nothing else through) */
                        if (field != FIELD_NONE) /* (A is still 0 otherwise: no dependence) */
                                r = add_breaks(field == FIELD_NR ? nr : arch, f->code, f->k);
                        next[nnext++] = pc + 1 + f->jt;
                        next[nnext++] = pc + 1 + f->jf;
                }
                for (int i = 0; i < nnext; i++) {
                        size_t t = next[i] * _FIELD_MAX + (size_t) field;

                        if (next[i] < n && !seen[t]) {
                                seen[t] = true;
                                stack[top++] = t;
                        }
                }
        }
        if (r >= 0)
                r = points_add(nr, 0);
        if (r >= 0)
                r = points_add(arch, 0);
        if (r < 0)
                return r;
        points_finish(nr);
        points_finish(arch);
        return 0;
}

/* One architecture's answer by number: ranges from start[i] up to start[i + 1] - 1 (the last to UINT32_MAX). */
typedef struct Map {
        uint32_t *start, *action;
        size_t n;
} Map;

static void map_done(Map *m) {
        free(m->start);
        free(m->action);
        *m = (Map) {};
}

static bool map_equal(const Map *a, const Map *b) {
        return a->n == b->n && memcmp(a->start, b->start, a->n * sizeof *a->start) == 0 &&
               memcmp(a->action, b->action, a->n * sizeof *a->action) == 0;
}

static int map_of(const struct sock_filter *p, size_t n, const Points *nr, uint32_t arch, Map *ret) {
        Map m = { .start = malloc(nr->n * sizeof *m.start), .action = malloc(nr->n * sizeof *m.action) };

        if (!m.start || !m.action) {
                map_done(&m);
                return -ENOMEM;
        }
        for (size_t i = 0; i < nr->n; i++) {
                uint32_t action = bpf_compact_eval(p, n, nr->v[i], arch);

                if (m.n > 0 && m.action[m.n - 1] == action)
                        continue;
                m.start[m.n] = nr->v[i];
                m.action[m.n++] = action;
        }
        *ret = m;
        return 0;
}

typedef struct Prog {
        struct sock_filter *f;
        size_t n;
        bool overflow;
} Prog;

static size_t emit(Prog *q, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k) {
        if (q->n >= BPF_MAXINSNS) {
                q->overflow = true;
                return q->n;
        }
        q->f[q->n] = (struct sock_filter) { .code = code, .jt = jt, .jf = jf, .k = k };
        return q->n++;
}

/* Instructions tree(lo, hi) takes: a conditional jump reaches 255 instructions ahead at most, so a left subtree
 * larger than that is jumped over by a JA. */
static size_t tree_size(size_t lo, size_t hi) {
        size_t mid = lo + (hi - lo) / 2, left;

        if (hi - lo == 1)
                return 1;
        left = tree_size(lo, mid);
        return 1 + (left > 255) + left + tree_size(mid, hi);
}

/* A binary search over the ranges [lo, hi) of m: "nr >= start of the middle one" goes right. */
static void emit_tree(Prog *q, const Map *m, size_t lo, size_t hi) {
        size_t mid = lo + (hi - lo) / 2, left;

        if (hi - lo == 1) {
                emit(q, BPF_RET | BPF_K, 0, 0, m->action[lo]);
                return;
        }
        left = tree_size(lo, mid);
        if (left > 255) {
                emit(q, BPF_JMP | BPF_JGE | BPF_K, 0, 1, m->start[mid]);
                emit(q, BPF_JMP | BPF_JA, 0, 0, (uint32_t) left);
        } else
                emit(q, BPF_JMP | BPF_JGE | BPF_K, (uint8_t) left, 0, m->start[mid]);
        emit_tree(q, m, lo, mid);
        emit_tree(q, m, mid, hi);
}

static void emit_map(Prog *q, const Map *m) {
        if (m->n > 1)
                emit(q, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_NR);
        emit_tree(q, m, 0, m->n);
}

/* The size of arch cell i (its values up to the next breakpoint) is 1. */
static bool cell_single(const Points *arch, size_t i) {
        return i + 1 < arch->n ? arch->v[i + 1] - arch->v[i] == 1 : arch->v[i] == UINT32_MAX;
}

static int build(const Points *arch, const Map *maps, Prog *q) {
        size_t def = SIZE_MAX, ja[64], target[64], nja = 0;

        /* One map for all the architectures the program does not name one by one (libseccomp: kill), the others
         * one value each: compared with JEQ. Any other shape is not one this rewrites. */
        for (size_t i = 0; i < arch->n; i++)
                if (!cell_single(arch, i)) {
                        if (def != SIZE_MAX && !map_equal(&maps[def], &maps[i]))
                                return -EOPNOTSUPP;
                        def = def == SIZE_MAX ? i : def;
                }
        if (def == SIZE_MAX)
                return -EOPNOTSUPP;
        q->f = malloc(BPF_MAXINSNS * sizeof *q->f);
        if (!q->f)
                return -ENOMEM;
        emit(q, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARCH);
        for (size_t i = 0; i < arch->n; i++) {
                if (map_equal(&maps[i], &maps[def]))
                        continue;
                if (nja == ELEMENTSOF(ja))
                        return -EOPNOTSUPP;
                emit(q, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, arch->v[i]);
                target[nja] = i;
                ja[nja++] = emit(q, BPF_JMP | BPF_JA, 0, 0, 0);
        }
        emit_map(q, &maps[def]);
        for (size_t j = 0; j < nja && !q->overflow; j++) {
                q->f[ja[j]].k = (uint32_t) (q->n - ja[j] - 1);
                emit_map(q, &maps[target[j]]);
        }
        return q->overflow ? -E2BIG : 0;
}

int bpf_compact(const struct sock_filter *p, size_t n, struct sock_filter **ret, size_t *ret_n) {
        Points nr = {}, arch = {};
        Map *maps = NULL;
        Prog q = {};
        int r = 0;

        if (n == 0 || n > BPF_MAXINSNS)
                return -EOPNOTSUPP;
        for (size_t i = 0; i < n; i++)
                if (!insn_ok(&p[i], i, n))
                        return -EOPNOTSUPP;
        r = collect_breaks(p, n, &nr, &arch);
        if (r < 0)
                goto finish;
        maps = calloc(arch.n, sizeof *maps);
        if (!maps) {
                r = -ENOMEM;
                goto finish;
        }
        for (size_t i = 0; i < arch.n && r >= 0; i++)
                r = map_of(p, n, &nr, arch.v[i], &maps[i]);
        if (r >= 0)
                r = build(&arch, maps, &q);
        if (r >= 0 && q.n >= n)
                r = -EOPNOTSUPP; /* no smaller */
        /* The proof: q's constants are among p's breakpoints (range starts, single architectures), so both are
         * constant on each cell of this grid; they must agree on every cell. */
        for (size_t i = 0; i < arch.n && r >= 0; i++)
                for (size_t j = 0; j < nr.n && r >= 0; j++)
                        if (bpf_compact_eval(p, n, nr.v[j], arch.v[i]) != bpf_compact_eval(q.f, q.n, nr.v[j], arch.v[i]))
                                r = -EIO;
        if (r >= 0) {
                *ret = TAKE_PTR(q.f);
                *ret_n = q.n;
        }
finish:
        for (size_t i = 0; maps && i < arch.n; i++)
                map_done(&maps[i]);
        free(maps);
        free(q.f);
        free(nr.v);
        free(arch.v);
        return r;
}
