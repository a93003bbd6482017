/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <nftables/libnftables.h> /* types and prototypes only: the functions come through dlsym() */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nft.h"

#ifndef NFTABLES_LIB
#define NFTABLES_LIB "libnftables.so.1"
#endif

#define NFT_FUNCTIONS(X)                                                                                               \
        X(nft_ctx_new)                                                                                                 \
        X(nft_ctx_free)                                                                                                \
        X(nft_ctx_buffer_output)                                                                                       \
        X(nft_ctx_buffer_error)                                                                                        \
        X(nft_ctx_get_output_buffer)                                                                                   \
        X(nft_ctx_get_error_buffer)                                                                                    \
        X(nft_run_cmd_from_buffer)

static struct {
#define NFT_FIELD(name) typeof(name) *name;
        NFT_FUNCTIONS(NFT_FIELD)
#undef NFT_FIELD
} lib;

struct Nft {
        struct nft_ctx *ctx;
};

static int load(void) {
        static int loaded = 0; /* 1 loaded, <0 failed: tried once per process */
        void *dl;

        if (loaded)
                return loaded;
        /* the soname of the ABI we were compiled against (or its full path, NFTABLES_LIB in the Makefile) */
        dl = dlopen(NFTABLES_LIB, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        if (!dl) {
                log_debug("Could not load %s: %s", NFTABLES_LIB, dlerror());
                return loaded = -EOPNOTSUPP;
        }
#define NFT_LOAD(name)                                                                                                 \
        lib.name = (typeof(name) *) dlsym(dl, #name);                                                                  \
        if (!lib.name) {                                                                                               \
                log_debug("libnftables.so.1 lacks %s.", #name);                                                        \
                return loaded = -EOPNOTSUPP;                                                                           \
        }
        NFT_FUNCTIONS(NFT_LOAD)
#undef NFT_LOAD
        return loaded = 1;
}

int nft_open(Nft **ret) {
        Nft *n;
        int r;

        r = load();
        if (r < 0)
                return r;
        n = calloc(1, sizeof *n);
        if (!n)
                return -ENOMEM;
        n->ctx = lib.nft_ctx_new(NFT_CTX_DEFAULT);
        if (!n->ctx) {
                free(n);
                return -ENOMEM;
        }
        /* what it prints is ours to read (a listing) or to log once (an error), never its own stdout/stderr */
        if (lib.nft_ctx_buffer_output(n->ctx) < 0 || lib.nft_ctx_buffer_error(n->ctx) < 0) {
                nft_close(n);
                return -ENOMEM;
        }
        *ret = n;
        return 0;
}

Nft *nft_close(Nft *n) {
        if (n) {
                lib.nft_ctx_free(n->ctx);
                free(n);
        }
        return NULL;
}

/* nft_run_cmd_from_buffer() says only "failed": errno is what its netlink calls left, the reason is in the text. */
static int run(Nft *n, const char *commands, char **ret_error) {
        int r;

        const char *e;

        errno = 0;
        r = lib.nft_run_cmd_from_buffer(n->ctx, commands);
        if (r != 0)
                r = errno > 0 ? -errno : -EIO;
        e = lib.nft_ctx_get_error_buffer(n->ctx) ?: ""; /* read (and so reset) whether or not it worked */
        if (r < 0 && ret_error)
                *ret_error = strndup(e, strcspn(e, "\n"));
        return r;
}

int nft_run(Nft *n, const char *commands, char **ret_error) {
        return run(n, commands, ret_error);
}

int nft_list(Nft *n, const char *command, char **ret_output) {
        const char *out;
        char *copy;
        int r;

        r = run(n, command, NULL);
        out = lib.nft_ctx_get_output_buffer(n->ctx); /* read (and so reset) whether or not it worked */
        if (r < 0)
                return r;
        copy = strdup(out ?: "");
        if (!copy)
                return -ENOMEM;
        *ret_output = copy;
        return 0;
}
