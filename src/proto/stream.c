/* SPDX-License-Identifier: MIT */
/*
 * The stream table of a connection: open addressing keyed by stream id, linear probing,
 * backward-shift deletion, so lookups stay O(1) with thousands of streams over a run.
 * Owns the table, not the streams.
 */
#include "conn_int.h"

static size_t slot_of(uint32_t id, size_t cap)
{
    return (size_t)((id >> 1) * 2654435761u) & (cap - 1);
}

void stream_table_init(struct stream_table *t, const struct mem *mem)
{
    t->mem = mem;
    t->slots = NULL;
    t->cap = 0;
    t->count = 0;
}

void stream_table_release(struct stream_table *t)
{
    mem_free(t->mem, t->slots);
    t->slots = NULL;
    t->cap = t->count = 0;
}

struct h2c_stream *stream_find(const struct stream_table *t, uint32_t id)
{
    size_t i;
    if (!t->cap)
        return NULL;
    for (i = slot_of(id, t->cap); t->slots[i]; i = (i + 1) & (t->cap - 1))
        if (t->slots[i]->id == id)
            return t->slots[i];
    return NULL;
}

static void place(struct h2c_stream **slots, size_t cap, struct h2c_stream *s)
{
    size_t i = slot_of(s->id, cap);
    while (slots[i])
        i = (i + 1) & (cap - 1);
    slots[i] = s;
}

static int grow(struct stream_table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 16, i;
    struct h2c_stream **slots = mem_alloc(t->mem, cap * sizeof(*slots));

    if (!slots)
        return H2E_NOMEM;
    for (i = 0; i < cap; i++)
        slots[i] = NULL;
    for (i = 0; i < t->cap; i++)
        if (t->slots[i])
            place(slots, cap, t->slots[i]);
    mem_free(t->mem, t->slots);
    t->slots = slots;
    t->cap = cap;
    return 0;
}

int stream_insert(struct stream_table *t, struct h2c_stream *s)
{
    /* keep the load factor under 1/2 so probes stay short */
    if ((t->count + 1) * 2 > t->cap) {
        int rv = grow(t);
        if (rv)
            return rv;
    }
    place(t->slots, t->cap, s);
    t->count++;
    return 0;
}

void stream_remove(struct stream_table *t, uint32_t id)
{
    size_t i, j, mask = t->cap - 1;

    if (!t->cap)
        return;
    for (i = slot_of(id, t->cap); t->slots[i]; i = (i + 1) & mask)
        if (t->slots[i]->id == id)
            break;
    if (!t->slots[i])
        return;
    t->slots[i] = NULL;
    t->count--;
    /* backward-shift: move later members of the probe run into the hole */
    for (j = (i + 1) & mask; t->slots[j]; j = (j + 1) & mask) {
        size_t home = slot_of(t->slots[j]->id, t->cap);
        if (((j - home) & mask) >= ((j - i) & mask)) {
            t->slots[i] = t->slots[j];
            t->slots[j] = NULL;
            i = j;
        }
    }
}
