import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderSvg } from './svg-plot.ts';

test('panels render as one SVG document with a path per series and escaped text', () => {
  const svg = renderSvg('a <b> & "c"', [
    { title: 'latency', xLabel: 's', yLabel: 'ms', logY: true, marks: [{ x: 1, label: 'phase 2' }],
      series: [{ name: 'p50', color: '#123456', points: [[0, 1], [1, 2], [2, 0], [3, 4]] }, { name: 'p99', color: 'red', points: [[0, 5], [3, 50]] }] },
    { title: 'rss', xLabel: 's', yLabel: 'MiB', series: [{ name: 'rss', color: 'blue', points: [[0, 100], [3, 120]] }] },
  ]);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg.trimEnd(), /<\/svg>$/);
  assert.equal(svg.match(/<path /g)?.length, 3);
  assert.ok(svg.includes('a &#60;b&#62; &#38; &#34;c&#34;'));
  assert.ok(!svg.includes('NaN') && !svg.includes('Infinity'));
  // The zero on a log axis is dropped, not drawn at minus infinity: the p50 path has 3 points.
  const p50 = /<path d="([^"]+)" fill="none" stroke="#123456"/.exec(svg)?.[1] ?? '';
  assert.equal(p50.split(/[ML]/).filter(Boolean).length, 3);
  assert.ok(svg.includes('phase 2'));
});

test('a panel without data says so', () => {
  const svg = renderSvg('empty', [{ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', color: 'red', points: [] }] }]);
  assert.ok(svg.includes('no data'));
  assert.ok(!svg.includes('<path'));
});
