/*  registry.h: the agents the broker knows, by ROUTER identity.

    An agent enters with hello (kind, instance, capacity) and stays while it is heard
    from; silence longer than liveness x heartbeat makes it lost, and the broker
    re-queues its leases. A hello from the same kind/instance on a new connection
    replaces the old entry (the process restarted). Entries are kept after they leave
    (state "gone"/"lost") so the snapshot can show them, until the same instance
    returns.
*/
#ifndef CAMPAIGN_REGISTRY_H
#define CAMPAIGN_REGISTRY_H

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#include "campaign.pb-c.h"

typedef enum { PEER_READY, PEER_LOST, PEER_GONE } peer_state_t;

#define REGISTRY_KEY_MAX 512 /* hex of a 255-byte identity, and the NUL */

typedef struct {
    char key[REGISTRY_KEY_MAX]; /* hex of the ROUTER identity */
    zframe_t *identity;
    char *kind;
    char *instance;
    uint32_t capacity;
    uint32_t leased;           /* tasks the broker has leased to it now */
    int64_t last_seen_ms;      /* monotonic */
    int64_t joined_ms;         /* wall clock */
    int64_t last_seen_wall_ms; /* wall clock, for people */
    peer_state_t state;
} peer_t;

typedef struct _registry_t registry_t;

registry_t *registry_new (void);
void registry_destroy (registry_t **self_p);

/*  Hex key of an identity frame into key (REGISTRY_KEY_MAX bytes). */
void registry_key (zframe_t *identity, char *key);

/*  Register (or re-register) an agent. If another live entry has the same kind and
    instance, it is marked gone and returned in *replaced (its key stays valid until
    the next registry call) so the caller can release its leases. *fresh says whether
    the entry is new (false for a repeated hello on the same connection). NULL on OOM. */
peer_t *registry_hello (registry_t *self, zframe_t *identity, const char *kind,
                        const char *instance, uint32_t capacity, int64_t now_ms,
                        int64_t wall_ms, peer_t **replaced, bool *fresh);

/*  The live (ready) entry for an identity, or NULL. */
peer_t *registry_find (registry_t *self, zframe_t *identity);

void registry_mark (registry_t *self, peer_t *peer, peer_state_t state);

/*  First ready peer silent since before now_ms - timeout_ms, or NULL. */
peer_t *registry_next_silent (registry_t *self, int64_t now_ms, int64_t timeout_ms);

/*  Iterate all entries (any state), in registration order. */
peer_t *registry_first (registry_t *self);
peer_t *registry_next (registry_t *self);

size_t registry_ready (registry_t *self);

void registry_state (const peer_t *peer, Campaign__AgentState *state);
const char *registry_state_name (peer_state_t state);

#endif
