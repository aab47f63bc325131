#!/usr/bin/python3
"""Load on a running crid through the CRI: many pods at once, round after round.

    cri_load.py --endpoint unix:///run/crid/crid.sock --pid PID --root DIR --state DIR
                --image REF [--cgroup-parent NAME] [--pods 100] [--rounds 3]
                [--workers N] [--warmup-pods N] [--exec-timeout 30] [--json FILE]

Each round runs, for each of --pods pods at once (a thread each, --workers
at most, all sharing one gRPC channel as the kubelet does): RunPodSandbox,
CreateContainer x2 (busybox `sleep 3600`), StartContainer x2, ExecSync into
each (its stdout and exit code checked), StopContainer x2 (ContainerStatus
must then say EXITED), RemoveContainer x2, StopPodSandbox, RemovePodSandbox.
A warm-up round (--warmup-pods, default --pods; 0 for none) comes first: crid's
gRPC server and its helpers start threads and open sockets on demand, so fds
and threads are counted after it, and again after the last round.

Then nothing may be left: crid's fd and thread counts back to the warm-up's
(within --fd-slack/--thread-slack, waited for up to --settle seconds, as
idle gRPC threads leave on their own), no zombie children of crid, no pod or
container in ListPodSandbox/ListContainers, no mount under --root or
--state, no cgroup under --cgroup-parent in any hierarchy, no process
(crid-monitor, the OCI runtime) whose command line names --root or --state,
nothing in crid's per-pod and per-container state directories (netns pins
included).

Prints per-operation latencies (count, p50, p90, p99, max in ms), the
failures and the leaks; --json FILE writes the same as JSON. Exits 1 on any
failure or leak, 2 on bad usage. Defaults of --pods and --rounds come from
LOAD_PODS and LOAD_ROUNDS when set.
"""
import argparse
import concurrent.futures
import glob
import json
import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import cri_client  # noqa: E402

OPS = ["RunPodSandbox", "CreateContainer", "StartContainer", "ExecSync", "StopContainer",
       "ContainerStatus", "RemoveContainer", "StopPodSandbox", "RemovePodSandbox", "pod total"]
CONTAINERS = ("c0", "c1")


class Load:
    def __init__(self, args):
        self.args = args
        self.client = cri_client.Client(args.endpoint)
        self.lock = threading.Lock()
        self.samples = {}       # op -> [seconds], measured rounds only
        self.failures = []      # "round R pod NAME: op: error"
        self.rounds = []        # {"round", "pods", "seconds", "failures"}
        self.run_id = "%d-%d" % (os.getpid(), int(time.time()))

    # --- one pod ----------------------------------------------------------
    def pod_config(self, rnd, i):
        name = "load-%s-r%d-p%d" % (self.run_id, rnd, i)
        logs = os.path.join(self.args.work, "logs", name)
        os.makedirs(logs, exist_ok=True)
        return {"metadata": {"name": name, "namespace": "crid-load", "uid": "uid-" + name, "attempt": 0},
                "hostname": "p%d" % i, "logDirectory": logs,
                "labels": {"crid-load": self.run_id}, "linux": {}}

    def ctr_config(self, name):
        return {"metadata": {"name": name, "attempt": 0}, "image": {"image": self.args.image},
                "command": ["sleep", "3600"], "logPath": name + ".log",
                "labels": {"crid-load": self.run_id}, "linux": {}}

    def pod_cycle(self, rnd, i, times):
        """Runs one pod's whole life; returns the error text of the first
        failed step (the pod is then torn down as far as it goes), or None."""
        def timed(op, method, request, timeout=120):
            t0 = time.perf_counter()
            out = self.client.call(method, request, timeout=timeout)
            times.append((op, time.perf_counter() - t0))
            return out

        config = self.pod_config(rnd, i)
        pod = None
        ctrs = []
        step = "RunPodSandbox"
        t_pod = time.perf_counter()
        try:
            pod = timed(step, "RunPodSandbox", {"config": config}).pod_sandbox_id
            step = "CreateContainer"
            for name in CONTAINERS:
                ctrs.append(timed(step, "CreateContainer", {"podSandboxId": pod, "config": self.ctr_config(name),
                                                            "sandboxConfig": config}).container_id)
            step = "StartContainer"
            for c in ctrs:
                timed(step, "StartContainer", {"containerId": c})
            step = "ExecSync"
            for k, c in enumerate(ctrs):
                token = "%s/%s" % (config["metadata"]["name"], CONTAINERS[k])
                code = (i + k) % 4
                r = timed(step, "ExecSync", {"containerId": c, "cmd": ["sh", "-c", 'echo "$0"; exit %d' % code, token],
                                             "timeout": self.args.exec_timeout},
                          timeout=self.args.exec_timeout + 30)
                if r.stdout != (token + "\n").encode() or r.exit_code != code:
                    raise RuntimeError("ExecSync in %s: want stdout %r exit %d, got stdout %r stderr %r exit %d" %
                                       (CONTAINERS[k], token + "\n", code, r.stdout.decode(errors="replace"),
                                        r.stderr.decode(errors="replace"), r.exit_code))
            step = "StopContainer"
            for c in ctrs:
                timed(step, "StopContainer", {"containerId": c, "timeout": 0})
            step = "ContainerStatus"
            for c in ctrs:
                st = timed(step, "ContainerStatus", {"containerId": c}).status
                state = self.client.api.ContainerState.Name(st.state)
                if state != "CONTAINER_EXITED":
                    raise RuntimeError("ContainerStatus of %s after StopContainer: %s, want CONTAINER_EXITED" %
                                       (c, state))
            step = "RemoveContainer"
            while ctrs:
                timed(step, "RemoveContainer", {"containerId": ctrs[0]})
                ctrs.pop(0)
            step = "StopPodSandbox"
            timed(step, "StopPodSandbox", {"podSandboxId": pod})
            step = "RemovePodSandbox"
            timed(step, "RemovePodSandbox", {"podSandboxId": pod})
            pod = None
            times.append(("pod total", time.perf_counter() - t_pod))
            return None
        except RuntimeError as e:
            error = "%s: %s" % (step, e)
            # Leave what can be removed removed, so that the leak check
            # after the run tells leaks from the remains of a failure.
            if pod:
                for method in ("StopPodSandbox", "RemovePodSandbox"):
                    try:
                        self.client.call(method, {"podSandboxId": pod}, timeout=120)
                    except RuntimeError as e2:
                        error += " (then %s: %s)" % (method, e2)
            return error

    # --- rounds -----------------------------------------------------------
    def round(self, rnd, pods, measured):
        t0 = time.perf_counter()
        workers = min(self.args.workers or pods, pods)
        done = threading.Event()
        peak = {"fds": 0, "threads": 0}

        def sample():
            while not done.wait(0.2):
                try:
                    peak["fds"] = max(peak["fds"], len(os.listdir("/proc/%d/fd" % self.args.pid)))
                    peak["threads"] = max(peak["threads"], len(os.listdir("/proc/%d/task" % self.args.pid)))
                except OSError:
                    pass
        sampler = threading.Thread(target=sample)
        sampler.start()
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            times = [[] for _ in range(pods)]
            futures = [pool.submit(self.pod_cycle, rnd, i, times[i]) for i in range(pods)]
            results = [f.result() for f in futures]
        seconds = time.perf_counter() - t0
        done.set()
        sampler.join()
        failed = 0
        with self.lock:
            for i, error in enumerate(results):
                if error:
                    failed += 1
                    self.failures.append("round %d pod %d: %s" % (rnd, i, error))
                if measured:
                    for op, t in times[i]:
                        self.samples.setdefault(op, []).append(t)
        label = "round %d" % rnd if measured else "warm-up"
        self.rounds.append({"round": label, "pods": pods, "seconds": round(seconds, 2), "failures": failed,
                            "peak_fds": peak["fds"], "peak_threads": peak["threads"]})
        print("%s: %d pods x %d containers in %.1fs, %d failed; crid peaked at %d fds, %d threads" %
              (label, pods, len(CONTAINERS), seconds, failed, peak["fds"], peak["threads"]), flush=True)

    # --- what crid holds --------------------------------------------------
    def proc_counts(self):
        pid = self.args.pid
        fds = len(os.listdir("/proc/%d/fd" % pid))
        threads = len(os.listdir("/proc/%d/task" % pid))
        zombies = 0
        for task in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/children" % (pid, task)) as f:
                    kids = f.read().split()
            except OSError:
                continue
            for kid in kids:
                try:
                    with open("/proc/%s/stat" % kid) as f:
                        if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                            zombies += 1
                except OSError:
                    pass
        rss = 0
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        return {"fds": fds, "threads": threads, "zombie_children": zombies, "rss_kib": rss}

    def under(self, path):
        return any(path == d or path.startswith(d.rstrip("/") + "/") for d in (self.args.root, self.args.state))

    def leaks(self, before):
        found = []
        after = self.settled_counts(before)
        self.counts_after = after
        if after["fds"] > before["fds"] + self.args.fd_slack:
            found.append("crid fds %d -> %d (%s)" % (before["fds"], after["fds"], self.fd_targets()))
        if after["threads"] > before["threads"] + self.args.thread_slack:
            found.append("crid threads %d -> %d" % (before["threads"], after["threads"]))
        if after["zombie_children"]:
            found.append("%d zombie children of crid" % after["zombie_children"])
        pods = self.client.call("ListPodSandbox", {}).items
        if pods:
            found.append("pods listed: %s" % " ".join(p.id[:12] for p in pods))
        ctrs = self.client.call("ListContainers", {}).containers
        if ctrs:
            found.append("containers listed: %s" % " ".join(c.id[:12] for c in ctrs))
        with open("/proc/self/mountinfo") as f:
            mounts = [line.split()[4] for line in f]
        left = [m for m in mounts if self.under(m.replace("\\040", " "))]
        if left:
            found.append("mounts: %s" % " ".join(left))
        if self.args.cgroup_parent:
            seen = set()
            for d in glob.glob("/sys/fs/cgroup/*/" + self.args.cgroup_parent.strip("/")):
                real = os.path.realpath(d)
                if real in seen or not os.path.isdir(real):
                    continue
                seen.add(real)
                subs = [os.path.join(dp, s) for dp, ds, _ in os.walk(real) for s in ds]
                if subs:
                    found.append("cgroups: %s" % " ".join(subs))
        procs = []
        for p in os.listdir("/proc"):
            if not p.isdigit() or int(p) in self.exempt_pids():
                continue
            try:
                with open("/proc/%s/cmdline" % p, "rb") as f:
                    argv = f.read().decode(errors="replace").split("\0")
            except OSError:
                continue
            if any(self.args.root in a or self.args.state in a for a in argv if a):
                procs.append("%s (%s)" % (p, os.path.basename(argv[0])))
        if procs:
            found.append("processes naming crid's root or state: %s" % ", ".join(procs))
        # crid's per-object directories (crid/pod_store.cpp, sandbox_network.cpp,
        # the runtime's --root under state/runtime): empty once all is removed.
        dirs = [os.path.join(self.args.state, d) for d in ("sandboxes", "containers", "netns")]
        dirs += glob.glob(os.path.join(self.args.state, "runtime", "*"))
        dirs += [os.path.join(self.args.root, "containers")]
        for d in dirs:
            if os.path.isdir(d) and os.listdir(d):
                found.append("%s holds %s" % (d, " ".join(sorted(os.listdir(d))[:5])))
        return found

    def exempt_pids(self):
        """crid, this process and whatever started it (a shell or timeout(1)
        passing --root and --state along) name those directories too."""
        pids = {self.args.pid}
        pid = os.getpid()
        while pid > 1:
            pids.add(pid)
            try:
                with open("/proc/%d/stat" % pid) as f:
                    pid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                break
        return pids

    def settled_counts(self, before):
        """gRPC's sync server ends its extra threads some time after a burst:
        wait up to --settle seconds for the counts to come back."""
        deadline = time.monotonic() + self.args.settle
        while True:
            now = self.proc_counts()
            if (now["fds"] <= before["fds"] + self.args.fd_slack and
                    now["threads"] <= before["threads"] + self.args.thread_slack and
                    not now["zombie_children"]) or time.monotonic() > deadline:
                return now
            time.sleep(0.5)

    def fd_targets(self):
        kinds = {}
        d = "/proc/%d/fd" % self.args.pid
        for fd in os.listdir(d):
            try:
                t = os.readlink(os.path.join(d, fd))
            except OSError:
                continue
            t = t.split(":[")[0] if ":[" in t else ("file " + t if not t.startswith("anon_inode") else t)
            kinds[t] = kinds.get(t, 0) + 1
        return ", ".join("%s x%d" % kv for kv in sorted(kinds.items(), key=lambda kv: -kv[1])[:8])

    def cleanup(self):
        """After the report: remove whatever this run left, so that crid is
        usable again (the failures and leaks are already counted)."""
        for p in self.client.call("ListPodSandbox", {"filter": {"labelSelector": {"crid-load": self.run_id}}}).items:
            for method in ("StopPodSandbox", "RemovePodSandbox"):
                try:
                    self.client.call(method, {"podSandboxId": p.id}, timeout=120)
                except RuntimeError as e:
                    print("cleanup: %s" % e, file=sys.stderr)

    # --- report -----------------------------------------------------------
    @staticmethod
    def percentile(sorted_values, q):
        if not sorted_values:
            return 0.0
        k = min(len(sorted_values) - 1, max(0, int(round(q * len(sorted_values) + 0.5)) - 1))
        return sorted_values[k]

    def table(self):
        rows = []
        for op in OPS:
            v = sorted(self.samples.get(op, []))
            if not v:
                continue
            rows.append({"op": op, "count": len(v),
                         "p50_ms": self.percentile(v, 0.50) * 1000, "p90_ms": self.percentile(v, 0.90) * 1000,
                         "p99_ms": self.percentile(v, 0.99) * 1000, "max_ms": v[-1] * 1000})
        return rows

    def run(self):
        a = self.args
        try:
            self.client.call("ImageService/PullImage", {"image": {"image": a.image}}, timeout=300)
        except cri_client.CriError as e:
            print("FAILED: %s" % e, flush=True)
            return 1
        print("crid pid %d, %d pods x %d containers, %d rounds (+ warm-up of %d pods), %d workers" %
              (a.pid, a.pods, len(CONTAINERS), a.rounds, a.warmup_pods, min(a.workers or a.pods, a.pods)),
              flush=True)
        if a.warmup_pods:
            self.round(0, a.warmup_pods, measured=False)
        before = self.settled_counts(self.proc_counts())
        t0 = time.perf_counter()
        for rnd in range(1, a.rounds + 1):
            self.round(rnd, a.pods, measured=True)
        total = time.perf_counter() - t0
        leaks = self.leaks(before)
        after = self.counts_after
        rows = self.table()

        print("\n| operation | count | p50 ms | p90 ms | p99 ms | max ms |")
        print("|---|---:|---:|---:|---:|---:|")
        for r in rows:
            print("| %s | %d | %.1f | %.1f | %.1f | %.1f |" %
                  (r["op"], r["count"], r["p50_ms"], r["p90_ms"], r["p99_ms"], r["max_ms"]))
        print("\n%d rounds of %d pods in %.1fs; crid fds %d -> %d, threads %d -> %d, RSS %d -> %d KiB" %
              (a.rounds, a.pods, total, before["fds"], after["fds"], before["threads"], after["threads"],
               before["rss_kib"], after["rss_kib"]))
        for f in self.failures:
            print("FAILED: %s" % f)
        for leak in leaks:
            print("LEAK: %s" % leak)
        print("%d failures, %d leaks" % (len(self.failures), len(leaks)), flush=True)
        if a.json:
            with open(a.json, "w") as f:
                json.dump({"pods": a.pods, "containers_per_pod": len(CONTAINERS), "rounds": a.rounds,
                           "seconds": round(total, 2), "round_times": self.rounds, "latencies": rows,
                           "before": before, "after": after, "failures": self.failures, "leaks": leaks}, f, indent=1)
        self.cleanup()
        return 1 if self.failures or leaks else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--endpoint", required=True)
    p.add_argument("--pid", type=int, required=True, help="crid's pid")
    p.add_argument("--root", required=True, help="crid's --root")
    p.add_argument("--state", required=True, help="crid's --state")
    p.add_argument("--image", required=True)
    p.add_argument("--cgroup-parent", default="", help="crid's --cgroup-parent")
    p.add_argument("--pods", type=int, default=int(os.environ.get("LOAD_PODS", "100")))
    p.add_argument("--rounds", type=int, default=int(os.environ.get("LOAD_ROUNDS", "3")))
    p.add_argument("--warmup-pods", type=int, default=None)
    p.add_argument("--workers", type=int, default=0, help="pods in flight at once (default: all)")
    p.add_argument("--exec-timeout", type=int, default=30)
    p.add_argument("--fd-slack", type=int, default=4)
    p.add_argument("--thread-slack", type=int, default=4)
    p.add_argument("--settle", type=float, default=10)
    p.add_argument("--work", default="/tmp/cri-load-%d" % os.getpid(), help="pods' log directories")
    p.add_argument("--json")
    args = p.parse_args()
    if args.warmup_pods is None:
        args.warmup_pods = args.pods
    if args.pods < 1 or args.rounds < 1:
        p.error("--pods and --rounds must be at least 1")
    args.root = os.path.realpath(args.root)
    args.state = os.path.realpath(args.state)
    return Load(args).run()


if __name__ == "__main__":
    sys.exit(main())
