// The Sightglass live dashboard: polls `<path>/data` (the history the process keeps in memory) and draws it
// with uPlot. Plain browser JavaScript, no build step and no network beyond the service itself.

(() => {
  const base = document.querySelector('meta[name="sightglass-path"]').content;
  const STATES = { 0: 'closed', 1: 'open', 2: 'half-open' };
  const PALETTE = ['#4ea1ff', '#f2c14e', '#e45756', '#72b7b2', '#b279a2', '#9d755d', '#54a24b'];
  const STATUS_COLOURS = { '2xx': '#54a24b', '3xx': '#4ea1ff', '4xx': '#f2c14e', '5xx': '#e45756' };
  /** uPlot instances by container id, with the series labels they were built for. */
  const charts = new Map();
  let timer;

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function last(column) {
    for (let index = column.length - 1; index >= 0; index--) if (column[index] !== null) return column[index];
    return null;
  }

  function number(value, digits = 1) {
    return value === null || value === undefined ? '–' : value.toFixed(digits);
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '–';
    return seconds < 1 ? `${(seconds * 1000).toFixed(seconds < 0.01 ? 1 : 0)} ms` : `${seconds.toFixed(2)} s`;
  }

  /** A stable DOM id for an entity name, which may hold any character: its code points, hex, dash-joined. */
  function idFor(kind, name) {
    return `${kind}-${Array.from(name, (c) => c.codePointAt(0).toString(16)).join('-')}`;
  }

  /** Draws or updates a chart; rebuilds it when its series changed (a new status class, say). */
  function chart(container, time, series, format) {
    const labels = series.map((s) => s.label).join('\u0000');
    const data = [time, ...series.map((s) => s.values)];
    const existing = charts.get(container.id);
    if (existing && existing.labels === labels && existing.plot.root.isConnected) {
      existing.plot.setData(data);
      return;
    }
    if (existing) existing.plot.destroy();
    container.replaceChildren();
    const plot = new uPlot(
      {
        width: Math.max(container.clientWidth, 200),
        height: 170,
        cursor: { drag: { x: false, y: false } },
        scales: { y: { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(max ?? 1, 1e-9)] } },
        axes: [
          { stroke: '#8b96a5', grid: { stroke: '#263140' } },
          {
            stroke: '#8b96a5',
            grid: { stroke: '#263140' },
            size: 60,
            values: (_u, ticks) => ticks.map(format),
          },
        ],
        series: [
          {},
          ...series.map((s, index) => ({
            label: s.label,
            stroke: s.colour ?? PALETTE[index % PALETTE.length],
            width: 2,
            spanGaps: false,
            value: (_u, value) => format(value),
          })),
        ],
      },
      data,
      container,
    );
    charts.set(container.id, { plot, labels });
  }

  function figure(label, value) {
    const node = element('div', 'figure');
    node.append(element('b', '', value), element('span', '', label));
    return node;
  }

  /** Finds or makes the card of one pool or cache, so its chart survives refreshes. */
  function card(parent, kind, name, title) {
    const id = idFor(kind, name);
    let node = document.getElementById(id);
    if (!node) {
      node = element('div', 'card');
      node.id = id;
      node.append(element('h3', '', title), element('div', 'figures'));
      const plot = element('div', 'chart');
      plot.id = `${id}-chart`;
      node.append(plot);
      parent.append(node);
    }
    return node;
  }

  /** Removes the cards (and their charts) of pools or caches that are no longer reported. */
  function removeGone(parent, kind, names) {
    const current = new Set(names.map((name) => idFor(kind, name)));
    for (const node of parent.querySelectorAll(':scope > .card')) {
      if (current.has(node.id)) continue;
      charts.get(`${node.id}-chart`)?.plot.destroy();
      charts.delete(`${node.id}-chart`);
      node.remove();
    }
  }

  function clearEmpty(parent, hasItems) {
    const empty = parent.querySelector(':scope > .empty');
    if (empty) empty.hidden = hasItems;
  }

  function renderHealth(health) {
    const overall = document.getElementById('overall');
    const parent = document.getElementById('health');
    if (!health) return;
    overall.dataset.status = health.status;
    overall.textContent = `health: ${health.status}`;
    const pills = [];
    for (const [component, checks] of Object.entries(health.components)) {
      const names = Object.entries(checks);
      if (names.length === 0) continue;
      pills.push(element('span', 'component', component));
      for (const [name, check] of names) {
        const pill = element('span', 'pill', `${name}: ${check.status}`);
        pill.dataset.status = check.status;
        pills.push(pill);
      }
    }
    parent.replaceChildren(
      ...(pills.length > 0 ? pills : [element('p', 'empty', 'No health checks registered.')]),
    );
  }

  function renderBreakers(breakers) {
    const parent = document.getElementById('breakers');
    const names = Object.keys(breakers);
    clearEmpty(parent, names.length > 0);
    for (const tile of parent.querySelectorAll('.tile')) if (!(tile.dataset.name in breakers)) tile.remove();
    for (const name of names) {
      const id = idFor('breaker', name);
      let tile = document.getElementById(id);
      if (!tile) {
        tile = element('div', 'tile');
        tile.id = id;
        tile.dataset.name = name;
        parent.append(tile);
      }
      const columns = breakers[name];
      const state = STATES[last(columns.state)] ?? 'unknown';
      tile.dataset.state = state;
      tile.replaceChildren(
        element('div', 'name', name),
        element('div', 'state', state),
        element('div', '', `failures ${number(last(columns.failuresPerSecond), 2)}/s`),
        element('div', '', `rejections ${number(last(columns.rejectionsPerSecond), 2)}/s`),
      );
    }
  }

  function renderRequests(time, requests) {
    const byStatus = Object.entries(requests.perSecondByStatus).map(([status, values]) => ({
      label: status,
      values,
      colour: STATUS_COLOURS[status],
    }));
    chart(document.getElementById('requests-rate'), time, byStatus, (v) =>
      v === null ? '–' : `${number(v)}/s`,
    );
    chart(
      document.getElementById('requests-latency'),
      time,
      [
        { label: 'p50', values: requests.p50 },
        { label: 'p95', values: requests.p95 },
        { label: 'p99', values: requests.p99 },
      ],
      duration,
    );
  }

  function renderPools(time, pools) {
    const parent = document.getElementById('pools');
    clearEmpty(parent, Object.keys(pools).length > 0);
    removeGone(parent, 'pool', Object.keys(pools));
    for (const [name, columns] of Object.entries(pools)) {
      const node = card(parent, 'pool', name, `pool ${name}`);
      node
        .querySelector('.figures')
        .replaceChildren(
          figure('utilization', `${number(last(columns.utilizationPercent), 0)}%`),
          figure('active', number(last(columns.active), 0)),
          figure('idle', number(last(columns.idle), 0)),
          figure('pending', number(last(columns.pending), 0)),
          figure('max', number(last(columns.max), 0)),
        );
      chart(
        node.querySelector('.chart'),
        time,
        [
          { label: 'active', values: columns.active },
          { label: 'idle', values: columns.idle },
          { label: 'pending', values: columns.pending },
        ],
        (v) => number(v, 0),
      );
    }
  }

  function renderCaches(time, caches) {
    const parent = document.getElementById('caches');
    clearEmpty(parent, Object.keys(caches).length > 0);
    removeGone(parent, 'cache', Object.keys(caches));
    for (const [name, columns] of Object.entries(caches)) {
      const node = card(parent, 'cache', name, `cache ${name}`);
      node
        .querySelector('.figures')
        .replaceChildren(
          figure('hit rate', `${number(last(columns.hitRatePercent), 1)}%`),
          figure('entries', number(last(columns.entries), 0)),
          figure('hits/s', number(last(columns.hitsPerSecond))),
          figure('misses/s', number(last(columns.missesPerSecond))),
        );
      chart(
        node.querySelector('.chart'),
        time,
        [
          { label: 'hits/s', values: columns.hitsPerSecond, colour: '#54a24b' },
          { label: 'misses/s', values: columns.missesPerSecond, colour: '#e45756' },
        ],
        (v) => number(v),
      );
    }
  }

  function setStatus(text, failing) {
    const status = document.getElementById('status');
    status.textContent = text;
    status.style.color = failing ? 'var(--unhealthy)' : '';
  }

  function schedule(delayMs) {
    clearTimeout(timer);
    timer = setTimeout(refresh, delayMs);
  }

  async function refresh() {
    let data;
    try {
      const response = await fetch(`${base}/data`, { cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      data = await response.json();
    } catch (error) {
      setStatus(`cannot reach the service (${error.message}); retrying`, true);
      schedule(2000);
      return;
    }
    try {
      renderHealth(data.health);
      renderBreakers(data.breakers);
      renderRequests(data.time, data.requests);
      renderPools(data.time, data.pools);
      renderCaches(data.time, data.caches);
      const note = data.truncated ? ' · some breakers, pools or caches are not shown (maxEntities)' : '';
      setStatus(
        `updated ${new Date().toLocaleTimeString()} · every ${data.intervalMs / 1000} s${note}`,
        false,
      );
      document.body.dataset.ready = 'true';
    } catch (error) {
      setStatus(`cannot draw the data (${error.message}); retrying`, true);
    }
    schedule(data.intervalMs);
  }

  // For tests and debugging from the console: the charts and the data they hold.
  window.sightglassDashboard = { charts };

  window.addEventListener('resize', () => {
    for (const [id, { plot }] of charts) {
      const container = document.getElementById(id);
      if (container) plot.setSize({ width: Math.max(container.clientWidth, 200), height: 170 });
    }
  });
  refresh();
})();
