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
        "var data=JSON.parse(document.getElementById('skytune-data').textContent),pts={};"
        "(data.series||[]).forEach(function(s){pts[s.name]=s.points||[];});"
        "function at(p,x){var lo=0,hi=p.length-1;if(hi<0)return'-';"
        "while(lo<hi){var m=(lo+hi+1)>>1;if(p[m][0]<=x)lo=m;else hi=m-1;}return String(+p[lo][2].toPrecision(4));}"
        "document.querySelectorAll('section.panel').forEach(function(sec){"
        "var svg=sec.querySelector('svg[data-chart]'),out=sec.querySelector('output');if(!svg||!out)return;"
        "var names=[].map.call(sec.querySelectorAll('tr[data-series]'),function(r){return r.dataset.series;});"
        "svg.addEventListener('mousemove',function(ev){"
        "var r=svg.getBoundingClientRect(),vb=svg.viewBox.baseVal,d=svg.dataset;"
        "var x=1000*(+d.x0+((ev.clientX-r.left)*vb.width/r.width-d.left)/d.width*(d.x1-d.x0));"
        "out.textContent=new Date(x).toISOString().slice(0,19)+'Z: '+"
        "names.map(function(n){return n+' '+at(pts[n]||[],x);}).join(', ');});});"
        "document.documentElement.setAttribute('data-ready','1');"
        "})();";
