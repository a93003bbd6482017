/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h> /* types and prototypes only: the functions come through sdbus below */

/* sd-bus, loaded with dlopen() when there is a bus to talk to (machined, networkd), as systemd loads its own
 * optional libraries. Linking libsystemd made every start bind it and libgcrypt, liblzma, libzstd, liblz4, libcap
 * (-z now), about as long as the rest of a short start, and kept them mapped in the monitor for the container's
 * life, for a bus that most runs never see. RTLD_NOW: everything is bound when the library is loaded, as -z now
 * does for the launcher itself, so no lazy binding happens later. */
#define SDBUS_FUNCTIONS(X)                                                                                             \
        X(sd_bus_open_system)                                                                                          \
        X(sd_bus_flush_close_unref)                                                                                    \
        X(sd_bus_call)                                                                                                 \
        X(sd_bus_call_method)                                                                                          \
        X(sd_bus_get_property_string)                                                                                  \
        X(sd_bus_error_free)                                                                                           \
        X(sd_bus_error_has_name)                                                                                       \
        X(sd_bus_message_new_method_call)                                                                              \
        X(sd_bus_message_unref)                                                                                        \
        X(sd_bus_message_append)                                                                                       \
        X(sd_bus_message_append_array)                                                                                 \
        X(sd_bus_message_open_container)                                                                               \
        X(sd_bus_message_close_container)

typedef struct SdBusFunctions {
#define SDBUS_FIELD(name) typeof(name) *name;
        SDBUS_FUNCTIONS(SDBUS_FIELD)
#undef SDBUS_FIELD
} SdBusFunctions;

/* Filled by sdbus_open_system(); valid once that returned >= 0 (and stays so: the library is never unloaded). */
extern SdBusFunctions sdbus;

/* Connects to the system bus like sd_bus_open_system(). Without a bus socket it returns -ENOENT before loading
 * anything (the common case on a host without D-Bus, and cheap); -EOPNOTSUPP when libsystemd cannot be loaded. */
int sdbus_open_system(sd_bus **ret);

/* Cleanup helpers for _cleanup_() that work whether or not the library was ever loaded. */
void sdbus_error_freep(sd_bus_error *e);
void sdbus_message_unrefp(sd_bus_message **m);
/* sd_bus_flush_close_unref(), and NULL; a no-op on NULL. */
sd_bus *sdbus_close(sd_bus *bus);
