/*  broker.h: campaign-broker, the owner of one campaign.

    Binds a ROUTER socket (agents and tools) and a PUB socket (status topic) from the
    configuration, opens the campaign's store under broker.state_dir, and runs one loop:
    each turn reads a batch of messages, handles each with the handler named after its
    message (hello, heartbeat, result, failure, goodbye, submission, snapshot_request),
    leases queued tasks to agents with free capacity, commits once (group commit), and
    only then sends acknowledgements and tasks and publishes status events.
*/
#ifndef CAMPAIGN_BROKER_H
#define CAMPAIGN_BROKER_H

#include "conf.h"
#include "err.h"

typedef struct _broker_t broker_t;

/*  Read settings, lock the pid file, open the store, bind the sockets. ERR_INVALID
    (configuration: exit 4), ERR_STATE (another broker holds this campaign),
    ERR_STORAGE / ERR_IO (exit 1); err says what and where. */
int broker_new (conf_t *conf, broker_t **out, err_t *err);
void broker_destroy (broker_t **self_p);

/*  Serve until SIGTERM/SIGINT; SIGHUP re-reads log.level from the configuration
    files. 0 after a clean stop, ERR_STORAGE if the store failed beyond recovery. */
int broker_run (broker_t *self);

#endif
