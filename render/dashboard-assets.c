/* SPDX-License-Identifier: MIT */
/* The dashboard's one style sheet and one script, hashed into its Content-Security-Policy. Light and
 * dark follow the browser (prefers-color-scheme); CSS rules win over the SVG's presentation
 * attributes, so the charts follow too. The script adds only a readout of the values under the
 * pointer and the data-ready="1" sentinel the browser test waits for: the page is whole without it. */
#include "dashboard-internal.h"

const char dashboard_style[] =
        ":root{color-scheme:light dark}"
        "body{font-family:sans-serif;margin:0 auto;max-width:1000px;padding:0 12px;background:#fff;color:#222}"
        "h1{font-size:1.5em;margin:12px 0 4px}h2{font-size:1.15em;border-bottom:1px solid #ccc;margin-top:24px}"
        "nav a,nav span{display:inline-block;padding:2px 10px;margin:2px;border:1px solid #888;border-radius:4px;"
        "color:inherit;text-decoration:none}"
        "nav [aria-current]{font-weight:bold;border-width:2px;text-decoration:underline}"
        "a:focus-visible,[tabindex]:focus-visible{outline:3px solid #1f77b4;outline-offset:2px}"
        "table{border-collapse:collapse;margin:8px 0;font-size:.9em}"
        "th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}"
        "td.num{text-align:right;font-variant-numeric:tabular-nums}"
        "tr.firing td{background:#fbe3e3}tr.pending td{background:#fff3d6}"
        ".missing{font-style:italic;color:#555}figure{margin:8px 0}figcaption{font-size:.9em}"
        "output{color:#555;margin-left:8px}svg.key{vertical-align:middle}"
        "@media (prefers-color-scheme:dark){body{background:#121212;color:#ddd}"
        "svg rect{fill:#1c1c1c;stroke:#444}svg text{fill:#ccc}svg line[stroke=\"#ddd\"]{stroke:#333}"
        "svg .marker line{stroke:#bbb}th,td{border-color:#444}tr.firing td{background:#4a1c1c}"
        "tr.pending td{background:#4a3a10}.missing,output{color:#aaa}a:focus-visible{outline-color:#8cc4ff}}"
        "@media print{section{break-inside:avoid}}";

const char dashboard_script[] =
        "(function(){"
        "var data,pts,tk=new URLSearchParams(location.search).get('token'),q=tk?'token='+encodeURIComponent(tk):'';"
        "function load(){data=JSON.parse(document.getElementById('skytune-data').textContent);pts={};"
        "(data.series||[]).forEach(function(s){pts[s.name]=s.points||[];});}"
        "function at(p,x){var lo=0,hi=p.length-1;if(hi<0)return'-';"
        "while(lo<hi){var m=(lo+hi+1)>>1;if(p[m][0]<=x)lo=m;else hi=m-1;}return String(+p[lo][2].toPrecision(4));}"
        "function bind(){document.querySelectorAll('section.panel').forEach(function(sec){"
        "var svg=sec.querySelector('svg[data-chart]'),out=sec.querySelector('output');if(!svg||!out)return;"
        "var names=[].map.call(sec.querySelectorAll('tr[data-series]'),function(r){return r.dataset.series;});"
        "svg.addEventListener('mousemove',function(ev){"
        "var r=svg.getBoundingClientRect(),vb=svg.viewBox.baseVal,d=svg.dataset;"
        "var x=1000*(+d.x0+((ev.clientX-r.left)*vb.width/r.width-d.left)/d.width*(d.x1-d.x0));"
        "out.textContent=new Date(x).toISOString().slice(0,19)+'Z: '+"
        "names.map(function(n){return n+' '+at(pts[n]||[],x);}).join(', ');});});}"
        /* Live (served, short ranges): the latest tick's values appended to the lines and the tables. */
        "function clamp(r){return Math.min(Math.max(r,0),1);}"
        "function px(d,t){return +d.left+clamp((t/1000-d.x0)/(d.x1-d.x0))*d.width;}"
        "function py(d,v){var lo=+d.y0,hi=+d.y1;if(d.log==='1'){v=Math.log10(Math.max(v,1));"
        "lo=Math.log10(Math.max(lo,1));hi=Math.log10(Math.max(hi,1));}"
        "return +d.top + +d.height-clamp(hi>lo?(v-lo)/(hi-lo):0)*d.height;}"
        /* A value of the unit as chart_fmt writes it (load-html-svg.c). */
        "function fmt(u,v){if(u==='bytes'){var k=v>=1073741824?[1073741824,' GiB',1]:v>=1048576?[1048576,' MiB',1]:"
        "[1024,' KiB',0];return(v/k[0]).toFixed(k[2])+k[1];}"
        "return(Math.abs(v)>=100||v===Math.floor(v)?v.toFixed(0):String(+v.toPrecision(2)))+u;}"
        "function put(cur){var v=cur.values||{},t=cur.t,unit={};"
        "(data.panels||[]).forEach(function(p){unit['panel-'+p.id]=p.unit;});"
        "document.querySelectorAll('section.panel').forEach(function(sec){var svg=sec.querySelector('svg[data-chart]');"
        "sec.querySelectorAll('tr[data-series]').forEach(function(row,k){var n=row.dataset.series;"
        /* A tick not newer than the line's last point (polled twice in one tick) is not drawn again. */
        "var a=pts[n]=pts[n]||[];if(!(n in v)||(a.length&&t<=a[a.length-1][0]))return;var "
        "c=row.cells[1];c.dataset.value=String(v[n]);c.textContent=fmt(unit[sec.id]||'',v[n]);"
        "var p=svg&&svg.querySelector('path.l'+k);"
        "if(!p||t/1000>+svg.dataset.x1)return;a.push([t,v[n],v[n],v[n],1]);var d=p.getAttribute('d')||'';"
        "p.setAttribute('d',d+(d?'L':'M')+px(svg.dataset,t).toFixed(1)+' '+py(svg.dataset,v[n]).toFixed(1));});});"
        "document.documentElement.setAttribute('data-live',String(t));}"
        "function tick(){fetch('/api/v1/current'+(q?'?'+q:'')).then(function(r){return r.json();}).then(put)"
        ".catch(function(){document.documentElement.setAttribute('data-live','error');});}"
        /* The charts fetched again when their points reach the end: the page's main and data swapped. */
        "function again(){fetch(location.href).then(function(r){return r.text();}).then(function(h){"
        "var n=new DOMParser().parseFromString(h,'text/html');"
        "document.querySelector('main').replaceWith(n.querySelector('main'));"
        "document.getElementById('skytune-data').textContent=n.getElementById('skytune-data').textContent;"
        "document.getElementById('range').replaceWith(n.getElementById('range'));load();bind();});}"
        "load();bind();"
        "if(q)document.querySelectorAll('#ranges a').forEach(function(a){a.href+='&'+q;});"
        "if(data.live){tick();setInterval(tick,1000);setInterval(again,Math.max(data.refresh_ms||60000,5000));}"
        "document.documentElement.setAttribute('data-ready','1');"
        "})();";
