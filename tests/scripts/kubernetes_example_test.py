#!/usr/bin/env python3
"""The Kubernetes example parses, shards its load over an Indexed Job, and its merge step works.

Usage: kubernetes_example_test.py EXAMPLE_DIR HLOAD_BINARY

The manifests are read with PyYAML. The pods are then played by local processes: each load
pod's command, with its completion index, /out made a temporary directory and the Service URL
made a local `hload serve`, all at once; then the merge Job's shell command on what they wrote.
"""
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

import yaml

EXAMPLE = sys.argv.pop(1) if len(sys.argv) > 1 else "examples/kubernetes"
HLOAD = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build/hload"
RUN_LIMIT_S = 120


def documents():
    out = []
    for path in sorted(glob.glob(f"{EXAMPLE}/*.yaml")):
        with open(path, encoding="utf-8") as f:
            out.extend(d for d in yaml.safe_load_all(f) if d)
    return out


def jobs():
    return {d["metadata"]["name"]: d for d in documents() if d["kind"] == "Job"}


def indexed_job():
    found = [j for j in jobs().values() if j["spec"].get("completionMode") == "Indexed"]
    assert len(found) == 1, f"expected one Indexed Job, found {len(found)}"
    return found[0]


def merge_job():
    found = [j for j in jobs().values() if j["spec"].get("completionMode") != "Indexed"]
    assert len(found) == 1, f"expected one merge Job, found {len(found)}"
    return found[0]


def container(job):
    containers = job["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def flag(command, name):
    """The value after flag name in command, a list of words."""
    return command[command.index(name) + 1]


def claim_at(job, mount_path):
    """The PersistentVolumeClaim that job mounts at mount_path."""
    spec = job["spec"]["template"]["spec"]
    mount = [m for m in container(job)["volumeMounts"] if m["mountPath"] == mount_path][0]
    volume = [v for v in spec["volumes"] if v["name"] == mount["name"]][0]
    return volume["persistentVolumeClaim"]["claimName"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Manifests(unittest.TestCase):
    def test_load_job_is_indexed_with_one_pod_per_shard(self):
        job = indexed_job()
        spec = job["spec"]
        n = spec["completions"]
        self.assertGreater(n, 1)
        self.assertEqual(spec["parallelism"], n, "every shard runs at once")
        self.assertEqual(spec["completionMode"], "Indexed")
        command = container(job)["command"]
        self.assertEqual(command[0], "hload")
        self.assertEqual(flag(command, "-shard"), f"$(JOB_COMPLETION_INDEX)/{n}")
        self.assertEqual(flag(command, "-o"), "json")
        self.assertEqual(flag(command, "-output"), "/out/shard-$(JOB_COMPLETION_INDEX).json")
        self.assertTrue(command[-1].startswith("http://"), command[-1])
        self.assertEqual(spec["template"]["spec"]["restartPolicy"], "Never")

    def test_merge_job_reads_the_claim_the_shards_write(self):
        claims = [d["metadata"]["name"] for d in documents()
                  if d["kind"] == "PersistentVolumeClaim"]
        self.assertEqual(claim_at(indexed_job(), "/out"), claim_at(merge_job(), "/out"))
        self.assertIn(claim_at(merge_job(), "/out"), claims)
        script = container(merge_job())["command"][-1]
        self.assertIn("hload merge -output /out/all.json /out/shard-*.json", script)
        self.assertIn("hload check /out/all.json", script)

    def test_the_url_is_the_services(self):
        services = [d["metadata"]["name"] for d in documents() if d["kind"] == "Service"]
        url = container(indexed_job())["command"][-1]
        self.assertIn(re.match(r"http://([^/:.]+)", url).group(1), services)


class PodsPlayedLocally(unittest.TestCase):
    def setUp(self):
        self.out = tempfile.mkdtemp(prefix="hload-k8s-")
        self.port = free_port()
        self.server = subprocess.Popen([HLOAD, "serve", "-port", str(self.port)],
                                       stderr=subprocess.PIPE, text=True)
        line = self.server.stderr.readline()
        self.assertIn("listening", line)

    def tearDown(self):
        self.server.terminate()
        self.server.wait(timeout=10)
        self.server.stderr.close()
        shutil.rmtree(self.out, ignore_errors=True)

    def pod_command(self, words, index):
        url = f"http://127.0.0.1:{self.port}/"
        out = []
        for w in words:
            w = w.replace("$(JOB_COMPLETION_INDEX)", str(index)).replace("/out/", self.out + "/")
            out.append(url if w.startswith("http://") else w)
        out[0] = HLOAD
        return out

    def test_shards_then_merge_and_check(self):
        job = indexed_job()
        n = job["spec"]["completions"]
        words = container(job)["command"]
        pods = [subprocess.Popen(self.pod_command(words, i), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for i in range(n)]
        for i, pod in enumerate(pods):
            out, err = pod.communicate(timeout=RUN_LIMIT_S)
            self.assertEqual(pod.returncode, 0, f"shard {i}: {err}")
        self.assertEqual(sorted(os.listdir(self.out)),
                         sorted(f"shard-{i}.json" for i in range(n)))

        script = container(merge_job())["command"][-1].replace("/out/", self.out + "/")
        env = dict(os.environ, PATH=os.path.dirname(HLOAD) + os.pathsep + os.environ["PATH"])
        merged = subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True,
                                timeout=RUN_LIMIT_S)
        self.assertEqual(merged.returncode, 0, merged.stdout + merged.stderr)
        self.assertIn("Gates:", merged.stdout)
        with open(f"{self.out}/all.json", encoding="utf-8") as f:
            report = json.load(f)
        self.assertEqual(report["summary"]["requests"], int(flag(words, "-n")))
        self.assertEqual(len(report["config"]), n)
        self.assertEqual(sorted(m["shard"]["index"] for m in report["merged_from"]),
                         list(range(n)))
        self.assertEqual(sum(c["concurrency"] for c in report["config"]), int(flag(words, "-c")))


if __name__ == "__main__":
    unittest.main()
