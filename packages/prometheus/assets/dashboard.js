// The Sightglass live dashboard: polls `<path>/data` (the history the process keeps in memory) and draws it
// with uPlot. Plain browser JavaScript, no build step and no network beyond the service itself.

(() => {
  const base = document.querySelector('meta[name="sightglass-path"]').content;
  const STATES = { 0: 'closed', 1: 'open', 2: 'half-open' };
  const PALETTE = ['#4ea1ff', '#f2c14e', '#e45756', '#72b7b2', '#b279a2', '#9d755d', '#54a24b'];
  const STATUS_COLOURS = { '2xx': '#54a24b', '3xx': '#4ea1ff', '4xx': '#f2c14e', '5xx': '#e45756' };
  /** The outcome of an LLM call that ended without an `error.type`. */
  const OK = 'ok';
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

  /** The value at the latest sample (not the last known one): `null` when the series has none now. */
  function current(column) {
    return column.length === 0 ? null : column[column.length - 1];
  }

  function total(column) {
    let sum = 0;
    for (const value of column) if (value !== null) sum += value;
    return sum;
  }

  function bytes(value) {
    if (value === null || value === undefined) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let scaled = value;
    let unit = 0;
    while (scaled >= 1024 && unit < units.length - 1) {
      scaled /= 1024;
      unit++;
    }
    return `${scaled.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
  }

  /** A rate for an axis: 1.2k/s rather than 1200.0/s, which the axis has no room for. */
  function compactRate(value) {
    if (value === null || value === undefined) return '–';
    return value >= 1000 ? `${number(value / 1000)}k/s` : `${number(value)}/s`;
  }

  function remaining(seconds) {
    if (seconds === null || seconds === undefined) return '–';
    const whole = Math.round(seconds);
    return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${whole % 60} s`;
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
            dash: s.dash,
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

  /** A stretch of time: 5 min, 2.5 min, 40 s. */
  function span(seconds) {
    return seconds >= 60
      ? `${number(seconds / 60, seconds % 60 === 0 ? 0 : 1)} min`
      : `${number(seconds, 0)} s`;
  }

  function ago(seconds) {
    if (seconds < 1) return 'just now';
    return seconds < 60 ? `${Math.floor(seconds)} s ago` : `${Math.floor(seconds / 60)} min ago`;
  }

  /**
   * The slowest recent requests whose spans were sampled (request_duration_seconds exemplars). Routes come
   * from users' applications: every cell is set as text; a trace link only ever points at http(s).
   */
  function renderSlowRequests(slow) {
    const table = document.getElementById('slow-requests');
    const requests = slow ? slow.requests : [];
    table.hidden = requests.length === 0;
    document.getElementById('slow-empty').hidden = requests.length > 0;
    document.getElementById('slow-window').textContent = slow
      ? `· sampled traces, the ${slow.shown} slowest of the last ${span(slow.windowSeconds)}`
      : '';
    const rows = requests.map((request) => {
      const trace = element('td', 'trace');
      const id = element('code', '', request.traceId);
      if (typeof request.traceUrl === 'string' && /^https?:\/\//i.test(request.traceUrl)) {
        const link = element('a');
        link.href = request.traceUrl;
        link.target = '_blank';
        link.rel = 'noopener noreferrer';
        link.append(id);
        trace.append(link);
      } else {
        trace.append(id);
      }
      const spanId = element('td', 'span');
      spanId.append(element('code', '', request.spanId));
      const node = row([
        duration(request.durationSeconds),
        element('td', 'name', `${request.method} ${request.route}`),
        request.status,
        trace,
        spanId,
        ago(request.ageSeconds),
      ]);
      node.dataset.traceId = request.traceId;
      return node;
    });
    table.tBodies[0].replaceChildren(...rows);
  }

  function renderPools(time, pools) {
    const parent = document.getElementById('pools');
    clearEmpty(parent, Object.keys(pools).length > 0);
    removeGone(parent, 'pool', Object.keys(pools));
    for (const [name, columns] of Object.entries(pools)) {
      const node = card(parent, 'pool', name, `pool ${name}`);
      node.querySelector('.figures').replaceChildren(
        figure('utilization', `${number(last(columns.utilizationPercent), 0)}%`),
        figure('active', number(last(columns.active), 0)),
        figure('idle', number(last(columns.idle), 0)),
        figure('pending', number(last(columns.pending), 0)),
        figure('max', number(last(columns.max), 0)),
        // Over the quantile window: "–" when no request got a connection in it.
        figure('wait p50', duration(current(columns.waitP50))),
        figure('wait p95', duration(current(columns.waitP95))),
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

  /** A table row of text cells (names are set as text, never as HTML: they come from users' configs). */
  function row(cells) {
    const node = element('tr');
    for (const cell of cells) node.append(typeof cell === 'string' ? element('td', '', cell) : cell);
    return node;
  }

  function renderLoaded(llm) {
    const parent = document.getElementById('llm-loaded');
    if (!llm.psPolling) {
      const hint = element('p', 'empty', "Loaded models come from Ollama's /api/ps: start the client with ");
      hint.append(element('code', '', 'new Ollama({ psPoll: true })'), ' to poll it.');
      parent.replaceChildren(hint);
      return;
    }
    const count = current(llm.loadedModels);
    if (count === null) {
      parent.replaceChildren(
        element('p', 'empty', 'No answer from /api/ps yet (failed polls: ollama_ps_poll_failures_total).'),
      );
      return;
    }
    const models = Object.entries(llm.loaded).filter(
      ([, columns]) => current(columns.sizeBytes) !== null || current(columns.expiresInSeconds) !== null,
    );
    const table = element('table', 'models');
    const head = element('tr');
    for (const title of ['model', 'size', 'VRAM', 'unloads in']) head.append(element('th', '', title));
    table.append(element('thead'), element('tbody'));
    table.tHead.append(head);
    for (const [name, columns] of models) {
      const model = row([
        element('td', 'name', name),
        bytes(current(columns.sizeBytes)),
        bytes(current(columns.vramBytes)),
        remaining(current(columns.expiresInSeconds)),
      ]);
      model.dataset.model = name;
      table.tBodies[0].append(model);
    }
    const figures = element('div', 'figures');
    figures.append(figure('loaded', number(count, 0)));
    parent.replaceChildren(figures, ...(models.length > 0 ? [table] : []));
  }

  function renderLlm(time, llm) {
    const section = document.getElementById('llm-section');
    const names = Object.keys(llm.models);
    // The row appears once the Ollama client reports: a call, a model load, or its /api/ps poller.
    section.hidden = names.length === 0 && !llm.psPolling;
    if (section.hidden) return;

    const calls = [];
    const tokens = [];
    names.forEach((name, index) => {
      const model = llm.models[name];
      const colour = PALETTE[index % PALETTE.length];
      for (const [outcome, values] of Object.entries(model.callsPerSecondByOutcome)) {
        // A colour per line; failed calls dashed.
        calls.push({
          label: `${name} ${outcome}`,
          values,
          colour: PALETTE[calls.length % PALETTE.length],
          dash: outcome === OK ? undefined : [6, 4],
        });
      }
      // A model that never answered with output tokens (embeddings) has no line here.
      if (model.outputTokensPerSecond.some((value) => value !== null)) {
        tokens.push({ label: name, values: model.outputTokensPerSecond, colour });
      }
    });
    chart(document.getElementById('llm-calls'), time, calls, (v) => (v === null ? '–' : `${number(v, 2)}/s`));
    chart(
      document.getElementById('llm-first-chunk'),
      time,
      [
        { label: 'p50', values: llm.timeToFirstChunkP50 },
        { label: 'p95', values: llm.timeToFirstChunkP95 },
      ],
      duration,
    );
    chart(document.getElementById('llm-tokens'), time, tokens, compactRate);
    renderLoaded(llm);

    const rows = names.map((name) => {
      const model = llm.models[name];
      const outcomes = element('td', 'outcomes');
      let callsPerSecond = null;
      for (const [outcome, values] of Object.entries(model.callsPerSecondByOutcome)) {
        const rate = last(values);
        if (rate !== null) callsPerSecond = (callsPerSecond ?? 0) + rate;
        const tag = element('span', 'outcome', `${outcome} ${number(rate, 2)}/s`);
        tag.dataset.outcome = outcome === OK ? 'ok' : 'error';
        if (outcomes.childNodes.length > 0) outcomes.append(' · ');
        outcomes.append(tag);
      }
      const node = row([
        element('td', 'name', name),
        number(callsPerSecond, 2),
        outcomes,
        // The latest sample's (over the quantile window): "–" once a model has had no calls in it.
        duration(current(model.timeToFirstChunkP50)),
        duration(current(model.timeToFirstChunkP95)),
        number(current(model.outputTokensPerSecond)),
        number(total(model.coldStarts), 0),
        duration(last(model.loadSeconds)),
      ]);
      node.dataset.model = name;
      return node;
    });
    document.querySelector('#llm-models tbody').replaceChildren(...rows);
    const seconds = time.length > 1 ? time[time.length - 1] - time[0] : 0;
    const shown = seconds >= 60 ? `${number(seconds / 60)} min` : `${number(seconds, 0)} s`;
    document.getElementById('llm-note').textContent =
      `By gen_ai.request.model. Rates and figures are the latest; time to first chunk and tokens/s over the ` +
      `last few samples; cold starts are the model loads Ollama reported in the ${shown} shown.`;
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
      renderSlowRequests(data.slowRequests);
      renderLlm(data.time, data.llm);
      renderPools(data.time, data.pools);
      renderCaches(data.time, data.caches);
      const note = data.truncated
        ? ' · some breakers, pools, caches or models are not shown (maxEntities)'
        : '';
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
