/**
 * The page's own script, run in the browser after Chart.js (a plain string: the browser, not
 * Node, runs it, and the project compiles without DOM types). It reads the key from the
 * address, fetches /dashboard/data with it as a Bearer token every few seconds, and fills
 * the tiles, the four charts and the tables. Figures are shown as the warehouse gave them;
 * each tile also keeps the exact figure in data-value (what the browser test compares).
 */
export const PAGE_SCRIPT = String.raw`(function () {
  'use strict';
  var body = document.body;
  var refreshMs = Number(body.dataset.refreshSeconds || '5') * 1000;
  var params = new URLSearchParams(location.search);
  var key = params.get('key') || '';
  var dataUrl = location.pathname.replace(/\/+$/, '') + '/data' +
    (params.get('minutes') ? '?minutes=' + encodeURIComponent(params.get('minutes')) : '');
  var palette = ['#2563eb', '#16a34a', '#f59e0b', '#dc2626', '#7c3aed', '#0891b2', '#db2777',
    '#65a30d', '#ea580c', '#4f46e5', '#0d9488', '#a16207', '#9333ea', '#475569', '#be123c',
    '#15803d'];
  var charts = {};
  var refreshes = 0;
  window.dashboard = { charts: charts, figures: null };

  function $(id) { return document.getElementById(id); }
  function text(id, value) { $(id).textContent = value; }
  function setState(state, message) {
    body.dataset.state = state;
    text('status', message);
  }
  function integer(n) { return n.toLocaleString('en-US'); }
  function money(m) {
    try {
      return new Intl.NumberFormat('en-US', { style: 'currency', currency: m.currency })
        .format(Number(m.amount));
    } catch (e) {
      return Number(m.amount).toFixed(2) + ' ' + m.currency;
    }
  }
  function percent(rate) { return rate === null ? '–' : (rate * 100).toFixed(1) + ' %'; }
  function clock(iso) {
    return new Date(iso).toLocaleTimeString('en-GB', { hour12: false });
  }

  function tile(id, shown, exact) {
    var el = $(id);
    el.textContent = shown;
    el.dataset.value = exact;
  }

  function chart(id, config) {
    if (!charts[id]) {
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false,
        animation: { duration: 300 }, interaction: { mode: 'index', intersect: false } },
        config.options || {});
      charts[id] = new Chart($(id), config);
    }
    return charts[id];
  }
  function update(c, labels, datasets) {
    var byLabel = {};
    c.data.datasets.forEach(function (d) { byLabel[d.label] = d; });
    c.data.labels = labels;
    c.data.datasets = datasets.map(function (d) {
      var kept = byLabel[d.label];
      if (!kept) return d;
      kept.data = d.data;
      return kept;
    });
    c.update('none');
  }
  function colour(i) { return palette[i % palette.length]; }

  function render(f) {
    window.dashboard.figures = f;
    var t = f.totals;
    var main = t.revenue[0];
    tile('revenue', main ? money(main) : money({ currency: 'USD', amount: '0' }),
      main ? main.amount : '0.000000');
    $('revenue').dataset.currency = main ? main.currency : '';
    text('revenue-other', t.revenue.slice(1).map(money).join(' · '));
    tile('orders', integer(t.orders), String(t.orders));
    tile('active-users', integer(t.activeUsers), String(t.activeUsers));
    tile('conversion', percent(t.conversion), t.conversion === null ? '' : String(t.conversion));
    tile('bad-events', integer(t.badEvents), String(t.badEvents));
    tile('events', integer(t.events), String(t.events));

    var labels = f.windows.map(function (w) { return clock(w.windowStart); });
    var currencies = t.revenue.map(function (m) { return m.currency; });
    update(chart('chart-revenue', { type: 'bar', data: { labels: [], datasets: [] }, options: {
      scales: { orders: { type: 'linear', position: 'left', beginAtZero: true, grace: '10%',
        title: { display: true, text: 'orders' }, ticks: { precision: 0 } },
        revenue: { type: 'linear', position: 'right', beginAtZero: true, grace: '10%',
          title: { display: true, text: 'revenue' }, grid: { drawOnChartArea: false } } } } }),
      labels,
      [{ type: 'bar', label: 'Orders', yAxisID: 'orders', backgroundColor: '#93c5fd', order: 2,
        data: f.windows.map(function (w) { return w.orders; }) }].concat(
        currencies.map(function (currency, i) {
          return { type: 'line', label: 'Revenue ' + currency, yAxisID: 'revenue', order: 1,
            borderColor: colour(i + 1), backgroundColor: colour(i + 1), cubicInterpolationMode: 'monotone',
            pointRadius: 2, data: f.windows.map(function (w) {
              var m = w.revenue.find(function (r) { return r.currency === currency; });
              return m ? Number(m.amount) : 0;
            }) };
        })));

    update(chart('chart-events', { type: 'bar', data: { labels: [], datasets: [] }, options: {
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true,
        ticks: { precision: 0 } } }, plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } } } }),
      labels,
      f.eventKinds.map(function (kind, k) {
        return { label: kind, backgroundColor: colour(k), stack: 'events',
          data: f.windows.map(function (w) { return w.byKind[k]; }) };
      }));

    update(chart('chart-funnel', { type: 'bar', data: { labels: [], datasets: [] }, options: {
      indexAxis: 'y', plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } } }),
      f.funnel.map(function (s) { return s.label; }),
      [{ label: 'Count', backgroundColor: ['#2563eb', '#7c3aed', '#f59e0b', '#16a34a'],
        data: f.funnel.map(function (s) { return s.count; }) }]);

    update(chart('chart-users', { type: 'line', data: { labels: [], datasets: [] }, options: {
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } }),
      labels,
      [{ label: 'Active users', borderColor: '#0891b2', backgroundColor: '#0891b2', cubicInterpolationMode: 'monotone',
        pointRadius: 2, data: f.windows.map(function (w) { return w.activeUsers; }) },
      { label: 'Bad events', borderColor: '#dc2626', backgroundColor: '#dc2626', cubicInterpolationMode: 'monotone',
        pointRadius: 2, data: f.windows.map(function (w) { return w.badEvents; }) }]);

    renderFunnel(f.funnel);
    renderPlatforms(f.platforms);
    renderProducts(f.topProducts);
    var p = f.period;
    text('period', p.start ? clock(p.start) + '–' + clock(p.end) + ' · ' + p.windows +
      (p.windows === 1 ? ' window' : ' windows') : 'no windows yet');
  }

  function cell(row, value, className) {
    var td = document.createElement('td');
    td.textContent = value;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }
  function renderFunnel(steps) {
    var rows = $('funnel-rows');
    rows.replaceChildren();
    steps.forEach(function (s) {
      var tr = document.createElement('tr');
      tr.dataset.step = s.step;
      cell(tr, s.label);
      cell(tr, integer(s.count), 'num').dataset.value = String(s.count);
      cell(tr, s.fromPrevious === null ? '' : percent(s.fromPrevious), 'num');
      cell(tr, percent(s.fromFirst), 'num');
      rows.appendChild(tr);
    });
  }
  function renderPlatforms(platforms) {
    var rows = $('platform-rows');
    rows.replaceChildren();
    platforms.forEach(function (p) {
      var tr = document.createElement('tr');
      tr.dataset.platform = p.platform;
      cell(tr, p.platform);
      cell(tr, integer(p.events), 'num').dataset.value = String(p.events);
      cell(tr, integer(p.views), 'num');
      cell(tr, integer(p.orders), 'num');
      rows.appendChild(tr);
    });
    $('platforms-empty').hidden = platforms.length > 0;
  }
  function renderProducts(products) {
    var rows = $('product-rows');
    rows.replaceChildren();
    products.forEach(function (p, i) {
      var tr = document.createElement('tr');
      tr.dataset.productId = p.productId;
      cell(tr, String(i + 1), 'num');
      var name = cell(tr, p.name || p.productId);
      if (p.name) {
        var id = document.createElement('span');
        id.className = 'muted';
        id.textContent = ' ' + p.productId;
        name.appendChild(id);
      }
      cell(tr, integer(p.views), 'num');
      cell(tr, integer(p.addToCarts), 'num');
      cell(tr, integer(p.purchases), 'num').dataset.value = String(p.purchases);
      cell(tr, p.revenue.map(money).join(' · ') || '–', 'num').dataset.value =
        p.revenue.map(function (m) { return m.amount + ' ' + m.currency; }).join('; ');
      rows.appendChild(tr);
    });
    $('products-empty').hidden = products.length > 0;
  }

  function refresh() {
    fetch(dataUrl, { headers: { authorization: 'Bearer ' + key }, cache: 'no-store' })
      .then(function (response) {
        return response.json().then(function (answer) { return [response.status, answer]; });
      })
      .then(function (result) {
        var status = result[0], answer = result[1];
        if (status === 401) {
          setState('unauthorized', answer.error + '. Add ?key=<read key> to the address.');
          return;
        }
        if (status !== 200) throw new Error(answer.error || 'HTTP ' + status);
        render(answer.figures);
        refreshes += 1;
        body.dataset.refreshes = String(refreshes);
        var empty = answer.figures.period.windows === 0;
        setState(empty ? 'empty' : 'ready', (empty ? 'No windows in the warehouse yet. ' : '') +
          'Updated ' + clock(answer.figures.generatedAt) + ', every ' + refreshMs / 1000 + ' s');
        schedule();
      })
      .catch(function (error) {
        setState('error', 'Not updated: ' + error.message + '. Retrying…');
        schedule();
      });
  }
  function schedule() { setTimeout(refresh, refreshMs); }

  if (!key) setState('unauthorized', 'Add ?key=<read key> to the address to see the figures.');
  else refresh();
})();
`;
