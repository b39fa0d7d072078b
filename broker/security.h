/*  security.h: CURVE on the broker's sockets and who each message comes from (issue 9).

    Settings (broker.curve):
      secret_key_file   the broker's certificate (zcert_save format; FILE_secret holds
                        the secret key), written by `campaign-keys broker`
      certificates_dir  the public certificates of the people and agents allowed in,
                        each with metadata `person` or `agent-kind` (campaign-keys
                        person|agent); `campaign-keys revoke` removes one
      plaintext         on an endpoint that is not ipc://, inproc:// or loopback, the
                        broker refuses to start without a key unless this says
                        "plaintext is intended"
      allow_simulators  false (default): a simulator certificate (campaign-keys
                        simulator NAME) is refused like an unknown one; true: its holder
                        may submit as any person of the roster (--as), each submission
                        still checked against that person's role and audited, as a
                        rehearsal or demo campaign needs. Never on a real campaign.

    With a key, the broker's own ZAP handler (RFC 27, on the broker's loop) authenticates
    every connection to the ROUTER (domain "campaign") and PUB (domain "status") sockets
    against certificates_dir, re-read when the directory changes, so a new or revoked
    certificate counts for the next connection; a person subscribing to the status topic
    must also have a role roles.read_status allows. Connections made
    before a revocation are cut off here: each message's ZAP User-Id (the client's public
    key) is looked up in a copy of the directory this module reloads when the
    directory changes (checked once per loop turn), and a message whose key is no longer
    there is refused.
*/
#ifndef CAMPAIGN_SECURITY_H
#define CAMPAIGN_SECURITY_H

#include <czmq.h>
#include <stdbool.h>

#include "conf.h"
#include "err.h"

typedef struct _security_t security_t;

typedef enum {
    SECURITY_NOBODY,
    SECURITY_PERSON,
    SECURITY_AGENT,
    SECURITY_SIMULATOR /* plays the campaign's people (campaign-sim); see allow_simulators */
} security_kind_t;

typedef struct {
    security_kind_t kind;
    char name[128]; /* person id or agent kind */
} security_peer_t;

/*  Read broker.curve for a broker on endpoint and status_endpoint. *out is NULL when
    CURVE is off (no key, local endpoints or plaintext intended). ERR_INVALID naming the
    setting: a non-local endpoint without a key or the words, an unreadable key, a
    missing certificates directory. */
int security_load (conf_t *conf, const char *endpoint, const char *status_endpoint,
                   security_t **out, err_t *err);
void security_destroy (security_t **self_p);

/*  Bind the ZAP handler and make router and pub CURVE servers; call before binding
    them, and read security_zap in the loop (security_zap_answer). */
int security_start (security_t *self, zsock_t *router, zsock_t *pub, err_t *err);

/*  The ZAP handler's socket: readable when libzmq asks whether a connection may in. */
zsock_t *security_zap (security_t *self);

/*  May this person read the status topic? (roles.read_status) */
typedef bool (security_status_fn) (void *arg, const security_peer_t *peer);

/*  Answer one ZAP request: 200 with the client's key as User-Id for a certificate in
    certificates_dir (and, on the status domain, a person may_read allows; agents may),
    400 otherwise. */
void security_zap_answer (security_t *self, security_status_fn *may_read, void *arg);

/*  Reload the copy of certificates_dir if the directory changed (once per turn). */
void security_refresh (security_t *self);

/*  Who sent frame (a message part received on the ROUTER): a person or an agent of a
    certificate still in certificates_dir, or SECURITY_NOBODY. */
void security_peer (security_t *self, zframe_t *frame, security_peer_t *peer);

/*  "person P-001", "agent KIND", "no valid certificate" */
const char *security_describe (const security_peer_t *peer, char *buf, size_t size);

#endif
