/*
 * model.c - see model.h. Deliberately plain: linear scans and memmove.
 */
#include "model.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

void model_init(struct model *m)
{
    m->r = NULL;
    m->n = 0;
    m->cap = 0;
}

void model_free(struct model *m)
{
    free(m->r);
    model_init(m);
}

static void reserve(struct model *m, size_t n)
{
    if (n <= m->cap)
        return;
    m->cap = n * 2 + 8;
    m->r = realloc(m->r, m->cap * sizeof(*m->r));
    if (!m->r)
        abort();
}

void model_copy(struct model *to, const struct model *from)
{
    reserve(to, from->n);
    if (from->n)
        memcpy(to->r, from->r, from->n * sizeof(*from->r));
    to->n = from->n;
}

static void insert_at(struct model *m, size_t i, struct model_range r)
{
    reserve(m, m->n + 1);
    memmove(&m->r[i + 1], &m->r[i], (m->n - i) * sizeof(*m->r));
    m->r[i] = r;
    m->n++;
}

static void remove_at(struct model *m, size_t i)
{
    memmove(&m->r[i], &m->r[i + 1], (m->n - i - 1) * sizeof(*m->r));
    m->n--;
}

size_t model_at_or_after(const struct model *m, unsigned long index)
{
    size_t lo = 0, hi = m->n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;

        if (m->r[mid].last < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void model_store(struct model *m, unsigned long first, unsigned long last, void *value)
{
    size_t i = model_at_or_after(m, first);

    /* Cut every range that overlaps first..last down to what lies outside it. */
    while (i < m->n && m->r[i].first <= last) {
        struct model_range r = m->r[i];

        remove_at(m, i);
        if (r.first < first) {
            insert_at(m, i, (struct model_range){r.first, first - 1, r.value});
            i++;
        }
        if (r.last > last) {
            insert_at(m, i, (struct model_range){last + 1, r.last, r.value});
            break;
        }
    }
    if (value) {
        i = model_at_or_after(m, first);
        insert_at(m, i, (struct model_range){first, last, value});
    }
}

void *model_lookup(const struct model *m, unsigned long index, unsigned long *first,
                   unsigned long *last)
{
    size_t i = model_at_or_after(m, index);

    if (i < m->n && m->r[i].first <= index) {
        *first = m->r[i].first;
        *last = m->r[i].last;
        return m->r[i].value;
    }
    *first = i > 0 ? m->r[i - 1].last + 1 : 0;
    *last = i < m->n ? m->r[i].first - 1 : ULONG_MAX;
    return NULL;
}

int model_empty_area(const struct model *m, unsigned long min, unsigned long max,
                     unsigned long size, int rev, unsigned long *start)
{
    int found = 0;

    if (size == 0 || min > max || max - min < size - 1)
        return -EINVAL;
    /* Visit each gap (i = number of ranges before it) and keep the first or last that fits. */
    for (size_t i = 0; i <= m->n; i++) {
        unsigned long a, b;

        if (i == 0) {
            if (m->n && m->r[0].first == 0)
                continue;
            a = 0;
        } else {
            if (m->r[i - 1].last == ULONG_MAX)
                continue;
            a = m->r[i - 1].last + 1;
        }
        if (i < m->n) {
            if (m->r[i].first == a)
                continue;
            b = m->r[i].first - 1;
        } else {
            b = ULONG_MAX;
        }
        if (a < min)
            a = min;
        if (b > max)
            b = max;
        if (a > b || b - a < size - 1)
            continue;
        *start = rev ? b - size + 1 : a;
        found = 1;
        if (!rev)
            break;
    }
    return found ? 0 : -EBUSY;
}
