/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A strict parser for the INI fragments users give to override our networkd units.
 *
 * Accepted: "[Section]" headers, "Key=Value" lines, blank lines, comment lines starting with '#' or ';'.
 * Whitespace around keys and values and around a header is trimmed. Everything networkd would accept with a
 * warning, or that could smuggle a second line into the unit we write, is an error instead: a key before any
 * section, a section name not in the caller's list, a malformed header, a line without '=', an empty key, a key
 * with characters outside [A-Za-z0-9], control characters (a value's tab included), NUL bytes, invalid UTF-8,
 * and line continuations (a trailing '\').
 *
 * The result keeps the input's order: each "[Section]" header starts a new IniSection even when the name was seen
 * before, because for networkd two [Address] or [Route] headers are two addresses or routes, while two
 * [Network] headers are one section (units.c folds those). Repeated keys are kept, in order. */

#include <stdbool.h>
#include <stddef.h>

/* Larger fragments are refused: overrides are a few lines, and a bound keeps the parser's cost bounded. */
#define INI_SIZE_MAX (256U * 1024U)

typedef struct IniEntry {
        char *key;
        char *value; /* may be empty: for networkd "Key=" resets a list */
        unsigned line;
} IniEntry;

typedef struct IniSection {
        char *name;
        IniEntry *entries;
        size_t n_entries;
        unsigned line; /* of the header; 0 for sections we made, not parsed */
} IniSection;

typedef struct IniFile {
        char *origin; /* file name for messages, or what the text came from */
        IniSection *sections;
        size_t n_sections;
} IniFile;

IniFile *ini_free(IniFile *ini);
static inline void ini_freep(IniFile **ini) {
        ini_free(*ini);
}
#define _cleanup_ini_free_ __attribute__((cleanup(ini_freep)))

int ini_new(const char *origin, IniFile **ret);

/* Parses size bytes of text (NULs in them are an error, so the size must be the real one). sections is a
 * NULL-terminated list of the section names allowed (exact spelling, as networkd compares them), or NULL to allow
 * any well-formed name. Returns 0, or -EINVAL with *ret_error = "ORIGIN:LINE: what: 'text'" (allocated), or -ENOMEM.
 * ret_error may be NULL. */
int ini_parse(const char *text, size_t size, const char *origin, const char *const *sections, IniFile **ret,
              char **ret_error);
/* Reads and parses a file; the origin in messages is the path. -EFBIG (with a message) past INI_SIZE_MAX; other
 * read errors are returned as -errno without a message. */
int ini_load(const char *path, const char *const *sections, IniFile **ret, char **ret_error);

/* Model editing, for units.c and tests. Returned pointers stay valid until the next section is added. */
int ini_add_section(IniFile *ini, const char *name, IniSection **ret);
int ini_add_entry(IniSection *section, const char *key, const char *value, unsigned line);
/* The first section of that name, or NULL. */
IniSection *ini_find_section(const IniFile *ini, const char *name);
/* Drops every entry with this key from the section; returns how many went. */
size_t ini_section_remove_key(IniSection *section, const char *key);
/* Removes sections without entries. */
void ini_drop_empty_sections(IniFile *ini);

/* The checks ini_parse() applies, for callers that build values themselves. */
bool ini_key_valid(const char *key);
bool ini_section_name_valid(const char *name);
bool ini_value_valid(const char *value);
