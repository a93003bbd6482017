/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* libnftables, loaded with dlopen() the first time a container forwards a port (as sdbus-dl.c loads sd-bus): a start
 * without --port neither needs nftables installed nor pays for binding it. The library is nftables' own front end,
 * the same parser and netlink code `nft` uses, so our rules are written in its language and applied as one
 * transaction, without running a program. */

typedef struct Nft Nft;

/* -EOPNOTSUPP when libnftables.so.1 cannot be loaded (logged once at debug level; the caller says why it needs it). */
int nft_open(Nft **ret);
Nft *nft_close(Nft *n);
/* Runs the commands as one transaction. On failure, *ret_error (when given) gets nftables' own message. */
int nft_run(Nft *n, const char *commands, char **ret_error);
/* Runs a listing and returns what it printed. */
int nft_list(Nft *n, const char *command, char **ret_output);
