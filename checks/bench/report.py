#!/usr/bin/python3
"""Summarises the raw results of checks/bench/run.sh into docs/benchmarks.md and docs/benchmarks.json.

    report.py RESULTS-DIR OUT.md OUT.json

Only reads what run.sh wrote; every number in the report comes from those files. A measurement that is missing
shows as "n/a (reason)" with the reason run.sh recorded, or "n/a (not measured)".
"""
import glob
import json
import os
import re
import statistics
import sys
import report_scale

R, OUT_MD, OUT_JSON = sys.argv[1:4]


# ---- small helpers ------------------------------------------------------------------------------------------

def read_tsv(name):
    path = os.path.join(R, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


META = {row[0]: row[1] for row in read_tsv("meta.tsv") if len(row) >= 2}
NA = {}
for row in read_tsv("na.tsv"):
    NA.setdefault(row[0], row[1] if len(row) > 1 else "")


def na(key, default="not measured"):
    return "n/a (%s)" % NA.get(key, default)


def median(xs):
    return statistics.median(xs) if xs else None


def quartiles(xs):
    if len(xs) < 2:
        return (xs[0], xs[0]) if xs else (None, None)
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[2]


def summary(xs):
    """median, q1, q3, min, max, stdev, n of a list of numbers"""
    if not xs:
        return None
    q1, q3 = quartiles(xs)
    return {
        "median": median(xs), "q1": q1, "q3": q3, "min": min(xs), "max": max(xs),
        "stdev": statistics.stdev(xs) if len(xs) > 1 else 0.0, "n": len(xs),
    }


def fmt(x, digits=1, unit=""):
    if x is None:
        return "n/a"
    return ("%." + str(digits) + "f%s") % (x, unit)


def ms(s, digits=1):
    return fmt(s * 1e3 if s is not None else None, digits, " ms")


def spread_ms(st, digits=1):
    if not st:
        return "n/a"
    return "%s–%s (IQR %s–%s)" % (fmt(st["min"] * 1e3, digits), fmt(st["max"] * 1e3, digits),
                                   fmt(st["q1"] * 1e3, digits), fmt(st["q3"] * 1e3, digits))


def ratio(a, b, digits=2):
    if a is None or b is None or b == 0:
        return None
    return a / b


def verdict(ok):
    if ok is None:
        return "n/a"
    return "**met**" if ok else "**missed**"


# ---- 1 + 2: hyperfine -------------------------------------------------------------------------------------

def load_hyperfine(name):
    path = os.path.join(R, name)
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        data = json.load(f)
    out = {}
    for res in data.get("results", []):
        times = res.get("times") or []
        st = summary(times)
        if st:
            st["user_mean"] = res.get("user")
            st["system_mean"] = res.get("system")
        out[res["command"]] = st
    return out


START = load_hyperfine("start.json")
SPACED = load_hyperfine("start-spaced.json")
VETH_OURS = load_hyperfine("veth-ours.json")
VETH_OURS_SPACED = load_hyperfine("veth-ours-spaced.json")
CGMOVE = {}
path = os.path.join(R, "cgmove.txt")
if os.path.exists(path):
    for m in re.finditer(r"(\w+)_us=([\d.]+)/([\d.]+)", open(path).read()):
        CGMOVE[m.group(1)] = {"median_us": float(m.group(2)), "min_us": float(m.group(3))}
STORE_OURS = load_hyperfine("store-ours.json")
# 8: nixos-nspawnctl (ctl.sh's TSV: key, median, min, max in ms; runs and add_paths)
CTL = {}
for row in read_tsv("ctl.tsv"):
    try:
        CTL[row[0]] = [float(x) for x in row[1:]]
    except ValueError:
        pass
STORE_BWRAP = load_hyperfine("store-bwrap.json")
STORE_FIRST = load_hyperfine("store-first.json")  # no container of the closure running: each start builds its view
# 7: the system call filter (seccompcost's TSV: key, median, min, max)
SC = {}
path = os.path.join(R, "seccomp.tsv")
if os.path.exists(path):
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if len(f) >= 2:
            SC[f[0]] = [float(x) for x in f[1:]]
SC_OURS = load_hyperfine("seccomp-ours.json")
SC_NSPAWN = load_hyperfine("seccomp-nspawn.json")
NS = [1, 100, 1000, 3000, 10000]


def med(table, key):
    st = table.get(key)
    return st["median"] if st else None


def mn(table, key):
    st = table.get(key)
    return st["min"] if st else None


def per_path_us(t_n, t_1, n):
    if t_n is None or t_1 is None or n <= 1:
        return None
    return (t_n - t_1) / (n - 1) * 1e6


def slope_us(points):
    """least-squares slope in µs per path of (n, seconds) points"""
    pts = [(n, t) for n, t in points if t is not None]
    if len(pts) < 2:
        return None
    mx = sum(n for n, _ in pts) / len(pts)
    my = sum(t for _, t in pts) / len(pts)
    den = sum((n - mx) ** 2 for n, _ in pts)
    return sum((n - mx) * (t - my) for n, t in pts) / den * 1e6 if den else None


# The plain bind + remount loop
BIND = {}
path = os.path.join(R, "bindloop.txt")
if os.path.exists(path):
    for line in open(path):
        m = re.match(r"paths=(\d+) setup_us=(\d+) teardown_us=(\d+)", line)
        if m:
            n, s, t = map(int, m.groups())
            BIND.setdefault(n, {"setup": [], "teardown": []})
            BIND[n]["setup"].append(s)
            BIND[n]["teardown"].append(t)


# ---- our phases from strace timestamps ---------------------------------------------------------------------

LINE = re.compile(r"^(\d+)\s+(\d+\.\d+)\s+(.*)$")


def parse_phases(path):
    events = []
    for raw in open(path):
        m = LINE.match(raw.rstrip("\n"))
        if m:
            events.append((int(m.group(1)), float(m.group(2)), m.group(3)))
    if not events:
        return None
    p0, t_start = events[0][0], events[0][1]
    t = {}
    unfinished = {}
    container = None
    for pid, ts, rest in events:
        dur = re.search(r"<(\d+\.\d+)>$", rest)
        dur = float(dur.group(1)) if dur else None
        m = re.match(r"<\.\.\. (\w+) resumed>", rest)
        if m:
            name = m.group(1)
            start = unfinished.pop((pid, name), ts)
            if name == "unshare" and dur is not None:
                t["unshare_end"] = start + dur
            continue
        m = re.match(r"(\w+)\(", rest)
        name = m.group(1) if m else None
        if rest.endswith("<unfinished ...>") and name:
            unfinished[(pid, name)] = ts
        if name in ("clone", "clone3") and pid == p0 and "CLONE_NEWNS" in rest and "clone_ns" not in t:
            t["clone_ns"] = ts
        elif name == "mount_setattr" and "idmap" not in t:
            t["idmap"] = ts
        elif name == "pivot_root" and "pivot" not in t:
            t["pivot"] = ts
        elif name == "unshare" and "unshare" not in t:
            t["unshare"] = ts
            if dur is not None:
                t["unshare_end"] = ts + dur
        elif name == "execve" and pid != p0 and container is None and "unshare_end" in t:
            container = pid
            t["exec"] = ts
        elif name == "exit_group" and pid == container and "exit" not in t:
            t["exit"] = ts
        elif rest.startswith("+++ exited") and pid == p0:
            t["end"] = ts
    need = ["clone_ns", "pivot", "unshare", "unshare_end", "exec", "exit", "end"]
    if any(k not in t for k in need):
        return None
    return {
        "prepare": t["clone_ns"] - t_start,          # CLI, closure, locks, user namespace, cgroup, console
        "build_root": t["pivot"] - t["clone_ns"],   # outer child: staging, root, store, /dev, /run
        "unshare": t["unshare_end"] - t["unshare"],  # container namespaces: copies the mount table
        "to_exec": t["exec"] - t["unshare_end"],     # PID 1: /proc, /sys, caps, exec
        "run": t["exit"] - t["exec"],
        "teardown": t["end"] - t["exit"],            # namespaces die, monitor cleans up and exits
        "total": t["end"] - t_start,
    }


PHASES = {}
for f in sorted(glob.glob(os.path.join(R, "phases-*-*.strace"))):
    n = int(re.search(r"phases-(\d+)-", f).group(1))
    ph = parse_phases(f)
    if ph:
        PHASES.setdefault(n, []).append(ph)
PHASE_MED = {n: {k: median([p[k] for p in lst]) for k in lst[0]} for n, lst in PHASES.items()}
PHASE_KEYS = ["prepare", "build_root", "unshare", "to_exec", "teardown", "total"]


# ---- 3 + 4: boot, stop, memory ----------------------------------------------------------------------------

BOOT = {}
for row in read_tsv("boot.tsv"):
    v, kv = row[0], dict(x.split("=", 1) for x in row[2].split())
    BOOT.setdefault(v, []).append({k: float(kv.get(k, "nan")) for k in ("ready_s", "stop_s", "rss_kb", "pss_kb",
                                                                          "leader_s")})


def boot_stat(v, key):
    xs = [r[key] for r in BOOT.get(v, []) if r[key] == r[key] and r[key] >= 0]
    return summary(xs)


BOOT_LABEL = {
    "ours": "ours: `-D image -U`",
    "ours-store": "ours: store-only boot fixture (`--closure --init -U`)",
    "nspawn-U": "systemd-nspawn `-U --volatile=overlay -b`",
    "nspawn": "systemd-nspawn `--volatile=overlay -b` (no user namespace)",
}

MEM_BWRAP = None
rows = read_tsv("mem-bwrap.tsv")
if rows and len(rows[0]) >= 3:
    r0 = rows[0]
    MEM_BWRAP = {"rss_kb": float(r0[1]), "pss_kb": float(r0[2])}
    if len(r0) >= 5 and r0[3]:
        MEM_BWRAP.update({"inner_rss_kb": float(r0[3]), "inner_pss_kb": float(r0[4])})


def smaps_breakdown(v):
    path = os.path.join(R, "smaps-" + v)
    if not os.path.exists(path):
        return None
    by = {}
    name = ""
    for line in open(path):
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            parts = line.split()
            name = parts[5] if len(parts) > 5 else "[anon]"
        elif line.startswith("Rss:"):
            by[name] = by.get(name, 0) + int(line.split()[1])
    return by


GROUPS = [
    ("libc", r"/libc\.so"),
    ("dynamic loader", r"/ld-linux"),
    ("the launcher binary", r"/nixos-nspawn$"),
    ("libsystemd and what only it pulls in (libgcrypt, libgpg-error, liblzma, liblz4, libzstd, libcap)",
     r"/lib(systemd|gcrypt|gpg-error|lzma|lz4|zstd|cap)\.so"),
    ("libmount and what only it pulls in (libblkid, libselinux, libpcre2)", r"/lib(mount|blkid|selinux|pcre2-8)\.so"),
    ("NSS modules loaded by getpwuid()/getgrgid() (libnss_systemd, libm)", r"/lib(nss_\w+|m)\.so"),
    ("heap, stack, anonymous", r"^\[|^$|^\[anon\]"),
]


def grouped(by):
    out = []
    left = dict(by)
    for label, rx in GROUPS:
        kb = sum(v for k, v in by.items() if re.search(rx, k))
        for k in [k for k in left if re.search(rx, k)]:
            del left[k]
        out.append((label, kb))
    out.append(("other", sum(left.values())))
    return out


# ---- 5: scale, 6: veth ------------------------------------------------------------------------------------

SCALE = []
for row in read_tsv("scale.tsv"):
    n, ready, failed, t_ready, m0, m1, rss, pss, t_stop, left = row[:10]
    ct_pss = int(row[10]) if len(row) > 10 and row[10] else None
    inotify = int(row[11]) if len(row) > 11 and row[11] else None
    net = row[12] if len(row) > 12 else "private"
    links = int(row[13]) if len(row) > 13 and row[13] else 0
    n = int(n)
    SCALE.append({
        "containers": n, "ready": int(ready), "failed_stops": int(failed), "all_ready_s": float(t_ready),
        "memavailable_delta_per_container_kib": (int(m0) - int(m1)) / n,
        "monitor_rss_per_container_kib": int(rss) / n, "monitor_pss_per_container_kib": int(pss) / n,
        "teardown_s": float(t_stop), "cgroups_left": int(left),
        "container_pss_per_container_kib": ct_pss / n if ct_pss is not None else None,
        "inotify_instances_per_container": inotify / int(ready) if inotify is not None and int(ready) else None,
        "network": "--network-veth" if net == "veth" else "--private-network", "links_left": links,
    })

VETH = {}
for row in read_tsv("veth.tsv"):
    kind, pairs, add, move, dele = row[0], int(row[1]), float(row[2]), float(row[3]), float(row[4])
    VETH.setdefault(kind, {"add": [], "move": [], "del": []})
    VETH[kind]["add"].append(add / pairs)
    VETH[kind]["move"].append(move / pairs)
    VETH[kind]["del"].append(dele / pairs)


# ---- profile ----------------------------------------------------------------------------------------------

def read_lines(name, limit):
    path = os.path.join(R, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return [line.rstrip() for line in f][:limit]


PERF_ENTRIES = {
    "vfs_statx": "stat() by path (newfstatat)",
    "__x64_sys_mkdirat": "mkdirat (mount points)",
    "__x64_sys_open_tree": "open_tree (detached clones)",
    "__do_sys_move_mount": "move_mount (attach them)",
    "__x64_sys_unshare": "unshare (container namespaces)",
    "copy_mnt_ns": "  of which: copy the mount table",
    "copy_net_ns": "  of which: new network namespace",
    "__x64_sys_mount": "mount (a bind per store path; tmpfs, proc, sysfs)",
    "task_work_run": "deferred mount release (task_work)",
    "umount_tree": "umount_tree (namespace teardown)",
    "exc_page_fault": "page faults",
    "do_execveat_common.isra.0": "execve",
    "__x64_sys_close": "close",
    "__x64_sys_openat2": "openat2 (RESOLVE_IN_ROOT lookups)",
    "__x64_sys_write": "write (maps, cgroup.procs, …)",
    "bpf_prog_create_from_user": "the system call filter: load, check and JIT-compile its BPF",
    "cgroup_mkdir": "make the container's cgroup",
    "cgroup_rmdir": "remove it",
    "__do_sys_clone3": "clone3 (children, into the cgroup)",
    "do_exit": "process exit (namespace teardown on the last one)",
    "show_mountinfo": "reading /proc/self/mountinfo (grows with the host's mount count)",
    "__x64_sys_mkdir": "mkdir (mount points, cgroups)",
}


def perf_children(tag, limit=20):
    lines = read_lines("perf-%s-children.txt" % tag, 100000)
    if lines is None:
        return None
    out = []
    seen = {}
    for line in lines:
        m = re.match(r"\s*([\d.]+)%\s+([\d.]+)%\s+\[k\]\s+(\S+)", line)
        if m and m.group(3) in PERF_ENTRIES and m.group(3) not in seen:
            seen[m.group(3)] = float(m.group(1))
    order = [k for k in PERF_ENTRIES if k in seen]
    return [(seen[k], "%-28s %s" % (k, PERF_ENTRIES[k])) for k in order][:limit]


def perf_dso(tag):
    """share of samples per (comm, dso)"""
    lines = read_lines("perf-%s-dso.txt" % tag, 100000)
    out = {}
    for line in lines or []:
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+(\S+)", line)
        if m:
            out[(m.group(2), m.group(3))] = float(m.group(1))
    return out


def perf_self(tag, limit=15):
    lines = read_lines("perf-%s-self.txt" % tag, 100000)
    if lines is None:
        return None
    out = []
    for line in lines:
        m = re.match(r"\s*([\d.]+)%\s+(\[.\])\s+(\S+)", line)
        if m:
            out.append((float(m.group(1)), m.group(2) + " " + m.group(3)))
    return out[:limit]


SCHED_FRAMES = re.compile(r"^(__schedule|schedule\w*|io_schedule\w*|preempt_schedule\w*|\w*wait_for_common\w*|"
                          r"wait_for_completion\w*|bit_wait\w*|__wait_on_bit\w*|out_of_line_wait_on_bit|"
                          r"__mutex_lock\S*|mutex_lock\w*|rwsem_down\w*|percpu_rwsem_wait|__percpu_down_read\w*|"
                          r"do_syscall_64|entry_SYSCALL\w*|exit_to_user_mode\w*)$")


def offcpu(tag, starts=10):
    """D-state time of the measured starts' processes by wait site, ms per start.

    The recording is system-wide (-a: a task's switch back in is recorded on the CPU of the task it replaces), so
    it also holds every other nixos-nspawn on the machine (other tests', other containers' monitors): only the
    process tree of the measured loop counts, its root's PID written by run.sh to offcpu-TAG.root and its
    descendants followed through sched_process_fork. (Counting by command name alone once put another run's
    --port transactions, 26 ms of nf_tables waits, into ours.) A recording without the root file falls back to
    the command names, and so does one without fork events."""
    path = os.path.join(R, "offcpu-%s.txt" % tag)
    if not os.path.exists(path):
        return None
    root = None
    try:
        root = int(open(os.path.join(R, "offcpu-%s.root" % tag)).read().split()[0])
    except (OSError, ValueError, IndexError):
        pass
    head = re.compile(r"^\s*(\S+)\s+(\d+)\s+\[\d+\]\s+([\d.]+):\s+sched:sched_switch:.*prev_pid=(\d+).*"
                      r"prev_state=(\S+) ==> next_comm=\S+ next_pid=(\d+)")
    fork = re.compile(r"sched:sched_process_fork:.*\bpid=(\d+) child_comm=\S* child_pid=(\d+)")
    tree = {root} if root else None
    out_at = {}   # pid -> (time, site)
    sites = {}
    events = []
    block = None
    for line in open(path):
        m = head.match(line)
        if m:
            block = {"comm": m.group(1), "t": float(m.group(3)), "prev": int(m.group(4)), "state": m.group(5),
                     "next": int(m.group(6)), "frames": []}
            events.append(block)
            continue
        f = fork.search(line)
        if f:
            block = None
            if tree is not None and int(f.group(1)) in tree:
                tree.add(int(f.group(2)))
        elif block is not None and line.startswith("\t"):
            parts = line.split()
            if len(parts) >= 2:
                block["frames"].append(parts[1].split("+")[0])
    if tree is not None and len(tree) == 1:
        tree = None  # no fork events recorded (an older recording): by command name after all
    for ev in events:
        if ev["next"] in out_at:
            t0, site = out_at.pop(ev["next"])
            sites[site] = sites.get(site, 0.0) + (ev["t"] - t0)
        ours = ev["prev"] in tree if tree is not None else ev["comm"] in ("nixos-nspawn", "busybox")
        if ev["state"].startswith("D") and ours:
            frames = [f for f in ev["frames"] if not SCHED_FRAMES.match(f) and not f.startswith("[")
                      and not re.match(r"^[0-9a-f]+$", f)]
            sysc = next((f for f in frames if f.startswith("__x64_sys_") or f.startswith("__do_sys_")),
                        next((f for f in frames if re.match(r"^(ksys|__sys|do_sys)_", f)), "?"))
            sysc = re.sub(r"^(ksys|__sys|do_sys)_", "", sysc)
            kernel = [f for f in frames if not re.match(r"^(__x64_sys|__do_sys|ksys|__sys|do_sys)_", f)][:3]
            site = "%s ← %s" % (" ← ".join(kernel[:3]), sysc.replace("__x64_sys_", "").replace("__do_sys_", ""))
            out_at[ev["prev"]] = (ev["t"], site)
    return sorted(((v * 1e3 / starts, k) for k, v in sites.items()), reverse=True)


def strace_c():
    path = os.path.join(R, "strace-c-3000.txt")
    if not os.path.exists(path):
        return None
    rows = []
    for line in open(path):
        parts = line.split()
        if len(parts) >= 5 and re.match(r"^[\d.]+$", parts[0]) and parts[-1] != "total":
            if parts[-1] in ("recvfrom", "poll", "wait4", "read", "ppoll", "epoll_wait"):
                continue  # blocking: waiting for the other processes, not work
            try:
                rows.append({"pct": float(parts[0]), "seconds": float(parts[1]), "calls": int(parts[3]),
                             "syscall": parts[-1]})
            except ValueError:
                pass
    return rows


# ---- the numbers the targets need ----------------------------------------------------------------------------

K_OURS1 = "ours: closure of 1 path"
K_OURS_D = "ours: -D image -U"
K_NSPAWN = "systemd-nspawn --volatile=overlay -U"
K_BWRAP_C = "bwrap --unshare-all: closure of 1 path"
K_BWRAP_I = "bwrap --unshare-all: image"
K_FLOOR = "unshare (floor)"

t_ours1, t_oursd = med(START, K_OURS1), med(START, K_OURS_D)
t_nspawn, t_bwrapc, t_bwrapi = med(START, K_NSPAWN), med(START, K_BWRAP_C), med(START, K_BWRAP_I)
s_ours1, s_oursd = med(SPACED, K_OURS1), med(SPACED, K_OURS_D)
s_nspawn, s_bwrapc, s_bwrapi = med(SPACED, K_NSPAWN), med(SPACED, K_BWRAP_C), med(SPACED, K_BWRAP_I)

store_points = [(n, med(STORE_OURS, "ours: %d paths" % n)) for n in NS]
store_slope = slope_us(store_points)
store_slope_min = slope_us([(n, mn(STORE_OURS, "ours: %d paths" % n)) for n in NS])
first_slope = slope_us([(n, med(STORE_FIRST, "ours, first start: %d paths" % n)) for n in NS])
first_slope_cpu = slope_us([(n, (STORE_FIRST.get("ours, first start: %d paths" % n) or {}).get("user_mean", 0) +
                                 (STORE_FIRST.get("ours, first start: %d paths" % n) or {}).get("system_mean", 0)
                             if (STORE_FIRST.get("ours, first start: %d paths" % n) or {}).get("user_mean") is not None
                             else None)
                            for n in NS])
store_slope_cpu = slope_us([(n, (STORE_OURS.get("ours: %d paths" % n) or {}).get("user_mean", 0) +
                                 (STORE_OURS.get("ours: %d paths" % n) or {}).get("system_mean", 0)
                             if (STORE_OURS.get("ours: %d paths" % n) or {}).get("user_mean") is not None else None)
                            for n in NS])


def ctl_ms(key):
    return CTL[key][0] if key in CTL and CTL[key] else None


ctl_sw, ctl_rs = ctl_ms("switch_built"), ctl_ms("restart_built")
ctl_add_n = ctl_ms("add_paths")
ctl_add_us = ((ctl_ms("switch_add") - ctl_sw) * 1e3 / ctl_add_n
              if ctl_ms("switch_add") is not None and ctl_sw is not None and ctl_add_n else None)
t_store1 = med(STORE_OURS, "ours: 1 paths")
# 10 live updates each replacing 500 paths with 500 others (ctl.sh): per path, and the host's mount table around
# them. Other work on the machine that mounts moves the counts as well; O(1) allows a few mounts of that, far from
# one per path.
live_n = ctl_ms("live_update_add")
live_us = ((ctl_ms("live") - ctl_sw) * 1e3 / live_n
           if ctl_ms("live") is not None and ctl_sw is not None and live_n else None)
MOUNTS_O1 = 10


def _diff(a, b):
    return ctl_ms(a) - ctl_ms(b) if ctl_ms(a) is not None and ctl_ms(b) is not None else None


mnt_start_growth = _diff("mounts_started", "mounts_before")
mnt_update_growth = _diff("mounts_updated", "mounts_started")
# the container's own mount table, after the first of the updates and after the last (each replaces the last one's
# paths with as many others: the same size of closure)
inside_growth = _diff("inside_mounts_updated", "inside_mounts_first")

boot_ours = boot_stat("ours", "ready_s")
boot_nsu = boot_stat("nspawn-U", "ready_s")
boot_ns = boot_stat("nspawn", "ready_s")
stop_ours = boot_stat("ours", "stop_s")
stop_nsu = boot_stat("nspawn-U", "stop_s")
stop_ns = boot_stat("nspawn", "stop_s")
rss_ours = boot_stat("ours", "rss_kb")


def g(st):
    return st["median"] if st else None


INTO_CG = any("CLONE_INTO_CGROUP" in open(f).read() for f in glob.glob(os.path.join(R, "phases-*-*.strace")))
_oc_priv = None  # filled after offcpu() is defined


def le(a, b):
    return None if a is None or b is None else a <= b


def meta_num(key):
    try:
        return float(META[key])
    except (KeyError, ValueError):
        return None


def cpu_loader_text():
    c_o, c_b = meta_num("cpu_ms_ours"), meta_num("cpu_ms_bwrap")
    r_o, r_b = meta_num("ld_relocs_ours"), meta_num("ld_relocs_bwrap")
    y_o, y_b = meta_num("ld_cycles_ours"), meta_num("ld_cycles_bwrap")
    if c_o is None and r_o is None:
        return ""
    return (". `perf stat` task-clock over 50 starts (per-task inheritance; undercounts, see section 1): ours %s vs "
            "bwrap %s: %s. "
            "Dynamic loader (glibc `LD_DEBUG=statistics`): ours %s relocations, %s cycles; bwrap %s, %s" % (
                fmt(c_o, 2, " ms"), fmt(c_b, 2, " ms"), fmt(ratio(c_o, c_b), 2, "×"), fmt(r_o, 0), fmt(y_o, 0),
                fmt(r_b, 0), fmt(y_b, 0)))


# CPU of the whole process tree per start from each run's own cgroup (cgcpu.c), the harness floor subtracted: ms.
CGCPU = {}
for row in read_tsv("cgcpu.tsv"):
    if len(row) >= 4 and row[1].isdigit():
        CGCPU.setdefault(row[0], []).append((int(row[1]), int(row[2]), int(row[3])))


def cgcpu_ms(what, col=0):
    """col 0: usage_usec (the scheduler's exact runtime): medians. 1, 2: user and system, which the kernel splits
    by sampling at the tick (4 ms here, a start is a few of them): means, the only unbiased figure of those."""
    xs, fl = CGCPU.get(what), CGCPU.get("floor")
    if not xs or not fl:
        return None
    avg = median if col == 0 else statistics.mean
    return (avg([x[col] for x in xs]) - avg([x[col] for x in fl])) / 1e3


cg_ours, cg_bwrap = cgcpu_ms("ours"), cgcpu_ms("bwrap")


def sys_share(what):
    xs = CGCPU.get(what)
    tot = sum(x[1] + x[2] for x in xs or [])
    return 100.0 * sum(x[2] for x in xs) / tot if tot else None


def hf_cpu(table, key):
    """hyperfine's user + sys (rusage of the reaped children), mean, seconds"""
    e = table.get(key) or {}
    return e["user_mean"] + e["system_mean"] if e.get("user_mean") is not None else None


def cg_text(items, ratios):
    """'. CPU (user + sys, cgroup): A x ms, B y ms; ratios': the CPU next to a wall-time ratio"""
    names = dict(items)
    if all(cgcpu_ms(k) is None for _, k in items):
        return ""
    return ". CPU (user + sys of the whole tree, cgroup `cpu.stat`): %s; %s" % (
        ", ".join("%s %s" % (label, fmt(cgcpu_ms(k), 2, " ms")) for label, k in items),
        ", ".join("%s ÷ %s %s" % (a, b, fmt(ratio(cgcpu_ms(names[a]), cgcpu_ms(b)), 3 if b == "nspawn" else 2, "×"))
                  for a, b in ratios))


TARGETS = [
    {
        "target": "start-to-exit ≤ 1/4 of systemd-nspawn's",
        "measured": "one at a time: ours (1 path) %s vs nspawn %s: %s of nspawn's; ours (-D image) %s: %s. "
                    "Back to back: %s vs %s: %s" % (
            ms(s_ours1), ms(s_nspawn), fmt(ratio(s_ours1, s_nspawn), 3, "×"), ms(s_oursd),
            fmt(ratio(s_oursd, s_nspawn), 3, "×"), ms(t_ours1), ms(t_nspawn), fmt(ratio(t_ours1, t_nspawn), 3, "×"))
                    + cg_text([("ours (1 path)", "ours"), ("ours (-D image)", "ours-image"), ("nspawn", "nspawn")],
                              [("ours (1 path)", "nspawn"), ("ours (-D image)", "nspawn")]),
        "met": (le(s_ours1, s_nspawn / 4 if s_nspawn else None) if s_ours1 is not None
                else le(t_ours1, t_nspawn / 4 if t_nspawn else None)),
    },
    {
        "target": "start-to-exit no slower than bwrap's",
        "measured": "one at a time: ours (1 path) %s vs bwrap (same 1-path closure) %s: %s; ours (-D image) %s vs "
                    "bwrap (image) %s: %s. Back to back: %s vs %s: %s" % (
            ms(s_ours1, 2), ms(s_bwrapc, 2), fmt(ratio(s_ours1, s_bwrapc), 2, "×"), ms(s_oursd, 2),
            ms(s_bwrapi, 2), fmt(ratio(s_oursd, s_bwrapi), 2, "×"), ms(t_ours1, 2), ms(t_bwrapc, 2),
            fmt(ratio(t_ours1, t_bwrapc), 2, "×"))
                    + cg_text([("ours (1 path)", "ours"), ("bwrap (1 path)", "bwrap"), ("ours (-D image)", "ours-image"),
                               ("bwrap (image)", "bwrap-image")],
                              [("ours (1 path)", "bwrap"), ("ours (-D image)", "bwrap-image")]) + cpu_loader_text(),
        "met": (le(s_ours1, s_bwrapc) and le(t_ours1, t_bwrapc)) if s_ours1 is not None else le(t_ours1, t_bwrapc),
    },
    {
        "target": "start-to-exit CPU (user + sys of the whole process tree) ≤ bwrap's",
        "measured": "by each run's own cgroup (`cpu.stat` of a fresh cgroup and cgroup namespace a run, the harness's "
                    "%s subtracted; the ground truth): ours %s vs bwrap %s: %s (system time, by the kernel's tick-sampled split of the "
                    "runs with the harness: ours %s, bwrap %s). Other "
                    "accountings of the same starts: `perf stat` task-clock %s vs %s (%s); hyperfine's rusage %s vs "
                    "%s (%s); wall (one at a time) %s" % (
            fmt(median([x[0] for x in CGCPU["floor"]]) / 1e3 if CGCPU.get("floor") else None, 2, " ms"),
            fmt(cg_ours, 2, " ms"), fmt(cg_bwrap, 2, " ms"), fmt(ratio(cg_ours, cg_bwrap), 2, "×"),
            fmt(sys_share("ours"), 0, "%"), fmt(sys_share("bwrap"), 0, "%"),
            fmt(meta_num("cpu_ms_ours"), 2, " ms"), fmt(meta_num("cpu_ms_bwrap"), 2, " ms"),
            fmt(ratio(meta_num("cpu_ms_ours"), meta_num("cpu_ms_bwrap")), 2, "×"),
            ms(hf_cpu(START, K_OURS1), 2), ms(hf_cpu(START, K_BWRAP_C), 2),
            fmt(ratio(hf_cpu(START, K_OURS1), hf_cpu(START, K_BWRAP_C)), 2, "×"),
            fmt(ratio(s_ours1, s_bwrapc), 2, "×")),
        "met": le(cg_ours, cg_bwrap),
    },
    {
        "target": "≤ 8 µs per store path",
        "measured": "%s per path (a container of a closure whose store view exists: a second container of the "
                    "closure; least-squares slope of median start-to-exit over 1…10000 paths; %s from "
                    "minima; %s of user + system CPU); %s at 10000" % (
            fmt(store_slope, 1, " µs"), fmt(store_slope_min, 1, " µs"), fmt(store_slope_cpu, 1, " µs"),
            fmt(per_path_us(med(STORE_OURS, "ours: 10000 paths"), t_store1, 10000), 1, " µs")),
        "met": le(store_slope, 8.0),
    },
    {
        "target": "the first start of a closure (builds its store view; reported, not a target of its own)",
        "measured": "%s per path (slope of median start-to-exit over 1…10000 paths, no container of the closure "
                    "running: each start builds the view and its stop removes it); %s of user + system CPU" % (
            fmt(first_slope, 1, " µs"), fmt(first_slope_cpu, 1, " µs")),
        "met": None,
    },
    {
        "target": "boot-to-ready with userns ≤ 1/2 of nspawn `-U --volatile=overlay`",
        "measured": "ours %s vs nspawn -U %s: %s" % (ms(g(boot_ours), 0), ms(g(boot_nsu), 0),
                                                   fmt(ratio(g(boot_ours), g(boot_nsu)), 2, "×")),
        "met": le(g(boot_ours), g(boot_nsu) / 2 if g(boot_nsu) else None),
    },
    {
        "target": "boot-to-ready with userns within 10% of nspawn without userns",
        "measured": "ours %s vs nspawn (no -U) %s: %s" % (ms(g(boot_ours), 0), ms(g(boot_ns), 0),
                                                        fmt(ratio(g(boot_ours), g(boot_ns)), 2, "×")),
        "met": le(g(boot_ours), g(boot_ns) * 1.10 if g(boot_ns) else None),
    },
    {
        "target": "monitor RSS ≤ 2 MiB",
        "measured": "%s KiB RSS (PSS %s KiB) while a -D container runs: %s of 2 MiB; bwrap's outer process %s "
                    "KiB RSS (PSS %s KiB): ours %s of its RSS" % (
            fmt(g(rss_ours), 0), fmt(g(boot_stat("ours", "pss_kb")), 0), fmt(ratio(g(rss_ours), 2048), 2, "×"),
            fmt(MEM_BWRAP and MEM_BWRAP["rss_kb"], 0), fmt(MEM_BWRAP and MEM_BWRAP["pss_kb"], 0),
            fmt(ratio(g(rss_ours), MEM_BWRAP and MEM_BWRAP["rss_kb"]), 2, "×")),
        "met": le(g(rss_ours), 2048),
    },
    {
        "target": "stop no slower than nspawn's",
        "measured": "SIGTERM → exit: ours %s vs nspawn -U %s (%s), nspawn no -U %s" % (
            ms(g(stop_ours), 0), ms(g(stop_nsu), 0), fmt(ratio(g(stop_ours), g(stop_nsu)), 2, "×"),
            ms(g(stop_ns), 0)),
        "met": le(g(stop_ours), g(stop_nsu)),
    },
    {
        "target": "the default system call filter costs a start ~0 (issue 11; nspawn compiles its own at every "
                  "start): installing it ≤ 1 ms",
        "measured": "install %s (compiled at build time; a compile at start would cost %s); systemd-nspawn's filters: "
                    "%s of user CPU per start" % (
            fmt(SC["install_us"][0], 0, " µs") if "install_us" in SC else "n/a",
            fmt(SC["compile_us"][0] / 1e3, 1, " ms") if "compile_us" in SC else "n/a",
            ms(SC_NSPAWN["systemd-nspawn: its filters"]["user_mean"] -
               SC_NSPAWN["systemd-nspawn: SYSTEMD_SECCOMP=0"]["user_mean"])
            if SC_NSPAWN.get("systemd-nspawn: its filters") and SC_NSPAWN.get("systemd-nspawn: SYSTEMD_SECCOMP=0")
            and SC_NSPAWN["systemd-nspawn: its filters"].get("user_mean") is not None
            and SC_NSPAWN["systemd-nspawn: SYSTEMD_SECCOMP=0"].get("user_mean") is not None else "n/a"),
        "met": le(SC["install_us"][0], 1000.0) if "install_us" in SC else None,
    },
    {
        "target": "live update (issue 12): `update --strategy switch` no slower than `--strategy restart`",
        "measured": "system built before: switch %s vs restart %s: %s; with the build: %s vs %s: %s (section 8)" % (
            ms(ctl_sw / 1e3 if ctl_sw is not None else None, 0), ms(ctl_rs / 1e3 if ctl_rs is not None else None, 0),
            fmt(ratio(ctl_sw, ctl_rs), 2, "×"),
            ms(ctl_ms("switch") / 1e3 if ctl_ms("switch") is not None else None, 0),
            ms(ctl_ms("restart") / 1e3 if ctl_ms("restart") is not None else None, 0),
            fmt(ratio(ctl_ms("switch"), ctl_ms("restart")), 2, "×")),
        "met": le(ctl_sw, ctl_rs),
    },
    {
        "target": "live update: adding a store path to a running container ≤ 8 µs per path (as at start)",
        "measured": "%s per path ((switch adding %s paths − the same switch without them) ÷ %s, medians); %s per "
                    "path over %s updates each replacing %s paths with as many others ((their median − the switch "
                    "without them) ÷ %s; section 8)" % (
            fmt(ctl_add_us, 1, " µs"), fmt(ctl_add_n, 0), fmt(ctl_add_n, 0), fmt(live_us, 1, " µs"),
            fmt(ctl_ms("live_updates"), 0), fmt(live_n, 0), fmt(live_n, 0)),
        "met": le(ctl_add_us, 8.0) and le(live_us, 8.0) if live_us is not None else le(ctl_add_us, 8.0),
    },
    {
        "target": "live update: the host's mount count after 10 live updates of 500 paths each grows by O(1) per "
                  "container (≤ %d over the container's own at start; the container's own table does not grow with "
                  "the number of updates either)" % MOUNTS_O1,
        "measured": ("host mounts: %s before the start, %s after it (+%s), %s after the first update, %s after %s "
                     "updates each replacing %s paths with %s others (+%s over the start), %s after the stop; of them "
                     "naming the container: %s, %s, %s, %s, %s. The container's own: %s after the first update, %s "
                     "after the last (+%s)" % (
                         fmt(ctl_ms("mounts_before"), 0), fmt(ctl_ms("mounts_started"), 0),
                         fmt(mnt_start_growth, 0), fmt(ctl_ms("mounts_first"), 0), fmt(ctl_ms("mounts_updated"), 0),
                         fmt(ctl_ms("live_updates"), 0), fmt(live_n, 0), fmt(live_n, 0),
                         fmt(mnt_update_growth, 0), fmt(ctl_ms("mounts_stopped"), 0),
                         *[fmt(ctl_ms("mounts_named_" + k), 0)
                           for k in ("before", "started", "first", "updated", "stopped")],
                         fmt(ctl_ms("inside_mounts_first"), 0), fmt(ctl_ms("inside_mounts_updated"), 0),
                         fmt(inside_growth, 0))
                     if ctl_ms("mounts_updated") is not None else "n/a (%s)" % NA.get("ctl", "not measured")),
        "met": le(mnt_update_growth, MOUNTS_O1) and (inside_growth is None or le(inside_growth, MOUNTS_O1)),
    },
]


# Section 8 and its target: report_scale.py
SCALE_UNIT = report_scale.load(R)
TARGETS.append(report_scale.target(SCALE_UNIT))


# ---- write the markdown ---------------------------------------------------------------------------------------

md = []
w = md.append

w("# Benchmarks")
w("")
w("Generated by `make bench` (`checks/bench/run.sh`) on %s. Every number below comes from that run; rerun it to "
  "get your own. Times are medians with their spread (min–max and the interquartile range); ratios are taken "
  "between medians of the same run." % META.get("date", "?"))
w("")
if META.get("quick") == "1":
    w("> **BENCH_QUICK=1**: a smoke test of the script with few runs. Do not quote these numbers.")
    w("")
w("Machine: %s, %s CPUs, %s, kernel %s, %s. PID 1 is `%s` (no systemd), %s. Load average at start %s, at end "
  "%s (other work on the machine shares the two CPUs and widens the spread). The whole run took %s." % (
      META.get("cpu", "?"), META.get("cpus", "?"), META.get("memory", "?"), META.get("kernel", "?"),
      META.get("os", "?"), META.get("pid1", "?"), META.get("cgroups", "?"), META.get("loadavg_start", "?"),
      META.get("loadavg_end", "?"),
      "%d min %02d s" % divmod(int(META["bench_seconds"]), 60) if META.get("bench_seconds", "").isdigit() else "?"))
w("")

w("## Targets")
w("")
w("| Target | Measured | |")
w("|---|---|---|")
for t in TARGETS:
    w("| %s | %s | %s |" % (t["target"], t["measured"], verdict(t["met"])))
w("")

# 1
w("## 1. Start-to-exit of `/bin/true` with full isolation")
w("")
w("Each command creates user, mount, PID, UTS, IPC and network namespaces, runs a `true` and is gone; nothing "
  "persists. hyperfine `-N` (no shell), %s warm-up runs, at least %s runs each (more for the fast ones)." % (
      "3" if META.get("quick") != "1" else "1", "15" if META.get("quick") != "1" else "3"))
w("")
w("| Command | Median | Spread | σ | User + sys (mean) | ÷ ours, 1 path | ÷ nspawn |")
w("|---|---:|---|---:|---:|---:|---:|")
START_KEYS = [K_OURS1, "ours: closure of 500 paths", "ours: closure of 3000 paths", K_OURS_D, K_NSPAWN,
              K_BWRAP_I, K_BWRAP_C, K_FLOOR]
for k in START_KEYS:
    st = START.get(k)
    if not st:
        w("| %s | %s | | | | | |" % (k, na(k)))
        continue
    w("| %s | %s | %s | %s | %s | %s | %s |" % (
        k, ms(st["median"], 2), spread_ms(st, 2), ms(st["stdev"], 2),
        ms((st["user_mean"] or 0) + (st["system_mean"] or 0), 2),
        fmt(ratio(st["median"], t_ours1), 2, "×"), fmt(ratio(st["median"], t_nspawn), 3, "×")))
w("")
w("One start at a time (hyperfine `--prepare 'sleep 0.3'`: 0.3 s idle before each timed run, as when a service "
  "manager starts one container; back to back, each start finds the kernel warm from the previous one):")
w("")
w("| Command | Median | Spread | ÷ ours, 1 path | ÷ nspawn | ÷ back to back |")
w("|---|---:|---|---:|---:|---:|")
SPACED_KEYS = [K_OURS1, K_OURS_D, K_NSPAWN, K_BWRAP_I, K_BWRAP_C, K_FLOOR]
for k in SPACED_KEYS:
    st = SPACED.get(k)
    if not st:
        w("| %s | %s | | | | |" % (k, na(k)))
        continue
    w("| %s | %s | %s | %s | %s | %s |" % (
        k, ms(st["median"], 2), spread_ms(st, 2), fmt(ratio(st["median"], s_ours1), 2, "×"),
        fmt(ratio(st["median"], s_nspawn), 3, "×"), fmt(ratio(st["median"], med(START, k)), 2, "×")))
w("")
MIG_MS = None
_oc = offcpu("private")
if _oc is not None:
    MIG_MS = sum(v for v, k in _oc if "percpu_down_write" in k)
if CGMOVE:
    cg_cost = ("A process *moved* into a cgroup (its PID written to `cgroup.procs`) makes the kernel take "
               "`cgroup_threadgroup_rwsem` for writing, which waits for an RCU grace period unless another "
               "migration happened just before; one *born* there (`clone3(CLONE_INTO_CGROUP)`) does not. "
               "`checks/bench/cgmove.c`, runs 100 ms apart, no tracer: the write alone %s µs median (%s µs min); "
               "the whole `clone3(CLONE_INTO_CGROUP)` %s µs, a plain `fork()` %s µs." % (
                   fmt(CGMOVE.get("write", {}).get("median_us"), 0), fmt(CGMOVE.get("write", {}).get("min_us"), 0),
                   fmt(CGMOVE.get("clone3", {}).get("median_us"), 0), fmt(CGMOVE.get("fork", {}).get("median_us"), 0)))
    if INTO_CG:
        w("Cold versus warm: %s The launcher clones its outer child straight into the container's cgroup "
          "(`clone3` with `CLONE_INTO_CGROUP`, seen in the strace runs of section 2), so it does not pay this: one "
          "start at a time costs ours %s more than back to back, bwrap %s; off-CPU time in a migration: %s per "
          "start (section *Profile*)." % (
              cg_cost, ms(s_ours1 - t_ours1 if s_ours1 and t_ours1 else None, 1),
              ms(s_bwrapc - t_bwrapc if s_bwrapc and t_bwrapc else None, 1), fmt(MIG_MS, 1, " ms")))
    else:
        w("Why ours slows down by more than the others: %s The launcher moves PID 1 into the container's cgroup "
          "after creating it, so it waits: %s per start off-CPU in `percpu_down_write` (section *Profile*)." % (
              cg_cost, fmt(MIG_MS, 1, " ms")))
    w("")
elif "cgroup move" in NA:
    w("cgroup migration cost: %s" % na("cgroup move"))
    w("")
w("What differs between them: ours mounts an empty tmpfs root with only the closure's store paths "
  "(read-only, idmapped to a picked 64K UID range) or, with `-D`, an overlay of the image on tmpfs, plus `/dev`, "
  "`/run/host`, `/proc`, `/sys` and a delegated cgroup; systemd-nspawn `--volatile=overlay -U` does the same kind "
  "of work for the image (it needs `--keep-unit --register=no` here, see the notes); bwrap `--unshare-all` "
  "bind-mounts read-only (no overlay: bwrap 0.8 has none), maps only root to root in its user namespace and makes "
  "no cgroup; `unshare` makes the namespaces and nothing else (the floor).")
w("")

w("**CPU, which accounting is right.** Three ways to count user + sys of one start, over the same starts' kind "
  "(1-path closure, `--private-network`, against bwrap `--unshare-all` with the same bind): hyperfine's rusage "
  "(`RUSAGE_CHILDREN`: only what the measured process reaped, and what those reaped, …), `perf stat` task-clock "
  "(per-task counters inherited over fork, summed into the parent's as each child exits) and the cgroup's own "
  "`cpu.stat` (`checks/bench/cgcpu.c`: a fresh cgroup and cgroup namespace per run, with their own cgroup2 "
  "mount, so the launcher's container cgroup is made under it and counted too; every process in it, reaped by "
  "whom ever, and its removed child cgroups). The cgroup is the ground truth for everything a start runs; none "
  "of the three counts the kernel's asynchronous teardown in kworkers (the network namespace's `cleanup_net`), "
  "which both tools pay alike. This run: cgroup ours %s vs bwrap %s (%s); `perf stat` %s vs %s (%s); "
  "hyperfine's rusage %s vs %s (%s); wall one at a time %s. Where a number differs from the cgroup's, it left "
  "part of the tree out. bwrap 0.8's outer process reads its child's exit status from an eventfd and exits "
  "without waiting for it: that child (PID 1 of bwrap's namespace) and the command it ran are reaped by the "
  "host's init, outside the measured tree, so rusage and `perf stat` leave most of bwrap out (strace shows the "
  "outer's `exit_group` before the inner's). Ours reaps every process it makes. Where ours spends it (kernel "
  "functions with their callees, %% of all samples of the profile's 1-path loop, *Profile*): %s." % (
      fmt(cg_ours, 2, " ms"), fmt(cg_bwrap, 2, " ms"), fmt(ratio(cg_ours, cg_bwrap), 2, "×"),
      fmt(meta_num("cpu_ms_ours"), 2, " ms"), fmt(meta_num("cpu_ms_bwrap"), 2, " ms"),
      fmt(ratio(meta_num("cpu_ms_ours"), meta_num("cpu_ms_bwrap")), 2, "×"),
      ms(hf_cpu(START, K_OURS1), 2), ms(hf_cpu(START, K_BWRAP_C), 2),
      fmt(ratio(hf_cpu(START, K_OURS1), hf_cpu(START, K_BWRAP_C)), 2, "×"), fmt(ratio(s_ours1, s_bwrapc), 2, "×"),
      "; ".join("%s %.1f%%" % (label.split(None, 1)[1].strip(), pct)
                for pct, label in sorted(perf_children("1", 100) or [], reverse=True)[:8]) or "n/a (no profile)"))
w("")

# 2
w("## 2. Store mounting: µs per store path")
w("")
w("Three ways to count, all from the same run:")
w("")
w("* **ours, derived**: (start-to-exit with N paths − with 1 path) / (N − 1), hyperfine medians; the last row is the "
  "least-squares slope over all N. This is set-up and teardown together, as the user pays it.")
w("* **ours, by phase**: timestamps of a few marker syscalls under `strace -f --seccomp-bpf` (only those stop; the "
  "per-path work in between runs untraced): *prepare* = launcher start → clone of the outer child (reading and "
  "checking the closure, locks, user namespace, cgroup), *build* = outer child's root set-up (clone → `pivot_root`, "
  "which holds the per-path `mkdirat` + `mount(MS_BIND)`), *unshare* = `unshare(CLONE_NEWNS|…)` into the "
  "container's user namespace (copies the whole mount table and drops the outer namespace's), *to exec* = PID 1's "
  "own mounts until `execve`, *teardown* = container's `exit_group` → monitor exited (namespace teardown + cgroup "
  "removal). Per path = (phase at N − phase at 1) / (N − 1), medians of %s runs. strace adds a fixed cost to each "
  "marker (it ptrace-stops there), which cancels out in the per-path figures but not in the absolute ones%s." %
  (max([len(v) for v in PHASES.values()] or [0]),
   "" if INTO_CG else "; *to exec* also holds the monitor's cgroup migration (section 1), whose wait varies from run "
   "to run, so its per-path figure is noise"))
w("* **plain loop**: `checks/bench/bindloop.c`, a private mount namespace with `mount --bind` + "
  "`mount -o remount,bind,ro,nosuid,nodev` per path (two mount(2) calls by path, no fork per path); set-up = fork → "
  "last mount, teardown = exit → reaped. 7 runs each. And **bwrap** with one `--ro-bind` per path (derived like ours).")
w("")
w("| Paths | ours start-to-exit | ours µs/path (derived from medians) | (from minima) | by phase: prepare | build "
  "| unshare | to exec | teardown | plain loop: set-up | teardown | bwrap µs/path (derived) |")
w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
b1 = BIND.get(1)
STORE_JSON = []
for n in NS:
    t_n = med(STORE_OURS, "ours: %d paths" % n)
    ph_n, ph_1 = PHASE_MED.get(n), PHASE_MED.get(1)

    def ph(key):
        if not ph_n or not ph_1 or n == 1:
            return None
        return (ph_n[key] - ph_1[key]) / (n - 1) * 1e6

    bn = BIND.get(n)
    bs = bt = None
    if bn and b1 and n > 1:
        bs = (median(bn["setup"]) - median(b1["setup"])) / (n - 1)
        bt = (median(bn["teardown"]) - median(b1["teardown"])) / (n - 1)
    bw = per_path_us(med(STORE_BWRAP, "bwrap: %d paths" % n), med(STORE_BWRAP, "bwrap: 1 paths"), n)
    bw_cell = fmt(bw, 1) if bw is not None else ("" if n == 1 else na("bwrap: %d paths" % n))
    if n == 1:
        w("| 1 | %s | — | — | — | — | — | — | — | %s µs in all | %s µs in all | bwrap, 1 path: %s |" % (
            ms(t_n, 2) if t_n is not None else na("ours: 1 paths"),
            fmt(median(b1["setup"]) if b1 else None, 0), fmt(median(b1["teardown"]) if b1 else None, 0),
            ms(med(STORE_BWRAP, "bwrap: 1 paths"), 2)))
    else:
        w("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            n, ms(t_n, 1) if t_n is not None else na("ours: %d paths" % n), fmt(per_path_us(t_n, t_store1, n), 1),
            fmt(per_path_us(mn(STORE_OURS, "ours: %d paths" % n), mn(STORE_OURS, "ours: 1 paths"), n), 1),
            fmt(ph("prepare"), 1), fmt(ph("build_root"), 1), fmt(ph("unshare"), 1), fmt(ph("to_exec"), 1),
            fmt(ph("teardown"), 1), fmt(bs, 1), fmt(bt, 1), bw_cell))
    STORE_JSON.append({
        "paths": n, "ours_start_to_exit_s": t_n, "ours_us_per_path": per_path_us(t_n, t_store1, n),
        "ours_phase_us_per_path": {k: ph(k) for k in PHASE_KEYS} if n > 1 else None,
        "plain_loop_setup_us_per_path": bs, "plain_loop_teardown_us_per_path": bt, "bwrap_us_per_path": bw,
    })
bind_slope = None
if all(BIND.get(n) for n in NS):
    bind_slope = (slope_us([(n, median(BIND[n]["setup"]) / 1e6) for n in NS]) or 0) + \
                 (slope_us([(n, median(BIND[n]["teardown"]) / 1e6) for n in NS]) or 0)
w("| slope | | **%s** | %s | | | | | | plain loop, set-up + teardown: **%s** | | |" % (
    fmt(store_slope, 1, " µs"), fmt(store_slope_min, 1, " µs"), fmt(bind_slope, 1, " µs")))
w("")
w("*ours* above is a start of a closure whose store view exists (`spawn/view.c`: a container of the same closure "
  "runs meanwhile, so the start clones the view). The first start of a closure builds the view; with no other "
  "container of the closure it is also removed at the stop:")
w("")
w("| Paths | first start: start-to-exit | µs/path (derived from medians) |")
w("|---:|---:|---:|")
f1 = med(STORE_FIRST, "ours, first start: 1 paths")
for n in NS:
    t_n = med(STORE_FIRST, "ours, first start: %d paths" % n)
    w("| %d | %s | %s |" % (n, ms(t_n, 1) if t_n is not None else na("ours, first start: %d paths" % n),
                           "—" if n == 1 else fmt(per_path_us(t_n, f1, n), 1)))
w("| slope | | **%s** (user + system CPU: %s) |" % (fmt(first_slope, 1, " µs"), fmt(first_slope_cpu, 1, " µs")))
w("")
w("Small N is within the noise: with 100 paths the difference to 1 path (~1 ms) is of the order of the 1-path run's "
  "own spread, so its per-path figure can even come out negative; the slope over all N is the number to use. "
  "Minima are less disturbed by other work on the machine than medians.")
w("")
if PHASE_MED:
    w("Our phases in ms (medians; strace adds a little to each marker, not to the work between them):")
    w("")
    w("| Paths | " + " | ".join(PHASE_KEYS) + " |")
    w("|---:|" + "---:|" * len(PHASE_KEYS))
    for n in sorted(PHASE_MED):
        w("| %d | %s |" % (n, " | ".join(fmt(PHASE_MED[n][k] * 1e3, 2) for k in PHASE_KEYS)))
    w("")
else:
    w("Phases: %s" % na("phases"))
    w("")

# 3
w("## 3. Boot to `READY=1`, and stop")
w("")
w("The Debian bookworm systemd image (`checks/fixtures/debian-image.sh`, %s), `--private-network`, console "
  "passive. `checks/bench/readyclock.c` plays the service manager: it starts the command with `NOTIFY_SOCKET` set, "
  "times `READY=1`, holds 1 s, reads the monitor's memory, sends SIGTERM and times until the monitor is reaped "
  "(SIGCHLD via signalfd). Variants interleaved, %s rounds. systemd-nspawn gets `--notify-ready=yes` so its "
  "`READY=1` also waits for the container's systemd." % (META.get("image_size", "?"),
                                                        "7" if META.get("quick") != "1" else "2"))
w("")
w("| Variant | Boot → READY=1 | Spread | SIGTERM → exited | Spread | Runs |")
w("|---|---:|---|---:|---|---:|")
BOOT_JSON = {}
for v in ["ours", "ours-store", "nspawn-U", "nspawn"]:
    r_st, s_st = boot_stat(v, "ready_s"), boot_stat(v, "stop_s")
    BOOT_JSON[v] = {"ready_s": r_st, "stop_s": s_st}
    if not r_st:
        w("| %s | %s | | | | 0 |" % (BOOT_LABEL[v], na("boot: " + v)))
        continue
    w("| %s | %s | %s | %s | %s | %d |" % (BOOT_LABEL[v], ms(r_st["median"], 0), spread_ms(r_st, 0),
                                            ms(s_st["median"], 0) if s_st else "n/a", spread_ms(s_st, 0),
                                            r_st["n"]))
w("")
w("The store-only fixture boots the same Debian userland from a %s-path Nix store closure with an `init` store path "
  "(the stand-in for a NixOS toplevel); systemd-nspawn has no equivalent, so it is ours alone." %
  META.get("boot_fixture_paths", "?"))
w("")

# 4
w("## 4. Memory of the monitor process")
w("")
w("From `/proc/PID/smaps_rollup` of the process that stays on the host for the container's life, 1 s after "
  "`READY=1` (medians over the boot rounds). bwrap runs `sleep` (no init), read 0.5 s in.")
w("")
w("| Monitor | RSS | PSS | Note |")
w("|---|---:|---:|---|")
MEM_JSON = {}
for v in ["ours", "ours-store", "nspawn-U", "nspawn"]:
    r, p = boot_stat(v, "rss_kb"), boot_stat(v, "pss_kb")
    MEM_JSON[v] = {"rss_kib": g(r), "pss_kib": g(p)}
    w("| %s | %s | %s | |" % (BOOT_LABEL[v], fmt(g(r), 0, " KiB") if r else na("boot: " + v),
                              fmt(g(p), 0, " KiB") if p else ""))
if MEM_BWRAP:
    MEM_JSON["bwrap"] = MEM_BWRAP
    w("| bwrap `--unshare-all` (outer process) | %s | %s | plus its PID-1 reaper in the sandbox: RSS %s, PSS %s |" % (
        fmt(MEM_BWRAP["rss_kb"], 0, " KiB"), fmt(MEM_BWRAP["pss_kb"], 0, " KiB"),
        fmt(MEM_BWRAP.get("inner_rss_kb"), 0, " KiB"), fmt(MEM_BWRAP.get("inner_pss_kb"), 0, " KiB")))
else:
    w("| bwrap | %s | | |" % na("memory: bwrap"))
w("")
by = smaps_breakdown("ours")
BREAKDOWN = grouped(by) if by else None
if BREAKDOWN:
    total = sum(kb for _, kb in BREAKDOWN)
    w("Where our monitor's RSS goes (first round, `/proc/PID/smaps`, %d KiB in all):" % total)
    w("")
    w("| Mapping | RSS |")
    w("|---|---:|")
    for label, kb in BREAKDOWN:
        if kb:
            w("| %s | %d KiB |" % (label, kb))
    w("")

# 5
w("## 5. Scale: containers booted at once")
w("")
w("N launchers started together, each `--closure=<store-only boot fixture> --init=… -U --private-network` with its "
  "own machine name; *all ready* = first start → last `READY=1`; memory per container = drop of `MemAvailable` "
  "from before the start to 2 s after the last `READY=1`, divided by N (the containers' own systemd, journald, "
  "dbus…, kernel memory and tmpfs included; other work on the machine moves it too, so small N is noisy); "
  "container PSS = sum of PSS of every process in the containers' cgroups, divided by N; teardown = SIGTERM to all → all monitors reaped. With `--private-network` (loopback only) and, when the "
  "launcher has it, `--network-veth`; no systemd-networkd runs on this host, so the veths stay unconfigured (the "
  "same through the unit, with networkd on both ends and DHCP leases, is section 9).")
w("")
w("| Containers | Network | All ready | Host memory per container (MemAvailable) | Container processes' PSS per "
  "container | Monitor RSS / PSS per container | Teardown (all) | Reached READY=1 | Failed stops | cgroups / veths "
  "left |")
w("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for s in SCALE:
    w("| %d | `%s` | %s | %s | %s | %s / %s | %s | %d/%d | %d | %d / %d |" % (
        s["containers"], s["network"], ms(s["all_ready_s"], 0),
        fmt(s["memavailable_delta_per_container_kib"] / 1024, 1, " MiB"),
        fmt(s["container_pss_per_container_kib"] / 1024 if s["container_pss_per_container_kib"] else None, 1,
            " MiB"),
        fmt(s["monitor_rss_per_container_kib"], 0, " KiB"), fmt(s["monitor_pss_per_container_kib"], 0, " KiB"),
        ms(s["teardown_s"], 0), s["ready"], s["containers"], s["failed_stops"], s["cgroups_left"], s["links_left"]))
if not SCALE:
    w("| %s | | | | | | | | | |" % na("scale"))
w("")
BURST = []
for row in read_tsv("burst.tsv"):
    BURST.append({"round": int(row[0]), "containers": int(row[1]), "failed": int(row[2]), "seconds": float(row[3]),
                  "most_common_error": row[4] if len(row) > 4 else ""})
if BURST:
    w("A burst of short-lived containers (`--closure` of 1 path, `-- true`), 40 started at once with distinct "
      "names, %d rounds:" % len(BURST))
    w("")
    w("| Round | Started | Failed | All exited after | Most common message |")
    w("|---:|---:|---:|---:|---|")
    for b in BURST:
        w("| %d | %d | %d | %s | %s |" % (b["round"], b["containers"], b["failed"], ms(b["seconds"], 0),
                                         b["most_common_error"].replace("|", "\\|") or "—"))
    w("")
ino = [x["inotify_instances_per_container"] for x in SCALE if x.get("inotify_instances_per_container")]
if ino and META.get("inotify_max_user_instances"):
    per = median(ino)
    limit = int(META["inotify_max_user_instances"])
    w("**Host limit found on the way:** each booted container holds %.0f inotify instances (systemd, journald, "
      "dbus, …), and the kernel charges them to host root for every container (to the owner of the container's "
      "user namespace when there is one, directly when there is none) against `fs.inotify.max_user_instances`, "
      "%d here. So about %d containers can boot at once on a "
      "default host; the next ones' systemd dies with *Failed to allocate manager object: Too many open files* and "
      "the launcher exits 255 (PID 1's status). This run raised the limit to 8192 for this section and restored it "
      "afterwards. systemd-nspawn's containers, started by root as well, share the same budget. Worth a line in the README and a sysctl in "
      "the NixOS module (and perhaps a warning from the launcher when the limit is the default)." % (
          per, limit, limit // max(1, round(per))))
    w("")

# 6
w("## 6. veth set-up and teardown")
w("")
VETH_JSON = None
NL_SENT = []
if META.get("veth_ok") == "1" and VETH_OURS:
    a, b = med(VETH_OURS, "ours: --private-network"), med(VETH_OURS, "ours: --network-veth")
    a2, b2 = med(VETH_OURS_SPACED, "ours: --private-network"), med(VETH_OURS_SPACED, "ours: --network-veth")
    VETH_JSON = {"private_network_s": a, "network_veth_s": b, "veth_cost_s": (b - a) if a and b else None,
                 "spaced_private_network_s": a2, "spaced_network_veth_s": b2,
                 "spaced_veth_cost_s": (b2 - a2) if a2 and b2 else None}
    nl = ""
    path = os.path.join(R, "veth-netlink.strace")
    if os.path.exists(path):
        text = open(path).read()
        sent = NL_SENT = re.findall(r"send\w*\(\d+, \[\{nlmsg_len=\d+, nlmsg_type=(RTM_\w+)", text)
        if re.search(r"send\w*\(.*nla_type=IFLA_NET_NS_(PID|FD)", text):
            NL_SENT.append("MOVE")
        errs = re.findall(r"nlmsg_type=NLMSG_ERROR.*?error=(-E\w+)", text)
        nl = (" Netlink requests of one start (strace): %s; errors answered: %s." % (
            ", ".join("%s×%d" % (t, sent.count(t)) for t in sorted(set(sent))) or "none",
            ", ".join(sorted(set(errs))) or "none"))
    w("**Ours: `--network-veth`** (new since this benchmark was written): start-to-exit of `true` with a 1-path "
      "closure, back to back %s against %s with `--private-network`, so **%s for the veth**; one start at a time "
      "%s against %s (%s).%s Here no systemd-networkd runs, so the launcher only warns: *%s*." % (
          ms(b, 2), ms(a, 2), ms(VETH_JSON["veth_cost_s"], 2), ms(b2, 2), ms(a2, 2),
          ms(VETH_JSON["spaced_veth_cost_s"], 2), nl, META.get("veth_warning", "")))
elif META.get("veth_option", "0") == "0":
    w("**Ours: not implemented yet** (`nixos-nspawn --help` offers no veth, bridge or zone option; "
      "`--private-network` gives only a loopback interface).")
else:
    w("**Ours: `--help` lists `--network-veth`, but it did not run here**: %s." % na("ours: --network-veth"))
w("")
w("As a baseline: `ip link add … type veth peer name …`, moving the peer into a network namespace, and "
  "`ip link del`, per pair: in one `ip -batch` of 50 pairs (kernel cost; 3 rounds) and one `ip` process per step "
  "(what forking ip(8) would cost; 10 rounds).")
w("")
w("| Method | Add pair | Move peer into netns | Delete pair |")
w("|---|---:|---:|---:|")
for kind, label, moved in (("batch", "`ip -batch`, per pair: add, move, `link del`", True),
                           ("single", "one `ip` process per step", True),
                           ("peer-in-netns", "`ip -batch`, per pair: add with `peer … netns NS`, then `ip netns del`",
                            False)):
    v = VETH.get(kind)
    if v:
        w("| %s | %s | %s | %s |" % (label, ms(median(v["add"]), 3),
                                     ms(median(v["move"]), 3) if moved else "— (created there)",
                                     ms(median(v["del"]), 3) + ("" if moved else " (until the host ends are gone)")))
    else:
        w("| %s | %s | | |" % (label, na("veth")))
w("")
vb, vp = VETH.get("batch"), VETH.get("peer-in-netns")
if vb and vp:
    w("Moving a link between namespaces and deleting one link each wait for the kernel (an RCU grace period per "
      "operation); creating the peer directly in the container's namespace and leaving its removal to the "
      "namespace's end costs %s + %s per pair instead of %s + %s + %s." % (
          ms(median(vp["add"]), 3), ms(median(vp["del"]), 3), ms(median(vb["add"]), 3), ms(median(vb["move"]), 3),
          ms(median(vb["del"]), 3)))
    if VETH_JSON:
        w("")
        w("Ours %s; %s" % (
            "moves a link into the container's namespace in a separate request (`IFLA_NET_NS_*` at top level), "
            "which waits for the kernel as above" if "MOVE" in NL_SENT else
            "creates the pair with its peer already in the container's namespace (no separate move request)",
            "it still deletes the host end itself at exit (`RTM_DELLINK` in the trace above), which is the "
            "expensive step — see the findings." if "RTM_DELLINK" in NL_SENT else
            "it leaves the deletion to the namespace's end."))
    else:
        w("")
        w("For the veth code when it comes: send the peer's `IFLA_NET_NS_FD` in the `RTM_NEWLINK` request, and do "
          "not delete the host end at exit.")
    w("")

# 7. the system call filter


def sc(key, i=0, digits=1, unit=""):
    return fmt(SC[key][i], digits, unit) if key in SC else na("filter: in-process costs")


def user_ms(st):
    return ms(st.get("user_mean"), 1) if st and st.get("user_mean") is not None else "n/a"


w("## 7. The system call filter")
w("")
w("The default filter (an allow list by groups, as systemd-nspawn's, for x86-64, i386 and x32: %s + %s "
  "instructions) is compiled when nixos-nspawn is built; a start only installs it. In-process, from the "
  "launcher's own code (`checks/bench/seccompcost.c`, medians of %s runs, min…max):" % (
      sc("insns_main", 0, 0), sc("insns_args", 0, 0), "100" if META.get("quick") != "1" else "10"))
w("")
w("| | Median | Min | Max |")
w("|---|---:|---:|---:|")
for key, label, unit, scale in [
        ("install_us", "install the built-in programs (every start)", " µs", 1),
        ("compile_us", "compile the same filter with libseccomp (what a start would pay without the build-time "
                       "compile)", " ms", 1e-3),
        ("getppid_ns_unfiltered", "getppid() without a filter", " ns", 1),
        ("getppid_ns_filtered", "getppid() under the filter", " ns", 1)]:
    cells = [fmt(SC[key][i] * scale, 1, unit) if key in SC else na("filter: in-process costs") for i in range(3)]
    w("| %s | %s | %s | %s |" % (label, cells[0], cells[1], cells[2]))
w("")
w("Whole starts (hyperfine, as section 1; user CPU is where a filter compile shows):")
w("")
w("| Command | Median | Spread | User CPU (mean) |")
w("|---|---:|---|---:|")
for table, keys in [(SC_OURS, ["ours: filter built in", "ours: the same filter compiled at start"]),
                    (SC_NSPAWN, ["systemd-nspawn: its filters", "systemd-nspawn: SYSTEMD_SECCOMP=0"])]:
    for k in keys:
        st = table.get(k)
        if not st:
            w("| %s | %s | | |" % (k, na(k)))
        else:
            w("| %s | %s | %s | %s |" % (k, ms(st["median"], 1), spread_ms(st), user_ms(st)))
w("")
on, off = SC_NSPAWN.get("systemd-nspawn: its filters"), SC_NSPAWN.get("systemd-nspawn: SYSTEMD_SECCOMP=0")
b, c = SC_OURS.get("ours: filter built in"), SC_OURS.get("ours: the same filter compiled at start")
if on and off:
    w("systemd-nspawn's filters cost it %s of wall time and %s of user CPU per start (median with minus median "
      "without; user CPU means). Ours costs %s to install; compiling it at start instead would add %s (%s of "
      "wall time between the two starts above)." % (
          ms(on["median"] - off["median"]),
          ms(on["user_mean"] - off["user_mean"]) if on.get("user_mean") is not None and off.get("user_mean") is not None else "n/a",
          sc("install_us", 0, 0, " µs"), fmt(SC["compile_us"][0] / 1e3, 1, " ms") if "compile_us" in SC else "n/a",
          ms(c["median"] - b["median"]) if b and c else "n/a"))
    w("")

# profile
w("## 8. Live update (`nixos-nspawnctl`)")
w("")
path = os.path.join(R, "ctl.md")
if CTL and os.path.exists(path):
    w("`checks/bench/ctl.sh` on the `<nixpkgs/nixos>` stand-in (`checks/fixtures/nixpkgs-standin`), without systemd: "
      "each run builds a new system, so Nix's own work is in the rows *with the build*. The last update lists "
      "%s more store paths (the `many` fixture) in its `--closure`, on a container just restarted: its difference "
      "to the plain switch is what adding them costs, %s per path (one read-only idmapped bind per path in the "
      "new layer, a tmpfs swapped in whole at the propagation point in a mount namespace of its own, and its copies "
      "in the container's namespaces; the old system's paths go in place after `switch-to-configuration`, "
      "`ctl/live.c`)." % (fmt(ctl_add_n, 0), fmt(ctl_add_us, 1, " µs")))
    w("")
    for line in open(path):
        if line.startswith("|"):
            w(line.rstrip("\n"))
    if ctl_ms("mounts_updated") is not None:
        w("")
        w("The host's mount table across live updates: one container started, then %s switches each replacing the "
          "last one's %s store paths with %s others: `/proc/self/mountinfo` of the host had %s lines before the "
          "start, %s after it, %s after the first update, %s after the last and %s after the stop (naming the "
          "container: %s, %s, %s, %s, %s); the container's own table had %s lines after the first update and %s "
          "after the last. Other work on the machine that mounts moves the host's totals; the lines naming the "
          "container are ours alone." % (
              fmt(ctl_ms("live_updates"), 0), fmt(live_n, 0), fmt(live_n, 0),
              *[fmt(ctl_ms("mounts_" + k), 0) for k in ("before", "started", "first", "updated", "stopped")],
              *[fmt(ctl_ms("mounts_named_" + k), 0) for k in ("before", "started", "first", "updated", "stopped")],
              fmt(ctl_ms("inside_mounts_first"), 0), fmt(ctl_ms("inside_mounts_updated"), 0)))
else:
    w(na("ctl", "ctl.sh did not run"))
w("")

report_scale.section(SCALE_UNIT, w, na)

w("## Profile of the largest cost")
w("")
w("The largest cost that is ours is putting the store closure in place (section 2): with 3000 paths it is most of "
  "start-to-exit. `perf record -g` (software clock: no hardware counters in this VM) over %s starts with 3000 paths "
  "and %s with 1 path, processes `nixos-nspawn` and `busybox` (the container's PID 1, which also pays the "
  "namespace teardown), and `strace -c -f` over one start with 3000 paths." % (
      "15" if META.get("quick") != "1" else "3", "75" if META.get("quick") != "1" else "15"))
w("")
for tag, title in (("3000", "3000 paths"), ("1", "1 path")):
    ch, se = perf_children(tag), perf_self(tag)
    if ch is None and se is None:
        w("perf, %s: %s" % (title, na("perf: " + tag, NA.get("perf", "not measured"))))
        w("")
        continue
    w("perf, %s — inclusive time of kernel entry points (share of all samples):" % title)
    w("")
    w("```")
    for pct, sym in ch or []:
        w("%6.2f%%  %s" % (pct, sym))
    w("```")
    w("")
    w("perf, %s — top self time:" % title)
    w("")
    w("```")
    for pct, sym in se or []:
        w("%6.2f%%  %s" % (pct, sym))
    w("```")
    w("")
OFFCPU = {}
for tag, title in (("private", "`--private-network`"), ("veth", "`--network-veth`")):
    oc = offcpu(tag)
    if oc is None:
        continue
    OFFCPU[tag] = [{"ms_per_start": v, "site": k} for v, k in oc]
    w("Off-CPU, one start at a time with %s (10 starts 0.3 s apart, `perf record -e sched:sched_switch -g`): "
      "time our processes spend in uninterruptible sleep, by where they wait (innermost kernel frames ← syscall), "
      "per start:" % title)
    w("")
    w("```")
    for v, k in oc[:8]:
        w("%7.2f ms  %s" % (v, k))
    w("```")
    w("")
if not OFFCPU and ("off-CPU" in NA or "off-CPU: private" in NA):
    w("Off-CPU profile: %s" % na("off-CPU", NA.get("off-CPU: private", "not measured")))
    w("")
sc = strace_c()
if sc:
    w("`strace -c -f`, one start with 3000 paths (system time per syscall, inflated by strace; the counts are "
      "exact; syscalls that only wait for another process are left out):")
    w("")
    w("| Syscall | Calls | Seconds | % |")
    w("|---|---:|---:|---:|")
    for row in sc[:12]:
        w("| %s | %d | %.4f | %.1f |" % (row["syscall"], row["calls"], row["seconds"], row["pct"]))
    w("")

# findings
w("### Findings and suggestions")
w("")
w("Measured here, not changed: these are for whoever owns the files named.")
w("")
F = []
p1, p3k, p10k = PHASE_MED.get(1), PHASE_MED.get(3000), PHASE_MED.get(10000)
ch3k, ch1, dso1 = perf_children("3000"), perf_children("1"), perf_dso("1")


def share(entries, name):
    for pct, label in entries or []:
        if label.split()[0] == name:
            return pct
    return None


sc_by = {r["syscall"]: r for r in (sc or [])}
if s_ours1 is not None and t_ours1 is not None and CGMOVE.get("write") and INTO_CG:
    F.append("**Cold start: no cgroup migration any more.** The launcher now clones its outer child into the "
             "container's cgroup (`CLONE_INTO_CGROUP`); one start at a time ours takes %s (back to back %s), "
             "bwrap %s (%s). A migration would have cost %s here (`cgmove`, which depends on the host: a write to "
             "`cgroup.procs` waits for an RCU grace period unless another migration on the host happened within the "
             "last one, tens of µs on a busy machine, 7-31 ms on a quiet one); our starts' own off-CPU time in one: %s per start "
             "(*Profile*, their process tree only; on a host whose pids controller is cgroup v1's the outer child "
             "joins that cgroup itself, a one-thread move that takes no such lock)." % (
                 ms(s_ours1, 1), ms(t_ours1, 1), ms(s_bwrapc, 1), ms(t_bwrapc, 1),
                 fmt(CGMOVE["write"]["median_us"] / 1e3, 1, " ms"), fmt(MIG_MS, 1, " ms")))
if s_ours1 is not None and t_ours1 is not None and CGMOVE.get("write") and not INTO_CG:
    F.append("**A single start pays a cgroup migration — the largest cost of a one-off start.** One start at a "
             "time, ours takes %s (back to back %s), bwrap %s (%s), the unshare floor %s (%s): ours loses "
             "%s, the others about 1 ms (an idle machine's caches and wake-up). The monitor writes PID 1's PID into the container cgroup's `cgroup.procs` (`cgroup_attach()`, "
             "spawn/cgroup.c, called from spawn/spawn.c once PID 1 exists); a migration takes "
             "`cgroup_threadgroup_rwsem` for writing and so waits for an RCU grace period unless another migration "
             "just happened — %s median here (`cgmove`, no tracer). Suggestion: when the cgroup is ours (no "
             "machined scope), let PID 1 be born in it: `clone3()` with `CLONE_INTO_CGROUP` and an `O_PATH` fd of "
             "the payload cgroup instead of `raw_clone(CLONE_PARENT)` + `cgroup_attach()` (%s for the whole "
             "clone3 in `cgmove`, against %s for a plain fork). With a machined scope, machined moves the leader and "
             "pays the same; creating the scope empty and cloning into it would avoid that too. (A cgroup2 mount "
             "with `favordynmods` also avoids it, but that is the host's choice.)" % (
                 ms(s_ours1, 1), ms(t_ours1, 1), ms(s_bwrapc, 1), ms(t_bwrapc, 1), ms(med(SPACED, K_FLOOR), 1),
                 ms(med(START, K_FLOOR), 1), ms(s_ours1 - t_ours1, 1),
                 fmt(CGMOVE["write"]["median_us"] / 1e3, 1, " ms"),
                 fmt(CGMOVE.get("clone3", {}).get("median_us"), 0, " µs"),
                 fmt(CGMOVE.get("fork", {}).get("median_us"), 0, " µs")))
if p1 and (p3k or p10k):
    pn, nn = (p10k, 10000) if p10k else (p3k, 3000)

    def pp(k):
        return (pn[k] - p1[k]) / (nn - 1) * 1e6

    F.append("**Store paths cost %s each** (slope of start-to-exit; target 8 µs). By phase at %d paths: prepare "
             "%.1f µs, build %.1f µs, unshare %.1f µs, to exec %.1f µs, teardown %.1f µs. The plain bind + remount "
             "loop pays %s (set-up + teardown) for the same paths, so about %s per path is ours." % (
                 fmt(store_slope, 1, " µs"), nn, pp("prepare"), pp("build_root"), pp("unshare"), pp("to_exec"),
                 pp("teardown"), fmt(bind_slope, 1, " µs"),
                 fmt(store_slope - bind_slope if store_slope is not None and bind_slope is not None else None, 1,
                     " µs")))
    st_row, mk_row, ot_row = sc_by.get("newfstatat", {}), sc_by.get("mkdirat", {}), sc_by.get("open_tree", {})
    st_row, mk_row, mo_row = sc_by.get("newfstatat", {}), sc_by.get("mkdirat", {}), sc_by.get("mount", {})
    F.append("**Per path, what is left is kernel work.** The outer child makes a mount point (`mkdirat`, on a ramfs) "
             "and one `mount(MS_BIND)` from a chroot into the idmapped store view (it was `open_tree` + "
             "`move_mount` + `close`, with an anonymous mount namespace and a file per clone, on a tmpfs: about "
             "4 µs more per path); the monitor `fstatat()`s each path once to check it and learn its type. strace -c, "
             "3000 paths: `newfstatat` %s calls, %s of syscall time; `mkdirat` %s; `mount` %s. Then the copy into the "
             "container's namespace (next point) and, at the end, dropping both copies and the ramfs's dentries: "
             "the teardown term. The prepare term (%.1f µs/path) also sorts the closure twice (`closure_add_text()` "
             "and `closure_finish()`)." % (
                 st_row.get("calls", "n/a"), fmt(st_row.get("pct"), 1, "%"), fmt(mk_row.get("pct"), 1, "%"),
                 fmt(mo_row.get("pct"), 1, "%"), pp("prepare")))
    F.append("**The mount table is built twice, on purpose.** `unshare(CLONE_NEWNS|…)` in `outer_child()` "
             "(spawn/spawn.c) copies every store mount into the container's user-namespace-owned mount namespace "
             "(`copy_mnt_ns`: %s of samples with 3000 paths) and drops the outer namespace's originals: the "
             "unshare term, %.1f µs per path, and part of the teardown term, %.1f µs. That copy is what marks the "
             "mounts locked (MNT_LOCKED, MNT_LOCK_READONLY). Attaching clones inside the container's namespace "
             "instead would save the copy but leave them unlocked: container root could remount a store path "
             "read-write and, through the idmapping that makes the store root-owned inside, write to the host's "
             "store. Not a trade to make; the savings have to come from the other terms." % (
                 fmt(share(ch3k, "copy_mnt_ns"), 1, "%"), pp("unshare"), pp("teardown")))
if t_ours1 is not None and t_bwrapc is not None:
    lds = sum(v for (comm, dso), v in dso1.items() if comm == "nixos-nspawn" and dso.startswith("ld-linux"))
    ours_total = sum(v for (comm, dso), v in dso1.items() if comm == "nixos-nspawn")
    libs = META.get("libs", "").split()
    if any(l.startswith(("libsystemd", "libmount")) for l in libs):
        F.append("**Fixed start cost, back to back: %s vs bwrap's %s** (same 1-path closure; the unshare floor is "
                 "%s). With 1 path the dynamic loader is %s of the launcher's samples (%d shared libraries: %s; "
                 "linked with `%s`, so every symbol is bound at start), and the new network namespace "
                 "(`copy_net_ns`, %s of all samples) is paid by every tool. Suggestions: load libsystemd only when "
                 "there is a bus to talk to; replace libmount with a few lines over `/proc/self/mountinfo`." % (
                     ms(t_ours1, 2), ms(t_bwrapc, 2), ms(med(START, K_FLOOR), 2),
                     fmt(100 * lds / ours_total if ours_total else None, 0, "%"), len(libs), " ".join(libs) or "?",
                     META.get("ldflags", "?").replace("$(LDFLAGS)", "").strip(), fmt(share(ch1, "copy_net_ns"), 1, "%")))
    else:
        F.append("**Fixed start cost, back to back: %s vs bwrap's %s** (same 1-path closure; the unshare floor is "
                 "%s). The launcher links %d shared libraries (%s; `%s`): sd-bus is `dlopen`ed only when there is a "
                 "system bus (common/sdbus-dl.c), the rest of what libsystemd and libmount gave is the launcher's own "
                 "code, and the UID-range check reads /etc/passwd and /etc/group itself when nsswitch.conf asks "
                 "nothing else (NSS modules otherwise, in a short-lived child). The dynamic loader is now %s of the "
                 "launcher's samples; what is left is kernel work bwrap does not do (section *Profile*: the seccomp "
                 "filter's load and JIT, the cgroup made and removed, the idmapped store mounts, /dev nodes, "
                 "/run/host), and the new network namespace (`copy_net_ns`, %s of all samples) is paid by every "
                 "tool." % (
                     ms(t_ours1, 2), ms(t_bwrapc, 2), ms(med(START, K_FLOOR), 2), len(libs), " ".join(libs) or "?",
                     META.get("ldflags", "?").replace("$(LDFLAGS)", "").strip(),
                     fmt(100 * lds / ours_total if ours_total else None, 0, "%"), fmt(share(ch1, "copy_net_ns"), 1, "%")))
if VETH_JSON and OFFCPU.get("veth") and "RTM_DELLINK" in NL_SENT:
    dl = sum(x["ms_per_start"] for x in OFFCPU["veth"] if "rtnl_dellink" in x["site"])
    vb = VETH.get("batch"), VETH.get("peer-in-netns")
    F.append("**`--network-veth` costs %s per start (back to back), much of it at the stop.** Off-CPU, one start at "
             "a time: %s per start waiting in `rtnl_dellink` (the monitor deletes the host end `ve-NAME` at exit, and a link deletion "
             "waits for `rcu_barrier()`)%s. The namespace's end removes both "
             "ends anyway, in the kernel's batched `cleanup_net` (section 6: %s per pair that way, against %s for "
             "an explicit delete). Suggestion for the link teardown in netconf/: skip the `RTM_DELLINK` when the "
             "container's network namespace is neither exported nor joined (it dies with PID 1), and treat an "
             "`EEXIST` for `ve-NAME` at the next start of the same name as a leftover to delete then." % (
                 ms(VETH_JSON.get("veth_cost_s"), 1), fmt(dl, 1, " ms"),
                 "" if INTO_CG else ", on top of the cgroup migration above",
                 ms(median(vb[1]["del"]), 3) if vb[1] else "n/a", ms(median(vb[0]["del"]), 3) if vb[0] else "n/a"))
if BREAKDOWN:
    d = dict(BREAKDOWN)
    libsd = next(kb for label, kb in BREAKDOWN if label.startswith("libsystemd"))
    libmnt = next(kb for label, kb in BREAKDOWN if label.startswith("libmount"))
    nss = next(kb for label, kb in BREAKDOWN if label.startswith("NSS"))
    total = sum(d.values())
    rest = total - libsd - libmnt - nss
    if libsd + libmnt + nss > 0:
        F.append("**Monitor RSS %d KiB** (target 2048; first round's `smaps`): libsystemd and what only it pulls "
                 "in %d KiB, libmount and what only it pulls in %d KiB, NSS modules %d KiB; without those about %d "
                 "KiB, libc alone %d KiB." % (total, libsd, libmnt, nss, rest, d.get("libc", 0)))
    else:
        F.append("**Monitor RSS %d KiB** (target 2048; first round's `smaps`): no libsystemd, libmount or NSS module "
                 "is mapped in the monitor; libc %d KiB, the launcher %d KiB, the loader %d KiB, heap, stack and "
                 "anonymous memory %d KiB. Once PID 1 runs the monitor frees what only set-up used (closure, "
                 "environment, credentials, seccomp program); once idle after `READY=1` it trims the heap and drops "
                 "its read-only code and constant pages (`trim_after_setup()`, spawn/trim.c), which the loop faults "
                 "back in as it needs them; a short-lived container exits before that and pays nothing for it." % (total, d.get("libc", 0), d.get("the launcher binary", 0), d.get("dynamic loader", 0),
                             d.get("heap, stack, anonymous", 0)))
if g(boot_ours) is not None and t_oursd is not None:
    lead_nsu, lead_ns = g(boot_stat("nspawn-U", "leader_s")), g(boot_stat("nspawn", "leader_s"))
    text = ("**Boot and stop are mostly the container's own systemd.** Ours reaches `READY=1` in %s; our part of "
            "that (start-to-exit of `/bin/true` in the same image) is %s, %s." % (
                ms(g(boot_ours), 0), ms(t_oursd, 1), fmt(100 * t_oursd / g(boot_ours), 0, "%")))
    if lead_nsu is not None and lead_ns is not None:
        text += (" systemd-nspawn reports its PID 1 running (`X_NSPAWN_LEADER_PID=`) after %s with `-U` and %s "
                 "without, against %s and %s to `READY=1`: the difference between its two variants is spent "
                 "before the container's systemd starts." % (
                     ms(lead_nsu, 0), ms(lead_ns, 0), ms(g(boot_nsu), 0), ms(g(boot_ns), 0)))
    text += (" Stop times are the container's orderly poweroff; our own work after PID 1 has exited is the "
             "*teardown* phase above (%s with 1 path, under strace)." % ms(p1["teardown"] if p1 else None, 2))
    F.append(text)
spur = META.get("spurious_already_running", "0 of 0")
if not spur.startswith("0 "):
    F.append("**Bug: concurrent starts can fail with \"Machine 'NAME' is already running\" although every name is "
             "distinct** (%s starts of the scale and burst tests failed so). `lock_dir_sweep()` and `lock_is_held()` "
             "(common/lockfile.c; called from `lock_machine()` and, through `machine_is_running()`, from "
             "`cgroup_remove_stale()`) probe *other* machines' lock files by taking `LOCK_EX|LOCK_NB` for a moment; a "
             "launcher whose own `flock(LOCK_EX|LOCK_NB)` in `lock_file()` falls into that moment gets "
             "`EWOULDBLOCK` and `lock_machine()` reports the name as taken (see the burst table in section 5). "
             "Suggested fix: in `lock_file()`, retry "
             "`EWOULDBLOCK` a few times, a millisecond apart, before calling the name taken (a prober holds the lock "
             "for microseconds, a running launcher for its whole life); the same applies to the UID-range locks, "
             "where the spurious `EBUSY` only costs the name-stable range." % spur)
if ctl_add_us is not None:
    F.append("**A live-added store path costs %s** (target 8 µs, as for a start). A live update builds the new "
             "generation's whole closure as one layer (a fresh tmpfs with one read-only idmapped bind per path, "
             "made chrooted into a clone of the store: `mount(MS_BIND)` measured cheaper here than "
             "`open_tree()` + `move_mount()`, 9.6–11.6 against 12.1–13.3 µs of CPU per path) in the propagation "
             "point's own mount namespace, swaps it in with `MOVE_MOUNT_BENEATH` and detaches the old one; the kernel "
             "copies the layer into the container's namespace (`propagate_mnt`, one more mount per path) and drops "
             "the old layer's copy; the old system's paths stay until its `switch-to-configuration` is done and "
             "then go in place (their mount points removed). So each added path is one bind, its copies in the "
             "container's two mount namespaces and a mount point, none of them in the host's mount table; the rest "
             "is `mount(2)`'s own cost per call." % fmt(ctl_add_us, 1, " µs"))
for f_ in F:
    w("* " + f_)
w("")

# notes
w("## Notes on method and on this machine")
w("")
w("* **systemd-nspawn without systemd as PID 1**: it needs `--keep-unit` and `--register=no` (otherwise: "
  "*Failed to open system bus*); no environment variable was needed — with the hybrid cgroup layout here it "
  "detects the layout itself (`SYSTEMD_NSPAWN_UNIFIED_HIERARCHY` is not set). With `--keep-unit` it creates "
  "`payload/` and `supervisor/` next to its own cgroup, so run.sh moves itself into a cgroup of its own first "
  "and removes it afterwards. It prints *Attempted to remove disk file system under "
  "\"/run/systemd/nspawn/propagate/…\", and we can't allow that* on every exit because `/run` is not a tmpfs "
  "here; harmless.")
w("* **bwrap 0.8** caps its command line at 9000 arguments, so at most ~2990 `--ro-bind`s; it also re-reads "
  "`/proc/self/mountinfo` per bind, so its per-path cost grows with N.")
w("* **Boot** readiness comes from the container's own `READY=1` for ours and for nspawn (`--notify-ready=yes`); "
  "the monitor's stop time includes the container's orderly poweroff.")
w("* The machine is shared with other work (load averages above); medians are robust to that, the spreads are not.")
for k, reason in NA.items():
    w("* n/a: %s — %s" % (k, reason))
left = {row[0]: row[1] for row in read_tsv("leftovers.tsv") if len(row) > 1}
if left:
    w("* Left behind after the run (should all be 0): %s." % ", ".join("%s %s" % (k, v) for k, v in left.items()))
w("")

w("## Versions")
w("")
w("| | |")
w("|---|---|")
for k in ("nixos-nspawn", "binary", "systemd-nspawn", "bwrap", "unshare", "hyperfine", "perf", "strace", "iproute2", "cc",
          "kernel", "os", "image"):
    w("| %s | %s |" % (k, META.get(k, "?")))
w("")

w("## How to reproduce")
w("")
w("```sh")
w("sudo make bench            # Debian 12, root; installs what is missing, builds, runs (≈ 3–4 min on 2 cores")
w("                           # once the fixtures are cached; the first run debootstraps an image)")
w("BENCH_KEEP=1 sudo -E bash checks/bench/run.sh   # the same, keeping the raw results (hyperfine JSON, strace, perf)")
w("```")
w("")
w("Fixtures are built on the first run and cached under `/var/cache/nixos-nspawn` (a debootstrapped Debian image "
  "and Nix store closures made offline with Debian's `nix-bin`). The raw data is summarised by "
  "`checks/bench/report.py`; `docs/benchmarks.json` holds the same numbers for machines.")
w("")

with open(OUT_MD, "w") as f:
    f.write("\n".join(md))

with open(OUT_JSON, "w") as f:
    json.dump({
        "meta": META,
        "targets": TARGETS,
        "start_to_exit_s": {k: START.get(k) for k in START_KEYS},
        "store": {"per_n": STORE_JSON, "ours_slope_us_per_path": store_slope,
                  "ours_slope_from_minima_us_per_path": store_slope_min,
                  "plain_loop_slope_us_per_path": bind_slope,
                  "ours_phases_s": {str(n): v for n, v in PHASE_MED.items()}},
        "boot": BOOT_JSON,
        "memory_kib": MEM_JSON,
        "monitor_rss_breakdown_kib": dict(BREAKDOWN) if BREAKDOWN else None,
        "scale": SCALE,
        "burst": BURST,
        "scale_unit": SCALE_UNIT,
        "veth_s_per_pair": {k: {op: median(v[op]) for op in v} for k, v in VETH.items()},
        "veth_ours": VETH_JSON or ("not implemented" if META.get("veth_option", "0") == "0" else NA.get("ours: --network-veth")),
        "start_to_exit_one_at_a_time_s": {k: SPACED.get(k) for k in SPACED_KEYS},
        "cgroup_move_us": CGMOVE,
        "offcpu_ms_per_start": OFFCPU,
        "not_available": NA,
    }, f, indent=1, sort_keys=False)
    f.write("\n")
