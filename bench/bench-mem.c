/* SPDX-License-Identifier: MIT */
/* A process's memory sampled every second (bench-mem.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench-mem.h"

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

double mem_median(const double *v, size_t n) {
        if (n == 0)
                return NAN;
        double *c = malloc(n * sizeof(double));
        if (!c)
                return NAN;
        memcpy(c, v, n * sizeof(double));
        qsort(c, n, sizeof(double), cmp_double);
        double m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
        free(c);
        return m;
}

double mem_max(const double *v, size_t n) {
        double m = NAN;
        for (size_t i = 0; i < n; i++)
                if (isnan(m) || v[i] > m)
                        m = v[i];
        return m;
}

static FILE *open_proc(pid_t pid, const char *file) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, file);
        return fopen(path, "re");
}

/* The kB of a "Key:   123 kB" line whose key is key, added to *sum; false for another line. */
static bool add_kb(const char *line, const char *key, double *sum) {
        size_t n = strlen(key);
        if (strncmp(line, key, n) != 0)
                return false;
        *sum += strtod(line + n, NULL);
        return true;
}

bool mem_sample(pid_t pid, MemSeries *s) {
        if (s->n >= MEM_SAMPLES_MAX)
                return false;
        FILE *f = open_proc(pid, "smaps_rollup");
        if (!f)
                return false;
        double rss = 0, clean = 0, dirty = 0;
        char line[512];
        bool any = false;
        while (fgets(line, sizeof(line), f))
                any |= add_kb(line, "Rss:", &rss) || add_kb(line, "Private_Clean:", &clean) ||
                        add_kb(line, "Private_Dirty:", &dirty);
        fclose(f);
        if (!any)
                return false;
        s->rss[s->n] = rss;
        s->uss[s->n] = clean + dirty;
        s->dirty[s->n] = dirty;
        s->n++;
        return true;
}

int mem_maps_init(MemMaps *t) {
        *t = (MemMaps) { .maps = calloc(MEM_MAPS_MAX, sizeof(MemMap)) };
        return t->maps ? 0 : -1;
}

void mem_maps_done(MemMaps *t) {
        free(t->maps);
        *t = (MemMaps) {};
}

/* The name a mapping's head line gives ("7f..-7f.. r-xp 0 08:01 123  /usr/lib/libc.so.6"): the
 * file's base name, or [heap], [stack], [vdso]; [anon] for none. */
static void map_name(const char *line, char *name, size_t size) {
        const char *p = line;
        for (int field = 0; field < 5 && *p; field++) { /* range, perms, offset, dev, inode */
                p += strcspn(p, " ");
                p += strspn(p, " ");
        }
        size_t len = strcspn(p, "\n");
        if (len == 0) {
                snprintf(name, size, "[anon]");
                return;
        }
        const char *slash = memrchr(p, '/', len);
        const char *base = slash ? slash + 1 : p;
        snprintf(name, size, "%.*s", (int) (len - (size_t) (base - p)), base);
}

static MemMap *map_of(MemMaps *t, const char *name) {
        for (size_t i = 0; i < t->n_maps; i++)
                if (strcmp(t->maps[i].name, name) == 0)
                        return &t->maps[i];
        if (t->n_maps >= MEM_MAPS_MAX)
                return NULL;
        MemMap *m = &t->maps[t->n_maps++];
        snprintf(m->name, sizeof(m->name), "%s", name);
        return m; /* calloc'd: the samples before its first are 0 */
}

bool mem_maps_sample(pid_t pid, MemMaps *t) {
        if (t->n >= MEM_SAMPLES_MAX)
                return false;
        FILE *f = open_proc(pid, "smaps");
        if (!f)
                return false;
        char line[1024], name[128];
        MemMap *cur = NULL;
        size_t k = t->n;
        while (fgets(line, sizeof(line), f)) {
                unsigned long lo, hi;
                char c;
                if (sscanf(line, "%lx-%lx %c", &lo, &hi, &c) == 3) {
                        map_name(line, name, sizeof(name));
                        cur = map_of(t, name);
                } else if (cur)
                        (void) (add_kb(line, "Rss:", &cur->rss[k]) || add_kb(line, "Private_Clean:", &cur->clean[k]) ||
                                add_kb(line, "Private_Dirty:", &cur->dirty[k]));
        }
        fclose(f);
        t->n++;
        return true;
}

/* libc and the dynamic loader, which every process on a host maps, and what is no file ([heap],
 * [stack], [anon], [vdso]): their private part as it is; any other file all private. */
static bool everyones(const char *name) {
        return strncmp(name, "libc.so", 7) == 0 || strncmp(name, "ld-linux", 8) == 0 || name[0] == '[';
}

double mem_maps_alone(const MemMaps *t, size_t k) {
        double sum = 0;
        for (size_t i = 0; i < t->n_maps; i++) {
                const MemMap *m = &t->maps[i];
                sum += everyones(m->name) ? m->clean[k] + m->dirty[k] : m->rss[k];
        }
        return sum;
}

static int cmp_private(const void *a, const void *b) {
        double x = ((const double *) a)[1], y = ((const double *) b)[1];
        return (x < y) - (x > y);
}

void mem_maps_print(const MemMaps *t, FILE *f) {
        double(*row)[5] = calloc(t->n_maps ? t->n_maps : 1, sizeof(*row)); /* index, private, rss, clean, dirty */
        if (!row)
                return;
        double sum[4] = { 0 };
        for (size_t i = 0; i < t->n_maps; i++) {
                const MemMap *m = &t->maps[i];
                double *p = malloc(t->n * sizeof(double) + 1);
                for (size_t k = 0; p && k < t->n; k++)
                        p[k] = m->clean[k] + m->dirty[k];
                row[i][0] = (double) i;
                row[i][1] = p ? mem_median(p, t->n) : NAN;
                row[i][2] = mem_median(m->rss, t->n);
                row[i][3] = mem_median(m->clean, t->n);
                row[i][4] = mem_median(m->dirty, t->n);
                for (int j = 0; j < 4; j++)
                        sum[j] += row[i][j + 1];
                free(p);
        }
        qsort(row, t->n_maps, sizeof(*row), cmp_private);
        fprintf(f, "  skytune-monitor by mapping, kB, medians of %zu samples (smaps, 1 s apart):\n", t->n);
        fprintf(f, "    %8s %8s %8s %8s  %s\n", "private", "RSS", "p.clean", "p.dirty", "mapping");
        for (size_t i = 0; i < t->n_maps; i++)
                if (row[i][1] >= 4)
                        fprintf(f, "    %8.0f %8.0f %8.0f %8.0f  %s\n", row[i][1], row[i][2], row[i][3], row[i][4],
                                t->maps[(size_t) row[i][0]].name);
        fprintf(f, "    %8.0f %8.0f %8.0f %8.0f  (sum of the medians)\n", sum[0], sum[1], sum[2], sum[3]);
        double *alone = malloc(t->n * sizeof(double) + 1);
        for (size_t k = 0; alone && k < t->n; k++)
                alone[k] = mem_maps_alone(t, k);
        if (alone)
                fprintf(f,
                        "  USS alone (its mappings' RSS as private, libc and ld.so aside: no other process maps "
                        "its libraries): median %.2f MB, max %.2f MB\n",
                        mem_median(alone, t->n) / 1024, mem_max(alone, t->n) / 1024);
        free(alone);
        free(row);
}
