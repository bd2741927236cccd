/**
 * The dashboard's stylesheet and its small browser script, kept as strings so the published
 * package ships them and no build step or CDN is needed. The pages are complete without the
 * script (tables are rendered on the server); it only ticks countdowns, submits filter forms
 * on change, sizes history charts to the screen and refreshes the page's data periodically or,
 * on a page that names server-sent events (`data-live-url`, the Bots page), on each event.
 *
 * @module
 */

/** The stylesheet served at `/assets/dashboard.css`. */
export const DASHBOARD_CSS = `
:root { --fg: #111; --muted: #4a4a4a; --line: #d0d0d0; --bg: #fff; --panel: #f5f6f8;
  --accent: #0b57d0; --bad: #a30000; --ok: #0a6b2d; font-family: system-ui, sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: var(--bg); font-size: 15px; line-height: 1.35; }
a { color: var(--accent); }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.25rem;
  padding: .6rem 1rem; border-bottom: 1px solid var(--line); background: var(--panel); }
header.top .brand { font-weight: 700; font-size: 1.05rem; }
header.top nav ul { display: flex; flex-wrap: wrap; gap: .25rem .9rem; list-style: none;
  margin: 0; padding: 0; }
header.top nav a[aria-current="page"] { font-weight: 700; text-decoration: none; color: var(--fg);
  border-bottom: 3px solid var(--accent); }
.network { margin-left: auto; font-size: .85rem; padding: .15rem .5rem; border-radius: 4px;
  border: 1px solid var(--line); background: #fff; }
.sim-banner { background: repeating-linear-gradient(135deg, #7a0000 0 14px, #8f0b0b 14px 28px);
  color: #fff; font-weight: 700; padding: .5rem 1rem; letter-spacing: .02em; }
main { padding: .75rem 1rem 2rem; max-width: 1500px; }
h1 { font-size: 1.3rem; margin: .2rem 0 .6rem; }
h2 { font-size: 1.1rem; margin: 1.2rem 0 .4rem; }
.muted, .meta { color: var(--muted); }
.meta { font-size: .8rem; display: block; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end;
  padding: .5rem .6rem; background: var(--panel); border: 1px solid var(--line);
  border-radius: 6px; margin-bottom: .75rem; }
form.filters label { display: flex; flex-direction: column; font-size: .85rem; gap: .15rem; }
form.filters fieldset { border: 0; padding: 0; margin: 0; display: flex; gap: .6rem;
  align-items: center; font-size: .85rem; }
form.filters fieldset label { flex-direction: row; align-items: center; }
form.filters legend { float: left; margin-right: .4rem; padding: 0; }
input, select, button { font: inherit; padding: .25rem .4rem; }
input[type="number"] { width: 7rem; }
button { background: var(--accent); color: #fff; border: 0; border-radius: 4px;
  padding: .35rem .8rem; cursor: pointer; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: .3rem .45rem; text-align: right;
  vertical-align: top; }
th { background: var(--panel); font-weight: 600; white-space: nowrap; }
th[scope="row"], td.text, th.text { text-align: left; }
td.cell { min-width: 8.5rem; }
td.cell .apr { font-weight: 700; display: block; }
td.cell .meta { color: #1a1a1a; }
td.cell.stale { outline: 2px dashed #555; outline-offset: -3px; }
.badge { display: inline-block; font-size: .72rem; font-weight: 700; padding: 0 .3rem;
  border-radius: 3px; background: #333; color: #fff; }
.badge.bad { background: var(--bad); }
.badge.ok { background: var(--ok); }
td.empty { color: var(--muted); text-align: center; }
.legend { font-size: .85rem; margin: .3rem 0 .6rem; display: flex; flex-wrap: wrap; gap: .3rem 1rem; }
.swatch { display: inline-block; width: 1.6rem; height: .9rem; vertical-align: middle;
  border: 1px solid #888; margin-right: .25rem; }
.alert { border: 2px solid var(--bad); color: var(--bad); padding: .5rem .7rem; border-radius: 6px;
  background: #fff5f5; margin: .5rem 0; }
figure.chart { margin: .5rem 0 1.2rem; }
figure.chart svg { width: 100%; height: auto; display: block; border: 1px solid var(--line);
  background: #fff; }
figure.chart figcaption { font-size: .85rem; display: flex; flex-wrap: wrap; gap: .2rem 1rem; }
.key { display: inline-block; width: 1.2rem; height: .25rem; vertical-align: middle;
  margin-right: .3rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
.pos { color: var(--ok); font-weight: 600; }
.neg { color: var(--bad); font-weight: 600; }
dl.pnl { grid-template-columns: repeat(auto-fill, minmax(7rem, max-content) minmax(6rem, 1fr));
  padding: .5rem .6rem; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; }
ol.events { list-style: none; padding: 0; margin: 0; font-size: .9rem; }
ol.events li { padding: .2rem 0; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
@media (max-width: 600px) {
  body { font-size: 14px; }
  main { padding: .5rem .5rem 2rem; }
  .network { margin-left: 0; }
  td.cell { min-width: 6.5rem; }
  td.cell .per-interval { display: none; }
  th[scope="row"] { position: sticky; left: 0; z-index: 1; }
}
`;

/** The script served at `/assets/dashboard.js` (plain browser JavaScript, no dependency). */
export const DASHBOARD_JS = `"use strict";
(() => {
  const pad = (n) => String(n).padStart(2, "0");
  const countdown = (ms) => {
    if (ms <= 0) return "settling now";
    const s = Math.floor(ms / 1000);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return h > 0 ? "next in " + h + "h " + pad(m) + "m" : "next in " + m + "m " + pad(s % 60) + "s";
  };
  const tick = () => {
    const now = Date.now();
    for (const el of document.querySelectorAll("[data-next]")) {
      el.textContent = countdown(Number(el.getAttribute("data-next")) - now);
    }
  };
  const wire = (root) => {
    for (const form of root.querySelectorAll("form[data-autosubmit]")) {
      form.addEventListener("change", () => form.requestSubmit());
    }
  };
  const sizeCharts = async () => {
    const charts = document.getElementById("charts");
    if (!charts) return;
    const url = new URL(location.href);
    if (url.searchParams.has("points")) return;
    const width = Math.round(charts.clientWidth);
    url.searchParams.set("points", String(Math.max(50, Math.min(2000, width))));
    url.pathname = "/history/charts";
    const res = await fetch(url, { headers: { accept: "text/html" } });
    if (res.ok) charts.innerHTML = await res.text();
  };
  const refresh = async () => {
    const active = document.activeElement;
    if (active && active.closest && active.closest("form")) return;
    const res = await fetch(location.href, { headers: { accept: "text/html" } });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const next = doc.querySelector("main");
    const main = document.querySelector("main");
    if (!next || !main) return;
    main.innerHTML = next.innerHTML;
    wire(main);
    tick();
    if (!new URL(location.href).searchParams.has("points")) await sizeCharts();
  };
  wire(document);
  tick();
  setInterval(tick, 1000);
  sizeCharts().catch(() => {});
  const every = Number(document.body.getAttribute("data-refresh-seconds") || "0");
  if (every > 0) setInterval(() => refresh().catch(() => {}), every * 1000);
  const live = document.body.getAttribute("data-live-url");
  if (live && typeof EventSource === "function") {
    // One reload at a time; events arriving meanwhile fold into one more reload.
    let busy = false, again = false;
    const follow = async () => {
      if (busy) { again = true; return; }
      busy = true;
      try { await refresh(); } catch (_) { /* the next event retries */ }
      busy = false;
      if (again) { again = false; await follow(); }
    };
    const source = new EventSource(live);
    source.addEventListener("status", () => { follow(); });
    source.addEventListener("error", () => {
      const el = document.getElementById("live-state");
      if (el) el.textContent = "live updates: reconnecting";
    });
  }
})();
`;
