/**
 * The style and the script inlined into report.html, and the Content-Security-Policy that allows exactly these two
 * (by hash), images from the evidence files beside the report, and nothing else: no other script, no style
 * attribute, no fetch, no frame, no form. So even text that escaped its escaping could not run or load anything.
 * The script reads no data but the page's own markup: it filters, searches, follows `#<fixture-id>` links and
 * enlarges screenshots.
 */
import { createHash } from 'node:crypto';

export const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--card:#f6f8fa;--fail:#cf222e;--flaky:#9a6700;--pass:#1a7f37;--skip:#6e7781;--accent:#0969da}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--card:#151b23;--fail:#f85149;--flaky:#d29922;--pass:#3fb950;--skip:#8b949e;--accent:#4493f8}}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
main{max-width:1200px;margin:0 auto;padding:16px 20px 40px}
a{color:var(--accent)}
code,pre,ol.log{font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:6px 0;padding:8px 10px;background:var(--card);border:1px solid var(--line);border-radius:6px}
pre.error{border-left:3px solid var(--fail)}
h1{font-size:22px;margin:0 0 6px}
h2{font-size:16px;margin:0 0 6px}
.verdict.fail{color:var(--fail)}.verdict.pass{color:var(--pass)}
.counts{display:flex;flex-wrap:wrap;gap:6px 14px;margin:4px 0;font-size:15px}
.counts .n{font-weight:700}
.meta,.muted,.t{color:var(--muted)}
.meta{margin:2px 0;font-size:13px;overflow-wrap:anywhere}
.panel{border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin:14px 0}
.panel.stop{border-left:4px solid var(--fail)}.panel.notice{border-left:4px solid var(--accent)}
.panel ul{margin:4px 0;padding-left:20px}
.toolbar{position:sticky;top:0;z-index:1;background:var(--bg);display:flex;flex-wrap:wrap;gap:8px;align-items:center;padding:10px 0;border-bottom:1px solid var(--line)}
.toolbar button{font:inherit;border:1px solid var(--line);background:var(--card);color:var(--fg);border-radius:16px;padding:2px 12px;cursor:pointer}
.toolbar button[aria-pressed=true]{border-color:var(--accent);box-shadow:0 0 0 1px var(--accent)}
.toolbar input{font:inherit;flex:1;min-width:220px;padding:4px 10px;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
.fx{border:1px solid var(--line);border-left-width:4px;border-radius:8px;margin:8px 0}
.fx.failed{border-left-color:var(--fail)}.fx.flaky{border-left-color:var(--flaky)}.fx.passed{border-left-color:var(--pass)}.fx.skipped{border-left-color:var(--skip)}
.fx:target{box-shadow:0 0 0 2px var(--accent)}
.fx>summary{cursor:pointer;padding:7px 12px;display:flex;flex-wrap:wrap;gap:4px 10px;align-items:baseline}
.fx>summary::before{content:"▸";color:var(--muted)}.fx[open]>summary::before{content:"▾"}
.badge{font-size:12px;font-weight:600;border-radius:10px;padding:0 8px;color:#fff}
.badge.failed{background:var(--fail)}.badge.flaky{background:var(--flaky)}.badge.passed{background:var(--pass)}.badge.skipped{background:var(--skip)}
.kind,.tag,.mark{font-size:12px;border:1px solid var(--line);border-radius:10px;padding:0 7px;color:var(--muted)}
.kind{border-color:currentColor;font-weight:600}.fx.failed .kind,.attempt.failed .kind{color:var(--fail)}.fx.flaky>summary .kind{color:var(--flaky)}
.mark.good,.note.good{color:var(--pass)}.mark.bad{color:var(--fail);border-color:currentColor;font-weight:600}
.strip{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px;letter-spacing:1px;color:var(--muted)}
.id{font-weight:600}.title{overflow-wrap:anywhere}
.dur{margin-left:auto;color:var(--muted);font-size:12px}
.body{padding:0 12px 10px;border-top:1px solid var(--line)}
.where{color:var(--muted);font-size:12.5px;overflow-wrap:anywhere;margin:6px 0}
.where .url{margin-left:8px}.permalink{margin-left:8px;text-decoration:none}
.note{margin:6px 0}
.msg{white-space:pre-wrap;overflow-wrap:anywhere}
.attempt h4{font-size:13px;font-weight:600;margin:10px 0 4px;display:flex;flex-wrap:wrap;gap:8px;align-items:baseline}
.evidence{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}
.shot img{width:320px;max-width:100%;height:auto;max-height:480px;object-fit:cover;object-position:top;border:1px solid var(--line);border-radius:4px;display:block;cursor:zoom-in}
.shotcol{max-width:320px}.shotnote{font-size:12px;margin:4px 0 0}
.signals{flex:1;min-width:280px}.signals h5{margin:6px 0 2px;font-size:12.5px}
ol.log{list-style:none;margin:0;padding:0}
ol.log li{padding:1px 0;border-bottom:1px dashed var(--line);white-space:pre-wrap;overflow-wrap:anywhere}
.c-error .text,.c-assert .text,.c-uncaught .text{color:var(--fail)}.c-warn .text,.c-warning .text{color:var(--flaky)}
.ignored{opacity:.65}
.cmd{position:relative}.cmd button{position:absolute;top:4px;right:4px;font-size:12px}
#_lightbox{padding:0;border:0;background:transparent;max-width:96vw;max-height:96vh;overflow:auto}
#_lightbox::backdrop{background:rgba(0,0,0,.8)}
#_lightbox img{display:block;max-width:96vw;cursor:zoom-out}
footer{color:var(--muted);font-size:12px;margin-top:24px}
`;

export const SCRIPT = `
(() => {
  'use strict';
  const cards = Array.from(document.querySelectorAll('details.fx'));
  const buttons = Array.from(document.querySelectorAll('button[data-filter]'));
  const search = document.getElementById('_search');
  const shown = document.getElementById('_shown');
  const empty = document.getElementById('_empty');
  let status = 'all';
  function apply() {
    const terms = search ? search.value.toLowerCase().split(/\\s+/).filter(Boolean) : [];
    let count = 0;
    for (const card of cards) {
      const text = card.getAttribute('data-search') || '';
      const match = (status === 'all' || card.getAttribute('data-status') === status) && terms.every((term) => text.includes(term));
      card.hidden = !match;
      if (match) count += 1;
    }
    for (const button of buttons) button.setAttribute('aria-pressed', String(button.getAttribute('data-filter') === status));
    if (shown) shown.textContent = 'Showing ' + count + ' of ' + cards.length;
    if (empty) empty.hidden = count > 0 || cards.length === 0;
  }
  for (const button of buttons) {
    button.addEventListener('click', () => {
      status = button.getAttribute('data-filter') || 'all';
      apply();
    });
  }
  if (search) search.addEventListener('input', apply);
  document.addEventListener('keydown', (event) => {
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement;
    if (event.key === '/' && !typing && search) {
      event.preventDefault();
      search.focus();
    }
  });
  function follow() {
    let id = '';
    try { id = decodeURIComponent(location.hash.slice(1)); } catch { return; }
    const card = id ? document.getElementById(id) : null;
    if (!card || !card.matches('details.fx')) return;
    if (card.hidden) {
      status = 'all';
      if (search) search.value = '';
      apply();
    }
    card.open = true;
    card.scrollIntoView({ block: 'start' });
  }
  window.addEventListener('hashchange', follow);
  const lightbox = document.getElementById('_lightbox');
  const large = lightbox && lightbox.querySelector('img');
  document.addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest('a.shot') : null;
    if (!link || !lightbox || !large) return;
    event.preventDefault();
    const small = link.querySelector('img');
    large.src = link.getAttribute('href') || '';
    large.alt = small ? small.alt : '';
    lightbox.showModal();
  });
  if (lightbox) lightbox.addEventListener('click', () => lightbox.close());
  for (const block of document.querySelectorAll('pre.cmd')) {
    const text = block.textContent || '';
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Copy';
    button.addEventListener('click', () => {
      navigator.clipboard.writeText(text).then(
        () => { button.textContent = 'Copied'; },
        () => { getSelection().selectAllChildren(block); button.textContent = 'Selected: press Ctrl+C'; },
      );
    });
    block.appendChild(button);
  }
  apply();
  follow();
  document.documentElement.setAttribute('data-ready', 'true');
})();
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * `img-src 'self' file:`: a report opened from the unpacked artifact is a file: document and its evidence images are
 * file: URLs. Chromium counts them as 'self'; not every browser treats a file: document's origin that way, so file:
 * is named too. Served over http(s), 'self' covers them.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "img-src 'self' file:",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
