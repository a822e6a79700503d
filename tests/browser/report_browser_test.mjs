// The HTML report of a real run, opened in headless Chromium: hload's built-in server answers
// in 5 ms, then in 50 ms from 3 s on, and with 500 from 2 s to 3 s; a 6 s run of 10 users over
// 5 connections writes report.html, and the page must draw every chart with a point per
// interval, log no error, fetch nothing but itself, and look right (screenshots are left in the
// build tree).
//
//   node report_browser_test.mjs HLOAD_BINARY BUILD_DIR
//
// Exits 0 when every check passes, 1 when one fails, 77 (skipped) when Chromium or
// playwright-core is missing (scripts/setup.sh installs Chromium; configuring, playwright-core).

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [hload, buildDir] = process.argv.slice(2);
if (!hload || !buildDir) {
  console.error("usage: node report_browser_test.mjs HLOAD_BINARY BUILD_DIR");
  process.exit(2);
}
const chromiumPath = process.env.HLOAD_CHROMIUM || "/usr/bin/chromium";
if (!existsSync(chromiumPath)) {
  console.log(
    `skipped: no Chromium at ${chromiumPath} (scripts/setup.sh installs Debian's chromium)`,
  );
  process.exit(77);
}
let chromium;
try {
  // playwright-core comes with the report's npm packages (reporters/html/package.json), which
  // configuring installs in the build tree.
  const require = createRequire(path.resolve(buildDir, "npm/package.json"));
  chromium = require("playwright-core").chromium;
} catch (e) {
  console.log(
    `skipped: playwright-core is not installed in ${buildDir}/npm (configuring runs npm ci there)`,
  );
  process.exit(77);
}

const failures = [];
function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
}

// run starts a program and resolves with its exit code and output, killing it after limitMs.
function run(file, args, limitMs) {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

// serve starts `hload serve` on a free port and resolves with it and its port.
function serve(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(hload, ["serve", "-port", "0", ...args], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    const timer = setTimeout(() => reject(new Error("hload serve did not start: " + err)), 10000);
    child.stderr.on("data", (d) => {
      err += d;
      const m = err.match(/listening on http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.on("exit", (code) => reject(new Error(`hload serve exited ${code}: ${err}`)));
  });
}

const reportPath = path.join(buildDir, "report.html");
const screenshotPath = path.join(buildDir, "report-screenshot.png");
const printPath = path.join(buildDir, "report-print.png");
const profile = mkdtempSync(path.join(tmpdir(), "hload-chromium-"));
let server = null;
let context = null;
try {
  server = await serve(["-delay", "5ms", "-delay-after", "3s=50ms", "-fail-between", "2s-3s"]);
  const url = `http://127.0.0.1:${server.port}/`;
  const r = await run(
    hload,
    [
      "-z",
      "6s",
      "-c",
      "10",
      "-max-conns-per-host",
      "5",
      "-no-progress",
      "-o",
      "html",
      "-output",
      reportPath,
      url,
    ],
    60000,
  );
  server.child.kill("SIGTERM");
  check(r.code === 0, `hload -z 6s ... -o html exits 0 (got ${r.code}; ${r.err.trim()})`);
  check(existsSync(reportPath), `the report is written to ${reportPath}`);

  context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1366, height: 768 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const page = context.pages()[0] || (await context.newPage());
  const errors = [];
  const requests = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (q) => requests.push(q.url()));
  const fileUrl = pathToFileURL(reportPath).href;
  await page.goto(fileUrl, { waitUntil: "load" });
  await page.waitForFunction(() => window.hloadCharts && window.hloadCharts.distribution, null, {
    timeout: 10000,
  });

  const seen = await page.evaluate(() => ({
    charts: window.hloadCharts,
    report: JSON.parse(document.getElementById("hload-report").textContent),
    plots: document.querySelectorAll(".uplot").length,
    canvases: document.querySelectorAll(".uplot canvas").length,
    text: document.body.innerText,
  }));
  const { charts, report } = seen;
  const iv = report.timeline.intervals;
  check(errors.length === 0, `no console errors (${errors.join(" | ") || "none"})`);
  check(
    requests.length === 1 && requests[0] === fileUrl,
    `no request but the page itself (${requests.join(", ")})`,
  );
  check(iv.length === 6, `6 intervals of 1 s in a 6 s run (got ${iv.length})`);
  const expect = (name, points, series) => {
    const c = charts[name];
    check(
      c && c.points === points && c.series === series,
      `chart "${name}": ${points} points, ${series} series (got ${JSON.stringify(c)})`,
    );
  };
  expect("throughput", iv.length, 2);
  expect("latency", iv.length, 4);
  const hosts = Object.keys(report.hosts);
  check(hosts.length === 1, `one host (${hosts.join(", ")})`);
  for (const h of hosts) {
    expect("connections " + h, iv.length, 3);
    // Ten users share five connections: every interval has requests that waited.
    expect("waits " + h, iv.length, 3);
  }
  expect("distribution", report.latency.histogram.counts.length, 1);
  check(
    seen.plots === Object.keys(charts).length && seen.canvases === seen.plots,
    `every chart listed is drawn (${seen.plots} plots, ${seen.canvases} canvases, ${Object.keys(charts).length} listed)`,
  );

  // What the run went through shows in its timeline.
  const sum = (k) => iv.reduce((n, i) => n + i[k], 0);
  check(
    sum("requests") === report.summary.requests &&
      sum("ok") === report.summary.ok &&
      sum("failed") === report.summary.failed,
    `the timeline adds up to the summary (${sum("requests")}/${sum("ok")}/${sum("failed")} vs ` +
      `${report.summary.requests}/${report.summary.ok}/${report.summary.failed})`,
  );
  const dials = iv.reduce((n, i) => n + Object.values(i.hosts).reduce((m, h) => m + h.dials, 0), 0);
  check(dials === report.hosts[hosts[0]].dials, `the timeline's dials are the report's (${dials})`);
  const burst = iv.findIndex((i) => i.http_errors > 0);
  check(
    burst >= 1 && burst <= 2 && report.status_codes["500"] > 0,
    `the burst of 500s shows from 2 s (interval ${burst})`,
  );
  check(
    iv[0].latency.p50_ms < 20 && iv[5].latency.p50_ms > 40,
    `latency rises from 5 ms to 50 ms (p50 ${iv[0].latency.p50_ms} then ${iv[5].latency.p50_ms})`,
  );
  for (const heading of [
    "Throughput",
    "Latency over time",
    "Connections over time",
    "Latency distribution",
    "Connection pool",
    "Errors and status codes",
    "Configuration",
    "Acquired by",
    "Protocol http/1.1",
  ]) {
    check(seen.text.includes(heading), `the page shows "${heading}"`);
  }

  // Two shards of a run merged by hload merge, drawn by hload report: the page lists both
  // runs' configs and draws the merged timeline.
  const shardArgs = (i) => ["-shard", `${i}/2`, "-n", "400", "-c", "4", "-no-progress", "-o",
    "json", "-output", path.join(buildDir, `shard-${i}.json`), url];
  const shards = await Promise.all([0, 1].map((i) => run(hload, shardArgs(i), 60000)));
  check(shards.every((s) => s.code === 0), `both shards exit 0 (${shards.map((s) => s.code)})`);
  const mergedPath = path.join(buildDir, "merged.json");
  const mergedHtml = path.join(buildDir, "merged.html");
  const m = await run(hload, ["merge", "-output", mergedPath, path.join(buildDir, "shard-0.json"),
    path.join(buildDir, "shard-1.json")], 30000);
  check(m.code === 0, `hload merge exits 0 (${m.err.trim()})`);
  const rep = await run(hload, ["report", mergedPath, "-o", "html", "-output", mergedHtml], 30000);
  check(rep.code === 0, `hload report exits 0 (${rep.err.trim()})`);
  const mergedErrors = [];
  const onError = (e) => mergedErrors.push(String(e));
  page.on("pageerror", onError);
  await page.goto(pathToFileURL(mergedHtml).href, { waitUntil: "load" });
  await page.waitForFunction(() => window.hloadCharts && window.hloadCharts.distribution, null, {
    timeout: 10000,
  });
  const mergedSeen = await page.evaluate(() => ({
    charts: window.hloadCharts,
    report: JSON.parse(document.getElementById("hload-report").textContent),
    text: document.body.innerText,
  }));
  check(mergedErrors.length === 0, `the merged page has no errors (${mergedErrors.join(" | ")})`);
  check(mergedSeen.text.includes("This report adds up 2 runs."), "the merged page lists 2 runs");
  check(
    mergedSeen.report.summary.requests === 400,
    `the merged report has both shards' requests (${mergedSeen.report.summary.requests})`,
  );
  const mergedIv = mergedSeen.report.timeline.intervals;
  check(
    mergedSeen.charts.throughput && mergedSeen.charts.throughput.points === mergedIv.length,
    `the merged throughput chart has a point per interval (${mergedIv.length})`,
  );
  page.off("pageerror", onError);
  await page.goto(fileUrl, { waitUntil: "load" });

  await page.screenshot({ path: screenshotPath, fullPage: true });
  await page.emulateMedia({ media: "print" });
  await page.screenshot({ path: printPath, fullPage: true });
  check(errors.length === 0, "no console errors in print");
  console.log(`screenshot: ${screenshotPath}`);
  console.log(`print screenshot: ${printPath}`);
} catch (e) {
  check(false, String(e && e.stack ? e.stack : e));
} finally {
  if (context) await context.close();
  if (server) server.child.kill("SIGKILL");
  rmSync(profile, { recursive: true, force: true });
}
if (failures.length) {
  console.log(`${failures.length} check(s) failed`);
  process.exit(1);
}
console.log("all checks passed");
