/**
 * The HTML report: one self-contained file (inline CSS, SVG and a little script, nothing fetched
 * when it is opened) with a card per mode, the comparison (or a sweep's table and its curve of
 * throughput and p99 latency against concurrency), the waterfalls of every mode on one
 * time axis with each request's phases, the event loop drawn on the same axis, the latency
 * distribution of each mode and a per-URL table that sorts by any column. Light and dark schemes
 * follow the reader's system. Everything that came from outside is sanitized and escaped; the
 * script reads its data from a JSON block and writes only text, never markup.
 */

import { HEARTBEAT_MS } from "../measure.js";
import {
  blockingSentence,
  comparisonSentence,
  errorText,
  escapeHtml,
  formatBytes,
  formatMs,
  formatMsOrDash,
  formatPercent,
  formatRatio,
  formatRps,
  isMultiRun,
  jsonForScript,
  kneeSentence,
  type RenderOptions,
  reportContext,
  reportModes,
  sanitize,
  serverSlowedSentence,
  statusLabel,
  sweepVariants,
  targetColumns,
  uslSentence,
} from "./format.js";
import type { Mode, Report, RequestResult, RunResult } from "./model.js";
import { uslThroughput } from "./scalability.js";
import { msOrNull } from "./units.js";

/** Text from outside, made printable and escaped for element content and quoted attributes. */
function text(value: string): string {
  return escapeHtml(sanitize(value));
}

/** A request's phases, each null when it was not measured or does not apply. */
interface Phases {
  queuedMs: number;
  dnsMs: number | null;
  tcpMs: number | null;
  tlsMs: number | null;
  connectMs: number | null;
  /** Headers minus connecting: the server's time (and the network's). */
  waitMs: number | null;
  downloadMs: number | null;
  connectionId: string | null;
}

function phasesOf(r: RequestResult): Phases {
  const dnsMs = msOrNull(r.dnsMs);
  const tcpMs = msOrNull(r.tcpMs);
  const tlsMs = msOrNull(r.tlsMs);
  const parts = [dnsMs, tcpMs, tlsMs].filter((v) => v !== null);
  const connectMs =
    msOrNull(r.connectMs) ?? (parts.length > 0 ? parts.reduce((a, b) => a + b, 0) : null);
  const ttfbMs = msOrNull(r.ttfbMs);
  return {
    queuedMs: msOrNull(r.queuedMs) ?? 0,
    dnsMs,
    tcpMs,
    tlsMs,
    connectMs,
    waitMs: ttfbMs === null ? null : Math.max(0, ttfbMs - (connectMs ?? 0)),
    downloadMs: msOrNull(r.downloadMs),
    connectionId: r.connectionId === null ? null : String(r.connectionId),
  };
}

// ---------------------------------------------------------------------------------------------
// Style and script.

const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1d2330;--muted:#5d6675;--card:#f4f6f9;--line:#d5dae1;
--queued:#b9c0cb;--dns:#2a9d8f;--tcp:#e9a03b;--tls:#a06cd5;--connect:#e9a03b;--wait:#3b7dd8;
--download:#2fa35a;--failed:#d64545;--frozen:#d64545;--beat:#2fa35a;--bin:#3b7dd8;
--tput:#3b7dd8;--p99:#c8641e;--usl:#8a4fc9;--knee:#2a8a4a}
@media (prefers-color-scheme:dark){:root{--bg:#14171c;--fg:#e3e7ee;--muted:#98a2b3;--card:#1e232b;
--line:#343b46;--queued:#5b6472;--wait:#5c9cf0;--download:#45c072;--bin:#5c9cf0;
--tput:#6aa8f5;--p99:#f0954f;--usl:#b58cf0;--knee:#52c97a}}
*{box-sizing:border-box}
body{margin:0;padding:24px;background:var(--bg);color:var(--fg);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1200px;margin:0 auto}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.muted{color:var(--muted)}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:16px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px;min-width:220px}
.card h3{margin:0 0 6px;font-size:15px}.card .wall{font-size:22px;font-weight:600}
.card dl{display:grid;grid-template-columns:auto auto;gap:2px 12px;margin:8px 0 0}
.card dt{color:var(--muted)}.card dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}
.sentence{font-size:16px;margin:16px 0 4px}.warn{border-left:3px solid var(--failed);padding-left:8px}
svg{display:block;width:100%;height:auto;font:11px system-ui,sans-serif}
svg text{fill:var(--fg)}svg .axis{stroke:var(--line)}svg .label{fill:var(--muted)}
.q{fill:var(--queued)}.dns{fill:var(--dns)}.tcp{fill:var(--tcp)}.tls{fill:var(--tls)}
.connect{fill:var(--connect)}.wait{fill:var(--wait)}.download{fill:var(--download)}
.failed{fill:var(--failed)}.frozen{fill:var(--frozen);opacity:.75}.beat{stroke:var(--beat)}
.bin{fill:var(--bin)}.bar:hover rect{opacity:.75}
svg.sweep path{fill:none;stroke-width:2}svg.sweep .tput-line{stroke:var(--tput)}
svg.sweep .p99-line{stroke:var(--p99);stroke-dasharray:6 4}svg.sweep .usl{stroke:var(--usl);stroke-dasharray:2 3}
svg.sweep circle.tput{fill:var(--tput)}svg.sweep rect.p99{fill:var(--p99)}
svg.sweep .knee line{stroke:var(--knee);stroke-width:2}svg.sweep .knee text{fill:var(--knee);font-weight:600}
svg.sweep .point:hover circle,svg.sweep .point:hover rect{stroke:var(--fg);stroke-width:2}
.legend i.line{height:0;border-top:2px solid}
tr.knee td{font-weight:600}
.legend{display:flex;flex-wrap:wrap;gap:14px;margin:6px 0}.legend span{display:inline-flex;align-items:center;gap:5px}
.legend i{display:inline-block;width:12px;height:10px;border-radius:2px}
.dists{display:flex;flex-wrap:wrap;gap:16px}.dist{flex:1 1 340px;max-width:560px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right}td.url{word-break:break-all;min-width:240px}td.bad{color:var(--failed);font-weight:600}
th button{font:inherit;font-weight:600;color:inherit;background:none;border:0;padding:0;cursor:pointer}
th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
#fb-tip{position:fixed;display:none;pointer-events:none;white-space:pre-line;max-width:520px;
background:var(--card);color:var(--fg);border:1px solid var(--line);border-radius:6px;padding:8px 10px;
box-shadow:0 4px 14px rgba(0,0,0,.25);font-size:12px;z-index:10;word-break:break-all}
`;

/** Shows a bar's phases on hover and sorts the table; writes text only (`textContent`). */
const SCRIPT = `
(function(){
var tips=JSON.parse(document.getElementById("fb-tips").textContent);
var tip=document.getElementById("fb-tip");
function show(e,el){tip.textContent=tips[Number(el.getAttribute("data-tip"))]||"";
tip.style.display="block";var x=e.clientX+14,y=e.clientY+14,r=tip.getBoundingClientRect();
if(x+r.width>innerWidth)x=Math.max(0,e.clientX-r.width-14);if(y+r.height>innerHeight)y=Math.max(0,e.clientY-r.height-14);
tip.style.left=x+"px";tip.style.top=y+"px";}
document.querySelectorAll("svg.waterfall").forEach(function(svg){
svg.addEventListener("mousemove",function(e){var el=e.target.closest&&e.target.closest("[data-tip]");
if(el)show(e,el);else tip.style.display="none";});
svg.addEventListener("mouseleave",function(){tip.style.display="none";});});
document.querySelectorAll("table.sortable").forEach(function(table){
var heads=table.querySelectorAll("thead th");
heads.forEach(function(th,col){var b=th.querySelector("button");if(!b)return;
b.addEventListener("click",function(){var dir=th.getAttribute("aria-sort")==="ascending"?-1:1;
heads.forEach(function(h){h.removeAttribute("aria-sort");});
th.setAttribute("aria-sort",dir===1?"ascending":"descending");var num=th.classList.contains("n");
var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
rows.sort(function(a,b){var x=a.cells[col].getAttribute("data-v"),y=b.cells[col].getAttribute("data-v");
var c;if(num){var p=x===""?Infinity:Number(x),q=y===""?Infinity:Number(y);c=p<q?-1:p>q?1:0;}
else c=x<y?-1:x>y?1:0;return c*dir||(Number(a.cells[0].getAttribute("data-v"))-Number(b.cells[0].getAttribute("data-v")));});
rows.forEach(function(r){body.appendChild(r);});});});});
})();
`;

/**
 * Nothing may be fetched when the report is opened: the policy allows only the inline style and
 * script, and images from `data:`.
 */
const POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

// ---------------------------------------------------------------------------------------------
// The waterfall.

/** Bars drawn per mode at most; beyond it the failed and slowest requests are drawn. */
export const MAX_BARS_PER_MODE = 1000;

const SVG_WIDTH = 1000;
const LABEL_WIDTH = 70;
const PLOT_RIGHT = SVG_WIDTH - 12;
const ROW = 12;
const BAR = 8;
const MODE_HEADER = 22;
const LOOP_LANE = 16;
const AXIS = 24;

/** The run whose requests a mode's waterfall draws: the last measured one, else the last one. */
function drawnRun(report: Report, mode: Mode): RunResult | undefined {
  const runs = report.runs.filter((r) => r.mode === mode);
  return runs.filter((r) => !r.warmup).at(-1) ?? runs.at(-1);
}

/** A round step for axis ticks: 1, 2 or 5 × 10ⁿ, giving about six ticks. */
function tickStep(spanMs: number): number {
  const rough = spanMs / 6;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough);
  return step ?? 10 * power;
}

function num(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** The requests of a run to draw: all up to the budget, else the failed then the slowest. */
function barsOf(run: RunResult): { drawn: RequestResult[]; hidden: number } {
  if (run.requests.length <= MAX_BARS_PER_MODE) return { drawn: run.requests, hidden: 0 };
  const failed = run.requests.filter((r) => !r.ok);
  const ok = run.requests.filter((r) => r.ok).sort((a, b) => b.latencyMs - a.latencyMs);
  const keep = new Set([...failed, ...ok].slice(0, MAX_BARS_PER_MODE));
  return {
    drawn: run.requests.filter((r) => keep.has(r)),
    hidden: run.requests.length - keep.size,
  };
}

/** The phases of one request as the tooltip shows them, one fact per line. */
function tipText(mode: Mode, run: RunResult, r: RequestResult, p: Phases): string {
  const lines = [`#${r.index + 1} ${sanitize(r.url)}`];
  if (r.finalUrl !== r.url) lines.push(`→ ${sanitize(r.finalUrl)} (${r.redirects} redirects)`);
  lines.push(`${mode}, run ${run.iteration}${run.warmup ? " (warm-up)" : ""}`);
  const outcome = r.error === null ? "ok" : `${r.error.kind}: ${errorText(r.error)}`;
  lines.push(`${r.status ?? "no status"} · ${outcome} · ${formatBytes(r.bytes)}`);
  const connection =
    r.reusedConnection === null
      ? "connection: not measured"
      : r.reusedConnection
        ? "reused connection"
        : "new connection";
  lines.push(p.connectionId === null ? connection : `${connection} #${p.connectionId}`);
  lines.push(
    `queued ${formatMs(p.queuedMs)} · dns ${formatMsOrDash(p.dnsMs)} · tcp ${formatMsOrDash(p.tcpMs)} · tls ${formatMsOrDash(p.tlsMs)}`,
  );
  lines.push(
    `connect ${formatMsOrDash(p.connectMs)} · wait ${formatMsOrDash(p.waitMs)} · download ${formatMsOrDash(p.downloadMs)}`,
  );
  lines.push(
    `started ${formatMs(r.startMs)} · took ${formatMs(r.latencyMs)} · ended ${formatMs(r.endMs)}`,
  );
  return lines.join("\n");
}

/** The segments of a bar, `[class, fromMs, toMs]`, from the start of the run. */
function segments(r: RequestResult, p: Phases): [string, number, number][] {
  const out: [string, number, number][] = [];
  if (p.queuedMs > 0) out.push(["q", r.startMs - p.queuedMs, r.startMs]);
  let at = r.startMs;
  const split = [
    ["dns", p.dnsMs],
    ["tcp", p.tcpMs],
    ["tls", p.tlsMs],
  ] as const;
  if (split.some(([, v]) => v !== null)) {
    for (const [name, ms] of split) {
      if (ms === null) continue;
      out.push([name, at, at + ms]);
      at += ms;
    }
  } else if (p.connectMs !== null) {
    out.push(["connect", at, at + p.connectMs]);
    at += p.connectMs;
  }
  if (p.waitMs !== null) {
    const end = r.startMs + (r.ttfbMs ?? 0);
    out.push(["wait", at, Math.max(at, end)]);
    at = Math.max(at, end);
  }
  const end = Math.max(at, r.endMs);
  if (!r.ok) out.push(["failed", at, end]);
  else if (end > at) out.push(["download", at, end]);
  return out;
}

/** Merges the spans a blocking run held the main thread, ignoring gaps thinner than `minGapMs`. */
function frozenSpans(run: RunResult, minGapMs: number): [number, number][] {
  const spans = run.requests
    .map((r): [number, number] => [r.startMs, r.endMs])
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last !== undefined && span[0] - last[1] < minGapMs) last[1] = Math.max(last[1], span[1]);
    else merged.push([...span]);
  }
  return merged;
}

interface WaterfallState {
  tips: string[];
}

/**
 * Every mode's waterfall in one SVG on one time axis: a header row per mode, a row per request
 * and a lane for the event loop (the heartbeat while the loop is free; for the blocking mode,
 * red where the main thread waited on each request).
 */
function* waterfall(report: Report, modes: Mode[], state: WaterfallState): Generator<string> {
  const runs = modes.flatMap((mode) => {
    const run = drawnRun(report, mode);
    return run === undefined ? [] : [{ mode, run, ...barsOf(run) }];
  });
  if (runs.length === 0) return;
  const spanMs = Math.max(1, ...runs.map(({ run }) => run.wallMs));
  const scale = (PLOT_RIGHT - LABEL_WIDTH) / spanMs;
  const x = (ms: number) => LABEL_WIDTH + Math.max(0, ms) * scale;
  let height = AXIS;
  for (const { drawn, hidden } of runs)
    height += MODE_HEADER + drawn.length * ROW + LOOP_LANE + (hidden > 0 ? ROW : 0);
  height += 8;
  yield "<h2>Waterfall</h2>\n";
  yield '<p class="muted">Each request of the last measured run of each mode, on one time axis from the start of its run. Hover a bar for its phases.</p>\n';
  yield '<div class="legend">';
  for (const [cls, name] of [
    ["q", "queued"],
    ["dns", "dns"],
    ["tcp", "tcp"],
    ["tls", "tls"],
    ["connect", "connect"],
    ["wait", "waiting for headers"],
    ["download", "download"],
    ["failed", "failed"],
    ["frozen", "event loop blocked"],
  ]) {
    yield `<span><i class="${cls}" style="background:var(--${cls === "q" ? "queued" : cls})"></i>${name}</span>`;
  }
  yield "</div>\n";
  yield `<svg class="waterfall" viewBox="0 0 ${SVG_WIDTH} ${height}" role="img" aria-label="Waterfall of every request, by mode">\n`;
  const step = tickStep(spanMs);
  for (let t = 0; t <= spanMs + step / 1000; t += step) {
    yield `<line class="axis" x1="${num(x(t))}" y1="${AXIS - 6}" x2="${num(x(t))}" y2="${height}"/>`;
    yield `<text x="${num(x(t))}" y="${AXIS - 10}" text-anchor="middle" class="label">${escapeHtml(formatMs(t))}</text>\n`;
  }
  let y = AXIS;
  for (const { mode, run, drawn, hidden } of runs) {
    const loop = run.eventLoop;
    const beat =
      loop === null
        ? ""
        : ` · heartbeat fired ${loop.heartbeat.fired} of ${loop.heartbeat.expected}`;
    const label = `${mode} · wall ${formatMs(run.wallMs)} · ${run.requests.length} requests${beat}`;
    yield `<g class="mode" data-mode="${mode}"><text x="4" y="${y + 15}" font-weight="600">${escapeHtml(label)}</text>\n`;
    y += MODE_HEADER;
    for (const r of drawn) {
      const p = phasesOf(r);
      const id = state.tips.length;
      state.tips.push(tipText(mode, run, r, p));
      yield `<g class="bar" data-tip="${id}" data-index="${r.index}"><text x="${LABEL_WIDTH - 6}" y="${y + BAR}" text-anchor="end" class="label">#${r.index + 1}</text>`;
      // A transparent rect across the row makes the whole row hoverable.
      yield `<rect x="0" y="${y}" width="${SVG_WIDTH}" height="${ROW}" fill="transparent"/>`;
      for (const [cls, from, to] of segments(r, p)) {
        const width = Math.max(1, (to - from) * scale);
        yield `<rect class="${cls}" x="${num(x(from))}" y="${y + (ROW - BAR) / 2}" width="${num(width)}" height="${BAR}"/>`;
      }
      yield "</g>\n";
      y += ROW;
    }
    if (hidden > 0) {
      yield `<text x="${LABEL_WIDTH}" y="${y + BAR}" class="label">+${hidden} faster requests, all ok, not drawn</text>\n`;
      y += ROW;
    }
    yield* loopLane(mode, run, x, y, scale);
    y += LOOP_LANE;
    yield "</g>\n";
  }
  yield "</svg>\n";
}

/** One mode's event-loop lane: heartbeat ticks across the run, frozen spans over them. */
function* loopLane(
  mode: Mode,
  run: RunResult,
  x: (ms: number) => number,
  y: number,
  scale: number,
): Generator<string> {
  const loop = run.eventLoop;
  yield `<g class="loop" data-mode="${mode}"><text x="${LABEL_WIDTH - 6}" y="${y + 11}" text-anchor="end" class="label">loop</text>`;
  if (loop !== null) {
    // Ticks every heartbeat period, or every few when they would be closer than 3 px.
    const every = HEARTBEAT_MS * Math.max(1, Math.ceil(3 / (HEARTBEAT_MS * scale)));
    let path = "";
    for (let t = 0; t <= run.wallMs; t += every) path += `M${num(x(t))} ${y + 3}v8`;
    yield `<path class="beat" d="${path}"/>`;
    if (mode === "blocking") {
      for (const [from, to] of frozenSpans(run, 1 / scale)) {
        const width = Math.max(1, (to - from) * scale);
        yield `<rect class="frozen" x="${num(x(from))}" y="${y + 2}" width="${num(width)}" height="10"/>`;
      }
    }
  }
  yield "</g>\n";
}

// ---------------------------------------------------------------------------------------------
// A concurrency sweep: the table and the curve.

const SWEEP_HEIGHT = 320;
const SWEEP_LEFT = 70;
const SWEEP_RIGHT = SVG_WIDTH - 80;
const SWEEP_TOP = 24;
const SWEEP_BOTTOM = SWEEP_HEIGHT - 46;
/** Points of the USL curve, spread evenly on the log axis: enough for a smooth line. */
const USL_SAMPLES = 64;

/** One row per variant, as the Markdown report has it, the knee's row marked. */
function* sweepTable(report: Report): Generator<string> {
  const knee = report.summary.sweep?.knee?.variant;
  yield '<table class="sweep"><thead><tr><th>Concurrency</th><th class="n">Mean wall</th><th class="n">Req/s</th><th class="n">Speed-up</th><th class="n">Efficiency</th><th class="n">p50</th><th class="n">p99</th><th class="n">Failed</th></tr></thead><tbody>\n';
  for (const [key, v] of sweepVariants(report)) {
    const w = v.wallMs;
    const cells = [
      w.stddev === null ? formatMs(w.mean) : `${formatMs(w.mean)} ± ${formatMs(w.stddev)}`,
      formatRps(v.throughputRps),
      v.speedup === null
        ? "–"
        : v.speedupStddev === null
          ? formatRatio(v.speedup)
          : `${formatRatio(v.speedup)} ± ${v.speedupStddev.toFixed(1)}`,
      v.efficiency === null ? "–" : formatPercent(v.efficiency),
      formatMsOrDash(v.latencyMs?.p50 ?? null),
      formatMsOrDash(v.latencyMs?.p99 ?? null),
      String(v.failed),
    ];
    const mark = key === knee ? " (knee)" : "";
    yield `<tr data-variant="${text(key)}"${key === knee ? ' class="knee"' : ""}><td>${text(String(v.concurrency))}${mark}</td>`;
    yield `${cells.map((cell) => `<td class="n">${escapeHtml(cell)}</td>`).join("")}</tr>\n`;
  }
  yield "</tbody></table>\n";
}

/** A tick's value as short as it is exact: `50`, `2.5`, never `50.0` or float noise. */
function tickLabel(value: number): string {
  return String(Number(value.toPrecision(6)));
}

/** A round top for an axis from 0: the next tick above the largest value. */
function axisTop(max: number): { top: number; step: number } {
  const step = tickStep(max > 0 ? max : 1);
  return { top: Math.max(step, Math.ceil(max / step) * step), step };
}

/**
 * Throughput (left axis) and p99 latency (right axis) against concurrency on a log axis: a point
 * per variant, the knee marked, and the Universal Scalability Law's prediction where the fit was
 * kept. Axes start at 0, so a flat curve looks flat.
 */
function* sweepChart(report: Report): Generator<string> {
  const variants = sweepVariants(report);
  const sweep = report.summary.sweep;
  if (variants.length === 0) return;
  const xs = variants.map(([, v]) => Math.max(1, v.effectiveConcurrency));
  const low = Math.log2(Math.min(...xs));
  const high = Math.max(low + 1, Math.log2(Math.max(...xs)));
  // Half a doubling of room on either side, so the first and last points are not on the frame.
  const from = low - 0.25;
  const span = high + 0.25 - from;
  const x = (n: number) =>
    SWEEP_LEFT + ((Math.log2(Math.max(1, n)) - from) / span) * (SWEEP_RIGHT - SWEEP_LEFT);
  const fit = sweep?.usl ?? null;
  const curve =
    fit === null
      ? []
      : Array.from({ length: USL_SAMPLES + 1 }, (_, i) => {
          const n = 2 ** (low + ((high - low) * i) / USL_SAMPLES);
          return [n, uslThroughput(fit, n)] as const;
        });
  const rps = axisTop(
    Math.max(...variants.map(([, v]) => v.throughputRps), ...curve.map(([, y]) => y)),
  );
  const p99s = variants.map(([, v]) => v.latencyMs?.p99 ?? null);
  const latency = axisTop(Math.max(0, ...p99s.map((ms) => ms ?? 0)));
  const plot = SWEEP_BOTTOM - SWEEP_TOP;
  const yRps = (value: number) => SWEEP_BOTTOM - (Math.min(value, rps.top) / rps.top) * plot;
  const yMs = (value: number) => SWEEP_BOTTOM - (value / latency.top) * plot;

  yield '<div class="legend">';
  yield '<span><i class="line" style="border-color:var(--tput)"></i>throughput (req/s, left)</span>';
  yield '<span><i class="line" style="border-color:var(--p99);border-top-style:dashed"></i>p99 latency (right)</span>';
  if (fit !== null) {
    yield '<span><i class="line" style="border-color:var(--usl);border-top-style:dotted"></i>USL prediction</span>';
  }
  if (sweep?.knee) yield '<span><i class="line" style="border-color:var(--knee)"></i>knee</span>';
  yield "</div>\n";
  yield `<svg class="sweep" viewBox="0 0 ${SVG_WIDTH} ${SWEEP_HEIGHT}" role="img" aria-label="Throughput and p99 latency against concurrency, log scale">\n`;
  // Horizontal grid on the throughput's ticks; the latency's ticks are labelled on the right.
  for (let value = 0; value <= rps.top + rps.step / 1000; value += rps.step) {
    const y = num(yRps(value));
    yield `<line class="axis" x1="${SWEEP_LEFT}" y1="${y}" x2="${SWEEP_RIGHT}" y2="${y}"/>`;
    yield `<text x="${SWEEP_LEFT - 6}" y="${y}" dy="4" text-anchor="end" class="label">${tickLabel(value)}</text>\n`;
  }
  for (let value = 0; value <= latency.top + latency.step / 1000; value += latency.step) {
    yield `<text x="${SWEEP_RIGHT + 6}" y="${num(yMs(value))}" dy="4" class="label">${escapeHtml(formatMs(value))}</text>\n`;
  }
  // One tick per concurrency measured; variants at the same one (`all` and the list's length)
  // share it.
  const ticks = new Map<number, string[]>();
  for (const [, v] of variants) {
    const at = Math.max(1, v.effectiveConcurrency);
    const label = v.concurrency === "all" ? `all (${at})` : String(v.concurrency);
    ticks.set(at, [...(ticks.get(at) ?? []), label]);
  }
  for (const [at, labels] of ticks) {
    const tx = num(x(at));
    yield `<line class="axis" x1="${tx}" y1="${SWEEP_TOP}" x2="${tx}" y2="${SWEEP_BOTTOM + 4}"/>`;
    yield `<text x="${tx}" y="${SWEEP_BOTTOM + 18}" text-anchor="middle" class="label">${escapeHtml(labels.join(" · "))}</text>\n`;
  }
  yield `<text x="${(SWEEP_LEFT + SWEEP_RIGHT) / 2}" y="${SWEEP_HEIGHT - 6}" text-anchor="middle" class="label">concurrency (-c, log scale)</text>`;
  yield `<text x="${SWEEP_LEFT - 6}" y="${SWEEP_TOP - 10}" text-anchor="end" class="label">req/s</text>`;
  yield `<text x="${SWEEP_RIGHT + 6}" y="${SWEEP_TOP - 10}" class="label">p99</text>\n`;
  const knee = sweep?.knee ?? null;
  const kneeVariant = knee === null ? undefined : report.summary.variants?.[knee.variant];
  if (knee !== null && kneeVariant !== undefined) {
    const kx = num(x(kneeVariant.effectiveConcurrency));
    yield `<g class="knee" data-variant="${text(knee.variant)}"><line x1="${kx}" y1="${SWEEP_TOP}" x2="${kx}" y2="${SWEEP_BOTTOM}"/>`;
    yield `<text x="${kx}" y="${SWEEP_TOP - 8}" text-anchor="middle">knee · -c ${escapeHtml(String(knee.concurrency))}</text></g>\n`;
  }
  if (curve.length > 0) {
    const d = curve.map(([n, y], i) => `${i === 0 ? "M" : "L"}${num(x(n))} ${num(yRps(y))}`);
    yield `<path class="usl" d="${d.join("")}"/>\n`;
  }
  const line = (points: [number, number][]) =>
    points.map(([px, py], i) => `${i === 0 ? "M" : "L"}${num(px)} ${num(py)}`).join("");
  yield `<path class="tput-line" d="${line(variants.map(([, v]) => [x(v.effectiveConcurrency), yRps(v.throughputRps)]))}"/>\n`;
  const withP99 = variants.flatMap(([, v]) =>
    v.latencyMs === null
      ? []
      : [[x(v.effectiveConcurrency), yMs(v.latencyMs.p99)] as [number, number]],
  );
  if (withP99.length > 0) yield `<path class="p99-line" d="${line(withP99)}"/>\n`;
  for (const [key, v] of variants) {
    const px = x(v.effectiveConcurrency);
    const p99 = v.latencyMs?.p99 ?? null;
    const title = `-c ${v.concurrency}: ${formatRps(v.throughputRps)} req/s, p99 ${formatMsOrDash(p99)}, ${v.ok} ok · ${v.failed} failed`;
    yield `<g class="point" data-variant="${text(key)}"><title>${escapeHtml(title)}</title>`;
    yield `<circle class="tput" cx="${num(px)}" cy="${num(yRps(v.throughputRps))}" r="4.5"/>`;
    if (p99 !== null)
      yield `<rect class="p99" x="${num(px - 4)}" y="${num(yMs(p99) - 4)}" width="8" height="8"/>`;
    yield "</g>\n";
  }
  yield "</svg>\n";
}

/** A sweep's section: the table, the curve and what they say; nothing for a single `-c`. */
function* sweepSection(report: Report): Generator<string> {
  if (sweepVariants(report).length === 0) return;
  yield "<h2>Concurrency sweep</h2>\n";
  yield '<p class="muted">The concurrent mode once per concurrency. Throughput is completed requests per second of wall; the knee is the smallest concurrency reaching 90% of the best throughput.</p>\n';
  yield* sweepTable(report);
  yield* sweepChart(report);
  for (const line of [kneeSentence(report), uslSentence(report)]) {
    if (line !== null) yield `<p class="sentence">${escapeHtml(line)}</p>\n`;
  }
}

// ---------------------------------------------------------------------------------------------
// Cards, distributions, event loop, table.

function* cards(report: Report, modes: Mode[]): Generator<string> {
  yield '<section class="cards">\n';
  for (const mode of modes) {
    const s = report.summary.modes[mode];
    if (s === undefined) continue;
    const run = drawnRun(report, mode);
    const w = s.wallMs;
    const wall =
      w.stddev === null ? formatMs(w.mean) : `${formatMs(w.mean)} ± ${formatMs(w.stddev)}`;
    const rows: [string, string][] = [];
    if (s.runs > 1)
      rows.push(["runs", `${s.runs} (min ${formatMs(w.min)}, max ${formatMs(w.max)})`]);
    rows.push([
      "requests",
      `${s.ok} ok · ${s.failed} failed${s.aborted > 0 ? ` · ${s.aborted} aborted` : ""}`,
    ]);
    if (s.latencyMs !== null) {
      const l = s.latencyMs;
      rows.push([
        "p50 · p90 · p99",
        `${formatMs(l.p50)} · ${formatMs(l.p90)} · ${formatMs(l.p99)}`,
      ]);
    }
    rows.push(["sum of latencies", formatMs(s.sumMs)]);
    rows.push(["bytes", formatBytes(s.bytes)]);
    if (run !== undefined) {
      rows.push([
        "connections opened",
        run.connectionsOpened === null ? "–" : String(run.connectionsOpened),
      ]);
      rows.push(["peak in flight", String(run.peakInFlight)]);
    }
    if (s.boundMs !== null) rows.push(["bound", formatMs(s.boundMs)]);
    if (s.efficiency !== null) rows.push(["efficiency", formatPercent(s.efficiency)]);
    yield `<div class="card" data-mode="${mode}"><h3>${mode}</h3><div class="wall">${escapeHtml(wall)}</div><div class="muted">wall</div><dl>`;
    for (const [name, value] of rows) yield `<dt>${name}</dt><dd>${escapeHtml(value)}</dd>`;
    yield "</dl></div>\n";
  }
  yield "</section>\n";
}

const DIST_WIDTH = 520;
const DIST_HEIGHT = 140;

function* distributions(report: Report, modes: Mode[]): Generator<string> {
  const shown = modes.filter((m) => (report.summary.modes[m]?.latencyHistogram.length ?? 0) > 0);
  if (shown.length === 0) return;
  yield '<h2>Latency distribution</h2>\n<div class="dists">\n';
  for (const mode of shown) {
    const bins = report.summary.modes[mode]?.latencyHistogram ?? [];
    const fullest = Math.max(1, ...bins.map((b) => b.count));
    const plot = DIST_HEIGHT - 34;
    const width = (DIST_WIDTH - 20) / bins.length;
    yield `<figure class="dist" data-mode="${mode}"><figcaption>${mode}</figcaption><svg viewBox="0 0 ${DIST_WIDTH} ${DIST_HEIGHT}" role="img" aria-label="Latency histogram of ${mode}">`;
    for (const [i, bin] of bins.entries()) {
      const h = (bin.count / fullest) * plot;
      const bx = 10 + i * width;
      const range = `${formatMs(bin.fromMs)} – ${formatMs(bin.toMs)}: ${bin.count} requests`;
      yield `<g><title>${escapeHtml(range)}</title><rect class="bin" x="${num(bx + 1)}" y="${num(14 + plot - h)}" width="${num(Math.max(1, width - 2))}" height="${num(h)}"/>`;
      if (bin.count > 0) {
        yield `<text x="${num(bx + width / 2)}" y="${num(10 + plot - h)}" text-anchor="middle">${bin.count}</text>`;
      }
      yield "</g>";
    }
    const first = bins[0];
    const last = bins.at(-1);
    if (first !== undefined && last !== undefined) {
      yield `<text x="10" y="${DIST_HEIGHT - 6}" class="label">${escapeHtml(formatMs(first.fromMs))}</text>`;
      yield `<text x="${DIST_WIDTH - 10}" y="${DIST_HEIGHT - 6}" text-anchor="end" class="label">${escapeHtml(formatMs(last.toMs))}</text>`;
    }
    yield "</svg></figure>\n";
  }
  yield "</div>\n";
}

function* eventLoopTable(report: Report, modes: Mode[]): Generator<string> {
  const rows = modes.flatMap((mode) => {
    const e = report.summary.modes[mode]?.eventLoop;
    return e === undefined || e === null ? [] : [{ mode, e }];
  });
  if (rows.length === 0) return;
  yield "<h2>Event loop</h2>\n";
  yield `<p class="muted">Worst of the measured runs. A timer meant to fire every ${HEARTBEAT_MS} ms can only fire while the event loop is free: in the waterfall its ticks run under each mode, red where the loop was blocked.</p>\n`;
  yield '<table class="loop"><thead><tr><th>Mode</th><th class="n">Max delay</th><th class="n">p99 delay</th><th class="n">Heartbeat fired</th><th class="n">Busy</th></tr></thead><tbody>\n';
  for (const { mode, e } of rows) {
    const beat = e.heartbeat.expected > 0 ? `${e.heartbeat.fired} of ${e.heartbeat.expected}` : "–";
    yield `<tr data-mode="${mode}"><td>${mode}</td><td class="n">${escapeHtml(formatMsOrDash(e.maxDelayMs))}</td><td class="n">${escapeHtml(formatMsOrDash(e.p99DelayMs))}</td><td class="n">${beat}</td><td class="n">${formatPercent(e.utilization)}</td></tr>\n`;
  }
  yield "</tbody></table>\n";
  const sentence = blockingSentence(report, modes);
  if (sentence !== null) yield `<p class="sentence">${escapeHtml(sentence)}</p>\n`;
}

/** A sortable header cell; `numeric` sorts by number, missing values last. */
function head(label: string, numeric: boolean): string {
  return `<th${numeric ? ' class="n"' : ""}><button type="button">${escapeHtml(label)}</button></th>`;
}

function* urlTable(report: Report): Generator<string> {
  const columns = targetColumns(report);
  const targets = report.summary.targets;
  if (targets.length === 0) return;
  yield "<h2>URLs</h2>\n";
  yield '<p class="muted">Status of the last measured run and median latency over the measured runs. Click a column to sort by it.</p>\n';
  yield `<table class="sortable urls"><thead><tr>${head("#", true)}${head("URL", false)}`;
  for (const { key } of columns)
    yield `${head(`${key} status`, false)}${head(`${key} latency`, true)}`;
  yield "</tr></thead><tbody>\n";
  for (const t of targets) {
    let row = `<tr><td class="n" data-v="${t.index + 1}">${t.index + 1}</td><td class="url" data-v="${text(t.url)}">${text(t.url)}</td>`;
    for (const column of columns) {
      const cell = column.cell(t);
      if (cell === undefined) {
        row += '<td data-v="">–</td><td class="n" data-v="">–</td>';
        continue;
      }
      const status = statusLabel(cell);
      const why = cell.error === null ? "" : ` title="${text(errorText(cell.error))}"`;
      const failures = cell.failures > 0 && cell.ok ? ` (failed in ${cell.failures} runs)` : "";
      row += `<td class="${cell.ok && cell.failures === 0 ? "" : "bad"}" data-v="${text(status)}"${why}>${text(status)}${escapeHtml(failures)}`;
      if (cell.error !== null) row += `<div class="muted">${text(errorText(cell.error))}</div>`;
      row += `</td><td class="n" data-v="${cell.latencyMs}">${escapeHtml(formatMs(cell.latencyMs))}</td>`;
    }
    yield `${row}</tr>\n`;
  }
  yield "</tbody></table>\n";
}

/**
 * Renders the HTML report, a section or a row at a time. Options are ignored: the file holds
 * every URL, and the table sorts in the browser.
 */
export function* renderHtml(report: Report, _options: RenderOptions): Generator<string> {
  const modes = reportModes(report);
  const cmp = report.summary.comparison;
  yield '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n';
  yield `<meta http-equiv="Content-Security-Policy" content="${POLICY}">\n`;
  yield '<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="color-scheme" content="light dark">\n';
  yield `<title>fetchbench · ${text(reportContext(report))}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n<main>\n`;
  yield `<h1>fetchbench</h1>\n<p class="muted">${text(reportContext(report))} · started ${text(report.startedAt)} · fetchbench ${text(report.tool.version)}</p>\n`;
  yield* cards(report, modes);
  if (cmp !== null)
    yield `<p class="sentence" id="comparison">${escapeHtml(comparisonSentence(cmp, isMultiRun(report)))}</p>\n`;
  // A sweep: its table, its curve, where throughput stops growing and the scalability fit.
  yield* sweepSection(report);
  const slowed = serverSlowedSentence(report);
  if (slowed !== null) yield `<p class="sentence">${escapeHtml(slowed)}</p>\n`;
  for (const w of report.summary.warnings) yield `<p class="warn">${text(w.message)}</p>\n`;
  const state: WaterfallState = { tips: [] };
  yield* waterfall(report, modes, state);
  yield* eventLoopTable(report, modes);
  yield* distributions(report, modes);
  yield* urlTable(report);
  yield '</main>\n<div id="fb-tip" role="tooltip"></div>\n<script type="application/json" id="fb-tips">[';
  for (const [i, tip] of state.tips.entries()) yield `${i === 0 ? "" : ","}${jsonForScript(tip)}`;
  yield `]</script>\n<script>${SCRIPT}</script>\n</body>\n</html>\n`;
}
