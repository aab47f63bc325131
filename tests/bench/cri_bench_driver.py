#!/usr/bin/python3
"""Times CRI calls against several daemons in alternation (tests/bench/crid_bench.sh).

    cri_bench_driver.py --work DIR --image REF --pull-image REF --out FILE.json
                        --daemon NAME,ENDPOINT,PID,ROOT,HELPER,MATCH [--daemon ...]

Every daemon gets the same requests from the same process: one gRPC channel
each, opened before the clock starts, so what is timed is the daemon's work
and not a client's start-up. HELPER names the per-pod/per-container helper
processes to count (containerd-shim-runc-v2, crid-monitor), MATCH a string
their command line holds that ties them to this daemon. ROOT is searched for
a pulled layer's blob (blobs/sha256/HEX) to tell a cold pull from a warm one.

Environment: BENCH_RUNS (rounds of each latency step, default 5),
BENCH_PULL_RUNS (default BENCH_RUNS), BENCH_PODS (pods started at once,
default 50), BENCH_PARALLEL_RUNS (default 1), BENCH_CGROUP_PARENT.
Writes raw samples (seconds, KiB) as JSON.

    cri_bench_driver.py --report FILE.json BASE

prints them as a markdown table, with ratios to daemon BASE.
"""
import argparse
import concurrent.futures
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import cri_client  # noqa: E402


class Daemon(cri_client.Client):
    def __init__(self, spec):
        name, endpoint, pid, self.root, self.helper, self.match = spec.split(",", 5)
        super().__init__(endpoint, name)
        self.pid = int(pid)


class Bench:
    def __init__(self, args):
        self.args = args
        self.daemons = [Daemon(s) for s in args.daemon]
        self.runs = int(os.environ.get("BENCH_RUNS", "5"))
        self.pull_runs = int(os.environ.get("BENCH_PULL_RUNS", str(self.runs)))
        self.pods = int(os.environ.get("BENCH_PODS", "50"))
        self.parallel_runs = int(os.environ.get("BENCH_PARALLEL_RUNS", "1"))
        self.cgroup_parent = os.environ.get("BENCH_CGROUP_PARENT", "")
        self.samples = {}
        self.notes = []
        self.seq = 0

    def record(self, metric, daemon, value):
        self.samples.setdefault(metric, {}).setdefault(daemon.name, []).append(value)

    def rotated(self, i):
        k = i % len(self.daemons)
        return self.daemons[k:] + self.daemons[:k]

    # --- requests ---------------------------------------------------------
    def pod_config(self, d):
        self.seq += 1
        name = "bench-%d-%d" % (os.getpid(), self.seq)
        logs = os.path.join(self.args.work, "logs", d.name, name)
        os.makedirs(logs, exist_ok=True)
        config = {"metadata": {"name": name, "namespace": "crid-bench", "uid": "uid-" + name, "attempt": 0},
                  "hostname": name, "logDirectory": logs, "linux": {}}
        if self.cgroup_parent:
            config["linux"]["cgroupParent"] = "%s-%s" % (self.cgroup_parent, d.name)
        return config

    def ctr_config(self):
        return {"metadata": {"name": "sleeper", "attempt": 0}, "image": {"image": self.args.image},
                "command": ["sleep", "3600"], "logPath": "sleeper.log", "linux": {}}

    def runp(self, d, config):
        return d.call("RunPodSandbox", {"config": config}).pod_sandbox_id

    def create(self, d, pod, config):
        return d.call("CreateContainer", {"podSandboxId": pod, "config": self.ctr_config(),
                                          "sandboxConfig": config}).container_id

    def remove_pod(self, d, pod):
        d.call("StopPodSandbox", {"podSandboxId": pod})
        d.call("RemovePodSandbox", {"podSandboxId": pod})

    # --- steps ------------------------------------------------------------
    def timed(self, fn, *a):
        t0 = time.perf_counter()
        out = fn(*a)
        return out, time.perf_counter() - t0

    def step_lifecycle(self, d):
        config = self.pod_config(d)
        pod, t_runp = self.timed(self.runp, d, config)
        ctr, t_create = self.timed(self.create, d, pod, config)
        _, t_start = self.timed(d.call, "StartContainer", {"containerId": ctr})
        _, t_stop = self.timed(d.call, "StopContainer", {"containerId": ctr, "timeout": 0})
        _, t_rm = self.timed(d.call, "RemoveContainer", {"containerId": ctr})
        _, t_stopp = self.timed(d.call, "StopPodSandbox", {"podSandboxId": pod})
        _, t_rmp = self.timed(d.call, "RemovePodSandbox", {"podSandboxId": pod})
        for metric, v in (("runp", t_runp), ("create", t_create), ("start", t_start),
                          ("create_start", t_create + t_start), ("pod_ctr_start", t_runp + t_create + t_start),
                          ("stop", t_stop), ("rm", t_rm), ("stopp", t_stopp), ("rmp", t_rmp)):
            self.record(metric, d, v)

    def layer_blobs_present(self, d):
        hexes = self.args.layer_hex
        found = 0
        for dirpath, _, files in os.walk(d.root):
            if dirpath.endswith("blobs/sha256"):
                found += sum(1 for h in hexes if h in files)
        return found

    def step_pull(self, d):
        d.call("ImageService/RemoveImage", {"image": {"image": self.args.pull_image}})
        # containerd's garbage collector removes content after the call returns:
        # wait for the blobs to go so that every pull is a cold one.
        deadline = time.monotonic() + 15
        while self.layer_blobs_present(d) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = self.layer_blobs_present(d)
        if left:
            self.notes.append("%s: %d of %d layer blobs still stored before a timed pull" %
                              (d.name, left, len(self.args.layer_hex)))
        _, t = self.timed(d.call, "ImageService/PullImage", {"image": {"image": self.args.pull_image}})
        self.record("pull", d, t)

    def helpers(self, d):
        return cri_client.processes(d.helper, d.match)

    @staticmethod
    def memory_kib(pid):
        rss = pss = 0
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1])
            with open("/proc/%d/smaps_rollup" % pid) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss = int(line.split()[1])
        except OSError:
            pass
        return rss, pss

    def sample_memory(self, d, label):
        rss, pss = self.memory_kib(d.pid)
        self.record("rss_daemon_" + label, d, rss)
        self.record("pss_daemon_" + label, d, pss)
        helpers = self.helpers(d)
        mem = [self.memory_kib(p) for p in helpers]
        self.record("helpers_" + label, d, len(helpers))
        self.record("rss_helpers_" + label, d, sum(m[0] for m in mem))
        self.record("pss_helpers_" + label, d, sum(m[1] for m in mem))
        self.record("rss_total_" + label, d, rss + sum(m[0] for m in mem))
        self.record("pss_total_" + label, d, pss + sum(m[1] for m in mem))
        for m in mem:
            self.record("rss_helper_each_" + label, d, m[0])
            self.record("pss_helper_each_" + label, d, m[1])

    def step_parallel(self, d, sample):
        n = self.pods
        configs = [self.pod_config(d) for _ in range(n)]
        with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
            t0 = time.perf_counter()
            futures = [pool.submit(self.runp, d, c) for c in configs]
            pods, errors = [], []
            for f in futures:
                try:
                    pods.append(f.result())
                except RuntimeError as e:
                    errors.append(str(e))
            t_pods = time.perf_counter() - t0
            try:
                if errors:
                    raise RuntimeError("%d of %d pods failed to start: %s" % (len(errors), n, errors[0]))
                self.record("parallel_runp", d, t_pods)
                t0 = time.perf_counter()
                ctrs = list(pool.map(lambda pc: self.create(d, pc[0], pc[1]), zip(pods, configs)))
                list(pool.map(lambda c: d.call("StartContainer", {"containerId": c}), ctrs))
                self.record("parallel_ctr", d, time.perf_counter() - t0)
                if sample:
                    time.sleep(1)
                    self.sample_memory(d, "loaded")
            finally:
                list(pool.map(lambda p: self.remove_pod(d, p), pods))

    def attempt(self, step, *a):
        """A failed step is reported and left out; the rest of the run goes on
        (crid_bench.sh removes whatever pods it left)."""
        try:
            step(*a)
        except RuntimeError as e:
            print("FAILED: %s" % e, file=sys.stderr, flush=True)
            self.notes.append("failed: %s: %s" % (step.__name__, e))

    def run(self):
        print("warming up: images and one pod cycle per daemon (not recorded)", flush=True)
        for d in self.daemons:
            for ref in [self.args.image] + self.args.prepull:
                d.call("ImageService/PullImage", {"image": {"image": ref}})
            config = self.pod_config(d)
            pod = self.runp(d, config)
            status = d.call("PodSandboxStatus", {"podSandboxId": pod}).status
            ip = status.network.ip if status.HasField("network") else ""
            self.notes.append("%s: a pod's IP: %s" % (d.name, ip or "none (no CNI network set up)"))
            self.remove_pod(d, pod)
            self.step_lifecycle(d)
        self.samples.clear()
        time.sleep(1)
        for d in self.daemons:
            self.sample_memory(d, "idle")

        print("pod and container lifecycle, %d rounds" % self.runs, flush=True)
        for i in range(self.runs):
            for d in self.rotated(i):
                self.attempt(self.step_lifecycle, d)
        print("pull of %s, %d rounds" % (self.args.pull_image, self.pull_runs), flush=True)
        for i in range(self.pull_runs):
            for d in self.rotated(i):
                self.attempt(self.step_pull, d)
        print("%d pods at once, %d rounds" % (self.pods, self.parallel_runs), flush=True)
        for i in range(self.parallel_runs):
            for d in self.rotated(i):
                self.attempt(self.step_parallel, d, i == 0)
        time.sleep(1)
        for d in self.daemons:
            self.sample_memory(d, "after")
        return {"samples": self.samples, "notes": self.notes,
                "daemons": [d.name for d in self.daemons],
                "runs": self.runs, "pull_runs": self.pull_runs, "pods": self.pods,
                "parallel_runs": self.parallel_runs}


# (metric, label, divisor to the unit, unit, decimals)
TIME_ROWS = [
    ("runp", "RunPodSandbox", 1e-3, "ms", 1),
    ("create", "CreateContainer", 1e-3, "ms", 1),
    ("start", "StartContainer", 1e-3, "ms", 1),
    ("create_start", "create + start of a container", 1e-3, "ms", 1),
    ("pod_ctr_start", "**pod + container start** (RunPodSandbox + create + start)", 1e-3, "ms", 1),
    ("stop", "StopContainer (timeout 0)", 1e-3, "ms", 1),
    ("rm", "RemoveContainer", 1e-3, "ms", 1),
    ("stopp", "StopPodSandbox", 1e-3, "ms", 1),
    ("rmp", "RemovePodSandbox", 1e-3, "ms", 1),
    ("pull", "PullImage, multi-layer image, cold", 1e-3, "ms", 0),
    ("parallel_runp", "{pods} RunPodSandbox at once, wall time", 1e-3, "ms", 0),
    ("parallel_ctr", "then {pods} containers created + started at once (one per pod), wall time", 1e-3, "ms", 0),
]
MEM_ROWS = [
    ("rss_daemon_idle", "daemon RSS, idle (images pulled, no pod)", 1024, "MiB", 1),
    ("pss_daemon_idle", "daemon PSS, idle", 1024, "MiB", 1),
    ("rss_daemon_after", "daemon RSS, idle again after the runs", 1024, "MiB", 1),
    ("rss_daemon_loaded", "daemon RSS with {pods} pods + {pods} containers", 1024, "MiB", 1),
    ("helpers_loaded", "helper processes (shims / monitors) with {pods} pods + {pods} containers", 1, "", 0),
    ("rss_helper_each_loaded", "RSS of one helper process (over all of them)", 1024, "MiB", 2),
    ("pss_helper_each_loaded", "PSS of one helper process (over all of them)", 1024, "MiB", 2),
    ("rss_helpers_loaded", "helpers' RSS, sum", 1024, "MiB", 1),
    ("pss_helpers_loaded", "helpers' PSS, sum", 1024, "MiB", 1),
    ("rss_total_loaded", "daemon + helpers RSS, sum, {pods} pods + {pods} containers", 1024, "MiB", 1),
    ("pss_total_loaded", "daemon + helpers PSS, sum, {pods} pods + {pods} containers", 1024, "MiB", 1),
]


def stats(values):
    v = sorted(values)
    n = len(v)
    median = v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
    return median, v[0], v[-1], n


def report(result, base):
    out = ["| measurement | daemon | median | min | max | ratio to %s (median) | n |" % base,
           "|---|---|---|---|---|---|---|"]
    samples = result["samples"]
    for metric, label, div, unit, dec in TIME_ROWS + MEM_ROWS:
        label = label.format(pods=result["pods"])
        per = samples.get(metric, {})
        base_median = stats(per[base])[0] if per.get(base) else None
        for name in result["daemons"]:
            if not per.get(name):
                out.append("| %s | %s | failed | | | | |" % (label, name))
                continue
            median, lo, hi, n = stats(per[name])
            ratio = "%.2f" % (median / base_median) if base_median else "n/a"
            f = ("%%.%df" % dec) + (" " + unit if unit else "")
            out.append("| %s | %s | %s | %s | %s | %s | %d |" %
                       (label, name, f % (median / div), f % (lo / div), f % (hi / div), ratio, n))
    if result["notes"]:
        out += ["", "Notes from the run:", ""] + ["- " + n for n in result["notes"]]
    return "\n".join(out)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--report":
        with open(sys.argv[2]) as f:
            print(report(json.load(f), sys.argv[3]))
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--work", required=True)
    p.add_argument("--image", required=True)
    p.add_argument("--pull-image", required=True)
    p.add_argument("--layer-hex", action="append", default=[], help="a layer digest of --pull-image (hex)")
    p.add_argument("--prepull", action="append", default=[], help="another image to pull before timing")
    p.add_argument("--daemon", action="append", required=True)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    result = Bench(args).run()
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
