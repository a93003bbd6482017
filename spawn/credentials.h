/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "settings.h"

/* Credentials for the container's service manager (--set-credential, --load-credential): parsed in settings.c,
 * loaded here by the monitor before clone, written by the outer child into /run/host/credentials. */

typedef struct LoadedCredential {
        const char *id;    /* the Settings' */
        const char *value; /* the Settings' (--set-credential) or `loaded` */
        size_t size;
        char *loaded;      /* --load-credential: read from its file; wiped when done */
} LoadedCredential;

typedef struct Credentials {
        LoadedCredential *items;
        size_t n;
} Credentials;

#define CREDENTIALS_DIR "run/host/credentials"

/* Monitor: reads every --load-credential file (regular files only, at most CREDENTIAL_SIZE_MAX). Logs. */
int credentials_load(const Settings *s, Credentials *ret);
void credentials_done(Credentials *c);

/* Outer child, after /run/host went read-only: a ramfs at /run/host/credentials (made empty, 0500, by the /run/host
 * set-up) holding the files, 0400 and owned by the container's root (uid as the host sees it), then read-only.
 * No allocation, no logging. */
int credentials_mount(const Credentials *c, int root_fd, uid_t uid);
