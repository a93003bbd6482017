/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* With systemd as the host's init, a container is the unit nixos-nspawn@NAME.service (units/), talked to over the
 * system bus: the same unit the NixOS module's containers use, so `systemctl` and we always agree. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

static uint64_t now_usec(void) {
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (uint64_t) t.tv_sec * 1000000ULL + (uint64_t) t.tv_nsec / 1000ULL;
}

#include "log.h"
#include "systemd.h"
#include "strutil.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"

static void bus_unrefp(sd_bus **b) {
        sd_bus_flush_close_unref(*b);
}
static void message_unrefp(sd_bus_message **m) {
        sd_bus_message_unref(*m);
}
static void slot_unrefp(sd_bus_slot **s) {
        sd_bus_slot_unref(*s);
}

static char *unit_name(const char *name) {
        return strprintf("nixos-nspawn@%s.service", name);
}

static int bus_open(sd_bus **ret) {
        int r = sd_bus_open_system(ret);

        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");
        return 0;
}

static int unit_path(sd_bus *bus, const char *unit, char **ret) {
        _cleanup_(message_unrefp) sd_bus_message *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *path;
        int r;

        r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "LoadUnit", &error, &reply, "s", unit);
        if (r < 0) {
                log_error_errno(r, "Failed to load %s: %s", unit, error.message ?: "?");
                sd_bus_error_free(&error);
                return r;
        }
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return log_error_errno(r, "Failed to parse systemd's reply: %m");
        *ret = strdup(path);
        return *ret ? 0 : log_oom();
}

static int unit_state(const char *name, RunState *ret) {
        _cleanup_(bus_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *unit = unit_name(name), *path = NULL, *state = NULL;
        int r;

        if (!unit)
                return log_oom();
        r = bus_open(&bus);
        if (r >= 0)
                r = unit_path(bus, unit, &path);
        if (r < 0)
                return r;
        r = sd_bus_get_property_string(bus, SD_DEST, path, "org.freedesktop.systemd1.Unit", "ActiveState", NULL,
                                       &state);
        if (r < 0)
                return log_error_errno(r, "Failed to read the state of %s: %m", unit);
        *ret = streq(state, "active") || streq(state, "reloading") ? RUN_RUNNING
               : streq(state, "activating")                         ? RUN_STARTING
               : streq(state, "deactivating")                       ? RUN_STOPPING
               : streq(state, "failed")                             ? RUN_FAILED
                                                                    : RUN_STOPPED;
        return 0;
}

static int unit_launcher(const char *name, pid_t *ret) {
        _cleanup_(bus_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *unit = unit_name(name), *path = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        uint32_t pid = 0;
        int r;

        if (!unit)
                return log_oom();
        r = bus_open(&bus);
        if (r >= 0)
                r = unit_path(bus, unit, &path);
        if (r < 0)
                return r;
        r = sd_bus_get_property_trivial(bus, SD_DEST, path, "org.freedesktop.systemd1.Service", "MainPID", &error,
                                        'u', &pid);
        sd_bus_error_free(&error);
        if (r < 0)
                return log_error_errno(r, "Failed to read the main PID of %s: %m", unit);
        if (pid == 0)
                return -ESRCH;
        *ret = (pid_t) pid;
        return 0;
}

typedef struct JobWait {
        const char *job;
        char *result;
} JobWait;

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        JobWait *w = userdata;
        const char *path, *unit, *result;
        uint32_t id;

        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        if (w->job && streq(path, w->job) && !w->result)
                w->result = strdup(result);
        return 0;
}

/* Calls method (StartUnit, StopUnit, RestartUnit) and waits until its job is done. */
static int unit_job(const char *name, const char *method, unsigned timeout_sec) {
        _cleanup_(bus_unrefp) sd_bus *bus = NULL;
        _cleanup_(message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(slot_unrefp) sd_bus_slot *slot = NULL;
        _cleanup_free_ char *unit = unit_name(name), *job = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        JobWait w = {};
        const char *path;
        uint64_t deadline;
        int r;

        if (!unit)
                return log_oom();
        r = bus_open(&bus);
        if (r < 0)
                return r;
        /* subscribed before the call, so the job's end cannot pass unseen */
        r = sd_bus_match_signal(bus, &slot, SD_DEST, SD_PATH, SD_MANAGER, "JobRemoved", on_job_removed, &w);
        if (r < 0)
                return log_error_errno(r, "Failed to watch systemd's jobs: %m");
        /* without a subscription systemd sends no JobRemoved: the wait would end only at the deadline, saying
         * the job did not finish when it may have */
        r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "Subscribe", &error, NULL, "");
        if (r < 0 && !sd_bus_error_has_name(&error, "org.freedesktop.systemd1.AlreadySubscribed")) {
                log_error_errno(r, "Failed to subscribe to systemd's job signals: %s", error.message ?: "?");
                sd_bus_error_free(&error);
                return r;
        }
        sd_bus_error_free(&error);
        r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, method, &error, &reply, "ss", unit, "replace");
        if (r < 0) {
                log_error_errno(r, "Failed to %s %s: %s", method, unit, error.message ?: "?");
                sd_bus_error_free(&error);
                return r;
        }
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return log_error_errno(r, "Failed to parse systemd's reply: %m");
        job = strdup(path);
        if (!job)
                return log_oom();
        w.job = job;
        deadline = now_usec() + (uint64_t) timeout_sec * 1000000ULL;
        while (!w.result) {
                uint64_t now;

                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return log_error_errno(r, "Failed to talk to systemd: %m");
                if (r > 0)
                        continue;
                now = now_usec();
                if (now >= deadline)
                        return log_error_errno(-ETIMEDOUT, "%s of %s did not finish within %u s.", method, unit,
                                               timeout_sec);
                r = sd_bus_wait(bus, deadline - now);
                if (r < 0)
                        return log_error_errno(r, "Failed to wait for systemd: %m");
        }
        if (!streq(w.result, "done")) {
                r = log_error_errno(-EIO, "%s of %s ended with '%s'; see journalctl -u %s.", method, unit, w.result,
                                    unit);
                free(w.result);
                return r;
        }
        free(w.result);
        return 0;
}

static int unit_start(const char *name, bool restart, unsigned timeout_sec) {
        return unit_job(name, restart ? "RestartUnit" : "StartUnit", timeout_sec);
}

static int unit_stop(const char *name, bool kill_now, unsigned timeout_sec) {
        if (kill_now) {
                _cleanup_(bus_unrefp) sd_bus *bus = NULL;
                _cleanup_free_ char *unit = unit_name(name);
                sd_bus_error error = SD_BUS_ERROR_NULL;
                int r;

                if (!unit)
                        return log_oom();
                r = bus_open(&bus);
                if (r < 0)
                        return r;
                /* as `machinectl terminate`: every process of the unit, at once */
                r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "KillUnit", &error, NULL, "ssi", unit, "all",
                                       SIGKILL);
                if (r < 0) {
                        log_error_errno(r, "Failed to kill %s: %s", unit, error.message ?: "?");
                        sd_bus_error_free(&error);
                        return r;
                }
        }
        return unit_job(name, "StopUnit", timeout_sec);
}

int unit_restart_no_block(const char *name) {
        _cleanup_(bus_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *unit = unit_name(name);
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        if (!unit)
                return log_oom();
        r = bus_open(&bus);
        if (r < 0)
                return r;
        r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "RestartUnit", &error, NULL, "ss", unit, "replace");
        if (r < 0) {
                log_error_errno(r, "Failed to restart %s: %s", unit, error.message ?: "?");
                sd_bus_error_free(&error);
        }
        return r;
}

static int systemd_start(const Conf *c, unsigned timeout_sec) {
        return unit_start(c->name, false, timeout_sec);
}

static int systemd_restart(const Conf *c, unsigned timeout_sec) {
        return unit_start(c->name, true, timeout_sec);
}

static int systemd_describe(const char *name, char **ret) {
        *ret = strprintf("unit nixos-nspawn@%s.service (journalctl -u nixos-nspawn@%s)", name, name);
        return *ret ? 0 : log_oom();
}

const Runner systemd_runner = {
        .start = systemd_start,
        .stop = unit_stop,
        .restart = systemd_restart,
        .state = unit_state,
        .launcher = unit_launcher,
        .describe = systemd_describe,
};
