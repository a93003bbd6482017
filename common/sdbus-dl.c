/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "sdbus-dl.h"

SdBusFunctions sdbus;

static int load(void) {
        static int loaded = 0; /* 1 loaded, <0 failed: tried once per process */
        void *dl;

        if (loaded)
                return loaded;
        /* The soname of the ABI we were compiled against, from the standard library path only (the launcher
         * runs as root; an LD_LIBRARY_PATH is the invoker's own choice, as for any linked library). */
        dl = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        if (!dl) {
                log_debug("Could not load libsystemd.so.0: %s", dlerror());
                return loaded = -EOPNOTSUPP;
        }
#define SDBUS_LOAD(name)                                                                                               \
        sdbus.name = (typeof(name) *) dlsym(dl, #name);                                                                \
        if (!sdbus.name) {                                                                                             \
                log_debug("libsystemd.so.0 lacks %s.", #name);                                                   \
                sdbus = (SdBusFunctions) {};                                                                           \
                return loaded = -EOPNOTSUPP;                                                                           \
        }
        SDBUS_FUNCTIONS(SDBUS_LOAD)
#undef SDBUS_LOAD
        return loaded = 1;
}

int sdbus_open_system(sd_bus **ret) {
        const char *addr = getenv("DBUS_SYSTEM_BUS_ADDRESS");
        int r;

        /* No bus, nothing to load: the default address is this socket (what sd-bus itself would connect to). */
        if (!addr && access("/run/dbus/system_bus_socket", F_OK) < 0)
                return -errno;
        r = load();
        if (r < 0)
                return r;
        return sdbus.sd_bus_open_system(ret);
}

void sdbus_error_freep(sd_bus_error *e) {
        if (sdbus.sd_bus_error_free)
                sdbus.sd_bus_error_free(e);
}

void sdbus_message_unrefp(sd_bus_message **m) {
        if (*m)
                sdbus.sd_bus_message_unref(*m);
}

sd_bus *sdbus_close(sd_bus *bus) {
        return bus ? sdbus.sd_bus_flush_close_unref(bus) : NULL;
}
