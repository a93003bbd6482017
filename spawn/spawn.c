/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The process tree:
 *
 *   monitor (this process, host namespaces)
 *    └─ outer child: new mount namespace, still host user namespace. Builds the root with host privileges,
 *       then enters the container's user namespace and unshares the rest, which copies its mount table into a
 *       namespace owned by that user namespace: every mount it made becomes locked (read-only stays read-only,
 *       the store cannot be unmounted to reveal what is beneath). Then it clones…
 *    └─ PID 1 (CLONE_PARENT: the monitor's child, so the monitor reaps it and PR_SET_PDEATHSIG refers to it).
 *
 * Numbered sync points below (SYNC n) appear on both sides; sync.h lists them. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup.h"
#include "environ.h"
#include "escape.h"
#include "expose.h"
#include "child.h"
#include "console.h"
#include "credentials.h"
#include "fileio.h"
#include "foreign.h"
#include "id128.h"
#include "idmap.h"
#include "lockfile.h"
#include "log.h"
#include "machine.h"
#include "machined.h"
#include "netconf.h"
#include "mount-table.h"
#include "mounts.h"
#include "notify.h"
#include "pids.h"
#include "resource-limits.h"
#include "propagate.h"
#include "spawn.h"
#include "store.h"
#include "strutil.h"
#include "svcmgr.h"
#include "sweep.h"
#include "view.h"
#include "sync.h"
#include "testhook.h"
#include "trim.h"
#include "syscalls.h"
#include "userns.h"

typedef struct Container {
        const Settings *settings;
        Closure closure;
        Credentials credentials;
        UidRange range;
        int userns_fd;
        int foreign_userns_fd; /* for foreign binds; -EBADF when there are none */
        IdmapFallback unmapped; /* what is mounted without idmapping where its file system refuses it */
        Cgroup cgroup;
        PidsLimit pids;
        Machined machined;
        Netconf net;
        Expose expose; /* --port */
        int netns_fd;        /* --network-namespace-path */
        bool netns_exported;
        Console console;
        int notify_fd;
        int machine_lock_fd;
        char *machine_lock_path;
        char *store_propagation;
        View view; /* the closure's store view (view.h), cloned for this container */
        char *os_release;
        char uuid[ID128_UUID_STRING_MAX]; /* dashed, as CONTAINER_INTERFACE.md and systemd-nspawn give it */
        char **env;
        char *const *argv;
        const char *init_argv[2];
        uid_t uid; /* container root as the host sees it */
        pid_t pid1;
        uint64_t caps; /* PID 1's bounding set */
        SeccompPlan seccomp;
} Container;

/* ---- the monitor ---- */

/* What only set-up needed, freed before the monitor settles in for the container's life (credentials wiped). */
static void release_setup(Container *c) {
        free(c->os_release);
        c->os_release = NULL;
        strv_freep(&c->env);
        credentials_done(&c->credentials);
        closure_done(&c->closure);
        seccomp_plan_done(&c->seccomp);
        /* the child has its copy; ours would keep the clone's mounts alive after the container's are gone */
        c->view.tree_fd = safe_close(c->view.tree_fd);
        c->view.root_fd = safe_close(c->view.root_fd);
}

static void container_done(Container *c) {
        int status;

        if (c->pid1 > 0) {
                (void) kill(c->pid1, SIGKILL);
                (void) waitpid(c->pid1, &status, 0);
                c->pid1 = 0;
        }
        console_close(&c->console);
        c->notify_fd = safe_close(c->notify_fd);
        c->userns_fd = safe_close(c->userns_fd);
        c->foreign_userns_fd = safe_close(c->foreign_userns_fd);
        idmap_fallback_done(&c->unmapped);
        machined_unregister(&c->machined);
        expose_done(&c->expose); /* while the netns and its address are still there: nothing points at a reused one */
        netns_unexport(c->settings->machine, c->settings->network_namespace_export, &c->netns_exported);
        netconf_done(&c->net);
        c->netns_fd = safe_close(c->netns_fd);
        (void) cgroup_destroy(&c->cgroup);
        pids_limit_done(&c->pids);
        uid_range_release(&c->range);
        propagate_remove(&c->store_propagation);
        view_release(&c->view); /* after the propagation point, a clone of its tmpfs: removed with the last user */
        c->machine_lock_fd = unlock_file(c->machine_lock_path, c->machine_lock_fd);
        free(c->machine_lock_path);
        release_setup(c); /* a second call after the monitor's is a no-op */
}

static int load_closure(Container *c) {
        const Settings *s = c->settings;
        int r;

        for (char **f = s->closure_files; f && *f; f++) {
                r = closure_add_file(&c->closure, s->store_dir, *f);
                if (r < 0)
                        return r;
        }
        for (char **p = s->store_paths; p && *p; p++) {
                r = closure_add_store_path(&c->closure, s->store_dir, *p);
                if (r < 0)
                        return r;
        }
        return closure_finish(&c->closure, s->store_dir);
}

static int pick_uid_range(Container *c) {
        static const char *const dirs[] = { NIXOS_NSPAWN_UID_LOCK_DIR, NSPAWN_UID_LOCK_DIR };
        const Settings *s = c->settings;
        bool want_foreign = false;
        int r;

        if (s->userns == USERNS_NO)
                return 0;
        if (s->userns == USERNS_FIXED) {
                r = uid_range_take(s->uid_base, s->uid_size, dirs, ELEMENTSOF(dirs), NULL, &c->range);
                if (r == -EBUSY)
                        return log_error_errno(r, "UID range %u:%u is in use by another container.",
                                               (unsigned) s->uid_base, s->uid_size);
        } else {
                r = uid_range_pick(s->machine, dirs, ELEMENTSOF(dirs), range_in_use_by_nss, &c->range);
                if (r == -EBUSY)
                        return log_error_errno(r, "Found no free UID range after %d tries.", UID_PICK_TRIES);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to lock a UID range: %m");

        r = userns_make(c->range.base, c->range.size, &c->userns_fd);
        if (r < 0)
                return log_error_errno(r, "Failed to create the user namespace: %m");
        /* Before the foreign mapping and its ownership warning: a bind refused here needs neither. */
        r = idmap_plan(s, c->closure.n > 0, c->userns_fd, &c->unmapped);
        if (r < 0)
                return r;

        for (size_t i = 0; i < s->n_binds; i++)
                if (bind_idmap(&s->binds[i], true) == IDMAP_FOREIGN) {
                        want_foreign = true;
                        foreign_bind_check(s->binds[i].source);
                }
        if (want_foreign) {
                /* on disk FOREIGN_UID_BASE+n is the container's n, whichever range was picked this time */
                r = userns_make_mapped(FOREIGN_UID_BASE, c->range.base, FOREIGN_UID_SIZE, &c->foreign_userns_fd);
                if (r < 0)
                        return log_error_errno(r, "Failed to create the foreign range's mapping: %m");
        }
        return 0;
}

static void log_child_failure(const Container *c, const Report *m) {
        const Settings *s = c->settings;
        char what[128];
        int r = m->error < 0 ? m->error : -EIO;
        bool indexed = m->arg >= 0;
        size_t i = (size_t) m->arg;

        if (m->kind != SYNC_FAILED)
                log_error("The container's setup process sent an unexpected message (%d).", (int) m->kind);
        else if (m->step == STEP_MOUNT_STORE && indexed && i < c->closure.n)
                log_error_errno(r, "Failed to mount store path '%s/%s': %m", s->store_dir, c->closure.names[i]);
        else if (m->step == STEP_MOUNT_BINDS && indexed && i < s->n_binds)
                log_error_errno(r, "Failed to bind '%s' to '%s': %m", s->binds[i].source, s->binds[i].destination);
        else if (m->step == STEP_MOUNT_API && indexed && mount_api_describe(i, what, sizeof what))
                log_error_errno(r, "Failed to %s: %m", what);
        else if (m->step == STEP_MOUNT_TMPFS && indexed && i < s->n_tmpfs)
                log_error_errno(r, "Failed to mount a tmpfs on '%s': %m", s->tmpfs[i].destination);
        else if (m->step == STEP_JOIN_NETNS)
                log_error_errno(r, "Failed to join network namespace '%s': %m", s->network_namespace_path);
        else if (m->step == STEP_EXEC)
                log_error_errno(r, "Failed to execute '%s' in the container: %m", c->argv[0]);
        else
                log_error_errno(r, "Failed to %s: %m", step_name(m->step));
}

/* Maps how PID 1 ended to our exit status. A container's init "powers off" by being killed with SIGINT and
 * "reboots" with SIGHUP (the kernel's reboot(2) in a PID namespace). */
static int exit_status_of(const Container *c, int status) {
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status)) {
                int sig = WTERMSIG(status);

                if (sig == SIGINT) {
                        log_debug("Container %s powered off.", c->settings->machine);
                        return 0;
                }
                if (sig == SIGHUP) {
                        log_debug("Container %s rebooted.", c->settings->machine);
                        return EXIT_REBOOT;
                }
                log_info("Container %s was killed by signal %s.", c->settings->machine, strsignal(sig));
                return 128 + sig;
        }
        return EXIT_FAILURE;
}

static int monitor_loop(Container *c, int sfd) {
        const Settings *s = c->settings;
        bool ready_sent = !s->notify_ready, stop_requested = false, trimmed = false;
        int status = 0, r;

        if (!s->notify_ready)
                (void) svcmgr_notifyf("READY=1\nSTATUS=Container %s started.\nX_NSPAWN_LEADER_PID=%d",
                                  s->machine, (int) c->pid1);

        for (;;) {
                struct pollfd fds[4 + EXPOSE_POLLFDS] = {
                        { .fd = sfd, .events = POLLIN },
                        { .fd = c->notify_fd, .events = POLLIN },
                        { .fd = c->console.master, .events = POLLIN },
                        { .fd = c->console.mode == CONSOLE_INTERACTIVE && !c->console.stdin_eof ? STDIN_FILENO : -1,
                          .events = POLLIN },
                };

                expose_pollfds(&c->expose, fds + 4);

                /* Trim when first idle for a while (shorter once ready): a container gone by then (a command, a
                 * failed boot) never pays for dropping pages its exit drops anyway. */
                int n = poll(fds, ELEMENTSOF(fds), trimmed ? -1 : ready_sent ? TRIM_READY_IDLE_MS : TRIM_IDLE_MS);
                if (n == 0) {
                        trim_after_setup();
                        trimmed = true;
                        continue;
                }
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(negative_errno(), "poll() failed: %m");
                }

                for (size_t i = 4; i < ELEMENTSOF(fds); i++)
                        if (fds[i].revents) {
                                expose_process(&c->expose);
                                break;
                        }
                if (fds[2].revents)
                        while (console_pump_output(&c->console) > 0)
                                ;
                if (fds[3].revents && console_pump_input(&c->console) > 0) {
                        fputs("\r\n", stderr); /* the terminal is raw: the log line ends in \n only */
                        log_notice("Killing container %s (^] pressed three times).", s->machine);
                        (void) kill(c->pid1, SIGKILL);
                }

                if (fds[1].revents) {
                        char st[256];
                        bool ready;

                        while ((r = notify_receive(c->notify_fd, c->pid1, &ready, st, sizeof st)) > 0)
                                if (ready && !ready_sent) {
                                        (void) svcmgr_notifyf(
                                                          "READY=1\nSTATUS=Container %s running.\nX_NSPAWN_LEADER_PID=%d",
                                                          s->machine, (int) c->pid1);
                                        ready_sent = true;
                                } else if (st[0])
                                        (void) svcmgr_notifyf("STATUS=Container %s: %s", s->machine, st);
                }

                if (fds[0].revents) {
                        struct signalfd_siginfo si;

                        if (read(sfd, &si, sizeof si) != sizeof si)
                                continue;
                        switch (si.ssi_signo) {
                        case SIGCHLD:
                                for (;;) {
                                        pid_t p = waitpid(-1, &status, WNOHANG);
                                        if (p <= 0)
                                                break;
                                        if (p == c->pid1) {
                                                c->pid1 = 0;
                                                while (console_pump_output(&c->console) > 0)
                                                        ;
                                                (void) svcmgr_notify("STOPPING=1");
                                                return exit_status_of(c, status);
                                        }
                                }
                                break;
                        case SIGWINCH:
                                console_resize(&c->console);
                                break;
                        case SIGTERM:
                        case SIGINT:
                                if (!stop_requested) {
                                        stop_requested = true;
                                        log_debug("Stopping container %s with signal %d.", s->machine, s->kill_signal);
                                        (void) svcmgr_notify("STOPPING=1");
                                        (void) kill(c->pid1, s->kill_signal);
                                } else
                                        (void) kill(c->pid1, SIGKILL);
                                break;
                        default:
                                break;
                        }
                }
        }
}

/* The container's ends are configured by its own networkd from units in its /run, written while PID 1 waits
 * (so before any of its code runs), resolved inside the root PID 1 has pivoted into. */
static int write_network_units(Container *c, uid_t uid) {
        _cleanup_close_ int root = -EBADF, network = -EBADF, resolved = -EBADF;
        char path[64];

        if (c->net.n_container_units == 0)
                return 0;
        snprintf(path, sizeof path, "/proc/%d/root", (int) c->pid1);
        root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return log_error_errno(negative_errno(), "Failed to open the container's root: %m");
        network = mkdir_p_in_root(root, "run/systemd/network", 0755, uid, false);
        resolved = mkdir_p_in_root(root, "run/systemd/resolved.conf.d", 0755, uid, false);
        if (network < 0 || resolved < 0)
                return log_error_errno(network < 0 ? network : resolved,
                                       "Failed to create the container's /run/systemd/network: %m");
        return netconf_write_container_units(&c->net, network, resolved, uid);
}

static int connect_machined(Container *c) {
        RegisterMode mode = c->settings->register_mode;
        int r;

        if (mode == REGISTER_NO)
                return 0;
        r = machined_connect(&c->machined);
        if (r < 0 && mode == REGISTER_YES)
                return log_error_errno(r, "Failed to reach systemd-machined (--register=yes): %m");
        if (r < 0)
                log_debug_errno(r, "systemd-machined is not there, not registering: %m");
        return 0;
}

/* Links (the container's ends born in PID 1's network namespace), the container's units, the export. */
static int set_up_network(Container *c) {
        int r;

        r = netconf_links(&c->net, c->pid1);
        if (r >= 0)
                r = write_network_units(c, c->uid);
        if (r >= 0) /* the host's prefixes toward the container are on the bridge when there is one */
                r = expose_start(&c->expose, c->pid1, c->net.bridge.name[0] ? c->net.bridge.name : c->net.host.name);
        if (r >= 0)
                r = netns_export(c->settings->machine, c->settings->network_namespace_export, c->pid1,
                                 &c->netns_exported);
        return r;
}

/* Scope mode: machined makes machine-NAME.scope for PID 1 and registers the machine in one call. Without it
 * (--register=auto) the cgroup falls back to standalone. */
static int create_machine_scope(Container *c) {
        int r;

        if (c->cgroup.mode != CGROUP_SCOPE || !c->machined.bus)
                return 0;
        r = machined_create(&c->machined, c->settings, c->pid1, c->net.ifindexes, c->net.n_ifindexes);
        return r < 0 && c->settings->register_mode == REGISTER_YES ? r : 0;
}

/* Our own unit's or standalone cgroup: the machine is registered once PID 1 is in its cgroup. */
static int register_machine(Container *c) {
        int r;

        if (!c->machined.bus || c->machined.registered)
                return 0;
        r = machined_register(&c->machined, c->settings, c->pid1, c->net.ifindexes, c->net.n_ifindexes);
        return r < 0 && c->settings->register_mode == REGISTER_YES ? r : 0;
}

/* After clone, between SYNC 3 and SYNC 4: what needs PID 1 to exist. */
static int place_container(Container *c) {
        int r;

        r = connect_machined(c);
        if (r >= 0)
                r = set_up_network(c);
        if (r >= 0)
                r = create_machine_scope(c);
        if (r >= 0)
                r = cgroup_place(&c->cgroup, c->settings->machine, c->pid1, c->uid, c->machined.registered);
        if (r >= 0) /* under a unit or scope of systemd's, its TasksMax= is the default (resource-limits.h) */
                r = pids_limit_apply(&c->cgroup, c->settings->machine, c->pid1,
                                     tasks_max_for(c->settings, c->cgroup.mode != CGROUP_STANDALONE),
                                     c->settings->tasks_max_set, &c->pids);
        if (r >= 0)
                r = register_machine(c);
        machined_disconnect(&c->machined);
        return r;
}

/* Everything before clone: inputs read and checked, locks, the user namespace, cgroup, console, notify socket,
 * environment. What fails here has made nothing that container_done() does not undo. */
static int prepare(Container *c) {
        const Settings *s = c->settings;
        int r;

        id128_to_uuid_string(s->uuid, c->uuid);
        if (s->command)
                c->argv = s->command;
        else {
                c->init_argv[0] = s->init;
                c->argv = (char *const *) c->init_argv;
        }

        /* Before anything is made: a filter that does not compile leaves nothing to undo. */
        c->caps = caps_container(s->private_network, s->capability_add, s->capability_drop);
        r = seccomp_plan(&c->seccomp, c->caps, s->syscall_allow, s->syscall_deny);
        if (r < 0)
                return r;

        r = load_closure(c);
        if (r < 0)
                return r;
        r = credentials_load(s, &c->credentials);
        if (r < 0)
                return r;
        if (s->network_namespace_path) {
                r = netns_open(s->network_namespace_path, &c->netns_fd);
                if (r < 0)
                        return r;
        }
        r = machine_lock(s->machine, &c->machine_lock_path, &c->machine_lock_fd);
        if (r < 0)
                return r;
        /* The closure's view, when it must be built, builds meanwhile: its builder mostly waits for the kernel
         * (the copy of a mount table and its detach), in parallel with our work up to view_acquire_finish(). */
        if (c->closure.n > 0) {
                r = view_acquire_start(&c->closure, s->store_dir, &c->view);
                if (r < 0)
                        return r;
        }
        /* What killed launchers of any name left: nobody holds their name lock (ours is held now). */
        sweep_stale(machine_is_running);
        /* And what a killed launcher of this very name left, which the sweep skips (we hold the name's lock):
         * its export (whose bind keeps the old network namespace and veth alive, and whose record would refuse
         * ours), its cgroup (the new container would find the old one's cgroups in its own), sweep.h. */
        sweep_machine(s->machine);
        r = expose_prepare(&c->expose, s->machine, s->ports, s->n_ports);
        if (r < 0)
                return r;
        r = netconf_prepare(&c->net, &(NetconfPlan) {
                .machine = s->machine,
                .veth = s->network_veth,
                .zone = s->network_zone,
                .bridge = s->network_bridge,
                .macvlan = s->network_macvlan,
                .interfaces = s->network_interfaces,
                .host_config = s->veth_host_config,
                .container_config = s->veth_container_config,
                .netns_kept = s->network_namespace_export || s->network_namespace_path,
        });
        if (r < 0)
                return r;

        r = pick_uid_range(c);
        if (r < 0)
                return r;
        c->uid = s->userns == USERNS_NO ? 0 : c->range.base;

        r = cgroup_plan(s->machine, c->uid, svcmgr_booted(), s->register_mode != REGISTER_NO, &c->cgroup);
        if (r < 0)
                return r;
        /* under a unit or scope of systemd's, its TasksMax= is the default (resource-limits.h) */
        r = pids_limit_prepare(&c->cgroup, s->machine, tasks_max_for(s, c->cgroup.mode != CGROUP_STANDALONE),
                               s->tasks_max_set, &c->pids);
        if (r < 0)
                return r;
        if (c->closure.n > 0) {
                r = view_acquire_finish(&c->closure, s->store_dir, &c->view);
                if (r < 0)
                        return r;
                if (c->view.built && !s->quiet)
                        log_info("Built the store view %s of %zu paths.", c->view.key, c->closure.n);
                r = propagate_create(s->machine, c->view.root_fd, &c->store_propagation);
                if (r < 0)
                        return r;
                c->view.root_fd = safe_close(c->view.root_fd); /* attached: the mount lives on without it */
        }
        r = console_open(&c->console, s->console, c->uid);
        if (r < 0)
                return log_error_errno(r, "Failed to allocate the console pty: %m");
        r = notify_socket_new(&c->notify_fd);
        if (r < 0)
                return log_error_errno(r, "Failed to create the notify socket: %m");
        r = os_release_read(&c->os_release);
        if (r < 0)
                return log_error_errno(r, "Failed to read the host's os-release: %m");
        r = environ_build(s, c->uuid, c->os_release, &c->env);
        if (r < 0)
                return r;
        r = mkdir_p(STAGING_DIR, 0700);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", STAGING_DIR);
        return 0;
}

/* The monitor's signals arrive through a signalfd; they stay blocked in the children until PID 1 resets them. */
static int block_signals(int *ret_fd) {
        static const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGWINCH, SIGHUP };
        sigset_t mask;
        int fd;

        sigemptyset(&mask);
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                sigaddset(&mask, sigs[i]);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(negative_errno(), "Failed to block signals: %m");
        fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (fd < 0)
                return log_error_errno(negative_errno(), "Failed to create a signalfd: %m");
        *ret_fd = fd;
        return 0;
}

/* SYNC 1: clones the outer child (which never returns here). */
static int start_children(Container *c, int sync_fds[2], pid_t *ret_outer) {
        const Settings *s = c->settings;
        _cleanup_close_ int cgroup_fd = -EBADF;
        pid_t monitor = getpid(), outer;
        MountPlan plan = {
                .settings = s,
                .closure = &c->closure,
                .userns = s->userns != USERNS_NO,
                .uid = c->uid,
                .userns_fd = c->userns_fd,
                .foreign_userns_fd = c->foreign_userns_fd,
                .unmapped = &c->unmapped,
                .notify_fd = c->notify_fd,
                .console = s->console == CONSOLE_PIPE ? NULL : c->console.slave_path,
                .os_release = c->os_release,
                .uuid = c->uuid,
                .store_propagation = c->store_propagation,
                .store_view_fd = c->view.tree_fd,
                .credentials = &c->credentials,
                .tmp_by = mount_tmp_phase(s),
        };
        ChildPlan child = {
                .settings = s,
                .mounts = &plan,
                .userns_fd = c->userns_fd,
                .netns_fd = c->netns_fd,
                .caps = c->caps,
                .seccomp = &c->seccomp,
                .argv = c->argv,
                .env = c->env,
                .monitor_locks = { c->machine_lock_fd, c->range.lock_fds[0], c->range.lock_fds[1] },
                .pids_join_fd = c->pids.v1_join_fd,
        };

        if (!s->quiet)
                log_info("Spawning container %s (UID range %u:%u, %zu store paths).", s->machine,
                         (unsigned) c->uid, s->userns == USERNS_NO ? 0 : c->range.size, c->closure.n);

        /* Born in the container's cgroup when we have it already, so PID 1 is too. */
        if (c->cgroup.container)
                cgroup_fd = open(c->cgroup.container, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        outer = cgroup_fd >= 0 ? clone_into_cgroup(CLONE_NEWNS, cgroup_fd) : -1;
        if (outer >= 0)
                c->cgroup.holds_pid1 = true;
        else
                outer = raw_clone(CLONE_NEWNS | SIGCHLD);
        if (outer < 0)
                return log_error_errno(negative_errno(), "Failed to clone: %m");
        if (outer == 0) {
                sync_fds[0] = safe_close(sync_fds[0]);
                outer_child(&child, monitor, sync_fds[1]);
        }
        sync_fds[1] = safe_close(sync_fds[1]);
        c->pids.v1_join_fd = safe_close(c->pids.v1_join_fd); /* the outer child's to use */
        *ret_outer = outer;
        sync_point(SYNC_POINT_OUTER_CHILD);
        return 0;
}

/* SYNC 2 and SYNC 3: PID 1's pid (from the outer child) and PID 1's word that its own set-up is done, in either
 * order; or a failure of either, and then the outer child is reaped here. */
static int wait_for_pid1(Container *c, int sync_fd, pid_t outer) {
        Report m;
        int r = 0, status;

        for (bool ready = false; c->pid1 == 0 || !ready;) {
                r = report_recv(sync_fd, &m);
                if (r > 0 && m.kind == SYNC_PID1_STARTED && c->pid1 == 0 && m.arg > 0) {
                        c->pid1 = (pid_t) m.arg;
                        sync_point(SYNC_POINT_PID1_STARTED);
                } else if (r > 0 && m.kind == SYNC_PID1_READY && !ready) {
                        ready = true;
                        sync_point(SYNC_POINT_PID1_READY);
                } else {
                        if (r > 0)
                                log_child_failure(c, &m);
                        else
                                log_error("The container's setup process died unexpectedly.");
                        r = -ECHILD;
                        break;
                }
        }
        if (r < 0)
                (void) waitpid(outer, &status, 0);
        return r < 0 ? r : 0;
}

/* The outer child, done: its exit frees the staging mount namespace, which waits for an RCU grace period (1.7 ms
 * of every start here, the largest wait left in one), so it is reaped only after our part between SYNC 3 and
 * SYNC 4, which its teardown overlaps. Before SYNC 4 all the same: until reaped it counts against the container's
 * tasks limit, and PID 1 forks nothing before SYNC 4. */
static void reap_outer(pid_t outer) {
        int status;

        while (waitpid(outer, &status, 0) < 0 && errno == EINTR)
                ;
}

/* SYNC 4: lets PID 1 go on; SYNC 5: EOF means it exec'd. */
static int release_pid1(Container *c, int sync_fd) {
        Report m;
        int r;

        r = report_send(sync_fd, SYNC_GO, 0);
        if (r >= 0) {
                sync_point(SYNC_POINT_GO);
                r = report_recv(sync_fd, &m);
        }
        if (r == 0) {
                sync_point(SYNC_POINT_EXEC);
                return 0;
        }
        if (r > 0)
                log_child_failure(c, &m);
        else
                log_error_errno(r, "Failed to talk to the container's PID 1: %m");
        return -ECHILD;
}

int spawn_run(const Settings *s) {
        Container c = {
                .settings = s,
                .range = UID_RANGE_NULL,
                .userns_fd = -EBADF,
                .foreign_userns_fd = -EBADF,
                .console = CONSOLE_NULL,
                .notify_fd = -EBADF,
                .machine_lock_fd = -EBADF,
                .net = NETCONF_NULL,
                .netns_fd = -EBADF,
                .view = VIEW_NULL,
                .expose = EXPOSE_NULL,
                .pids = PIDS_LIMIT_NULL,
        };
        _cleanup_close_ int sfd = -EBADF;
        int sync_fds[2] = { -EBADF, -EBADF };
        pid_t outer = 0;
        int r;

        r = prepare(&c);
        if (r >= 0)
                test_stop_at(0); /* before any sync point: locks, cgroup, propagation point made, nothing cloned */
        if (r >= 0)
                r = block_signals(&sfd);
        if (r >= 0) {
                r = report_pair(sync_fds);
                if (r < 0)
                        log_error_errno(r, "Failed to create the sync socket: %m");
        }
        if (r >= 0)
                r = start_children(&c, sync_fds, &outer);
        if (r >= 0)
                r = wait_for_pid1(&c, sync_fds[0], outer);
        if (r >= 0) { /* between SYNC 3 and SYNC 4: PID 1 waits for us */
                r = place_container(&c);
                reap_outer(outer);
        }
        if (r >= 0)
                r = release_pid1(&c, sync_fds[0]);
        sync_fds[0] = safe_close(sync_fds[0]);
        sync_fds[1] = safe_close(sync_fds[1]);
        if (r >= 0) {
                int k = console_start(&c.console);

                c.net.ran = true;
                if (k < 0)
                        log_warning_errno(k, "Failed to set up the terminal, ignoring: %m");
                release_setup(&c);
                r = monitor_loop(&c, sfd);
        }
        container_done(&c);
        return r;
}
