// make lighthouse: audits the dashboard and a chart page with Lighthouse
// (pinned in this folder's package-lock.json) in Debian's Chromium, on the
// mobile preset, several runs each, and writes the median scores, timings
// and transferred bytes into BENCHMARKS.md between the lighthouse markers.
//
// Usage: node tools/lighthouse/run.mjs BINARY [RUNS]

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const bin = path.resolve(process.argv[2] || 'bin/bilateral');
const runs = Number(process.argv[3] || process.env.LIGHTHOUSE_RUNS || 3);
const pages = ['/', '/charts/us-goods-trade'];
const targets = { performance: 95, accessibility: 100, 'best-practices': 100, seo: 100 };
const maxFirstViewKB = 400;
const chrome = process.env.CHROME_PATH || '/usr/bin/chromium';
const flags = '--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --disable-dev-shm-usage';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitReady(base) {
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(base + '/readyz');
      if (r.ok) return;
    } catch (e) {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server did not start at ' + base);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function lighthouse(url, out) {
  execFileSync(path.join(here, 'node_modules/.bin/lighthouse'), [
    url, '--quiet', '--form-factor=mobile', '--output=json', '--output-path=' + out, '--chrome-flags=' + flags,
  ], { env: { ...process.env, CHROME_PATH: chrome }, stdio: ['ignore', 'ignore', 'inherit'] });
  return JSON.parse(fs.readFileSync(out, 'utf8'));
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bilateral-lighthouse-'));
  const port = await freePort();
  const base = 'http://127.0.0.1:' + port;
  const server = spawn(bin, ['serve', '--addr', '127.0.0.1:' + port, '--data', path.join(dir, 'data')], { stdio: 'ignore' });
  try {
    await waitReady(base);
    const rows = [];
    for (const p of pages) {
      const res = { page: p, runs: [] };
      for (let i = 0; i < runs; i++) {
        const r = lighthouse(base + p, path.join(dir, 'lh.json'));
        const a = r.audits;
        res.runs.push({
          scores: Object.fromEntries(Object.entries(r.categories).map(([k, v]) => [k, Math.round(v.score * 100)])),
          fcp: a['first-contentful-paint'].numericValue,
          lcp: a['largest-contentful-paint'].numericValue,
          tbt: a['total-blocking-time'].numericValue,
          cls: a['cumulative-layout-shift'].numericValue,
          si: a['speed-index'].numericValue,
          bytes: a['total-byte-weight'].numericValue,
          requests: a['network-requests'].details.items.length,
        });
        process.stderr.write(`lighthouse ${p} run ${i + 1}/${runs}: ${JSON.stringify(res.runs.at(-1).scores)}\n`);
      }
      rows.push(res);
    }
    writeReport(rows);
  } finally {
    server.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function writeReport(rows) {
  const version = JSON.parse(fs.readFileSync(path.join(here, 'node_modules/lighthouse/package.json'), 'utf8')).version;
  const chromeVersion = execFileSync(chrome, ['--version']).toString().trim();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
    if (execFileSync('git', ['status', '--porcelain'], { cwd: root }).toString().trim()) commit += ' (dirty tree)';
  } catch (e) {
    // not a git checkout
  }
  const lines = [];
  lines.push('## Lighthouse (mobile preset)');
  lines.push('');
  lines.push(`Written by \`make lighthouse\` (\`node tools/lighthouse/run.mjs bin/bilateral ${runs}\`): Lighthouse ${version} in ${chromeVersion}, mobile preset (simulated slow 4G and a 4× slower CPU), ${runs} runs per page, medians shown; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, commit ${commit}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}.`);
  lines.push('');
  lines.push('| page | performance | accessibility | best practices | SEO | FCP | LCP | TBT | CLS | speed index | transferred | requests |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const missed = [];
  for (const r of rows) {
    const m = (f) => median(r.runs.map(f));
    const sc = (k) => {
      const xs = r.runs.map((x) => x.scores[k]);
      return `${median(xs)} (${Math.min(...xs)}–${Math.max(...xs)})`;
    };
    const kb = m((x) => x.bytes) / 1024;
    lines.push(`| \`${r.page}\` | ${sc('performance')} | ${sc('accessibility')} | ${sc('best-practices')} | ${sc('seo')} | ${(m((x) => x.fcp) / 1000).toFixed(2)} s | ${(m((x) => x.lcp) / 1000).toFixed(2)} s | ${Math.round(m((x) => x.tbt))} ms | ${m((x) => x.cls).toFixed(3)} | ${(m((x) => x.si) / 1000).toFixed(2)} s | ${kb.toFixed(0)} KiB | ${m((x) => x.requests)} |`);
    for (const [k, want] of Object.entries(targets)) {
      const got = median(r.runs.map((x) => x.scores[k]));
      if (got < want) missed.push(`\`${r.page}\` ${k}: ${got}, target ${want} (short by ${want - got})`);
    }
    if (kb > maxFirstViewKB) missed.push(`\`${r.page}\` first view: ${kb.toFixed(0)} KiB, target ≤ ${maxFirstViewKB} KiB`);
  }
  lines.push('');
  lines.push(`Targets: performance ≥ 95, accessibility 100, best practices 100, SEO 100, first view ≤ ${maxFirstViewKB} KiB transferred.`);
  lines.push(missed.length ? 'Missed in this run: ' + missed.join('; ') + '.' : 'Every target is met in this run (medians).');
  const section = '<!-- lighthouse:start -->\n' + lines.join('\n') + '\n<!-- lighthouse:end -->';
  const file = path.join(root, 'BENCHMARKS.md');
  let md = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const re = /<!-- lighthouse:start -->[\s\S]*?<!-- lighthouse:end -->/;
  md = re.test(md) ? md.replace(re, section) : md.trimEnd() + '\n\n' + section + '\n';
  fs.writeFileSync(file, md);
  console.log(lines.join('\n'));
}

main().catch((e) => {
  console.error('lighthouse run failed: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
