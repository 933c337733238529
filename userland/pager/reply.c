/*
 * reply.c - slots for reply capabilities.
 *
 * The pager receives every request with its reply capability in a slot. Most requests are
 * answered at once from that slot; a request that must wait (PAGER_WAIT with no child yet)
 * keeps its slot, and the pager receives the next request into a fresh one.
 */
#include "pager.h"

static uint64_t slot_used[(SLOT_REPLY_LAST - SLOT_REPLY_FIRST + 64) / 64];

unsigned reply_slot_take(void)
{
    for (unsigned s = SLOT_REPLY_FIRST; s <= SLOT_REPLY_LAST; s++) {
        unsigned i = s - SLOT_REPLY_FIRST;
        if (!(slot_used[i / 64] & (1ul << (i % 64)))) {
            slot_used[i / 64] |= 1ul << (i % 64);
            return s;
        }
    }
    return 0;
}

void reply_slot_release(unsigned slot)
{
    unsigned i = slot - SLOT_REPLY_FIRST;
    slot_used[i / 64] &= ~(1ul << (i % 64));
}
