/**
 * Screenshots of runs' plots and report.html for the docs: copies each run's plots/*.png (the latest
 * critic or sample plot, the time-lapse and the curves) to OUT as NAME-FILE.png and renders the run's
 * report.html in headless Chromium (playwright-core) to NAME-report.png (the top of the page) and
 * NAME-report-full.png (the whole page).
 *
 *   node --import tsx scripts/screenshots.ts --out docs/img toy=/tmp/x image=runs/mnist language=runs/lang
 *
 * Chromium: $CHROMIUM, else /usr/bin/chromium.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const out = outIdx >= 0 ? args[outIdx + 1]! : 'docs/img';
const runs = args.filter((a, i) => i !== outIdx && i !== outIdx + 1);
if (runs.length === 0) {
  console.error('usage: node --import tsx scripts/screenshots.ts [--out DIR] NAME=RUN_DIR ...');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  for (const spec of runs) {
    const [name, dir] = spec.includes('=') ? (spec.split('=', 2) as [string, string]) : ['run', spec];
    const plots = join(dir, 'plots');
    if (!existsSync(join(dir, 'report.html'))) throw new Error(`'${dir}' has no report.html: is it a run folder?`);
    const files = readdirSync(plots).sort();
    const latest = (re: RegExp): string[] => files.filter((f) => re.test(f)).slice(-1);
    const picked = [...latest(/^critic-\d+\.png$/), ...latest(/^samples-\d+\.png$/), ...files.filter((f) => !/-\d+\.png$/.test(f) && f.endsWith('.png'))];
    for (const f of picked) {
      const target = join(out, `${name}-${f.replace(/-\d+\.png$/, '.png')}`);
      copyFileSync(join(plots, f), target);
      console.log(`wrote ${target}`);
    }
    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 }, deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(resolve(dir, 'report.html')).href);
    await page.screenshot({ path: join(out, `${name}-report.png`) });
    await page.screenshot({ path: join(out, `${name}-report-full.png`), fullPage: true });
    console.log(`wrote ${join(out, `${name}-report.png`)} and ${name}-report-full.png`);
    await page.close();
  }
} finally {
  await browser.close();
}
