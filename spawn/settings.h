/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-id128.h>

#include "portfwd.h"

#define UID_RANGE_SIZE 0x10000U
#define MACHINE_NAME_MAX 64

typedef enum UsernsMode {
        USERNS_PICK,  /* choose a free 64K range, stable per machine name where possible */
        USERNS_FIXED, /* -U BASE[:SIZE] */
        USERNS_NO,    /* share the host's user namespace */
} UsernsMode;

typedef enum ConsoleMode {
        CONSOLE_AUTO, /* interactive on a tty, read-only otherwise */
        CONSOLE_INTERACTIVE,
        CONSOLE_READ_ONLY,
        CONSOLE_PASSIVE,
        CONSOLE_PIPE,
} ConsoleMode;

typedef enum IdmapMode {
        IDMAP_AUTO,    /* with a user namespace: foreign for a writable bind, identity for a read-only one */
        IDMAP_YES,     /* identity: on disk 0..65535 is 0..65535 inside (root inside writes host-root files) */
        IDMAP_FOREIGN, /* on disk the foreign range FOREIGN_UID_BASE.. is 0..65535 inside */
        IDMAP_NO,
} IdmapMode;

typedef struct BindMount {
        char *source;
        char *destination;
        bool read_only;
        bool recursive;
        IdmapMode idmap;
} BindMount;

/* What a bind is mapped with, IDMAP_AUTO resolved: with a user namespace a writable bind is foreign, so nothing root
 * inside writes is owned by a real host user; a read-only one cannot be written, and shows host files as they are. */
IdmapMode bind_idmap(const BindMount *b, bool userns);

typedef enum RegisterMode {
        REGISTER_AUTO, /* with systemd-machined when it answers */
        REGISTER_YES,
        REGISTER_NO,
} RegisterMode;

/* --link-journal=, with systemd-nspawn's meaning (spawn/link-journal.h says what each does here). */
typedef enum LinkJournal {
        LINK_JOURNAL_AUTO,  /* the host's /var/log/journal/ID when it exists, else nothing */
        LINK_JOURNAL_NO,
        LINK_JOURNAL_HOST,  /* /var/log/journal/ID made on the host and bound in */
        LINK_JOURNAL_GUEST, /* kept in the container's own /var/log/journal/ID, readable from the host while it runs */
} LinkJournal;

/* A credential for the container's service manager: the value given, or the path to read it from at start. */
typedef struct Credential {
        char *id;
        char *value;
        size_t size;
        char *path;
} Credential;

#define CREDENTIAL_SIZE_MAX (1024U * 1024U)

typedef struct TmpfsMount {
        char *destination;
        mode_t mode;
        char *size;      /* size= as tmpfs takes it (checked: N[kmg] or N%), or NULL */
        char *nr_inodes; /* nr_inodes= likewise (N[kmg]), or NULL */
} TmpfsMount;

/* The tmpfs mounts every container has, each with a size and inode limit (spawn/limits.c holds the defaults and
 * why; --tmpfs-limits=PATH:OPTIONS changes one). TMPFS_LIMIT_USER: a --tmpfs that names no size= or nr_inodes=. */
typedef enum TmpfsLimitId {
        TMPFS_LIMIT_NONE, /* a table row without a limit (not a tmpfs) */
        TMPFS_LIMIT_ROOT, /* "/": the tmpfs root, or with -D the overlay's upper layer */
        TMPFS_LIMIT_RUN,
        TMPFS_LIMIT_TMP,
        TMPFS_LIMIT_DEV,
        TMPFS_LIMIT_DEV_SHM,
        TMPFS_LIMIT_USER,
        _TMPFS_LIMIT_MAX,
} TmpfsLimitId;

typedef struct TmpfsLimit {
        char *size;      /* as --tmpfs takes it; NULL: the default */
        char *nr_inodes;
} TmpfsLimit;

/* --tasks-max=infinity */
#define TASKS_MAX_INFINITY UINT64_MAX

typedef struct Settings {
        char *machine;
        char *hostname;
        sd_id128_t uuid; /* null until given or verified */

        char **environment; /* K=V, from --setenv */

        char **closure_files;
        char **store_paths;
        char *store_dir; /* "/nix/store" */

        char *directory; /* -D: lower layer of the root overlay */
        char *init;      /* exec'd as PID 1 with no arguments… */
        char **command;  /* …or this, after "--" */

        UsernsMode userns;
        uid_t uid_base; /* USERNS_FIXED */
        uint32_t uid_size;

        BindMount *binds;
        size_t n_binds;
        TmpfsMount *tmpfs;
        size_t n_tmpfs;
        TmpfsLimit tmpfs_limits[_TMPFS_LIMIT_MAX];
        uint64_t tasks_max; /* --tasks-max=: the container's pids limit, TASKS_MAX_INFINITY: none */
        bool tasks_max_set; /* given: applies under a unit too (which otherwise sets its own TasksMax=) */

        bool private_network;
        bool network_veth;
        char *network_zone;
        char *network_bridge; /* an existing host bridge for the veth's host end */
        char **network_macvlan;
        char **network_interfaces;
        char *network_namespace_path; /* join this one instead of a new one */
        char *network_namespace_export; /* bind ours here while we run */
        char *veth_host_config;
        char *veth_container_config;
        PortForward *ports; /* --port= */
        size_t n_ports;

        RegisterMode register_mode;
        LinkJournal link_journal;
        bool link_journal_try; /* try-host, try-guest: a host without a persistent journal is no error */
        Credential *credentials;
        size_t n_credentials;

        uint64_t capability_add;  /* --capability= */
        uint64_t capability_drop; /* --drop-capability= */
        char **syscall_allow;     /* --system-call-filter=: names and @groups added to the allow list… */
        char **syscall_deny;      /* …and, with "~", taken out of it (wins over both lists) */

        ConsoleMode console;
        int kill_signal; /* 0 until verified */
        bool notify_ready;
        bool quiet;
        char *chown_foreign; /* --chown-foreign=DIR: that instead of a container */
} Settings;

void settings_init(Settings *s);
void settings_done(Settings *s);

bool machine_name_is_valid(const char *name);
bool env_assignment_is_valid(const char *kv);

/* systemd's foreign UID range: on disk, the files of writable binds belong to it (see docs/architecture.md). */
#define FOREIGN_UID_BASE 0x7FFE0000U
#define FOREIGN_UID_SIZE 0x10000U

int parse_private_users(const char *arg, UsernsMode *ret_mode, uid_t *ret_base, uint32_t *ret_size);
/* Why a fixed range BASE:SIZE cannot be used, or NULL when it can (NSS is asked separately). */
const char *uid_range_refusal(uint64_t base, uint64_t size);
int parse_console_mode(const char *arg, ConsoleMode *ret);
int parse_signal(const char *arg, int *ret);
int parse_boolean(const char *arg, bool *ret);
int parse_bind_spec(const char *spec, bool read_only, BindMount *ret);
int parse_tmpfs_spec(const char *spec, TmpfsMount *ret);
/* N[k|m|g] (with percent also N%, 1-100), N > 0: a tmpfs size= or nr_inodes= value. */
bool tmpfs_amount_is_valid(const char *v, bool percent);
int parse_uid(const char *arg, uint32_t *ret);

int settings_add_bind(Settings *s, const char *spec, bool read_only);
int settings_add_tmpfs(Settings *s, const char *spec);
int settings_add_port(Settings *s, const char *spec);
int settings_add_string(char ***list, const char *value);
int parse_register_mode(const char *arg, RegisterMode *ret);
int parse_link_journal(const char *arg, LinkJournal *ret_mode, bool *ret_try);
bool credential_id_is_valid(const char *id);
/* ID:VALUE (load = false) or ID:PATH (load = true; read at start by credentials_load(), credentials.h). */
int settings_add_credential(Settings *s, const char *spec, bool load);
/* --system-call-filter=: space-separated names and @groups, "~" first to deny them. On -EINVAL, *ret_bad and
 * *ret_bad_len name the entry that is neither a known group nor a system call. */
int settings_add_syscall_filter(Settings *s, const char *arg, const char **ret_bad, size_t *ret_bad_len);

/* Checks the whole and fills defaults (machine name, hostname, kill signal, init…): pure, no I/O, no logging.
 * -EINVAL with *ret_error saying what is wrong (the caller logs it), or -ENOMEM. After this the Settings are only
 * read (const). What needs a look at the host (files, directories, NSS) is inputs_check()'s (inputs.h). */
int settings_verify(Settings *s, bool stdin_is_tty, char **ret_error);

bool path_is_normalized_absolute(const char *p);
