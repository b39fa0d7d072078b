/*  registry.c: agents by identity (see registry.h). */
#include "registry.h"

#include <string.h>

struct _registry_t {
    zlistx_t *peers;  /* peer_t, owned, registration order */
    zhashx_t *by_key; /* key -> peer_t (ready ones) */
};

static void
s_peer_free (void **item)
{
    peer_t *peer = *item;
    if (peer) {
        zframe_destroy (&peer->identity);
        free (peer->kind);
        free (peer->instance);
        free (peer);
        *item = NULL;
    }
}

registry_t *
registry_new (void)
{
    registry_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->peers = zlistx_new ();
    self->by_key = zhashx_new ();
    if (!self->peers || !self->by_key) {
        registry_destroy (&self);
        return NULL;
    }
    zlistx_set_destructor (self->peers, s_peer_free);
    return self;
}

void
registry_destroy (registry_t **self_p)
{
    if (self_p && *self_p) {
        registry_t *self = *self_p;
        zhashx_destroy (&self->by_key);
        zlistx_destroy (&self->peers);
        free (self);
        *self_p = NULL;
    }
}

void
registry_key (zframe_t *identity, char *key)
{
    static const char hex[] = "0123456789abcdef";
    /*  ZeroMQ identities are at most 255 bytes; REGISTRY_KEY_MAX holds them whole. */
    size_t size = zframe_size (identity);
    if (size > 255)
        size = 255;
    const uint8_t *data = zframe_data (identity);
    for (size_t i = 0; i < size; i++) {
        key[2 * i] = hex[data[i] >> 4];
        key[2 * i + 1] = hex[data[i] & 15];
    }
    key[2 * size] = '\0';
}

peer_t *
registry_find (registry_t *self, zframe_t *identity)
{
    char key[REGISTRY_KEY_MAX];
    registry_key (identity, key);
    return zhashx_lookup (self->by_key, key);
}

void
registry_mark (registry_t *self, peer_t *peer, peer_state_t state)
{
    if (peer->state == PEER_READY && state != PEER_READY)
        zhashx_delete (self->by_key, peer->key);
    peer->state = state;
    peer->leased = 0;
}

peer_t *
registry_hello (registry_t *self, zframe_t *identity, const char *kind, const char *instance,
                uint32_t capacity, int64_t now_ms, int64_t wall_ms, peer_t **replaced,
                bool *fresh)
{
    *replaced = NULL;
    *fresh = false;
    char key[REGISTRY_KEY_MAX];
    registry_key (identity, key);
    peer_t *peer = zhashx_lookup (self->by_key, key);
    if (peer && strcmp (peer->kind, kind) == 0 && strcmp (peer->instance, instance) == 0) {
        peer->capacity = capacity;
        peer->last_seen_ms = now_ms;
        peer->last_seen_wall_ms = wall_ms;
        return peer; /* a repeated hello on the same connection */
    }
    /*  Drop old entries of this kind/instance: a live one on another connection is
        replaced, a lost or gone one is forgotten. */
    for (peer_t *old = zlistx_first (self->peers); old; old = zlistx_next (self->peers)) {
        bool same = strcmp (old->kind, kind) == 0 && strcmp (old->instance, instance) == 0;
        bool same_key = strcmp (old->key, key) == 0;
        if (!same && !same_key)
            continue;
        if (old->state == PEER_READY) {
            registry_mark (self, old, PEER_GONE);
            if (!*replaced)
                *replaced = old;
        } else
            /*  Deleting at the cursor steps it back, so zlistx_next goes on right. */
            zlistx_delete (self->peers, zlistx_cursor (self->peers));
    }
    peer = calloc (1, sizeof *peer);
    if (!peer)
        return NULL;
    memcpy (peer->key, key, sizeof key);
    peer->identity = zframe_dup (identity);
    peer->kind = strdup (kind);
    peer->instance = strdup (instance);
    if (!peer->identity || !peer->kind || !peer->instance) {
        void *item = peer;
        s_peer_free (&item);
        return NULL;
    }
    peer->capacity = capacity ? capacity : 1;
    peer->last_seen_ms = now_ms;
    peer->joined_ms = wall_ms;
    peer->last_seen_wall_ms = wall_ms;
    peer->state = PEER_READY;
    zlistx_add_end (self->peers, peer);
    zhashx_insert (self->by_key, key, peer);
    *fresh = true;
    return peer;
}

peer_t *
registry_next_silent (registry_t *self, int64_t now_ms, int64_t timeout_ms)
{
    for (peer_t *peer = zhashx_first (self->by_key); peer; peer = zhashx_next (self->by_key))
        if (now_ms - peer->last_seen_ms > timeout_ms)
            return peer;
    return NULL;
}

peer_t *
registry_first (registry_t *self)
{
    return zlistx_first (self->peers);
}

peer_t *
registry_next (registry_t *self)
{
    return zlistx_next (self->peers);
}

size_t
registry_ready (registry_t *self)
{
    return zhashx_size (self->by_key);
}

const char *
registry_state_name (peer_state_t state)
{
    switch (state) {
    case PEER_READY: return "ready";
    case PEER_LOST: return "lost";
    default: return "gone";
    }
}

void
registry_state (const peer_t *peer, Campaign__AgentState *state)
{
    campaign__agent_state__init (state);
    state->kind = peer->kind;
    state->instance = peer->instance;
    state->state = (char *)(peer->state == PEER_READY && peer->leased > 0
                                ? "busy"
                                : registry_state_name (peer->state));
    state->has_leased = state->has_capacity = state->has_last_seen_ms = 1;
    state->leased = peer->leased;
    state->capacity = peer->capacity;
    state->last_seen_ms = peer->last_seen_wall_ms;
}
