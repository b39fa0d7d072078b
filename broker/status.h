/*  status.h: the status topic (ZeroMQ Guide "Clone" pattern, publisher side).

    Every event gets the next sequence number; the sequence is persisted in the same
    store transaction as the change the event reports, and the event is published only
    after that transaction commits. So the sequence is gap-free and goes on across
    restarts, a snapshot taken after a commit carries the last sequence it includes,
    and a subscriber that applies only events above the snapshot's sequence misses
    nothing and counts nothing twice.
*/
#ifndef CAMPAIGN_STATUS_H
#define CAMPAIGN_STATUS_H

#include <czmq.h>
#include <stdint.h>

#include "campaign.pb-c.h"
#include "err.h"
#include "store.h"

typedef struct _status_t status_t;

/*  A publisher on pub (borrowed) for campaign; the sequence starts after the one
    persisted in store (meta "status_seq"). */
int status_new (zsock_t *pub, store_t *store, const char *campaign, status_t **out, err_t *err);
void status_destroy (status_t **self_p);

/*  Queue event on topic: sets seq, topic, at_ms, campaign_date and week, packs it.
    The event's own fields are borrowed only for the call. */
int status_emit (status_t *self, const char *topic, Campaign__StatusEvent *event,
                 const char *campaign_date, uint32_t week);

/*  Inside the caller's transaction: persist the sequence of the queued events. */
int status_persist (status_t *self, err_t *err);

/*  After commit: publish the queued events. After rollback: drop them and step the
    sequence back. */
void status_flush (status_t *self);
void status_discard (status_t *self);

/*  Last sequence published (or about to be, once flushed). */
uint64_t status_seq (status_t *self);

#endif
