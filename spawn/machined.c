/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "machined.h"
#include "strutil.h"

#define MACHINED_DEST "org.freedesktop.machine1"
#define MACHINED_PATH "/org/freedesktop/machine1"
#define MACHINED_IFACE "org.freedesktop.machine1.Manager"

/* The device nodes our /dev holds, for the scope's device policy. */
static const char *const allowed_devices[][2] = {
        { "/dev/null", "rwm" },    { "/dev/zero", "rwm" }, { "/dev/full", "rwm" }, { "/dev/random", "rwm" },
        { "/dev/urandom", "rwm" }, { "/dev/tty", "rwm" },  { "char-pts", "rw" },
};

int machined_connect(Machined *m) {
        int r;

        r = sdbus_open_system(&m->bus);
        if (r < 0)
                return r;
        /* fail fast when machined is not there, rather than waiting for bus activation to time out */
        r = sdbus.sd_bus_call_method(m->bus, MACHINED_DEST, MACHINED_PATH, "org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
                               "");
        if (r < 0)
                m->bus = sdbus_close(m->bus);
        return r;
}

static int append_common(sd_bus_message *msg, const Settings *s, pid_t leader, const int *ifindexes, size_t n) {
        int r;

        r = sdbus.sd_bus_message_append(msg, "s", s->machine);
        if (r >= 0)
                r = sdbus.sd_bus_message_append_array(msg, 'y', s->uuid.bytes, sizeof s->uuid.bytes);
        if (r >= 0)
                r = sdbus.sd_bus_message_append(msg, "ssus", "nixos-nspawn", "container", (uint32_t) leader,
                                          s->directory ?: "");
        if (r >= 0)
                r = sdbus.sd_bus_message_append_array(msg, 'i', ifindexes, n * sizeof(int));
        return r;
}

static int call(Machined *m, sd_bus_message *msg, const char *what, const Settings *s) {
        _cleanup_(sdbus_error_freep) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sdbus.sd_bus_call(m->bus, msg, 0, &error, NULL);
        if (r < 0) /* fatal only with --register=yes; with auto we go on unregistered */
                return log_full_errno(s->register_mode == REGISTER_YES ? LOG_ERR : LOG_WARNING, r,
                                      "Failed to %s machine '%s' with systemd-machined%s: %s", what, s->machine,
                                      s->register_mode == REGISTER_YES ? "" : ", going on without",
                                      error.message ?: strerror(-r));
        m->name = strdup(s->machine);
        if (!m->name)
                return log_oom();
        m->registered = true;
        return 0;
}

int machined_register(Machined *m, const Settings *s, pid_t leader, const int *ifindexes, size_t n_ifindexes) {
        _cleanup_(sdbus_message_unrefp) sd_bus_message *msg = NULL;
        int r;

        r = sdbus.sd_bus_message_new_method_call(m->bus, &msg, MACHINED_DEST, MACHINED_PATH, MACHINED_IFACE,
                                           "RegisterMachineWithNetwork");
        if (r >= 0)
                r = append_common(msg, s, leader, ifindexes, n_ifindexes);
        if (r < 0)
                return log_error_errno(r, "Failed to build the registration message: %m");
        return call(m, msg, "register", s);
}

int machined_create(Machined *m, const Settings *s, pid_t leader, const int *ifindexes, size_t n_ifindexes) {
        _cleanup_(sdbus_message_unrefp) sd_bus_message *msg = NULL;
        int r;

        r = sdbus.sd_bus_message_new_method_call(m->bus, &msg, MACHINED_DEST, MACHINED_PATH, MACHINED_IFACE,
                                           "CreateMachineWithNetwork");
        if (r >= 0)
                r = append_common(msg, s, leader, ifindexes, n_ifindexes);
        if (r >= 0)
                r = sdbus.sd_bus_message_open_container(msg, 'a', "(sv)");
        /* The scope is the container's to manage (Delegate=), sees only its own device nodes, and stopping it
         * asks the container's init to power off. */
        if (r >= 0)
                r = sdbus.sd_bus_message_append(msg, "(sv)(sv)(sv)", "Delegate", "b", 1, "DevicePolicy", "s", "closed",
                                          "KillSignal", "i", SIGRTMIN + 3);
        if (r >= 0)
                r = sdbus.sd_bus_message_open_container(msg, 'r', "sv");
        if (r >= 0)
                r = sdbus.sd_bus_message_append(msg, "s", "DeviceAllow");
        if (r >= 0)
                r = sdbus.sd_bus_message_open_container(msg, 'v', "a(ss)");
        if (r >= 0)
                r = sdbus.sd_bus_message_open_container(msg, 'a', "(ss)");
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(allowed_devices); i++)
                r = sdbus.sd_bus_message_append(msg, "(ss)", allowed_devices[i][0], allowed_devices[i][1]);
        for (int k = 0; r >= 0 && k < 4; k++) /* a(ss), v, r, a(sv) */
                r = sdbus.sd_bus_message_close_container(msg);
        if (r < 0)
                return log_error_errno(r, "Failed to build the registration message: %m");
        return call(m, msg, "create", s);
}

void machined_disconnect(Machined *m) {
        m->bus = sdbus_close(m->bus);
}

void machined_unregister(Machined *m) {
        if (m->registered && (m->bus || sdbus_open_system(&m->bus) >= 0)) {
                _cleanup_(sdbus_error_freep) sd_bus_error error = SD_BUS_ERROR_NULL;
                int r = sdbus.sd_bus_call_method(m->bus, MACHINED_DEST, MACHINED_PATH, MACHINED_IFACE, "UnregisterMachine",
                                           &error, NULL, "s", m->name);
                /* after the leader's death machined may have dropped it already */
                if (r < 0 && !sdbus.sd_bus_error_has_name(&error, "org.freedesktop.machine1.NoSuchMachine"))
                        log_debug_errno(r, "Failed to unregister machine '%s', ignoring: %s", m->name,
                                        error.message ?: strerror(-r));
        }
        m->registered = false;
        free(m->name);
        m->name = NULL;
        m->bus = sdbus_close(m->bus);
}
