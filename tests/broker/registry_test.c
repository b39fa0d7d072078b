/*  registry_test.c: the agents the broker knows (broker/registry.h).

    Proves that hello registers an agent under its ROUTER identity, that a repeated hello
    on the same connection is the same peer, that a restarted instance (same kind and
    instance, new identity) replaces the old entry and hands it back so its leases can
    be released -- also when the instance restarts again and again, or after it was
    lost -- that silence is detected against the timeout, that lost and gone entries
    leave the lookup but stay listed in registration order, and what state the
    snapshot shows for each.
*/
#include "registry.h"

#include <stdio.h>
#include <string.h>

#include "test_support.h"

TS_SUITE (registry);

#define KIND "customer-health-scorer"

static zframe_t *
s_identity (const char *text)
{
    zframe_t *frame = zframe_new (text, strlen (text));
    cr_assert_not_null (frame);
    return frame;
}

/*  hello from identity text; asserts success. */
static peer_t *
s_hello (registry_t *registry, const char *identity, const char *kind, const char *instance,
         uint32_t capacity, int64_t now_ms, peer_t **replaced)
{
    zframe_t *frame = s_identity (identity);
    peer_t *ignored = NULL;
    bool fresh = false;
    peer_t *peer =
        registry_hello (registry, frame, kind, instance, capacity, now_ms,
                        1700000000000 + now_ms, replaced ? replaced : &ignored, &fresh);
    cr_assert_not_null (peer);
    /*  The registry keeps its own copy of the identity. */
    cr_assert (zframe_streq (frame, identity));
    zframe_destroy (&frame);
    return peer;
}

static peer_t *
s_find (registry_t *registry, const char *identity)
{
    zframe_t *frame = s_identity (identity);
    peer_t *peer = registry_find (registry, frame);
    zframe_destroy (&frame);
    return peer;
}

/*  Is peer (by address only: it may be freed) still listed, and at which position? */
static int
s_position (registry_t *registry, const peer_t *peer)
{
    int i = 0;
    for (peer_t *p = registry_first (registry); p; p = registry_next (registry), i++)
        if (p == peer)
            return i;
    return -1;
}

static size_t
s_listed (registry_t *registry)
{
    size_t n = 0;
    for (peer_t *p = registry_first (registry); p; p = registry_next (registry))
        n++;
    return n;
}

static void
s_expect_state (const peer_t *peer, const char *state)
{
    Campaign__AgentState agent;
    registry_state (peer, &agent);
    cr_assert_str_eq (agent.state, state, "%s/%s", peer->kind, peer->instance);
}

Test (registry, hello_registers)
{
    registry_t *registry = registry_new ();
    cr_assert_not_null (registry);
    cr_assert_null (registry_first (registry));
    cr_assert_eq (registry_ready (registry), 0);
    cr_assert_null (s_find (registry, "id-1"));

    peer_t *replaced = (peer_t *)(uintptr_t)0x1;
    peer_t *peer = s_hello (registry, "id-1", KIND, "w1", 4, 1000, &replaced);
    cr_assert_null (replaced, "*replaced is set to NULL when nothing was replaced");
    cr_assert_str_eq (peer->kind, KIND);
    cr_assert_str_eq (peer->instance, "w1");
    cr_assert_eq (peer->capacity, 4);
    cr_assert_eq (peer->leased, 0);
    cr_assert_eq (peer->last_seen_ms, 1000);
    cr_assert_eq (peer->joined_ms, 1700000000000 + 1000);
    cr_assert_eq (peer->state, PEER_READY);
    cr_assert (zframe_streq (peer->identity, "id-1"));
    cr_assert_str_eq (peer->key, "69642d31");
    cr_assert_eq (registry_ready (registry), 1);
    cr_assert_eq (s_find (registry, "id-1"), peer);
    cr_assert_null (s_find (registry, "id-2"));
    cr_assert_eq (registry_first (registry), peer);
    cr_assert_null (registry_next (registry));

    /*  Capacity 0 means one task at a time. */
    peer_t *other = s_hello (registry, "id-2", KIND, "w2", 0, 1000, NULL);
    cr_assert_eq (other->capacity, 1);
    cr_assert_neq (other, peer);
    cr_assert_eq (registry_ready (registry), 2);
    registry_destroy (&registry);
    cr_assert_null (registry);
    registry_destroy (&registry);
    registry_destroy (NULL);
}

Test (registry, key_is_the_identity_in_hex)
{
    static const uint8_t raw[] = {0x00, 0x6b, 0x8b, 0x45, 0x67};
    zframe_t *frame = zframe_new (raw, sizeof raw);
    char key[64];
    registry_key (frame, key);
    cr_assert_str_eq (key, "006b8b4567");
    zframe_destroy (&frame);
}

Test (registry, long_identities_do_not_collide)
{
    /*  ZeroMQ identities may be up to 255 bytes; two that differ only after the 31st
        byte are two different connections. */
    registry_t *registry = registry_new ();
    char a[48], b[48];
    memset (a, 'x', sizeof a - 1);
    a[sizeof a - 1] = '\0';
    memcpy (b, a, sizeof b);
    a[40] = 'A';
    b[40] = 'B';
    peer_t *first = s_hello (registry, a, KIND, "w1", 1, 1000, NULL);
    cr_assert_eq (s_find (registry, a), first);
    /*  Expectations, not assertions: a failure still cleans up. */
    cr_expect_null (s_find (registry, b), "identity %s is taken for %s", b, a);
    peer_t *replaced = NULL;
    peer_t *second = s_hello (registry, b, KIND, "w2", 1, 1000, &replaced);
    cr_expect_null (replaced, "w2 on its own connection replaced w1");
    cr_expect_eq (registry_ready (registry), 2);
    cr_expect_eq (s_find (registry, a), first);
    cr_expect_eq (s_find (registry, b), second);
    registry_destroy (&registry);
}

Test (registry, repeated_hello_is_the_same_peer)
{
    registry_t *registry = registry_new ();
    peer_t *peer = s_hello (registry, "id-1", KIND, "w1", 2, 1000, NULL);
    peer->leased = 1;
    peer_t *replaced = (peer_t *)(uintptr_t)0x1;
    peer_t *again = s_hello (registry, "id-1", KIND, "w1", 3, 5000, &replaced);
    cr_assert_eq (again, peer);
    cr_assert_null (replaced);
    cr_assert_eq (peer->state, PEER_READY);
    cr_assert_eq (peer->last_seen_ms, 5000);
    cr_assert_eq (peer->capacity, 3);
    cr_assert_eq (peer->leased, 1, "a repeated hello keeps the leases");
    cr_assert_eq (peer->joined_ms, 1700000000000 + 1000);
    cr_assert_eq (s_listed (registry), 1);
    cr_assert_eq (registry_ready (registry), 1);
    registry_destroy (&registry);
}

Test (registry, new_connection_replaces_the_instance)
{
    registry_t *registry = registry_new ();
    peer_t *old = s_hello (registry, "id-1", KIND, "w1", 2, 1000, NULL);
    peer_t *neighbour = s_hello (registry, "id-9", KIND, "w9", 2, 1000, NULL);
    old->leased = 2;
    peer_t *replaced = NULL;
    peer_t *peer = s_hello (registry, "id-2", KIND, "w1", 2, 2000, &replaced);
    cr_assert_neq (peer, old);
    cr_assert_eq (replaced, old);
    /*  The old entry is still readable: the caller releases its leases by its key. */
    cr_assert_eq (old->state, PEER_GONE);
    cr_assert_str_eq (old->key, "69642d31");
    cr_assert_null (s_find (registry, "id-1"));
    cr_assert_eq (s_find (registry, "id-2"), peer);
    cr_assert_eq (s_find (registry, "id-9"), neighbour);
    cr_assert_eq (neighbour->state, PEER_READY);
    cr_assert_eq (registry_ready (registry), 2);
    /*  Kept for the snapshot, in registration order. */
    cr_assert_eq (s_position (registry, old), 0);
    cr_assert_eq (s_position (registry, neighbour), 1);
    cr_assert_eq (s_position (registry, peer), 2);
    s_expect_state (old, "gone");
    s_expect_state (peer, "ready");
    /*  Same instance name of another kind is another agent. */
    replaced = NULL;
    s_hello (registry, "id-3", "retrospective-analyzer", "w1", 1, 2000, &replaced);
    cr_assert_null (replaced);
    cr_assert_eq (s_find (registry, "id-2"), peer);
    registry_destroy (&registry);
}

Test (registry, instance_restarting_twice)
{
    /*  An agent that the fleet restarts twice: the second restart must hand back the
        first replacement (live until then) and keep it readable. */
    registry_t *registry = registry_new ();
    peer_t *first = s_hello (registry, "id-1", KIND, "w1", 1, 1000, NULL);
    peer_t *replaced = NULL;
    peer_t *second = s_hello (registry, "id-2", KIND, "w1", 1, 2000, &replaced);
    cr_assert_eq (replaced, first);
    second->leased = 1;

    replaced = NULL;
    peer_t *third = s_hello (registry, "id-3", KIND, "w1", 1, 3000, &replaced);
    cr_assert_eq (replaced, second);
    int position = s_position (registry, second);
    cr_expect_geq (position, 0,
                   "the replaced entry was freed inside registry_hello (use after free "
                   "for the caller)");
    if (position < 0) {
        registry_destroy (&registry);
        return;
    }
    cr_assert_eq (second->state, PEER_GONE);
    cr_assert_str_eq (second->key, "69642d32");
    cr_assert_eq (s_position (registry, first), -1, "a gone entry is forgotten on return");
    cr_assert_eq (s_find (registry, "id-3"), third);
    cr_assert_null (s_find (registry, "id-2"));
    cr_assert_eq (registry_ready (registry), 1);
    cr_assert_eq (s_listed (registry), 2);
    registry_destroy (&registry);
}

Test (registry, instance_returning_after_restart_and_loss)
{
    /*  Restarted once (the first entry is gone), then lost (no heartbeat), then back:
        both old entries are forgotten, nothing is replaced. */
    registry_t *registry = registry_new ();
    s_hello (registry, "id-1", KIND, "w1", 1, 1000, NULL);
    peer_t *second = s_hello (registry, "id-2", KIND, "w1", 1, 2000, NULL);
    registry_mark (registry, second, PEER_LOST);
    cr_assert_eq (s_listed (registry), 2);
    cr_assert_eq (registry_ready (registry), 0);

    peer_t *replaced = (peer_t *)(uintptr_t)0x1;
    peer_t *third = s_hello (registry, "id-3", KIND, "w1", 1, 9000, &replaced);
    cr_assert_null (replaced);
    cr_assert_eq (registry_first (registry), third);
    cr_assert_null (registry_next (registry));
    cr_assert_eq (registry_ready (registry), 1);
    registry_destroy (&registry);
}

Test (registry, same_identity_new_kind)
{
    /*  One connection says hello as another agent: the old registration ends. */
    registry_t *registry = registry_new ();
    peer_t *old = s_hello (registry, "id-1", KIND, "w1", 1, 1000, NULL);
    peer_t *replaced = NULL;
    peer_t *peer =
        s_hello (registry, "id-1", "retrospective-analyzer", "r1", 1, 2000, &replaced);
    cr_assert_neq (peer, old);
    cr_assert_eq (replaced, old);
    cr_assert_eq (old->state, PEER_GONE);
    cr_assert_eq (s_find (registry, "id-1"), peer);
    cr_assert_str_eq (peer->kind, "retrospective-analyzer");
    cr_assert_eq (registry_ready (registry), 1);
    registry_destroy (&registry);
}

Test (registry, lost_identity_says_hello_again)
{
    registry_t *registry = registry_new ();
    peer_t *old = s_hello (registry, "id-1", KIND, "w1", 1, 1000, NULL);
    registry_mark (registry, old, PEER_LOST);
    cr_assert_null (s_find (registry, "id-1"));
    peer_t *replaced = (peer_t *)(uintptr_t)0x1;
    peer_t *peer = s_hello (registry, "id-1", KIND, "w1", 1, 9000, &replaced);
    cr_assert_null (replaced, "a lost entry has no leases to hand back");
    cr_assert_eq (s_find (registry, "id-1"), peer);
    cr_assert_eq (peer->state, PEER_READY);
    cr_assert_eq (s_listed (registry), 1);
    registry_destroy (&registry);
}

Test (registry, next_silent_honours_the_timeout)
{
    registry_t *registry = registry_new ();
    peer_t *a = s_hello (registry, "id-a", KIND, "a", 1, 1000, NULL);
    peer_t *b = s_hello (registry, "id-b", KIND, "b", 1, 5000, NULL);
    cr_assert_null (registry_next_silent (registry, 6000, 5000),
                    "exactly the timeout is alive");
    cr_assert_eq (registry_next_silent (registry, 6001, 5000), a);
    /*  Heard from again (a repeated hello, or a heartbeat setting last_seen_ms). */
    s_hello (registry, "id-a", KIND, "a", 1, 6001, NULL);
    cr_assert_null (registry_next_silent (registry, 6001, 5000));
    cr_assert_eq (registry_next_silent (registry, 10001, 5000), b);

    /*  The broker's loop: mark each silent one lost until none is left. */
    int lost = 0;
    peer_t *peer;
    while ((peer = registry_next_silent (registry, 20000, 5000))) {
        cr_assert_lt (lost, 2, "a lost peer is returned again");
        registry_mark (registry, peer, PEER_LOST);
        lost++;
    }
    cr_assert_eq (lost, 2);
    cr_assert_eq (a->state, PEER_LOST);
    cr_assert_eq (b->state, PEER_LOST);
    cr_assert_null (registry_next_silent (registry, 99999, 0));
    registry_destroy (&registry);
}

Test (registry, mark_removes_from_find_but_keeps_listing)
{
    registry_t *registry = registry_new ();
    peer_t *a = s_hello (registry, "id-a", KIND, "a", 2, 1000, NULL);
    peer_t *b = s_hello (registry, "id-b", KIND, "b", 2, 1000, NULL);
    peer_t *c = s_hello (registry, "id-c", KIND, "c", 2, 1000, NULL);
    a->leased = 2;
    registry_mark (registry, a, PEER_LOST);
    cr_assert_eq (a->state, PEER_LOST);
    cr_assert_eq (a->leased, 0, "a lost agent holds nothing");
    cr_assert_null (s_find (registry, "id-a"));
    cr_assert_eq (registry_ready (registry), 2);
    registry_mark (registry, b, PEER_GONE);
    cr_assert_null (s_find (registry, "id-b"));
    cr_assert_eq (s_find (registry, "id-c"), c);
    cr_assert_eq (registry_ready (registry), 1);
    /*  Marking again is harmless. */
    registry_mark (registry, b, PEER_GONE);
    cr_assert_eq (registry_ready (registry), 1);
    cr_assert_eq (s_listed (registry), 3);
    cr_assert_eq (s_position (registry, a), 0);
    cr_assert_eq (s_position (registry, b), 1);
    cr_assert_eq (s_position (registry, c), 2);
    registry_destroy (&registry);
}

Test (registry, iteration_in_registration_order)
{
    registry_t *registry = registry_new ();
    peer_t *peers[6];
    for (int i = 0; i < 6; i++) {
        char identity[16], instance[16];
        snprintf (identity, sizeof identity, "conn-%d", 5 - i);
        snprintf (instance, sizeof instance, "w%d", (i * 7) % 6);
        peers[i] = s_hello (registry, identity, KIND, instance, 1, 1000 + i, NULL);
    }
    int i = 0;
    for (peer_t *p = registry_first (registry); p; p = registry_next (registry), i++) {
        cr_assert_lt (i, 6);
        cr_assert_eq (p, peers[i], "position %d", i);
    }
    cr_assert_eq (i, 6);
    /*  Iteration can start over at any time. */
    cr_assert_eq (registry_first (registry), peers[0]);
    cr_assert_eq (registry_next (registry), peers[1]);
    registry_destroy (&registry);
}

Test (registry, state_names_for_the_snapshot)
{
    cr_assert_str_eq (registry_state_name (PEER_READY), "ready");
    cr_assert_str_eq (registry_state_name (PEER_LOST), "lost");
    cr_assert_str_eq (registry_state_name (PEER_GONE), "gone");

    registry_t *registry = registry_new ();
    peer_t *a = s_hello (registry, "id-a", KIND, "a", 3, 1000, NULL);
    peer_t *b = s_hello (registry, "id-b", KIND, "b", 3, 1000, NULL);
    peer_t *c = s_hello (registry, "id-c", KIND, "c", 3, 1000, NULL);
    s_expect_state (a, "ready");
    a->leased = 2;
    Campaign__AgentState agent;
    registry_state (a, &agent);
    cr_assert_str_eq (agent.state, "busy");
    cr_assert_str_eq (agent.kind, KIND);
    cr_assert_str_eq (agent.instance, "a");
    cr_assert (agent.has_leased && agent.has_capacity && agent.has_last_seen_ms);
    cr_assert_eq (agent.leased, 2);
    cr_assert_eq (agent.capacity, 3);
    b->leased = 1;
    registry_mark (registry, b, PEER_LOST);
    s_expect_state (b, "lost");
    registry_mark (registry, c, PEER_GONE);
    s_expect_state (c, "gone");
    c->leased = 1; /* even with a stale count, gone is gone */
    s_expect_state (c, "gone");
    registry_destroy (&registry);
}

Test (registry, state_last_seen_is_not_the_join_time)
{
    /*  AgentState.last_seen_ms tells an operator when the agent was last heard from
        (wall clock, like every instant on the wire). An agent heard from 8 s after it
        joined must not show its join time. */
    registry_t *registry = registry_new ();
    zframe_t *frame = s_identity ("id-a");
    peer_t *replaced = NULL;
    bool fresh = false;
    peer_t *peer =
        registry_hello (registry, frame, KIND, "a", 1, 1000, 1700000001000, &replaced, &fresh);
    cr_assert_not_null (peer);
    cr_expect (fresh, "a first hello makes a new entry");
    peer =
        registry_hello (registry, frame, KIND, "a", 1, 9000, 1700000009000, &replaced, &fresh);
    cr_expect (!fresh, "a repeated hello on the same connection is the same entry");
    zframe_destroy (&frame);
    Campaign__AgentState agent;
    registry_state (peer, &agent);
    cr_expect_eq (agent.last_seen_ms, 1700000009000,
                  "last_seen_ms is %lld: the join time, not when it was last heard from",
                  (long long)agent.last_seen_ms);
    registry_destroy (&registry);
}
