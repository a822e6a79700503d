#!/usr/bin/env python3
"""The CI examples parse as YAML and run a gated load that keeps its reports."""
import sys
import unittest

import yaml

EXAMPLES = sys.argv.pop(1) if len(sys.argv) > 1 else "examples"


def load(name):
    with open(f"{EXAMPLES}/{name}", encoding="utf-8") as f:
        return yaml.safe_load(f)


def gated(command):
    return "-assert" in command and "-junit junit.xml" in command and "-output report.json" in command


class GitHubActions(unittest.TestCase):
    def test_workflow_builds_runs_a_gated_load_and_uploads_the_reports(self):
        wf = load("github-actions.yml")
        # YAML 1.1 reads the key "on" as true.
        self.assertTrue("on" in wf or True in wf)
        steps = wf["jobs"]["load-gate"]["steps"]
        runs = [s.get("run", "") for s in steps]
        self.assertTrue(any("scripts/build.sh" in r for r in runs))
        self.assertTrue(any("hload serve" in r for r in runs))
        self.assertTrue(any(gated(r) for r in runs))
        uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
        self.assertEqual(len(uploads), 1)
        self.assertEqual(uploads[0]["if"], "always()")
        self.assertIn("report.json", uploads[0]["with"]["path"])
        self.assertIn("junit.xml", uploads[0]["with"]["path"])


class GitLabCI(unittest.TestCase):
    def test_job_runs_a_gated_load_and_hands_gitlab_the_junit_file(self):
        job = load("gitlab-ci.yml")["load-gate"]
        self.assertTrue(any(gated(line) for line in job["script"]))
        self.assertEqual(job["artifacts"]["reports"]["junit"], "junit.xml")
        self.assertIn("report.json", job["artifacts"]["paths"])
        self.assertEqual(job["artifacts"]["when"], "always")


if __name__ == "__main__":
    unittest.main()
