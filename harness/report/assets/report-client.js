// The report page's script: draws the timeline, throughput and latency from the embedded model
// (see harness/report/model.ts) with ECharts, and links the anomaly list to the timeline.
// Plain browser JavaScript, inlined by render-html.ts after echarts.min.js; no build step.
/* global echarts */
(function () {
  'use strict';

  // Marks let anyone time the page (Performance panel, or performance.getEntriesByType('mark')).
  performance.mark('zk-report:start');
  var model = JSON.parse(document.getElementById('report-data').textContent);
  performance.mark('zk-report:parsed');
  var OUTCOMES = ['ok', 'fail', 'info'];
  var COLOR = { ok: '#3b82c4', fail: '#d1495b', rejected: '#8fb996', info: '#e49b0f', open: '#f2c46d', fault: 'rgba(120, 120, 120, 0.16)', highlight: '#8a2be2' };
  var LATENCY_STYLE = { p50: 'solid', p95: 'dashed', p99: 'dotted' };

  // ---- decode the columns (mirror of compact.ts) -----------------------------------------
  function decodeDeltas(deltas) {
    var out = new Float64Array(deltas.length);
    var sum = 0;
    for (var i = 0; i < deltas.length; i++) out[i] = sum += deltas[i];
    return out;
  }
  var cols = model.ops;
  var n = cols.t.length;
  var ids = decodeDeltas(cols.id);
  var invokeUs = decodeDeltas(cols.t);
  // Never-completed operations run to the end of the axis: open-ended (and a lone one, invoked
  // at the history's last instant, still gets a bar).
  var endUs = new Float64Array(n);
  var laneOfProcess = new Map();
  model.lanes.processes.forEach(function (p, i) { laneOfProcess.set(p, model.lanes.lanes[i]); });
  var lane = new Int32Array(n);
  for (var i = 0; i < n; i++) {
    endUs[i] = cols.d[i] < 0 ? model.axis.maxUs : invokeUs[i] + cols.d[i];
    lane[i] = laneOfProcess.get(cols.p[i]);
  }
  // Operations are in invoke order, so ids ascend: binary search, no 200,000-entry Map.
  function indexOfId(id) {
    var lo = 0, hi = n - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (ids[mid] === id) return mid;
      if (ids[mid] < id) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
  }
  function outcomeOf(i) { return OUTCOMES[cols.c[i] % 3]; }
  function fOf(i) { return model.dict.f[Math.floor(cols.c[i] / 3)]; }
  // A cas refused by its comparison (BAD_VERSION) is the workload working, not a failure: it gets
  // its own quiet colour (the checker reads it as an observation, see the README's history format).
  function rejected(i) {
    var e = cols.e[i];
    return outcomeOf(i) === 'fail' && fOf(i) === 'cas' && e > 0 && model.dict.errors[e - 1].indexOf('BAD_VERSION') !== -1;
  }
  function category(i) { return cols.d[i] < 0 ? 'open' : rejected(i) ? 'rejected' : outcomeOf(i); }

  performance.mark('zk-report:decoded');
  // Operations of each lane in invoke order, for finding the one under the pointer.
  var laneOps = [];
  for (var l = 0; l < model.lanes.count; l++) laneOps.push([]);
  for (i = 0; i < n; i++) laneOps[lane[i]].push(i);

  // ---- layout -------------------------------------------------------------------------------
  var kubeSources = Array.from(new Set(model.kube.map(function (e) { return e.source; })));
  var hasKube = kubeSources.length > 0;
  var laneCount = Math.max(model.lanes.count, 1);
  var laneLabels = model.lanes.labels.length > 0 ? model.lanes.labels : [''];
  // Lanes hold concurrent sessions, so there are about as many as workers: roomy rows for a few,
  // thinner ones beyond 40 (the timeline grows rather than hiding lanes behind a scroll bar).
  var laneHeight = laneCount <= 12 ? 26 : laneCount <= 40 ? 14 : Math.max(3, Math.min(12, Math.floor(720 / laneCount)));
  var heights = {
    events: hasKube ? kubeSources.length * 16 + 12 : 0,
    timeline: Math.max(laneCount * laneHeight, 120),
    throughput: 150,
    latency: 190,
  };
  var GAP = 58; // title and legend above each grid
  var top = 44;
  var grids = {};
  ['events', 'timeline', 'throughput', 'latency'].forEach(function (name) {
    if (heights[name] === 0) return;
    grids[name] = { index: Object.keys(grids).length, top: top + GAP - 18, height: heights[name] };
    top += GAP + heights[name];
  });
  var totalHeight = top + 64;
  var chartEl = document.getElementById('chart');
  chartEl.style.height = totalHeight + 'px';

  function ms(us) { return us / 1000; }
  var axisMin = ms(model.axis.minUs);
  var axisMax = ms(model.axis.maxUs);
  var visibleSpanMs = axisMax - axisMin;
  function formatSeconds(valueMs) {
    var digits = visibleSpanMs < 20 ? 4 : visibleSpanMs < 200 ? 3 : visibleSpanMs < 5000 ? 2 : visibleSpanMs < 60000 ? 1 : 0;
    return (valueMs / 1000).toFixed(digits) + ' s';
  }

  // ---- series ---------------------------------------------------------------------------------
  // Large `lines` series take a flat typed array [2, x0, y0, x1, y1, 2, ...] (2 points per line).
  // What is drawn is fitted to the screen, because stroking 200,000 segments takes seconds in a
  // software-rendered canvas: only operations within [fromMs, toMs] are passed; an operation shorter
  // than minMs is drawn minMs long, so none vanishes when zoomed out; and operations of one lane less
  // than gapMs (a pixel) apart are merged into one segment. Zoomed in, every bar has its exact ends.
  function flatLines(indices, view) {
    var flat = new Float64Array(indices.length * 5);
    var lastOffset = new Int32Array(laneCount).fill(-1);
    var count = 0;
    for (var j = 0; j < indices.length; j++) {
      var k = indices[j];
      var start = ms(invokeUs[k]);
      var end = Math.max(ms(endUs[k]), start + view.minMs);
      if (end < view.fromMs || start > view.toMs) continue;
      var y = lane[k], o = lastOffset[y];
      if (o >= 0 && start - flat[o + 3] <= view.gapMs) {
        if (end > flat[o + 3]) flat[o + 3] = end;
        continue;
      }
      o = count++ * 5;
      flat[o] = 2;
      flat[o + 1] = start;
      flat[o + 2] = y;
      flat[o + 3] = end;
      flat[o + 4] = y;
      lastOffset[y] = o;
    }
    // An empty large series would paint before its layout exists (an ECharts error): when nothing
    // is in view, one zero-length segment far off the axis stands in.
    if (count === 0) return new Float64Array([2, axisMin - 1e12, 0, axisMin - 1e12, 0]);
    return flat.subarray(0, count * 5);
  }
  var byCategory = { ok: [], fail: [], rejected: [], info: [], open: [] };
  for (i = 0; i < n; i++) byCategory[category(i)].push(i);

  var opLineWidth = laneHeight === 26 ? 12 : Math.max(2, Math.round(laneHeight * 0.6));
  // Minimum drawn length in pixels: 1.5 for ok and fail (they crowd the lanes of a long run),
  // 4 for indeterminate operations, rare and the ones worth finding.
  var MIN_PX = { ok: 1.5, fail: 1.5, rejected: 1.5, info: 4, open: 4 };
  function msPerPixel(spanMs) { return spanMs / Math.max(chartEl.clientWidth - 150, 100); }

  var gt = grids.timeline.index;
  var series = [];
  var names = { ok: 'ok', fail: 'fail', rejected: 'cas rejected by comparison', info: 'info', open: 'info, never completed' };
  // Drawn in this order: where a zoomed-out pixel holds several operations, the later colour wins,
  // so ok covers fail (a failed cas is routine) and indeterminate operations stay on top.
  var DRAW_ORDER = ['rejected', 'fail', 'ok', 'open', 'info'];
  // The window the drawn segments were prepared for (a visible range, widened to allow panning).
  var prepared = { fromMs: axisMin, toMs: axisMax, msPerPixel: msPerPixel(axisMax - axisMin) };
  function opsData(c) {
    return flatLines(byCategory[c], { fromMs: prepared.fromMs, toMs: prepared.toMs, minMs: MIN_PX[c] * prepared.msPerPixel, gapMs: prepared.msPerPixel });
  }
  DRAW_ORDER.forEach(function (c, order) {
    series.push({
      id: 'ops-' + c, name: names[c], type: 'lines', coordinateSystem: 'cartesian2d', xAxisIndex: gt, yAxisIndex: gt,
      large: true, largeThreshold: 0, progressive: 0, polyline: false, silent: true, zlevel: 1, z: 3 + order,
      lineStyle: { color: COLOR[c], width: opLineWidth, opacity: c === 'open' ? 0.7 : 1, cap: 'butt' },
      data: opsData(c),
    });
  });

  // Every anomaly's operations carry a halo; the selected anomaly's get a stronger one and labels.
  var anomalyOps = new Set();
  model.verdict.anomalies.forEach(function (a) { a.ops.forEach(function (op) { anomalyOps.add(op.id); }); });
  function haloData(opIds) {
    var out = [];
    opIds.forEach(function (id) {
      var k = indexOfId(id);
      if (k < 0) return;
      out.push({ coords: [[ms(invokeUs[k]), lane[k]], [ms(endUs[k]), lane[k]]] });
    });
    return out;
  }
  series.push({
    id: 'anomaly-halo', name: 'anomaly operations', type: 'lines', coordinateSystem: 'cartesian2d', xAxisIndex: gt, yAxisIndex: gt,
    silent: true, z: 2, lineStyle: { color: COLOR.highlight, width: opLineWidth + 8, opacity: 0.35, cap: 'square' },
    data: haloData(anomalyOps),
  });
  // Halos vanish when the operations are a pixel wide, so anomaly operations also get a marker above.
  function markData(opIds) {
    var out = [];
    opIds.forEach(function (id) {
      var k = indexOfId(id);
      if (k >= 0) out.push([ms(invokeUs[k]), lane[k]]);
    });
    return out;
  }
  series.push({
    id: 'anomaly-marks', name: 'anomaly operations', type: 'scatter', xAxisIndex: gt, yAxisIndex: gt, silent: true, zlevel: 1, z: 9,
    symbol: 'triangle', symbolRotate: 180, symbolSize: 9, symbolOffset: [0, -(opLineWidth / 2 + 4)],
    itemStyle: { color: COLOR.highlight, borderColor: '#fff', borderWidth: 1 }, data: markData(anomalyOps),
  });
  series.push({
    id: 'selected-halo', name: 'selected', type: 'lines', coordinateSystem: 'cartesian2d', xAxisIndex: gt, yAxisIndex: gt,
    silent: true, z: 2, lineStyle: { color: COLOR.highlight, width: opLineWidth + 12, opacity: 0.9, cap: 'square' }, data: [],
  });
  series.push({
    id: 'selected-labels', name: 'selected labels', type: 'scatter', xAxisIndex: gt, yAxisIndex: gt, silent: true, zlevel: 1, z: 10,
    symbolSize: 1, itemStyle: { color: COLOR.highlight },
    label: { show: true, position: 'top', distance: opLineWidth / 2 + 9, color: '#fff', backgroundColor: COLOR.highlight, padding: [2, 4], borderRadius: 3, fontSize: 11, formatter: function (p) { return p.data.text; } },
    data: [],
  });

  // Fault windows shade every grid (a series per grid carries the markArea); labels on the timeline.
  Object.keys(grids).forEach(function (name) {
    var g = grids[name].index;
    series.push({
      id: 'faults-' + name, name: 'faults', type: 'line', xAxisIndex: g, yAxisIndex: g, data: [], silent: true,
      markArea: {
        silent: true, itemStyle: { color: COLOR.fault },
        label: { show: name === 'timeline', position: 'top', distance: 2, color: '#444', fontSize: 11 },
        data: model.faults.map(function (f) {
          var end = f.endUs === null ? model.axis.maxUs : f.endUs;
          return [{ name: f.name + (f.endUs === null ? ' (not healed)' : ''), xAxis: ms(f.startUs) }, { xAxis: ms(end) }];
        }),
      },
    });
  });

  if (hasKube) {
    var ge = grids.events.index;
    var kinds = Array.from(new Set(model.kube.map(function (e) { return e.kind; })));
    var palette = ['#6f42c1', '#0b7285', '#c2255c', '#2b8a3e', '#e8590c', '#364fc7', '#5c940d', '#862e9c'];
    series.push({
      id: 'kube', name: 'Kubernetes events', type: 'scatter', xAxisIndex: ge, yAxisIndex: ge, symbol: 'diamond', symbolSize: 10, z: 5,
      itemStyle: { color: function (p) { return palette[kinds.indexOf(model.kube[p.dataIndex].kind) % palette.length]; } },
      data: model.kube.map(function (e) { return [ms(e.timeUs), kubeSources.indexOf(e.source)]; }),
    });
    // The same instants as faint vertical lines across the timeline.
    series.push({
      id: 'kube-lines', name: 'Kubernetes events', type: 'line', xAxisIndex: gt, yAxisIndex: gt, data: [], silent: true,
      markLine: { silent: true, symbol: 'none', label: { show: false }, lineStyle: { color: '#6f42c1', opacity: 0.35, type: 'dashed', width: 1 },
        data: model.kube.length <= 300 ? model.kube.map(function (e) { return { xAxis: ms(e.timeUs) }; }) : [] },
    });
  }

  // Throughput: stacked steps per outcome; latency: p50/p95/p99 per outcome on a log axis.
  var b = model.buckets;
  // The plots' series: the outcomes, with a cas its version refused apart (quiet, as on the timeline).
  var PLOTTED = ['ok', 'rejected', 'fail', 'info'];
  var PLOT_NAME = { ok: 'ok', rejected: 'cas rejected', fail: 'fail', info: 'info' };
  function bucketX(j) { return ms(j * b.widthUs); }
  // Bucket j's end: the next one's start, the last one's the run's end.
  function bucketEndX(j) { return j === b.count - 1 ? ms(b.endUs) : bucketX(j + 1); }
  // Like the operations, these series get only the points around the prepared window: zoomed in,
  // a dashed line running far off screen costs every one of its dashes at each pointer move.
  var bucketPoints = {};
  function windowed(id) {
    var from = prepared.fromMs - ms(b.widthUs), to = prepared.toMs + ms(b.widthUs);
    return bucketPoints[id].filter(function (p) { var x = Array.isArray(p) ? p[0] : p.value[0]; return x >= from && x <= to; });
  }
  var gTp = grids.throughput.index;
  PLOTTED.forEach(function (o) {
    var points = b.throughput[o].map(function (v, j) { return [bucketX(j), v]; });
    points.push([bucketEndX(b.count - 1), b.throughput[o][b.count - 1] || 0]); // closes the last step
    bucketPoints['tp-' + o] = points;
    series.push({
      id: 'tp-' + o, name: PLOT_NAME[o] + ' /s', type: 'line', step: 'end', stack: 'throughput', xAxisIndex: gTp, yAxisIndex: gTp,
      showSymbol: false, silent: true, lineStyle: { width: 1, color: COLOR[o] }, itemStyle: { color: COLOR[o] },
      areaStyle: { color: COLOR[o], opacity: 0.55 }, data: windowed('tp-' + o),
    });
  });
  // A bucket between two empty ones has no line to draw: it gets a dot instead.
  function latencyPoints(values) {
    return values.map(function (v, j) {
      var point = [(bucketX(j) + bucketEndX(j)) / 2, v === null ? '-' : Math.max(v, 0.001)];
      var isolated = v !== null && (j === 0 || values[j - 1] === null) && (j === values.length - 1 || values[j + 1] === null);
      return isolated ? { value: point, symbol: 'circle', symbolSize: 4 } : point;
    });
  }
  var gLat = grids.latency.index;
  var latencyNames = [];
  PLOTTED.forEach(function (o) {
    ['p50', 'p95', 'p99'].forEach(function (p) {
      var name = PLOT_NAME[o] + ' ' + p;
      latencyNames.push(name);
      bucketPoints['lat-' + o + '-' + p] = latencyPoints(b.latency[o][p]);
      series.push({
        id: 'lat-' + o + '-' + p, name: name, type: 'line', xAxisIndex: gLat, yAxisIndex: gLat, showSymbol: true, silent: true,
        connectNulls: false, lineStyle: { width: p === 'p50' ? 1.6 : 1.2, type: LATENCY_STYLE[p], color: COLOR[o] }, itemStyle: { color: COLOR[o] },
        symbol: 'none', data: windowed('lat-' + o + '-' + p),
      });
    });
  });

  // ---- axes, titles, legends ------------------------------------------------------------------
  var gridOpts = [], xAxes = [], yAxes = [], titles = [], legends = [];
  Object.keys(grids).forEach(function (name) {
    var g = grids[name];
    gridOpts.push({ left: 110, right: 40, top: g.top, height: g.height });
    xAxes.push({
      type: 'value', gridIndex: g.index, min: axisMin, max: axisMax, scale: true,
      axisLabel: { formatter: formatSeconds, hideOverlap: true, fontSize: 11 }, splitLine: { lineStyle: { color: '#eee' } },
      axisPointer: { show: true, type: 'line', label: { show: name === 'latency', formatter: function (p) { return formatSeconds(p.value); } }, lineStyle: { color: '#888' } },
    });
  });
  var yLabel = { fontSize: 11, color: '#555' };
  Object.keys(grids).forEach(function (name) {
    var g = grids[name];
    if (name === 'events') {
      yAxes.push({ type: 'category', gridIndex: g.index, data: kubeSources, inverse: true, axisLabel: yLabel, axisTick: { show: false } });
    } else if (name === 'timeline') {
      // Category axis: lane i is drawn at the centre of band i, labelled by its processes.
      yAxes.push({
        type: 'category', gridIndex: g.index, data: laneLabels, inverse: true,
        axisLabel: Object.assign({ interval: laneHeight >= 12 ? 0 : 'auto' }, yLabel), splitLine: { show: false }, axisTick: { show: false }, axisLine: { show: false },
      });
    } else if (name === 'throughput') {
      yAxes.push({ type: 'value', gridIndex: g.index, axisLabel: yLabel, splitLine: { lineStyle: { color: '#eee' } } });
    } else {
      yAxes.push({ type: 'log', gridIndex: g.index, axisLabel: Object.assign({ formatter: '{value} ms' }, yLabel), splitLine: { lineStyle: { color: '#eee' } } });
    }
  });
  var TITLES = {
    events: 'Kubernetes events',
    timeline: 'Operations by process (lanes), invoke → completion; grey bands: faults',
    throughput: 'Throughput: completions per second, ' + formatBucket(b.widthUs) + ' buckets',
    latency: 'Latency (ms, log scale) by invoke time: p50 solid, p95 dashed, p99 dotted',
  };
  function formatBucket(us) { return us >= 1e6 ? us / 1e6 + ' s' : us / 1000 + ' ms'; }
  Object.keys(grids).forEach(function (name) {
    titles.push({ text: TITLES[name], left: 10, top: grids[name].top - 38, textStyle: { fontSize: 13, fontWeight: 600 } });
  });
  legends.push({ data: ['ok', 'cas rejected by comparison', 'fail', 'info', 'info, never completed', 'anomaly operations'], top: grids.timeline.top - 38, right: 40, itemWidth: 18, textStyle: { fontSize: 11 } });
  legends.push({ data: PLOTTED.map(function (o) { return PLOT_NAME[o] + ' /s'; }), top: grids.throughput.top - 38, right: 40, itemWidth: 18, textStyle: { fontSize: 11 } });
  // Twelve series: a scrolling legend in the right half, clear of the title.
  legends.push({ type: 'scroll', width: '50%', data: latencyNames, top: grids.latency.top - 38, right: 40, itemWidth: 18, itemGap: 6, textStyle: { fontSize: 11 } });

  var allX = Object.keys(grids).map(function (name) { return grids[name].index; });
  var dataZoom = [
    { id: 'zoom-slider', type: 'slider', xAxisIndex: allX, filterMode: 'none', bottom: 14, height: 22, labelFormatter: formatSeconds },
    { id: 'zoom-inside', type: 'inside', xAxisIndex: allX, filterMode: 'none', zoomOnMouseWheel: 'ctrl', moveOnMouseWheel: false, moveOnMouseMove: true },
  ];

  // ---- chart ---------------------------------------------------------------------------------
  var chart = echarts.init(chartEl, null, { renderer: 'canvas' });
  var readyAt = null;
  chart.on('finished', function () {
    if (readyAt !== null) return;
    readyAt = performance.now();
    performance.mark('zk-report:charts-ready');
    document.documentElement.dataset.chartsMs = String(Math.round(readyAt));
    document.documentElement.dataset.chartsReady = 'true';
  });
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", sans-serif' },
    title: titles, legend: legends, grid: gridOpts, xAxis: xAxes, yAxis: yAxes, dataZoom: dataZoom, series: series,
    axisPointer: { link: [{ xAxisIndex: 'all' }], triggerTooltip: false },
    toolbox: { right: 20, top: 6, feature: { dataZoom: { yAxisIndex: false, title: { zoom: 'Select a time range to zoom', back: 'Undo zoom' } } } },
    tooltip: { show: false },
  });
  performance.mark('zk-report:option-set');
  window.addEventListener('resize', function () { chart.resize(); });

  // The visible range, kept on the element (tests and users can read it) and used for the caps.
  function currentRange() {
    var dz = chart.getOption().dataZoom[0];
    var start = dz.startValue !== undefined ? dz.startValue : axisMin;
    var end = dz.endValue !== undefined ? dz.endValue : axisMax;
    return [start, end];
  }
  chart.on('datazoom', function () {
    var range = currentRange();
    visibleSpanMs = range[1] - range[0];
    chartEl.dataset.zoomStartMs = String(range[0]);
    chartEl.dataset.zoomEndMs = String(range[1]);
    // Re-fit the segments when the scale changed or the view left the prepared window.
    var scale = msPerPixel(visibleSpanMs);
    var rescaled = scale / prepared.msPerPixel > 1.25 || prepared.msPerPixel / scale > 1.25;
    if (rescaled || range[0] < prepared.fromMs || range[1] > prepared.toMs) {
      prepared = { fromMs: range[0] - visibleSpanMs, toMs: range[1] + visibleSpanMs, msPerPixel: scale };
      // ECharts' lines series offsets new flat coordinates by the length of the old ones when
      // merging (meant for appendData), which would draw nothing: clear the data first, then set
      // it. lazyUpdate makes the two one rendering in the next frame.
      chart.setOption({ series: DRAW_ORDER.map(function (c) { return { id: 'ops-' + c, data: [] }; }) }, { lazyUpdate: true });
      var refit = DRAW_ORDER.map(function (c) { return { id: 'ops-' + c, data: opsData(c) }; });
      Object.keys(bucketPoints).forEach(function (id) { refit.push({ id: id, data: windowed(id) }); });
      chart.setOption({ series: refit }, { lazyUpdate: true });
    }
  });
  chartEl.dataset.zoomStartMs = String(axisMin);
  chartEl.dataset.zoomEndMs = String(axisMax);

  function zoomTo(startUs, endUs) {
    var pad = Math.max((endUs - startUs) * 0.08, 2000);
    chart.dispatchAction({ type: 'dataZoom', dataZoomIndex: 0, startValue: ms(startUs - pad), endValue: ms(endUs + pad) });
  }
  document.getElementById('reset-zoom').addEventListener('click', function () {
    chart.dispatchAction({ type: 'dataZoom', dataZoomIndex: 0, start: 0, end: 100 });
    select(null);
  });

  // ---- anomalies ↔ timeline -----------------------------------------------------------------
  var selectedCard = null;
  function select(anomalyIndex, opId) {
    if (selectedCard) selectedCard.classList.remove('selected');
    selectedCard = null;
    if (anomalyIndex === null) {
      chart.setOption({ series: [{ id: 'selected-halo', data: [] }, { id: 'selected-labels', data: [] }] });
      return;
    }
    var anomaly = model.verdict.anomalies[anomalyIndex];
    var rows = anomaly.ops.filter(function (op) { return opId === undefined || op.id === opId; });
    var opIds = rows.map(function (op) { return op.id; });
    var starts = rows.map(function (op) { return op.invokeUs; });
    var ends = rows.map(function (op) { return op.completeUs === null ? model.durationUs : op.completeUs; });
    var from = Math.min.apply(null, starts), to = Math.max.apply(null, ends);
    chart.setOption({
      series: [
        { id: 'selected-halo', data: haloData(opIds) },
        { id: 'selected-labels', data: opIds.filter(function (id) { return indexOfId(id) >= 0; }).map(function (id) {
          var k = indexOfId(id);
          // Labels of operations in the last third of the zoomed range open to the left, to stay inside.
          var late = invokeUs[k] > from + (to - from) * 0.66;
          return { value: [ms(invokeUs[k]), lane[k]], text: '#' + id + ' ' + fOf(k) + ' ' + outcomeOf(k), label: { align: late ? 'right' : 'left' } };
        }) },
      ],
    });
    selectedCard = document.querySelector('.anomaly[data-anomaly="' + anomalyIndex + '"]');
    if (selectedCard) selectedCard.classList.add('selected');
    if (rows.length > 0) zoomTo(from, to);
    document.getElementById('charts').scrollIntoView({ behavior: 'smooth', block: 'start' });
  }
  document.querySelectorAll('.anomaly').forEach(function (card) {
    var index = Number(card.dataset.anomaly);
    card.addEventListener('click', function (event) {
      var row = event.target.closest('tr[data-op]');
      select(index, row ? Number(row.dataset.op) : undefined);
    });
    card.addEventListener('keydown', function (event) { if (event.key === 'Enter') select(index); });
  });

  // ---- hover details --------------------------------------------------------------------------
  var tip = document.getElementById('tip');
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); }
  function sec(us) { return (us / 1e6).toFixed(4) + ' s'; }
  function showTip(html, event) {
    tip.innerHTML = html;
    tip.hidden = false;
    var x = event.clientX + 14, y = event.clientY + 14;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth - 8) x = event.clientX - w - 14;
    if (y + h > window.innerHeight - 8) y = event.clientY - h - 14;
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  }
  function hideTip() { tip.hidden = true; }

  function opUnder(xMs, laneIndex, toleranceMs) {
    var list = laneOps[laneIndex];
    if (!list) return -1;
    var x = xMs * 1000, tol = toleranceMs * 1000;
    var lo = 0, hi = list.length - 1, last = -1;
    while (lo <= hi) { // last operation invoked at or before x + tol
      var mid = (lo + hi) >> 1;
      if (invokeUs[list[mid]] <= x + tol) { last = mid; lo = mid + 1; } else hi = mid - 1;
    }
    var best = -1, bestDistance = Infinity;
    for (var j = last; j >= 0 && j >= last - 3; j--) {
      var k = list[j];
      var distance = x < invokeUs[k] ? invokeUs[k] - x : x > endUs[k] ? x - endUs[k] : 0;
      if (distance <= tol && distance < bestDistance) { best = k; bestDistance = distance; }
    }
    return best;
  }
  function opHtml(k) {
    var s = cols.s[k] ? model.dict.servers[cols.s[k] - 1] : null;
    var e = cols.e[k] ? model.dict.errors[cols.e[k] - 1] : null;
    var done = cols.d[k] < 0 ? 'never completed' : 'completed ' + sec(endUs[k]) + ' (' + (cols.d[k] / 1000).toFixed(2) + ' ms)';
    return '<b>#' + ids[k] + ' ' + esc(fOf(k)) + '</b> <code>' + esc(model.dict.keys[cols.k[k]]) + '</code> ' +
      (cols.v[k] ? '<code>' + esc(cols.v[k]) + '</code> ' : '') + '<span class="badge ' + outcomeOf(k) + '">' + outcomeOf(k) + '</span><br>' +
      '<span class="k">process</span> ' + cols.p[k] + ' <span class="k">invoked</span> ' + sec(invokeUs[k]) + ', ' + done +
      (s ? '<br><span class="k">server</span> ' + esc(s) : '') + (e ? '<br><span class="k">error</span> ' + esc(e) : '') +
      (anomalyOps.has(ids[k]) ? '<br><b style="color:' + COLOR.highlight + '">part of an anomaly</b>' : '');
  }
  function faultsAt(xMs) {
    return model.faults.filter(function (f) { return xMs >= ms(f.startUs) && xMs <= ms(f.endUs === null ? model.axis.maxUs : f.endUs); });
  }
  function faultHtml(list) {
    return list.map(function (f) { return '<b>' + esc(f.name) + '</b> ' + esc(f.detail) + '<br><span class="k">from</span> ' + sec(f.startUs) + ' <span class="k">to</span> ' + (f.endUs === null ? 'not healed' : sec(f.endUs)); }).join('<br>');
  }
  function bucketHtml(xMs, kind) {
    // The last bucket may run past count widths (a short last piece joins it).
    var j = Math.min(b.count - 1, Math.floor((xMs * 1000) / b.widthUs));
    if (j < 0 || xMs * 1000 > b.endUs) return '';
    var head = '<b>' + sec(j * b.widthUs) + ' – ' + sec(j === b.count - 1 ? b.endUs : (j + 1) * b.widthUs) + '</b><br>';
    if (kind === 'throughput') {
      return head + PLOTTED.map(function (o) { return '<span class="k">' + PLOT_NAME[o] + '</span> ' + b.throughput[o][j] + '/s'; }).join(' · ');
    }
    return head + PLOTTED.map(function (o) {
      var l = b.latency[o];
      if (l.p50[j] === null) return '<span class="k">' + PLOT_NAME[o] + '</span> —';
      return '<span class="k">' + PLOT_NAME[o] + '</span> p50 ' + l.p50[j] + ' · p95 ' + l.p95[j] + ' · p99 ' + l.p99[j] + ' ms';
    }).join('<br>');
  }
  function inGrid(name, point) { return grids[name] && chart.containPixel({ gridIndex: grids[name].index }, point); }
  chart.getZr().on('mousemove', function (event) {
    var point = [event.offsetX, event.offsetY];
    var native = event.event;
    if (inGrid('timeline', point)) {
      var value = chart.convertFromPixel({ gridIndex: gt }, point);
      var tolerance = chart.convertFromPixel({ gridIndex: gt }, [point[0] + 4, point[1]])[0] - value[0];
      var k = opUnder(value[0], Math.round(value[1]), tolerance);
      var faultList = faultsAt(value[0]);
      if (k >= 0) return showTip(opHtml(k) + (faultList.length ? '<hr>' + faultHtml(faultList) : ''), native);
      if (faultList.length) return showTip(faultHtml(faultList), native);
      return hideTip();
    }
    if (inGrid('events', point)) {
      var best = null, bestD = 64;
      model.kube.forEach(function (e) {
        var p = chart.convertToPixel({ gridIndex: grids.events.index }, [ms(e.timeUs), kubeSources.indexOf(e.source)]);
        var d = (p[0] - point[0]) * (p[0] - point[0]) + (p[1] - point[1]) * (p[1] - point[1]);
        if (d < bestD) { bestD = d; best = e; }
      });
      if (best) return showTip('<b>' + esc(best.kind) + '</b> ' + esc(best.source) + '<br>' + esc(best.detail) + '<br><span class="k">at</span> ' + sec(best.timeUs), native);
      return hideTip();
    }
    if (inGrid('throughput', point) || inGrid('latency', point)) {
      var which = inGrid('throughput', point) ? 'throughput' : 'latency';
      var x = chart.convertFromPixel({ gridIndex: grids[which].index }, point)[0];
      var html = bucketHtml(x, which);
      var during = faultsAt(x);
      return html ? showTip(html + (during.length ? '<hr>' + faultHtml(during) : ''), native) : hideTip();
    }
    hideTip();
  });
  chart.getZr().on('globalout', hideTip);
})();
