// report.js draws hload's HTML report from the JSON report embedded in the page
// (<script type="application/json" id="hload-report">), with uPlot for the charts. Every text
// taken from the report goes in through textContent, never as markup. window.hloadCharts
// lists what was drawn (chart name -> {points, series}), for a test to compare with the JSON.
(function () {
  "use strict";

  const report = JSON.parse(document.getElementById("hload-report").textContent);
  const root = document.getElementById("report");
  const charts = {};
  window.hloadCharts = charts;
  const plots = []; // every uPlot, with the element whose width it follows

  // Colours that stay apart on screen and in print.
  const colour = {
    ok: "#2b8a3e",
    failed: "#c92a2a",
    p50: "#1c7ed6",
    p90: "#7048e8",
    p99: "#e8590c",
    max: "#868e96",
    open: "#1c7ed6",
    dials: "#e8590c",
    waiters: "#7048e8",
    wait_idle: "#1c7ed6",
    wait_permit: "#e8590c",
    queued: "#7048e8",
    count: "#1c7ed6",
  };

  // el makes an element: el("td", {class: "n"}, "text", child...). Strings become text nodes.
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.appendChild(
        typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c,
      );
    }
    return e;
  }

  // ms writes a duration in the unit that fits it, with three significant digits, as the text
  // report does: 812µs, 4.21ms, 1.50s.
  function ms(v) {
    if (v === null || v === undefined || !isFinite(v)) return "–";
    if (v === 0) return "0s";
    const units = [
      ["ns", 1e-6],
      ["µs", 1e-3],
      ["ms", 1],
      ["s", 1000],
    ];
    let i = units.length - 1;
    while (i > 0 && Math.abs(v) < units[i][1]) --i;
    let r = Number((v / units[i][1]).toPrecision(3));
    // Rounding can carry into the next unit: 999.7µs reads 1.00ms.
    if (i + 1 < units.length && Math.abs(r) >= 1000) r = Number((v / units[++i][1]).toPrecision(3));
    return r.toFixed(Math.max(0, 2 - Math.floor(Math.log10(Math.abs(r))))) + units[i][0];
  }

  function count(v) {
    return v === null || v === undefined ? "–" : Number(v).toLocaleString("en-US");
  }

  // protocolLine says what a host's connections spoke: the protocol, TLS and its handshakes,
  // and for HTTP/2 how many streams shared a connection and how the server ended them.
  function protocolLine(h) {
    const parts = ["Protocol " + (h.protocol || "–")];
    if (h.http2_fallback) parts.push("HTTP/2 was asked for and the server chose HTTP/1.1");
    if (h.tls_version) {
      const hs = h.tls_handshake || {};
      parts.push(
        h.tls_version +
          " " +
          (h.tls_cipher || "") +
          ", ALPN " +
          (h.alpn || "none") +
          ": " +
          count(h.tls_handshakes) +
          " handshakes (" +
          count(h.tls_resumed) +
          " resumed), p50 " +
          (hs.count ? ms(hs.p50_ms) : "–") +
          ", max " +
          (hs.count ? ms(hs.max_ms) : "–"),
      );
    }
    if (h.protocol === "h2")
      parts.push(
        "at most " +
          count(h.streams_max) +
          " streams a connection, " +
          rate(h.streams_mean) +
          " in flight on average; " +
          count(h.goaways) +
          " GOAWAYs, " +
          count(h.refused_retries) +
          " refused streams sent again",
      );
    return parts.join("; ") + ".";
  }

  function rate(v) {
    return v === null || v === undefined
      ? "–"
      : Number(v).toLocaleString("en-US", { maximumFractionDigits: 1 });
  }

  function section(title, note) {
    const s = el("section", {}, el("h2", {}, title));
    if (note) s.appendChild(el("p", { class: "note" }, note));
    root.appendChild(s);
    return s;
  }

  function table(head, rows, cls) {
    const t = el("table", cls ? { class: cls } : {});
    t.appendChild(el("thead", {}, el("tr", {}, ...head.map((h) => el("th", {}, h)))));
    const body = el("tbody");
    for (const r of rows)
      body.appendChild(
        el(
          "tr",
          {},
          ...r.map((c) => (c instanceof Node ? el("td", {}, c) : el("td", {}, String(c)))),
        ),
      );
    t.appendChild(body);
    return t;
  }

  // chart draws one uPlot into parent and records it in window.hloadCharts under name.
  function chart(parent, name, opts, data) {
    const box = el("div", { class: "chart", "data-chart": name });
    parent.appendChild(box);
    const width = Math.max(320, box.clientWidth || parent.clientWidth || 800);
    const plot = new uPlot(Object.assign({ width: width, height: 260 }, opts), data, box);
    plots.push({ plot: plot, box: box });
    charts[name] = { points: data[0].length, series: data.length - 1 };
    return plot;
  }

  function series(label, stroke, extra) {
    return Object.assign(
      { label: label, stroke: stroke, width: 1.5, spanGaps: false },
      extra || {},
    );
  }

  // A value axis whose ticks read as durations or counts.
  // uPlot passes null for the ticks of a log scale it leaves unlabelled.
  const msAxis = { values: (u, ticks) => ticks.map((t) => (t === null ? "" : ms(t))), size: 64 };
  const countAxis = {
    values: (u, ticks) => ticks.map((t) => (t === null ? "" : rate(t))),
    size: 64,
  };
  const timeAxis = {
    label: "seconds since the start",
    values: (u, ticks) => ticks.map((t) => t + "s"),
  };
  const timeScale = { time: false };

  // ---- The header: what ran, and what came of it.
  // A merged report (hload merge) keeps the config of each run it adds up, as a list.
  const configs = Array.isArray(report.config) ? report.config : [report.config || {}];
  const cfg = configs[0] || {};
  const sum = report.summary || {};
  const lat = report.latency || {};
  const timeline = report.timeline || null;
  document.title = "hload report: " + (cfg.url || "");
  const started =
    timeline && timeline.start_unix_ms
      ? new Date(timeline.start_unix_ms)
          .toISOString()
          .replace("T", " ")
          .replace(/\.\d+Z$/, " UTC")
      : null;
  const header = el(
    "header",
    {},
    el("h1", {}, "hload report"),
    el("p", { class: "url" }, (cfg.method || "GET") + " " + (cfg.url || "")),
  );
  const facts = [];
  if (started) facts.push("started " + started);
  if (sum.elapsed_s !== undefined) facts.push("ran " + ms(sum.elapsed_s * 1000));
  facts.push(count(cfg.concurrency) + " virtual users");
  if (cfg.rate) facts.push(rate(cfg.rate) + " requests/s asked (open model)");
  if (sum.interrupted) facts.push("interrupted");
  header.appendChild(el("p", { class: "facts" }, facts.join(" · ")));
  if (report.gates) {
    header.appendChild(
      el(
        "p",
        { class: report.gates.passed ? "verdict pass" : "verdict fail" },
        report.gates.passed ? "Gates passed" : "Gates failed",
      ),
    );
  }
  root.appendChild(header);

  const cards = el("div", { class: "cards" });
  const card = (label, value, cls) =>
    cards.appendChild(
      el(
        "div",
        { class: "card" + (cls ? " " + cls : "") },
        el("div", { class: "value" }, value),
        el("div", { class: "label" }, label),
      ),
    );
  card("requests", count(sum.requests));
  card("ok", count(sum.ok));
  card("failed", count(sum.failed), sum.failed > 0 ? "bad" : "");
  card("requests/s", rate(sum.rps));
  card("p50", ms(lat.p50_ms));
  card("p99", ms(lat.p99_ms));
  card("max", ms(lat.max_ms));
  if (sum.unfinished) card("unfinished", count(sum.unfinished));
  if (sum.dropped) card("dropped", count(sum.dropped), "bad");
  root.appendChild(cards);

  // ---- Over time, from the timeline.
  const intervals = timeline ? timeline.intervals || [] : [];
  const hostKeys = Object.keys(report.hosts || {});
  if (intervals.length > 0) {
    // Each interval's figures are drawn at its middle: they describe all of it.
    const step = timeline.interval_ms / 1000;
    const xs = intervals.map((iv, i) => Number((i * step + iv.duration_ms / 2000).toFixed(3)));
    const perSecond = (iv, v) => (iv.duration_ms > 0 ? v / (iv.duration_ms / 1000) : null);
    const merged =
      timeline.interval_ms !== timeline.base_interval_ms
        ? " Neighbouring intervals were merged to keep the report small: each is " +
          ms(timeline.interval_ms) +
          "."
        : "";
    const warm =
      timeline.warmup_ms > 0
        ? " The first " + ms(timeline.warmup_ms) + " were warm-up: their requests are not counted."
        : "";

    const tp = section(
      "Throughput",
      "Requests finished per second, in intervals of " +
        ms(timeline.interval_ms) +
        "." +
        merged +
        warm,
    );
    chart(
      tp,
      "throughput",
      {
        scales: { x: timeScale },
        axes: [timeAxis, countAxis],
        series: [
          { label: "t", value: (u, v) => (v === null ? "–" : v + "s") },
          series("ok/s", colour.ok, { fill: "rgba(43,138,62,0.12)" }),
          series("failed/s", colour.failed, { fill: "rgba(201,42,42,0.15)" }),
        ],
      },
      [
        xs,
        intervals.map((iv) => perSecond(iv, iv.ok)),
        intervals.map((iv) => perSecond(iv, iv.failed)),
      ],
    );

    const positive = (v) => (v !== null && v !== undefined && v > 0 ? v : null);
    const lt = section(
      "Latency over time",
      "Percentiles of the requests that finished in each interval" +
        (cfg.rate ? ", measured from when each was due." : "."),
    );
    const msSeries = (label, c) => series(label, c, { value: (u, v) => ms(v) });
    chart(
      lt,
      "latency",
      {
        scales: { x: timeScale, y: { distr: 3 } },
        axes: [timeAxis, msAxis],
        series: [
          { label: "t", value: (u, v) => (v === null ? "–" : v + "s") },
          msSeries("p50", colour.p50),
          msSeries("p90", colour.p90),
          msSeries("p99", colour.p99),
          msSeries("max", colour.max),
        ],
      },
      [
        xs,
        ...["p50_ms", "p90_ms", "p99_ms", "max_ms"].map((k) =>
          intervals.map((iv) => positive(iv.latency[k])),
        ),
      ],
    );

    const conns = section(
      "Connections over time",
      "Per host: connections open at each interval's end, dials made in it, and requests queued at its end for a connection or a dial permit.",
    );
    const timelineHosts = [];
    for (const iv of intervals)
      for (const k of Object.keys(iv.hosts || {}))
        if (!timelineHosts.includes(k)) timelineHosts.push(k);
    for (const key of timelineHosts) {
      conns.appendChild(el("h3", {}, key));
      const h = (iv) => (iv.hosts || {})[key] || null;
      chart(
        conns,
        "connections " + key,
        {
          scales: { x: timeScale },
          axes: [timeAxis, countAxis],
          series: [
            { label: "t", value: (u, v) => (v === null ? "–" : v + "s") },
            series("open", colour.open),
            series("dials", colour.dials),
            series("waiters", colour.waiters, { dash: [4, 3] }),
          ],
        },
        [
          xs,
          intervals.map((iv) => (h(iv) ? h(iv).open : null)),
          intervals.map((iv) => (h(iv) ? h(iv).dials : null)),
          intervals.map((iv) => (h(iv) ? h(iv).waiters : null)),
        ],
      );

      const waitKeys = ["wait_idle_p99_ms", "wait_permit_p99_ms", "queued_at_limit_p99_ms"];
      const waited = intervals.some(
        (iv) => h(iv) && waitKeys.some((k) => h(iv)[k] !== null && h(iv)[k] > 0),
      );
      if (waited) {
        chart(
          conns,
          "waits " + key,
          {
            height: 200,
            scales: { x: timeScale, y: { distr: 3 } },
            axes: [timeAxis, msAxis],
            series: [
              { label: "t", value: (u, v) => (v === null ? "–" : v + "s") },
              msSeries("p99 waited for a released connection", colour.wait_idle),
              msSeries("p99 waited for a dial permit", colour.wait_permit),
              msSeries("p99 held back by the limit", colour.queued),
            ],
          },
          [xs, ...waitKeys.map((k) => intervals.map((iv) => (h(iv) ? positive(h(iv)[k]) : null)))],
        );
      }
    }
  } else {
    section("Over time", "This report has no timeline (no interval was measured).");
  }

  // ---- The latency distribution, from the report's mergeable histogram.
  const hist = lat.histogram || { lower_ms: [], bounds_ms: [], counts: [] };
  const dist = section(
    "Latency distribution",
    "Requests per histogram bucket, on a logarithmic scale of latency (each bucket is under 1.5% wide).",
  );
  if (hist.counts.length > 0) {
    // Each bucket is a step from its lower edge to its upper one; where the next bucket does
    // not follow at once, a step down to zero, so that no line bridges latencies nobody had.
    // The underflow bucket starts at 0, which a log scale cannot show: it starts half way up.
    const edge = (i) => (hist.lower_ms[i] > 0 ? hist.lower_ms[i] : hist.bounds_ms[i] / 2);
    const upper = (i) =>
      hist.bounds_ms[i] === null ? hist.lower_ms[i] * 1.015 : hist.bounds_ms[i];
    const xs = [];
    const ys = [];
    for (let i = 0; i < hist.counts.length; ++i) {
      xs.push(edge(i));
      ys.push(hist.counts[i]);
      if (i + 1 === hist.counts.length || hist.lower_ms[i + 1] !== hist.bounds_ms[i]) {
        xs.push(upper(i));
        ys.push(0);
      }
    }
    chart(
      dist,
      "distribution",
      {
        scales: { x: { time: false, distr: 3 } },
        axes: [
          { label: "latency", values: (u, ticks) => ticks.map((t) => (t === null ? "" : ms(t))) },
          countAxis,
        ],
        series: [
          { label: "latency from", value: (u, v) => ms(v) },
          series("requests", colour.count, {
            fill: "rgba(28,126,214,0.15)",
            points: { show: false },
            paths: uPlot.paths.stepped({ align: 1 }),
          }),
        ],
      },
      [xs, ys],
    );
    // A point per bucket of the report, whatever steps down to zero were added between them.
    charts.distribution.points = hist.counts.length;
    const pct = [
      ["p50", "p50_ms"],
      ["p90", "p90_ms"],
      ["p95", "p95_ms"],
      ["p99", "p99_ms"],
      ["p99.9", "p999_ms"],
      ["max", "max_ms"],
    ];
    dist.appendChild(
      table(
        pct.map((p) => p[0]),
        [pct.map((p) => ms(lat[p[1]]))],
        "compact",
      ),
    );
  } else {
    dist.appendChild(el("p", {}, "No latencies were recorded."));
  }

  // ---- The pool, per host: how requests got their connections and what they waited for.
  const pool = section(
    "Connection pool",
    "Per host. The waits do not overlap by accident: a request that waited for a released connection was served by one another request gave back; one that waited for a dial permit was held back by the limit, then dialed; held back by the limit counts every request the limit made wait, however it ended.",
  );
  for (const key of hostKeys) {
    const h = report.hosts[key];
    pool.appendChild(el("h3", {}, key));
    pool.appendChild(
      el(
        "p",
        {},
        count(h.dials) +
          " dials (" +
          count(h.dial_errors) +
          " failed, " +
          count(h.dials_cancelled) +
          " cancelled), at most " +
          count(h.max_open_conns) +
          " open; " +
          count(h.requests) +
          " requests, " +
          count(h.reused) +
          " on a reused connection (" +
          (100 * (h.reuse_ratio || 0)).toFixed(2) +
          "%), " +
          count(h.retries) +
          " retried.",
      ),
    );
    pool.appendChild(el("p", { class: "protocol" }, protocolLine(h)));
    const acq = h.acquire || {};
    const total = (acq.idle || 0) + (acq.handoff || 0) + (acq.dial || 0);
    const bar = el("div", { class: "stack", role: "img", "aria-label": "acquired by" });
    const legend = el("div", { class: "stack-legend" });
    for (const [k, label] of [
      ["idle", "idle at once"],
      ["handoff", "handed over after a wait"],
      ["dial", "its own dial"],
    ]) {
      const n = acq[k] || 0;
      const share = total > 0 ? (100 * n) / total : 0;
      if (n > 0)
        bar.appendChild(
          el("span", {
            class: "part " + k,
            style: "width:" + share.toFixed(3) + "%",
            title: label + ": " + count(n),
          }),
        );
      legend.appendChild(
        el("span", { class: "key " + k }, label + " " + count(n) + " (" + share.toFixed(1) + "%)"),
      );
    }
    pool.appendChild(
      el("div", { class: "acquire" }, el("div", { class: "caption" }, "Acquired by"), bar, legend),
    );
    const waitRow = (label, w) => [
      label,
      count(w.count),
      w.count ? ms(w.p50_ms) : "–",
      w.count ? ms(w.p99_ms) : "–",
      w.count ? ms(w.max_ms) : "–",
    ];
    pool.appendChild(
      table(
        ["wait", "requests", "p50", "p99", "max"],
        [
          waitRow("waited for a released connection", h.wait_idle || {}),
          waitRow("waited for a dial permit", h.wait_permit || {}),
          waitRow("held back by the limit", h.queued_at_limit || {}),
        ],
      ),
    );
    const closes = Object.entries(h.closes || {}).filter((c) => c[1] > 0);
    pool.appendChild(
      el(
        "p",
        {},
        "Closes: " +
          (closes.length ? closes.map((c) => c[0] + " " + count(c[1])).join(", ") : "none") +
          ".",
      ),
    );
  }

  // ---- Errors and status codes.
  const errs = section("Errors and status codes");
  const codes = Object.entries(report.status_codes || {});
  errs.appendChild(
    codes.length
      ? table(
          ["status", "responses"],
          codes.map((c) => [c[0], count(c[1])]),
          "compact",
        )
      : el("p", {}, "No response was received."),
  );
  const kinds = Object.entries(report.errors_by_kind || {}).filter((k) => k[1] > 0);
  if (kinds.length) {
    const examples = report.error_examples || {};
    errs.appendChild(
      table(
        ["error", "requests", "first message"],
        kinds.map((k) => [k[0], count(k[1]), el("code", {}, examples[k[0]] || "")]),
        "errors",
      ),
    );
  } else {
    errs.appendChild(el("p", {}, "No request failed without a response."));
  }

  // ---- Gates.
  if (report.gates) {
    const g = report.gates;
    const gs = section("Gates", g.passed ? "Every gate passed." : "A gate failed.");
    if ((g.assertions || []).length) {
      gs.appendChild(
        table(
          ["gate", "measured", "result", "reason"],
          g.assertions.map((a) => [
            el("code", {}, a.expr),
            a.measured === undefined ? "" : String(a.measured),
            el("span", { class: a.pass ? "pass" : "fail" }, a.pass ? "pass" : "FAIL"),
            a.reason || "",
          ]),
        ),
      );
    }
    if (g.baseline) {
      gs.appendChild(
        table(
          ["metric", "baseline", "this run", "change", "result"],
          (g.baseline.metrics || []).map((m) => [
            m.metric,
            m.old === null ? "–" : String(m.old),
            m.new === null ? "–" : String(m.new),
            m.change || "",
            el("span", { class: m.pass ? "pass" : "fail" }, m.pass ? "pass" : "FAIL"),
          ]),
        ),
      );
      for (const w of g.baseline.warnings || []) gs.appendChild(el("p", { class: "note" }, w));
    }
  }

  // ---- The configuration, as the report states it: one table per run a merged report holds.
  const conf = section(
    "Configuration",
    configs.length > 1 ? "This report adds up " + configs.length + " runs." : null,
  );
  configs.forEach((c, i) => {
    if (configs.length > 1) {
      const from = (report.merged_from || [])[i] || {};
      const shard = from.shard ? " (shard " + from.shard.index + "/" + from.shard.count + ")" : "";
      conf.appendChild(el("h3", {}, (from.report || "run " + (i + 1)) + shard));
    }
    conf.appendChild(
      table(
        ["setting", "value"],
        Object.entries(c || {}).map((e) => [
          e[0],
          e[1] === null ? "–" : typeof e[1] === "object" ? JSON.stringify(e[1]) : String(e[1]),
        ]),
        "compact config",
      ),
    );
  });
  root.appendChild(
    el(
      "footer",
      {},
      "Schema " +
        (report.schema || "?") +
        ". The JSON report is embedded in this page (view its source).",
    ),
  );

  // ---- Charts follow the page's width, on screen and on paper.
  function fit(maxWidth) {
    for (const p of plots) {
      const w = Math.max(320, Math.min(maxWidth || Infinity, p.box.parentNode.clientWidth));
      if (Math.abs(p.plot.width - w) > 1) p.plot.setSize({ width: w, height: p.plot.height });
    }
  }
  fit();
  let pending = null;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(() => fit(), 100);
  });
  // A printed page is about 680 CSS pixels wide (A4 or Letter, with margins).
  window.addEventListener("beforeprint", () => fit(680));
  window.addEventListener("afterprint", () => fit());
})();
