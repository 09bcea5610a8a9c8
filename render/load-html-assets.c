/* SPDX-License-Identifier: MIT */
/* The report's one style sheet and one script, and their SHA-256 hashes for the page's
 * Content-Security-Policy (no 'unsafe-inline': only these two run or apply). The script only adds:
 * a readout of the interval under the pointer and the data-ready="1" sentinel the browser test
 * waits for; the page is complete without it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "load-html-assets.h"
#include "sha256.h"

const char load_html_style[] =
        "body{font-family:sans-serif;margin:0 auto;max-width:960px;padding:0 12px;color:#222}"
        "header{padding:8px 16px;border-radius:6px;margin:12px 0}"
        "header.pass{background:#e3f4e1;border:2px solid #2ca02c}"
        "header.fail{background:#fbe3e3;border:2px solid #d62728}"
        "header.invalid{background:#fff3d6;border:2px solid #ff7f0e}"
        "h1{margin:4px 0;font-size:1.6em}h2{border-bottom:1px solid #ccc;margin-top:28px}"
        "table{border-collapse:collapse;margin:8px 0;font-size:.9em}"
        "th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}"
        "tr.fail td{background:#fbe3e3}tr.pass td{background:#eef8ec}"
        "figure{margin:8px 0}figcaption{font-size:.9em}output{color:#555;margin-left:8px}"
        ".c0{color:#1f77b4}.c1{color:#d62728}.c2{color:#2ca02c}.c3{color:#9467bd}.c4{color:#ff7f0e}"
        ".c5{color:#8c564b}.c6{color:#17becf}.finding{margin:8px 0}"
        "@media print{figure{break-inside:avoid}}";

const char load_html_script[] =
        "(function(){"
        "var data=JSON.parse(document.getElementById('skytune-data').textContent);"
        "var s=data.series||{},t=s.t_s||[];"
        "var keys={'chart-load':['planned','sent_per_s','ok_per_s'],'chart-throughput':['completed_per_s','ok_per_s'],"
        "'chart-latency':['p50','p90','p99','p99.9','max']};"
        "function near(x){var lo=0,hi=t.length-1;while(lo<hi){var m=(lo+hi+1)>>1;if(t[m]<=x)lo=m;else hi=m-1;}return "
        "lo;}"
        "document.querySelectorAll('svg[data-chart=\"time\"]').forEach(function(svg){"
        "var out=svg.parentNode.querySelector('output'),ks=keys[svg.id]||[];"
        "svg.addEventListener('mousemove',function(ev){"
        "if(!t.length||!out)return;"
        "var r=svg.getBoundingClientRect(),vb=svg.viewBox.baseVal,d=svg.dataset;"
        "var px=(ev.clientX-r.left)*vb.width/r.width;"
        "var x=+d.x0+(px-d.left)/d.width*(d.x1-d.x0),i=near(x);"
        "out.textContent='at '+t[i]+' s: '+ks.map(function(k){return k+' '+(s[k]?s[k][i]:'-');}).join(', ');"
        "});});"
        "document.documentElement.setAttribute('data-ready','1');"
        "})();";

char *load_html_hash(const char *text) {
        uint8_t md[SHA256_BYTES];
        sha256(text, strlen(text), md);
        return base64_encode(md, sizeof(md));
}

int load_html_hash_pair(const char *style, const char *script, char **ret_style, char **ret_script) {
        char *a = load_html_hash(style), *b = load_html_hash(script);
        if (!a || !b) {
                free(a);
                free(b);
                return -ENOMEM;
        }
        *ret_style = a;
        *ret_script = b;
        return 0;
}
