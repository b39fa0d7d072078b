/*  curve.h: CURVE transport security for the processes that connect to the broker
    (issue 9): tools, agents, status subscribers.

    A process with a certificate connects as a CURVE client: `curve.certificate` is the
    path of its certificate (zcert_save format: FILE holds the public key and metadata,
    FILE_secret the secret key), `curve.broker_public_key` the path of the broker's
    public certificate (or its public key in Z85, 40 characters). An agent looks for
    `curve.agent_certificates/<kind>.cert` first, so one configuration serves a machine's
    agents of several kinds. Without a certificate a process connects in plaintext,
    which a broker with CURVE on refuses at the handshake.

    The certificates come from campaign-keys (tools/keys/).
*/
#ifndef CAMPAIGN_CURVE_H
#define CAMPAIGN_CURVE_H

#include <czmq.h>

#include "conf.h"
#include "err.h"

typedef struct _curve_t curve_t;

/*  Read the settings above (agent_kind: the agent's kind, NULL for a tool). *out is
    NULL when no certificate is configured (plaintext). ERR_INVALID naming the setting
    and file when a certificate or key cannot be read. */
int curve_from_conf (conf_t *conf, const char *agent_kind, curve_t **out, err_t *err);
void curve_destroy (curve_t **self_p);

/*  Make sock a CURVE client of the broker before it connects. NULL self: nothing. */
void curve_apply (const curve_t *self, zsock_t *sock);

/*  The person id of a person's certificate (NULL for an agent's, or no certificate):
    what a tool submits as when no --as is given. */
const char *curve_person (const curve_t *self);

/*  The certificate's identity for messages: "person P-001" / "agent KIND". */
const char *curve_identity (const curve_t *self);

#endif
