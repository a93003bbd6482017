/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "ini.h"
#include "macro.h"
#include "strutil.h"

IniFile *ini_free(IniFile *ini) {
        if (!ini)
                return NULL;
        for (size_t i = 0; i < ini->n_sections; i++) {
                IniSection *s = &ini->sections[i];

                for (size_t j = 0; j < s->n_entries; j++) {
                        free(s->entries[j].key);
                        free(s->entries[j].value);
                }
                free(s->entries);
                free(s->name);
        }
        free(ini->sections);
        free(ini->origin);
        free(ini);
        return NULL;
}

int ini_new(const char *origin, IniFile **ret) {
        IniFile *ini = calloc(1, sizeof(IniFile));

        if (!ini)
                return -ENOMEM;
        ini->origin = strdup(origin ?: "(text)");
        if (!ini->origin) {
                free(ini);
                return -ENOMEM;
        }
        *ret = ini;
        return 0;
}

static bool is_key_char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool ini_key_valid(const char *key) {
        if (isempty(key))
                return false;
        for (const char *p = key; *p; p++)
                if (!is_key_char(*p))
                        return false;
        return true;
}

/* networkd's own section names are letters and digits, plus '-' in [SR-IOV]. */
bool ini_section_name_valid(const char *name) {
        if (isempty(name))
                return false;
        for (const char *p = name; *p; p++)
                if (!is_key_char(*p) && *p != '-')
                        return false;
        return true;
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF. networkd ignores assignments that are
 * not valid UTF-8 (with a warning); we refuse them instead. */
static bool utf8_valid(const char *s, size_t n) {
        const unsigned char *p = (const unsigned char *) s, *end = p + n;

        while (p < end) {
                unsigned c = *p, len;
                uint32_t cp;

                if (c < 0x80) {
                        p++;
                        continue;
                }
                if (c >= 0xc2 && c <= 0xdf) {
                        len = 2;
                        cp = c & 0x1f;
                } else if (c >= 0xe0 && c <= 0xef) {
                        len = 3;
                        cp = c & 0x0f;
                } else if (c >= 0xf0 && c <= 0xf4) {
                        len = 4;
                        cp = c & 0x07;
                } else
                        return false;
                if ((size_t) (end - p) < len)
                        return false;
                for (unsigned i = 1; i < len; i++) {
                        if ((p[i] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (p[i] & 0x3f);
                }
                if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
                    (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
                p += len;
        }
        return true;
}

static bool has_cc_n(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) s[i] < ' ' || s[i] == 0x7f)
                        return true;
        return false;
}

bool ini_value_valid(const char *value) {
        size_t n;

        if (!value)
                return false;
        n = strlen(value);
        if (has_cc_n(value, n) || !utf8_valid(value, n))
                return false;
        /* a trailing backslash would join the next line of the unit we write to this value */
        return n == 0 || value[n - 1] != '\\';
}

/* The offending text, made printable and cut short, for one line of error message. */
static void escape_for_message(const char *s, size_t n, char *buf, size_t size) {
        size_t o = 0;
        const size_t keep = 60;

        for (size_t i = 0; i < n && o + 8 < size; i++) {
                unsigned char c = (unsigned char) s[i];

                if (i == keep) {
                        o += (size_t) snprintf(buf + o, size - o, "...");
                        break;
                }
                if (c < ' ' || c == 0x7f || c == '\\' || c == '\'')
                        o += (size_t) snprintf(buf + o, size - o, "\\x%02x", c);
                else
                        buf[o++] = (char) c;
        }
        buf[o] = 0;
}

_printf_(5, 6) static int fail(char **ret_error, const char *origin, unsigned line, const char *text_or_null,
                               const char *fmt, ...) {
        char what[512], shown[512] = "";
        va_list ap;

        if (!ret_error)
                return -EINVAL;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        if (text_or_null) {
                char esc[400];

                escape_for_message(text_or_null, strlen(text_or_null), esc, sizeof esc);
                snprintf(shown, sizeof shown, ": '%s'", esc);
        }
        *ret_error = strprintf("%s:%u: %s%s", origin, line, what, shown);
        return *ret_error ? -EINVAL : -ENOMEM;
}

int ini_add_section(IniFile *ini, const char *name, IniSection **ret) {
        IniSection *l = reallocarray(ini->sections, ini->n_sections + 1, sizeof(IniSection));
        char *n;

        if (!l)
                return -ENOMEM;
        ini->sections = l;
        n = strdup(name);
        if (!n)
                return -ENOMEM;
        ini->sections[ini->n_sections] = (IniSection) { .name = n };
        if (ret)
                *ret = &ini->sections[ini->n_sections];
        ini->n_sections++;
        return 0;
}

int ini_add_entry(IniSection *section, const char *key, const char *value, unsigned line) {
        IniEntry *l = reallocarray(section->entries, section->n_entries + 1, sizeof(IniEntry));
        char *k, *v;

        if (!l)
                return -ENOMEM;
        section->entries = l;
        k = strdup(key);
        v = strdup(value);
        if (!k || !v) {
                free(k);
                free(v);
                return -ENOMEM;
        }
        section->entries[section->n_entries++] = (IniEntry) { .key = k, .value = v, .line = line };
        return 0;
}

IniSection *ini_find_section(const IniFile *ini, const char *name) {
        for (size_t i = 0; i < ini->n_sections; i++)
                if (streq(ini->sections[i].name, name))
                        return &ini->sections[i];
        return NULL;
}

size_t ini_section_remove_key(IniSection *section, const char *key) {
        size_t kept = 0, removed = 0;

        for (size_t i = 0; i < section->n_entries; i++) {
                IniEntry *e = &section->entries[i];

                if (streq(e->key, key)) {
                        free(e->key);
                        free(e->value);
                        removed++;
                } else
                        section->entries[kept++] = *e;
        }
        section->n_entries = kept;
        return removed;
}

void ini_drop_empty_sections(IniFile *ini) {
        size_t kept = 0;

        for (size_t i = 0; i < ini->n_sections; i++) {
                IniSection *s = &ini->sections[i];

                if (s->n_entries == 0) {
                        free(s->entries);
                        free(s->name);
                } else
                        ini->sections[kept++] = *s;
        }
        ini->n_sections = kept;
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

static void trim(const char **start, const char **end) {
        while (*start < *end && is_blank(**start))
                (*start)++;
        while (*end > *start && is_blank((*end)[-1]))
                (*end)--;
}

static char *join_names(const char *const *names) {
        size_t n = 1;
        char *s;

        for (const char *const *p = names; *p; p++)
                n += strlen(*p) + 2;
        s = malloc(n);
        if (!s)
                return NULL;
        s[0] = 0;
        for (const char *const *p = names; *p; p++) {
                if (p != names)
                        strcat(s, ", ");
                strcat(s, *p);
        }
        return s;
}

static bool name_listed(const char *const *names, const char *name) {
        for (const char *const *p = names; *p; p++)
                if (streq(*p, name))
                        return true;
        return false;
}

/* One line, without its '\n', already checked for NULs. */
static int parse_line(IniFile *ini, IniSection **current, const char *start, const char *end, unsigned line,
                      const char *const *sections, char **ret_error) {
        _cleanup_free_ char *text = NULL, *key = NULL, *value = NULL;
        const char *eq, *k_end, *v_start;
        int r;

        text = strndup(start, end - start);
        if (!text)
                return -ENOMEM;
        if (!utf8_valid(start, end - start))
                return fail(ret_error, ini->origin, line, text, "invalid UTF-8");
        if (end > start && end[-1] == '\r')
                return fail(ret_error, ini->origin, line, text, "carriage return at the end of the line "
                                                                "(DOS line endings are not accepted)");
        trim(&start, &end);
        if (start == end || *start == '#' || *start == ';')
                return 0;
        if (end[-1] == '\\')
                return fail(ret_error, ini->origin, line, text, "line continuation ('\\' at the end of a line) "
                                                                "is not supported");

        if (*start == '[') {
                _cleanup_free_ char *name = NULL;

                if (end - start < 2 || end[-1] != ']')
                        return fail(ret_error, ini->origin, line, text, "malformed section header");
                name = strndup(start + 1, end - start - 2);
                if (!name)
                        return -ENOMEM;
                if (!ini_section_name_valid(name))
                        return fail(ret_error, ini->origin, line, text, "malformed section header");
                if (sections && !name_listed(sections, name)) {
                        _cleanup_free_ char *allowed = join_names(sections);

                        if (!allowed)
                                return -ENOMEM;
                        return fail(ret_error, ini->origin, line, text, "unknown section [%s] (allowed: %s)", name,
                                    allowed);
                }
                r = ini_add_section(ini, name, current);
                if (r < 0)
                        return r;
                (*current)->line = line;
                return 0;
        }

        if (!*current)
                return fail(ret_error, ini->origin, line, text, "assignment before any [Section] header");
        eq = memchr(start, '=', end - start);
        if (!eq)
                return fail(ret_error, ini->origin, line, text, "line is neither a [Section] header, "
                                                                "a Key=Value assignment nor a comment");
        k_end = eq;
        v_start = eq + 1;
        trim(&start, &k_end);
        trim(&v_start, &end);
        if (start == k_end)
                return fail(ret_error, ini->origin, line, text, "empty key");
        key = strndup(start, k_end - start);
        value = strndup(v_start, end - v_start);
        if (!key || !value)
                return -ENOMEM;
        if (!ini_key_valid(key))
                return fail(ret_error, ini->origin, line, text, "invalid key '%s' (only letters and digits)", key);
        /* A tab in the middle of a value is the one control character that survives trimming. */
        if (string_has_cc(value))
                return fail(ret_error, ini->origin, line, text, "control character in value");
        return ini_add_entry(*current, key, value, line);
}

int ini_parse(const char *text, size_t size, const char *origin, const char *const *sections, IniFile **ret,
              char **ret_error) {
        _cleanup_ini_free_ IniFile *ini = NULL;
        IniSection *current = NULL;
        const char *nul, *p = text, *end = text + size;
        unsigned line = 0;
        int r;

        r = ini_new(origin, &ini);
        if (r < 0)
                return r;
        if (size > INI_SIZE_MAX) {
                if (ret_error) {
                        *ret_error = strprintf("%s: larger than %u bytes", ini->origin, INI_SIZE_MAX);
                        if (!*ret_error)
                                return -ENOMEM;
                }
                return -EFBIG;
        }

        nul = memchr(text, 0, size);
        if (nul) {
                unsigned l = 1;

                for (const char *q = text; q < nul; q++)
                        if (*q == '\n')
                                l++;
                return fail(ret_error, ini->origin, l, NULL, "NUL byte in input");
        }

        while (p < end) {
                const char *nl = memchr(p, '\n', end - p), *le = nl ?: end;

                line++;
                r = parse_line(ini, &current, p, le, line, sections, ret_error);
                if (r < 0)
                        return r;
                p = nl ? nl + 1 : end;
        }

        *ret = TAKE_PTR(ini);
        return 0;
}

int ini_load(const char *path, const char *const *sections, IniFile **ret, char **ret_error) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        int r;

        r = open_regular(path, &fd); /* a FIFO must not hang us, nor a device be opened */
        if (r < 0)
                return r;
        /* read one byte past the limit, so a file that grows while we read is still caught: ini_parse() refuses
         * it, with the message */
        r = read_full_fd(fd, INI_SIZE_MAX + 1, &buf, &size);
        if (r < 0)
                return r;
        return ini_parse(buf, size, path, sections, ret, ret_error);
}
