/* SPDX-License-Identifier: MIT */
/* The profile in a screen (skytune profile --brief): the findings, one line per resource with its
 * utilization, saturation and errors (USE), then the top offenders that explain the findings: the
 * processes using the CPU, those closest to their open-files limit, the busiest disks and
 * interfaces. The rows and columns are tables; each cell takes what fits of its parts, in order. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "render-profile.h"

#define TOP_ROWS 3

/* How a part reads its metric: one path, the largest over the objects matched by '*' (named in the
 * cell), or their sum. */
typedef enum Agg { AGG_ONE, AGG_MAX, AGG_SUM } Agg;

typedef struct Part {
        const char *label;
        const char *path;       /* below "resources", '*' for any object */
        Agg agg;
        const char *also;       /* AGG_SUM: a second path added in (tx beside rx) */
} Part;

typedef struct UseRow {
        const char *resource;
        Part use[3][3];         /* utilization, saturation, errors; up to three parts each */
} UseRow;

#define ONE(label, path) { label, path, AGG_ONE, NULL }
#define TOP(label, path) { label, path, AGG_MAX, NULL }
#define SUM(label, path, also) { label, path, AGG_SUM, also }

static const UseRow use_rows[] = {
        { "cpu", { { ONE("busy", "cpu.utilization_pct"), ONE("steal", "cpu.steal_pct") },
                   { ONE("run queue", "cpu.run_queue"), ONE("psi", "cpu.psi_some_pct") },
                   {} } },
        { "memory", { { ONE("used", "memory.used_pct") },
                      { ONE("psi", "memory.psi_some_pct"), ONE("swap-in", "memory.swap_in_per_s"),
                        ONE("scan", "memory.direct_scan_per_s") },
                      { ONE("OOM kills", "memory.oom_kills") } } },
        { "disk", { { TOP("busy", "disk.devices.*.util_pct") },
                    { TOP("queue", "disk.devices.*.aqu_sz"), ONE("psi", "disk.psi_some_pct") },
                    {} } },
        { "network", { { TOP("rx", "network.interfaces.*.rx_bytes_per_s"),
                         TOP("tx", "network.interfaces.*.tx_bytes_per_s") },
                       { ONE("overflows", "network.tcp.listen_overflows_per_s"),
                         ONE("squeezed", "interrupts.softnet_time_squeeze_per_s") },
                       { SUM("drops", "network.interfaces.*.rx_drops_per_s", "network.interfaces.*.tx_drops_per_s"),
                         SUM("errs", "network.interfaces.*.rx_errors_per_s", "network.interfaces.*.tx_errors_per_s"),
                         ONE("tcp", "network.tcp.in_errors_per_s") } } },
        { "files", { { ONE("used", "files.used_pct") }, { ONE("worst process", "files.max_process_nofile_pct") }, {} } },
        { "tasks", { { ONE("threads", "tasks.threads_pct") }, { ONE("load1", "tasks.load1") }, {} } },
};

/* Cell widths of the resource table at 80 columns, scaled down below it; the errors column takes
 * what is left. */
#define RES_W 9
#define UTIL_W 22
#define SAT_W 28

/* The metric at a dotted path below o ("tcp.in_errors_per_s"), or NULL. */
static const json_t *at(const json_t *o, const char *path) {
        char buf[128];
        snprintf(buf, sizeof(buf), "%s", path);
        for (char *save = NULL, *c = strtok_r(buf, ".", &save); c && o; c = strtok_r(NULL, ".", &save))
                o = json_object_get(o, c);
        return o;
}

/* A part's value and unit (and, for AGG_MAX, the object that has it); false when absent. */
static bool part_value(const json_t *res, const Part *p, double *v, const char **unit, const char **object) {
        const char *star = strchr(p->path, '*');
        *object = NULL;
        if (!star) {
                const json_t *m = at(res, p->path);
                *unit = json_string_value(json_object_get(m, "unit"));
                *v = json_number_value(json_object_get(m, "value"));
                return json_is_object(m) && json_object_get(m, "value");
        }
        char parent[128];
        snprintf(parent, sizeof(parent), "%.*s", (int) (star - p->path - 1), p->path);
        const char *name;
        json_t *obj;
        bool found = false;
        json_object_foreach((json_t *) at(res, parent), name, obj) {
                const json_t *m = at(obj, star + 2);
                if (!json_object_get(m, "value"))
                        continue;
                double x = json_number_value(json_object_get(m, "value"));
                if (p->agg == AGG_SUM)
                        *v = (found ? *v : 0) + x;
                else if (!found || x > *v) {
                        *v = x;
                        *object = name;
                        *unit = json_string_value(json_object_get(m, "unit"));
                }
                if (!found)
                        *unit = json_string_value(json_object_get(m, "unit"));
                found = true;
        }
        if (p->agg == AGG_SUM)
                *object = NULL;
        double more;
        const char *more_unit, *none;
        if (p->also && part_value(res, &(Part) { p->label, p->also, AGG_SUM, NULL }, &more, &more_unit, &none)) {
                *v = (found ? *v : 0) + more;
                *unit = found ? *unit : more_unit;
                found = true;
        }
        return found;
}

/* The parts of a cell that are in the profile, joined while they fit in width (a busiest object's
 * name is dropped first); "-" when the resource has no such metric, "n/a" when the window measured
 * none of them. The first part is never cut: a figure cut short would read as another figure. */
static void cell(char *buf, size_t size, size_t width, const json_t *res, const Part parts[3]) {
        size_t n = 0;
        snprintf(buf, size, "%s", parts[0].path ? "n/a" : "-");
        for (size_t i = 0; i < 3 && parts[i].path; i++) {
                double v;
                const char *unit, *object;
                if (!part_value(res, &parts[i], &v, &unit, &object))
                        continue;
                char val[48], piece[128];
                /* A summary reads 81.7 %, not 81.68 %. */
                if (unit && strcmp(unit, "percent") == 0 && fabs(v) >= 1)
                        v = round(v * 10) / 10;
                profile_fmt_value(val, sizeof(val), v, unit);
                /* The busiest object is named, unless all are idle. */
                const char *sep = n ? ", " : "", *name = object && v > 0 ? object : NULL;
                int k = snprintf(piece, sizeof(piece), "%s%s %s%s%s", sep, parts[i].label, val, name ? " " : "",
                                 strempty(name));
                if (k >= 0 && n + (size_t) k > width && name)
                        k = snprintf(piece, sizeof(piece), "%s%s %s", sep, parts[i].label, val);
                if (k < 0 || (n > 0 && n + (size_t) k > width) || n + strlen(piece) >= size)
                        break;
                memcpy(buf + n, piece, strlen(piece) + 1);
                n += strlen(piece);
        }
}

static void print_use(FILE *f, const json_t *doc, const Style *s, unsigned width) {
        const json_t *res = json_object_get(doc, "resources");
        int util_w = width >= 80 ? UTIL_W : UTIL_W * (int) width / 80,
            sat_w = width >= 80 ? SAT_W : SAT_W * (int) width / 80;
        unsigned used = 2 + RES_W + (unsigned) (util_w + sat_w), err_w = width > used + 8 ? width - used : 8;
        fprintf(f, "%s  %-*s %-*s %-*s %s%s\n", s->bold, RES_W - 1, "resource", util_w - 1, "utilization", sat_w - 1,
                "saturation", "errors", s->reset);
        for (size_t i = 0; i < ELEMENTSOF(use_rows); i++) {
                const UseRow *row = &use_rows[i];
                char u[128], sat[128], e[256];
                cell(u, sizeof(u), (size_t) util_w - 1, res, row->use[0]);
                cell(sat, sizeof(sat), (size_t) sat_w - 1, res, row->use[1]);
                cell(e, sizeof(e), err_w, res, row->use[2]);
                fprintf(f, "  %-*s %-*s %-*s %s\n", RES_W - 1, row->resource, util_w - 1, u, sat_w - 1, sat, e);
        }
        fputc('\n', f);
}

typedef struct Column {
        const char *header;
        const char *member;     /* "" for the row's name (the object's key) */
        int width;              /* negative: left-aligned */
        const char *unit;       /* of a plain number (a metric object carries its own) */
} Column;

typedef struct Offenders {
        const char *title;
        const char *path;       /* below resources: an array of objects, or an object of objects */
        const char *rank[2];    /* object of objects: the metrics summed to rank them (idle ones left out) */
        Column cols[7];
        const char *none;       /* when the window measured it and no row qualifies */
} Offenders;

static const Offenders offenders[] = {
        { "Top CPU users (% of one CPU)", "cpu.top_processes", {},
          { { "PID", "pid", 7, "count" }, { "COMMAND", "comm", -20, NULL }, { "CPU", "cpu_pct", 8, "percent" },
            { "THREADS", "threads", 8, "count" }, { "FILES", "fds", 7, "count" } },
          "no process used CPU time in the window." },
        { "Closest to their open-files limit", "files.top_processes", {},
          { { "PID", "pid", 7, "count" }, { "COMMAND", "comm", -20, NULL }, { "FILES", "fds", 8, "count" },
            { "LIMIT", "soft_limit", 8, "count" }, { "USED", "pct", 8, "percent" } },
          "no readable process has an open-files limit." },
        { "Busiest disks", "disk.devices", { "util_pct" },
          { { "DEVICE", "", -10, NULL }, { "BUSY", "util_pct", 7, NULL }, { "QUEUE", "aqu_sz", 6, NULL },
            { "READ", "read_bytes_per_s", 11, NULL }, { "WRITE", "write_bytes_per_s", 11, NULL },
            { "R AWAIT", "r_await_ms", 9, NULL }, { "W AWAIT", "w_await_ms", 9, NULL } },
          "no disk was busy in the window." },
        { "Busiest interfaces", "network.interfaces", { "rx_bytes_per_s", "tx_bytes_per_s" },
          { { "INTERFACE", "", -10, NULL }, { "RX", "rx_bytes_per_s", 11, NULL }, { "TX", "tx_bytes_per_s", 11, NULL },
            { "RX PKTS", "rx_packets_per_s", 10, NULL }, { "TX PKTS", "tx_packets_per_s", 10, NULL },
            { "RX DROPS", "rx_drops_per_s", 9, NULL }, { "RX ERRS", "rx_errors_per_s", 8, NULL } },
          "no interface moved data in the window." },
};

typedef struct Row {
        const char *name;
        const json_t *o;
        double rank;
} Row;

/* Cut s to at most max bytes, on a character boundary. */
static void utf8_cut(char *s, size_t max) {
        size_t n = strlen(s);
        if (n <= max)
                return;
        while (max > 0 && ((unsigned char) s[max] & 0xC0) == 0x80)
                max--;
        s[max] = '\0';
}

static void print_cell(FILE *f, const Column *c, const Row *row) {
        const json_t *v = *c->member ? json_object_get(row->o, c->member) : NULL;
        char text[64] = "?";
        if (!*c->member)
                snprintf(text, sizeof(text), "%s", row->name);
        else if (json_is_string(v))
                snprintf(text, sizeof(text), "%s", json_string_value(v));
        else if (json_is_number(v))
                profile_fmt_value(text, sizeof(text), json_number_value(v), c->unit);
        else if (json_object_get(v, "value"))
                profile_fmt_value(text, sizeof(text), json_number_value(json_object_get(v, "value")),
                                  json_string_value(json_object_get(v, "unit")));
        /* A name longer than its column is cut: the JSON has it whole. */
        utf8_cut(text, (size_t) abs(c->width));
        fprintf(f, " %*s", c->width, text);
}

static int by_rank(const void *a, const void *b) {
        const Row *x = a, *y = b;
        return (x->rank < y->rank) - (x->rank > y->rank);
}

/* The rows of a table, ranked, at most TOP_ROWS; *measured whether the window had the figures. */
static size_t offender_rows(const json_t *res, const Offenders *t, Row rows[TOP_ROWS], bool *measured) {
        const json_t *o = at(res, t->path);
        size_t n = 0, i;
        json_t *e;
        *measured = json_is_array(o);
        if (json_is_array(o)) {
                json_array_foreach(o, i, e)
                        if (n < TOP_ROWS)
                                rows[n++] = (Row) { "", e, 0 };
                return n;
        }
        Row all[64];
        const char *name;
        json_object_foreach((json_t *) o, name, e) {
                double rank = 0;
                for (size_t k = 0; k < 2 && t->rank[k]; k++) {
                        const json_t *m = json_object_get(e, t->rank[k]);
                        *measured = *measured || m;
                        rank += json_number_value(json_object_get(m, "value"));
                }
                if (rank > 0 && n < ELEMENTSOF(all))
                        all[n++] = (Row) { name, e, rank };
        }
        qsort(all, n, sizeof(Row), by_rank);
        n = MIN(n, (size_t) TOP_ROWS);
        memcpy(rows, all, n * sizeof(Row));
        return n;
}

static void print_offenders(FILE *f, const json_t *doc, const Offenders *t, const Style *s, unsigned width) {
        const json_t *res = json_object_get(doc, "resources");
        Row rows[TOP_ROWS];
        bool measured;
        size_t n = offender_rows(res, t, rows, &measured);
        fprintf(f, "%s%s%s", s->bold, t->title, s->reset);
        if (n == 0) {
                fprintf(f, ": ");
                render_wrap(f, strlen(t->title) + 2, 2, width,
                             measured ? t->none : "not measured in this window.");
                fputc('\n', f);
                return;
        }
        /* The columns that fit, from the left: the least telling ones are last. */
        size_t ncol = 0;
        for (unsigned used = 1; ncol < ELEMENTSOF(t->cols) && t->cols[ncol].header; ncol++) {
                used += 1 + (unsigned) abs(t->cols[ncol].width);
                if (used > width && ncol >= 2)
                        break;
        }
        fprintf(f, ":\n%s ", s->dim);
        for (size_t c = 0; c < ncol; c++)
                fprintf(f, " %*s", t->cols[c].width, t->cols[c].header);
        fprintf(f, "%s\n", s->reset);
        for (size_t i = 0; i < n; i++) {
                fputc(' ', f);
                for (size_t c = 0; c < ncol; c++)
                        print_cell(f, &t->cols[c], &rows[i]);
                fputc('\n', f);
        }
        fputc('\n', f);
}

int render_profile_brief(FILE *f, const json_t *doc, const RenderView *view) {
        Style s = render_style(view->color);
        unsigned width = render_width(view);
        profile_print_header(f, doc, &s, width);
        profile_print_findings(f, doc, &s, width);
        print_use(f, doc, &s, width);
        for (size_t i = 0; i < ELEMENTSOF(offenders); i++)
                print_offenders(f, doc, &offenders[i], &s, width);
        char line[256];
        snprintf(line, sizeof(line), "All %lld metrics: skytune profile --full; for machines: --json.", (long long) json_integer_value(json_object_get(doc, "metric_count")));
        render_wrap(f, 0, 2, width, line);
        return ferror(f) ? -EIO : 0;
}
