/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Claims about netconf/ini.c: what the strict parser of override fragments accepts, what it refuses, and that
 * every refusal names the origin, the line and the offending text. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ini.h"
#include "macro.h"
#include "strutil.h"
#include "tap.h"

static const char *const sections[] = { "Match", "Network", "Address", "Route", "DHCPServer", NULL };

static IniFile *parse_ok_n(const char *text, size_t size, const char *what) {
        _cleanup_free_ char *error = NULL;
        IniFile *ini = NULL;
        int r = ini_parse(text, size, "test", sections, &ini, &error);

        if (!is_int(r, 0, "accepted: %s", what))
                diag("error: %s", error ?: "(none)");
        return ini;
}

static IniFile *parse_ok(const char *text, const char *what) {
        return parse_ok_n(text, strlen(text), what);
}

/* Refused with -EINVAL (or want_r) and a message that starts with want_prefix and contains want_part. */
static void parse_fails_n(const char *text, size_t size, int want_r, const char *want_prefix, const char *want_part,
                          const char *what) {
        _cleanup_free_ char *error = NULL;
        IniFile *ini = NULL;
        int r = ini_parse(text, size, "test", sections, &ini, &error);

        is_int(r, want_r, "refused: %s", what);
        ok(!ini, "refused: %s: no result", what);
        ini_free(ini);
        if (!ok(error && startswith(error, want_prefix), "refused: %s: message starts with '%s'", what,
                want_prefix))
                diag("message: %s", error ?: "(none)");
        if (want_part && !ok(error && strstr(error, want_part), "refused: %s: message says '%s'", what, want_part))
                diag("message: %s", error ?: "(none)");
}

static void parse_fails(const char *text, const char *want_prefix, const char *want_part, const char *what) {
        parse_fails_n(text, strlen(text), -EINVAL, want_prefix, want_part, what);
}

static void test_accepts(void) {
        IniFile *ini;

        ini = parse_ok("[Network]\nDHCP=yes\n", "one section, one key");
        if (ini) {
                is_int(ini->n_sections, 1, "one section");
                is_str(ini->sections[0].name, "Network", "section name");
                is_int(ini->sections[0].line, 1, "section line");
                is_int(ini->sections[0].n_entries, 1, "one entry");
                is_str(ini->sections[0].entries[0].key, "DHCP", "key");
                is_str(ini->sections[0].entries[0].value, "yes", "value");
                is_int(ini->sections[0].entries[0].line, 2, "entry line");
                is_str(ini->origin, "test", "origin kept");
        }
        ini_free(ini);

        ini = parse_ok("  # comment\n; another\n\n \t[Network]\t \n  Address  =  10.0.0.1/24  \n\t\n"
                       "Description= two  words \n",
                       "comments, blank lines, whitespace around keys, values and headers");
        if (ini) {
                is_int(ini->n_sections, 1, "comments and blanks make no sections");
                is_int(ini->sections[0].line, 4, "header line counts comments and blanks");
                is_str(ini->sections[0].entries[0].key, "Address", "key trimmed");
                is_str(ini->sections[0].entries[0].value, "10.0.0.1/24", "value trimmed");
                is_int(ini->sections[0].entries[0].line, 5, "entry line");
                is_str(ini->sections[0].entries[1].value, "two  words", "inner spaces kept");
        }
        ini_free(ini);

        ini = parse_ok("[Network]\nAddress=10.0.0.1/24\nDNS=1.1.1.1\nAddress=fc00::1/64\n", "repeated keys");
        if (ini && ini->n_sections == 1 && ini->sections[0].n_entries == 3) {
                is_str(ini->sections[0].entries[0].value, "10.0.0.1/24", "repeated key: first kept");
                is_str(ini->sections[0].entries[1].key, "DNS", "repeated key: order kept");
                is_str(ini->sections[0].entries[2].value, "fc00::1/64", "repeated key: second kept");
        } else
                ok(false, "repeated keys: three entries in one section");
        ini_free(ini);

        ini = parse_ok("[Route]\nGateway=10.0.0.1\n[Network]\nDHCP=no\n[Route]\nGateway=10.0.0.2\n",
                       "repeated section headers");
        if (ini && ini->n_sections == 3) {
                is_str(ini->sections[0].name, "Route", "sections in input order (1)");
                is_str(ini->sections[1].name, "Network", "sections in input order (2)");
                is_str(ini->sections[2].name, "Route", "a repeated header is a section of its own");
                is_str(ini->sections[2].entries[0].value, "10.0.0.2", "with its own entries");
                ok(ini_find_section(ini, "Route") == &ini->sections[0], "ini_find_section finds the first");
                ok(!ini_find_section(ini, "Match"), "ini_find_section: absent");
        } else
                ok(false, "repeated section headers: three sections");
        ini_free(ini);

        ini = parse_ok("[Network]\nAddress=\nDNS=1.1.1.1#one.one.one.one\nKey==x=y\n[Match]",
                       "empty value, '#' inside a value, '=' inside a value, no final newline, empty section");
        if (ini && ini->n_sections == 2 && ini->sections[0].n_entries == 3) {
                is_str(ini->sections[0].entries[0].value, "", "empty value kept (networkd: reset)");
                is_str(ini->sections[0].entries[1].value, "1.1.1.1#one.one.one.one", "'#' in a value is no comment");
                is_str(ini->sections[0].entries[2].value, "=x=y", "split at the first '='");
                is_int(ini->sections[1].n_entries, 0, "empty section kept");
        } else
                ok(false, "empty value etc.: shape");
        ini_free(ini);

        ini = parse_ok("[Network]\nDescription=Grüße, 🚀\n", "UTF-8 in a value");
        if (ini)
                is_str(ini->sections[0].entries[0].value, "Grüße, 🚀", "UTF-8 kept");
        ini_free(ini);

        ini = parse_ok("", "empty input");
        if (ini)
                is_int(ini->n_sections, 0, "empty input: no sections");
        ini_free(ini);

        ini = parse_ok("# only a comment\\\n", "a comment may end in a backslash (comments are dropped)");
        ini_free(ini);

        {
                _cleanup_free_ char *error = NULL;
                IniFile *any = NULL;
                const char *text = "[SR-IOV]\nVirtualFunction=0\n[Whatever9]\nA=b\n";

                is_int(ini_parse(text, strlen(text), "any", NULL, &any, &error), 0,
                       "sections NULL: any well-formed name");
                ini_free(any);
        }
}

static void test_rejects(void) {
        _cleanup_free_ char *big = NULL;

        parse_fails("DHCP=yes\n", "test:1: ", "before any [Section]", "a key before any section");
        parse_fails("# c\n\nDHCP=yes\n", "test:3: ", "'DHCP=yes'", "a key before any section: line and text");
        parse_fails("[Network]\nA=b\n[Foo]\nX=y\n", "test:3: ", "unknown section [Foo]", "unknown section");
        parse_fails("[Foo]\n", "test:1: ", "allowed: Match, Network, Address, Route, DHCPServer",
                    "unknown section: says what is allowed");
        parse_fails("[network]\n", "test:1: ", "unknown section [network]", "section names are case-sensitive");
        parse_fails("[IPv6SendRA]\n", "test:1: ", "unknown section", "section not in the caller's list");
        parse_fails("[Network\n", "test:1: ", "malformed section header: '[Network'", "header without ']'");
        parse_fails("[]\n", "test:1: ", "malformed section header", "empty header");
        parse_fails("[ Network ]\n", "test:1: ", "malformed section header", "spaces inside the brackets");
        parse_fails("[Net work]\n", "test:1: ", "malformed section header", "space in a section name");
        parse_fails("[Network] x\n", "test:1: ", "malformed section header", "text after the header");
        parse_fails("[[Network]]\n", "test:1: ", "malformed section header", "double brackets");
        parse_fails("[Network]\nDHCP yes\n", "test:2: ", "neither", "a line without '='");
        parse_fails("[Network]\n=yes\n", "test:2: ", "empty key", "empty key");
        parse_fails("[Network]\n  = yes\n", "test:2: ", "empty key", "blank key");
        parse_fails("[Network]\nDHCP-Server=yes\n", "test:2: ", "invalid key 'DHCP-Server'", "'-' in a key");
        parse_fails("[Network]\nIPv6_Token=x\n", "test:2: ", "invalid key", "'_' in a key");
        parse_fails("[Network]\nKéy=x\n", "test:2: ", "invalid key", "non-ASCII key");
        parse_fails("[Network]\nDHCP Server=yes\n", "test:2: ", "invalid key", "space in a key");
        parse_fails("[Network]\nA=b\x01" "c\n", "test:2: ", "control character in value: 'A=b\\x01c'",
                    "control character in a value, shown escaped");
        parse_fails("[Network]\nA=b\tc\n", "test:2: ", "control character", "tab inside a value");
        parse_fails("[Network]\nA=b\x7f\n", "test:2: ", "control character", "DEL in a value");
        parse_fails("[Network]\nAddress=10.0.0.1/24 \\\n  10.0.0.2/24\n", "test:2: ", "line continuation",
                    "trailing backslash");
        parse_fails("[Network]\nA=b\\\n", "test:2: ", "line continuation", "trailing backslash at the end of input");
        parse_fails("[Network]\r\nA=b\r\n", "test:1: ", "carriage return", "DOS line endings");
        parse_fails("[Network]\nA=\xff\n", "test:2: ", "invalid UTF-8", "invalid UTF-8");
        parse_fails("[Network]\nA=\xc0\xaf\n", "test:2: ", "invalid UTF-8", "overlong UTF-8");
        parse_fails("[Network]\nA=\xed\xa0\x80\n", "test:2: ", "invalid UTF-8", "UTF-16 surrogate in UTF-8");
        parse_fails("[Network]\nA=\xf4\x90\x80\x80\n", "test:2: ", "invalid UTF-8", "past U+10FFFF");
        parse_fails("[Network]\nA=\xe2\x82\n", "test:2: ", "invalid UTF-8", "truncated UTF-8");
        parse_fails_n("[Network]\nA=b\0c\n", STRLEN("[Network]\nA=b\0c\n"), -EINVAL, "test:2: ", "NUL byte",
                      "NUL byte, with its line");
        parse_fails_n("\0", 1, -EINVAL, "test:1: ", "NUL byte", "NUL byte alone");

        big = malloc(INI_SIZE_MAX + 1);
        if (big) {
                memset(big, 'x', INI_SIZE_MAX + 1);
                parse_fails_n(big, INI_SIZE_MAX + 1, -EFBIG, "test: ", "larger than", "input past INI_SIZE_MAX");
        }

        {
                IniFile *ini = NULL;

                is_int(ini_parse("Key=x\n", 6, "t", sections, &ini, NULL), -EINVAL, "ret_error may be NULL");
                ok(!ini, "ret_error NULL: no result");
        }
        {
                _cleanup_free_ char *error = NULL, *text = NULL;
                IniFile *ini = NULL;

                text = strprintf("[Network]\nDescription=%0200d\x01\n", 0);
                (void) ini_parse(text, strlen(text), "t", sections, &ini, &error);
                ok(error && strlen(error) < 200 && strstr(error, "..."), "long offending text is cut short");
                ini_free(ini);
        }
}

static void test_validators(void) {
        ok(ini_key_valid("IPv6SendRA"), "key: letters and digits");
        ok(!ini_key_valid(""), "key: empty");
        ok(!ini_key_valid(NULL), "key: NULL");
        ok(!ini_key_valid("A-B"), "key: dash");
        ok(ini_section_name_valid("SR-IOV"), "section: dash allowed (networkd's [SR-IOV])");
        ok(!ini_section_name_valid("A B"), "section: space");
        ok(!ini_section_name_valid("A]"), "section: bracket");
        ok(ini_value_valid(""), "value: empty");
        ok(ini_value_valid("fc42::1/64 192.168.42.1/24"), "value: spaces");
        ok(!ini_value_valid("a\nb"), "value: newline");
        ok(!ini_value_valid("a\\"), "value: trailing backslash");
        ok(!ini_value_valid("\xff"), "value: invalid UTF-8");
        ok(!ini_value_valid(NULL), "value: NULL");
}

static void test_editing(void) {
        _cleanup_ini_free_ IniFile *ini = NULL;
        IniSection *s;

        if (!is_int(ini_new(NULL, &ini), 0, "ini_new"))
                return;
        is_str(ini->origin, "(text)", "default origin");
        is_int(ini_add_section(ini, "Network", &s), 0, "add section");
        is_int(ini_add_entry(s, "A", "1", 0), 0, "add entry");
        is_int(ini_add_entry(s, "B", "2", 0), 0, "add entry");
        is_int(ini_add_entry(s, "A", "3", 0), 0, "add entry");
        is_int(ini_section_remove_key(s, "A"), 2, "remove key: count");
        is_int(s->n_entries, 1, "remove key: the rest stays");
        is_str(s->entries[0].key, "B", "remove key: the rest stays in order");
        is_int(ini_add_section(ini, "Empty", NULL), 0, "add section");
        ini_drop_empty_sections(ini);
        is_int(ini->n_sections, 1, "drop empty sections");
}

static void test_load(void) {
        char dir[] = "/tmp/test-ini.XXXXXX", path[64];
        _cleanup_free_ char *error = NULL;
        IniFile *ini = NULL;
        int fd;

        if (!mkdtemp(dir)) {
                skip("mkdtemp failed: %m");
                return;
        }
        snprintf(path, sizeof path, "%s/o.conf", dir);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        ok(fd >= 0 && write(fd, "[Network]\nDHCP=no\nBad Line\n", 27) == 27, "write a fragment");
        safe_close(fd);

        is_int(ini_load(path, sections, &ini, &error), -EINVAL, "ini_load: refuses a bad file");
        ok(error && startswith(error, path) && strstr(error, ":3: "), "ini_load: message names the path and line");
        ini_free(ini);
        ini = NULL;

        is_int(ini_load(dir, sections, &ini, NULL), -EISDIR, "ini_load: directory");
        snprintf(path, sizeof path, "%s/missing", dir);
        is_int(ini_load(path, sections, &ini, NULL), -ENOENT, "ini_load: missing file");

        snprintf(path, sizeof path, "%s/o.conf", dir);
        (void) unlink(path);
        (void) rmdir(dir);
}

int main(void) {
        test_accepts();
        test_rejects();
        test_validators();
        test_editing();
        test_load();
        return tap_done();
}
