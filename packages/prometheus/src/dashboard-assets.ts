import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** A file the dashboard page loads. */
export interface DashboardFile {
  readonly body: string;
  readonly contentType: string;
}

/** The page, ready to serve, and the files below it keyed by name. */
export interface DashboardAssets {
  readonly page: string;
  readonly files: ReadonlyMap<string, DashboardFile>;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/**
 * Reads the page, its script and style from the package's `assets` folder and uPlot from its own package,
 * once: everything is served from the process, so the dashboard works with no network (no CDN).
 */
export function loadDashboardAssets(options: { path: string; title: string }): DashboardAssets {
  const own = (name: string): string => readFileSync(new URL(`../assets/${name}`, import.meta.url), 'utf8');
  const uplot = (name: string): string =>
    readFileSync(createRequire(import.meta.url).resolve(`uplot/dist/${name}`), 'utf8');
  const page = own('dashboard.html')
    // Replacement functions, not strings: a `$&` or `$'` in a title must stay text.
    .replaceAll('__SIGHTGLASS_PATH__', () => escapeHtml(options.path))
    .replaceAll('__SIGHTGLASS_TITLE__', () => escapeHtml(options.title));
  return {
    page,
    files: new Map([
      ['dashboard.js', { body: own('dashboard.js'), contentType: JS }],
      ['dashboard.css', { body: own('dashboard.css'), contentType: CSS }],
      ['uplot.js', { body: uplot('uPlot.iife.min.js'), contentType: JS }],
      ['uplot.css', { body: uplot('uPlot.min.css'), contentType: CSS }],
    ]),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
