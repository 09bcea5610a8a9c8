// A live /dashboard page left open in real time until its points reach the chart's end, through
// Chromium's DevTools protocol (node --experimental-websocket): the script slid the axes
// (data-slid), the memory line's points are all inside the plot, in order, and the last one at its
// table's value; the time labels moved; nothing on the console. For test-dashboard-live.sh:
//   node --experimental-websocket dashboard-slide.js DEVTOOLS_PORT URL TIMEOUT_S
'use strict';
const [port, url, timeoutS] = process.argv.slice(2);
const fail = (...m) => { console.error('FAIL:', ...m); process.exit(1); };

async function main() {
        const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
        const page = targets.find((t) => t.type === 'page');
        if (!page) fail('no page target', JSON.stringify(targets));
        const ws = new WebSocket(page.webSocketDebuggerUrl);
        await new Promise((ok, ko) => { ws.onopen = ok; ws.onerror = ko; });
        let id = 0;
        const waiting = new Map(), console_ = [];
        ws.onmessage = (ev) => {
                const m = JSON.parse(ev.data);
                if (m.id && waiting.has(m.id)) { waiting.get(m.id)(m); waiting.delete(m.id); }
                if (m.method === 'Runtime.consoleAPICalled' || m.method === 'Runtime.exceptionThrown' ||
                    m.method === 'Log.entryAdded')
                        console_.push(JSON.stringify(m.params).slice(0, 300));
        };
        const call = (method, params = {}) => new Promise((ok) => {
                waiting.set(++id, ok);
                ws.send(JSON.stringify({ id, method, params }));
        });
        const value = async (expr) => {
                const r = await call('Runtime.evaluate', { expression: expr, returnByValue: true });
                return r.result && r.result.result ? r.result.result.value : undefined;
        };
        await call('Runtime.enable');
        await call('Log.enable');
        await call('Page.navigate', { url });
        const snapshot = `(function(){var svg=document.getElementById('chart-memory'),d=svg.dataset;
                var row=document.querySelector('tr[data-series="memory.available_bytes"]');
                return {slid:document.documentElement.dataset.slid||null, live:document.documentElement.dataset.live,
                  d:svg.querySelector('path.l0').getAttribute('d'), x0:+d.x0, x1:+d.x1, y0:+d.y0, y1:+d.y1,
                  top:+d.top, height:+d.height, left:+d.left, width:+d.width,
                  labels:[].map.call(svg.querySelectorAll('text.xt'),function(t){return t.textContent+' at '+t.getAttribute('x');}),
                  value:row?+row.cells[1].dataset.value:null};})()`;
        let first = null, s = null;
        const end = Date.now() + timeoutS * 1000;
        while (Date.now() < end) {
                await new Promise((ok) => setTimeout(ok, 1000));
                s = await value(snapshot);
                if (!s) continue;
                if (!first) first = s;
                if (s.slid) break;
        }
        ws.close();
        if (!s || !s.slid) fail('the page did not slide its axes in', timeoutS, 's', JSON.stringify(s && s.live));
        if (s.x0 <= first.x0) fail('the axes did not move', first.x0, s.x0);
        if (JSON.stringify(s.labels) === JSON.stringify(first.labels))
                fail('the time labels stayed where they were', s.labels);
        const pts = [...s.d.matchAll(/[ML]([-\d.]+) ([-\d.]+)/g)].map((m) => [+m[1], +m[2]]);
        if (pts.length < 2) fail('the memory line has no points after the slide', s.d);
        for (let i = 0; i < pts.length; i++) {
                const [x, y] = pts[i];
                if (x < s.left || x > s.left + s.width || y < s.top || y > s.top + s.height)
                        fail('a point outside the plot', x, y, JSON.stringify(s));
                if (i && x < pts[i - 1][0]) fail('points out of order', JSON.stringify(pts.slice(i - 1, i + 1)));
        }
        const want = s.top + s.height - Math.min(Math.max((s.value - s.y0) / (s.y1 - s.y0), 0), 1) * s.height;
        if (Math.abs(pts[pts.length - 1][1] - want) > 1) fail('the last point is not at the value', pts.at(-1), want);
        if (console_.length) fail('the page logged:', console_.join('\n'));
        console.log(`slid: x0 ${first.x0} -> ${s.x0}, labels ${first.labels[0]} -> ${s.labels[0]}, ` +
                    `${pts.length} points drawn`);
}
main().catch((e) => fail(e.stack || e));
