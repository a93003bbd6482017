/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The launcher's command line as data: one row per option. The launcher's main(), its --help, its --check,
 * nixos-nspawnctl (which options a user may store) and the unit tests all read this one table, so what is valid
 * is decided in one place. Long options are matched exactly: no abbreviations (getopt_long's unambiguous prefixes
 * let "--mach=" slip past any check done by spelling). Short options may be bundled ("-nM NAME"); each letter
 * still comes out as its own row. */

#include <stdbool.h>
#include <stdio.h>

#include "settings.h"

typedef enum OptionId {
        OPT_HELP,
        OPT_VERSION,
        OPT_QUIET,
        OPT_CHECK,
        OPT_CLOSURE,
        OPT_STORE_PATH,
        OPT_DIRECTORY,
        OPT_INIT,
        OPT_MACHINE,
        OPT_HOSTNAME,
        OPT_UUID,
        OPT_SETENV,
        OPT_KILL_SIGNAL,
        OPT_NOTIFY_READY,
        OPT_REGISTER,
        OPT_LINK_JOURNAL,
        OPT_SET_CREDENTIAL,
        OPT_LOAD_CREDENTIAL,
        OPT_USERNS_PICK, /* -U */
        OPT_PRIVATE_USERS,
        OPT_BIND,
        OPT_BIND_RO,
        OPT_CHOWN_FOREIGN,
        OPT_TMPFS,
        OPT_PRIVATE_NETWORK,
        OPT_NETWORK_VETH,
        OPT_NETWORK_ZONE,
        OPT_NETWORK_BRIDGE,
        OPT_NETWORK_MACVLAN,
        OPT_NETWORK_INTERFACE,
        OPT_NETWORK_NAMESPACE_PATH,
        OPT_NETWORK_NAMESPACE_EXPORT,
        OPT_VETH_HOST_CONFIG,
        OPT_VETH_CONTAINER_CONFIG,
        OPT_CAPABILITY,
        OPT_DROP_CAPABILITY,
        OPT_SYSTEM_CALL_FILTER,
        OPT_CONSOLE,
        OPT_PIPE,
        OPT_STORE_DIR,
        OPT_TASKS_MAX,
        OPT_TMPFS_LIMITS,
        OPT_PORT,
        _OPT_MAX,
} OptionId;

typedef enum OptionArg {
        OPTION_ARG_NONE,
        OPTION_ARG_REQUIRED, /* --name=VALUE or --name VALUE; -X VALUE or -XVALUE */
        OPTION_ARG_OPTIONAL, /* --name or --name=VALUE only */
} OptionArg;

typedef enum OptionFlags {
        /* A user may store it with a container (nixos-nspawnctl create/update, the NixOS module's extraFlags): it
         * changes how the container runs, not which container, image or host files it is. */
        OPTION_STORABLE = 1 << 0,
        /* The system image: written into the settings by nixos-nspawnctl or the NixOS module, never by a user. */
        OPTION_SYSTEM = 1 << 1,
        /* Given at most once: a second --machine (a hand-edited settings file after the unit's own) would run the
         * container as another machine, with that one's lock, UID range and propagation point. */
        OPTION_ONCE = 1 << 2,
        /* Not in --help (for tests). */
        OPTION_HIDDEN = 1 << 3,
} OptionFlags;

typedef struct Option Option;

/* Takes value (NULL for an option without one) into s. -EINVAL with *ret_error (the line a start prints), or
 * -ENOMEM. Pure: no I/O, no logging. */
typedef int (*OptionParseFn)(const Option *o, const char *value, Settings *s, char **ret_error);

struct Option {
        OptionId id;
        const char *name; /* without "--"; NULL for a short-only option */
        char short_name;  /* 0: none */
        OptionArg arg;
        const char *value_name; /* in --help: "NAME" of --machine=NAME */
        OptionParseFn parse;    /* NULL: an action (help, version, check), handled by options_parse() */
        unsigned flags;
        const char *section; /* --help's heading, on the first option of each group */
        const char *help;    /* lines separated by '\n' */
};

extern const Option option_table[];
extern const size_t option_table_size;

const Option *option_by_id(OptionId id);
const Option *option_by_name(const char *name);
const Option *option_by_short(char c);
/* "--machine", or "-U" for a short-only option (static storage). */
const char *option_display_name(const Option *o);

/* Walks a command line option by option. */
typedef struct OptionCursor {
        int argc;
        char *const *argv;
        int index;          /* the next element of argv */
        const char *bundle; /* the rest of a short-option bundle ("-nP": "P"), or NULL */
        bool dashdash;      /* the options ended with "--" */
} OptionCursor;

#define OPTION_CURSOR_INIT(c, v) ((OptionCursor) { .argc = (c), .argv = (v), .index = 1 })

/* 1 with the next option and its value (NULL when it has none); 0 at the first operand or after "--" (index is
 * then the first element of the command); -EINVAL with *ret_error for an unknown option (an abbreviation
 * included), a missing value or a value given to an option that takes none. */
int option_next(OptionCursor *c, const Option **ret_option, const char **ret_value, char **ret_error);

typedef enum OptionsAction {
        OPTIONS_RUN,
        OPTIONS_HELP,
        OPTIONS_VERSION,
        OPTIONS_CHECK,
} OptionsAction;

/* Fills s from argv (argv[0] is the program). --help and --version end the parsing at once, as getopt did; the
 * operands after the options (or after "--") become s->command. Errors as OptionParseFn's. */
int options_parse(Settings *s, int argc, char *const *argv, OptionsAction *ret_action, char **ret_error);

/* Everything about parsed settings that does not depend on the running host: settings_verify(), and the network
 * override files parsed and merged over the defaults as a start does. (Not: whether files, directories, bridges,
 * users exist; that is inputs_check()'s.) Errors as settings_verify()'s, with the line a start would print. */
int options_check(Settings *s, char **ret_error);
/* Its second half: the network override files parsed and merged over the defaults, as netconf_prepare() will. A
 * start calls it too, after inputs_check() (which refuses a FIFO there) and before anything is locked or swept: a
 * bad file's error is then the only line, whatever killed launchers left on the host. */
int options_check_overrides(const Settings *s, char **ret_error);

/* --help's option list. */
void options_help(FILE *f);
