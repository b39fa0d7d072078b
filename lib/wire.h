/*  wire.h: the envelope on the wire: identifiers, packing, validation, framing.

    Every message is one Campaign__Envelope (proto/campaign.proto) in one ZeroMQ frame.
    DEALER peers (agents, tools) send [envelope]; the broker's ROUTER sees
    [identity][envelope]; the status PUB socket sends [topic][envelope]. wire_unpack is
    the single gate for bytes from outside: it enforces the size limit, decodes, and
    checks what every receiver relies on (schema version, a message id, a sender, a
    known body), so handlers never see a half-formed envelope.
*/
#ifndef CAMPAIGN_WIRE_H
#define CAMPAIGN_WIRE_H

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#include "campaign.pb-c.h"
#include "err.h"

#define WIRE_SCHEMA_VERSION 1
#define WIRE_ID_MAX         64          /* longest message id accepted, NUL excluded */
#define WIRE_MAX_BYTES      (16u << 20) /* default size limit of one envelope */

typedef Campaign__Envelope wire_envelope_t;

/*  A fresh message id: 32 random hex digits (128 bits from getrandom), NUL-terminated
    in out (at least 33 bytes). */
void wire_id_new (char *out);

/*  Wall clock in Unix milliseconds. */
int64_t wire_now_ms (void);

/*  An outgoing envelope that owns its message id. Initialise, set env.body_case and the
    body pointer, then send. Strings passed in are borrowed: they must outlive the send. */
typedef struct {
    wire_envelope_t env;
    char id[WIRE_ID_MAX + 1];
} wire_out_t;

void wire_out_init (wire_out_t *out, const char *campaign, const char *sender,
                    const char *correlation_id);

/*  Pack env into a new frame. ERR_NOMEM on allocation failure. */
int wire_pack (const wire_envelope_t *env, zframe_t **frame);

/*  Decode and validate size bytes. ERR_TOOBIG if size > max_bytes, ERR_PARSE if the
    protobuf is malformed, ERR_UNSUPPORTED for another schema version or a body this
    build does not know, ERR_INVALID for a missing or oversized message id or sender.
    On success *out is owned by the caller (wire_free). */
int wire_unpack (const void *data, size_t size, size_t max_bytes, wire_envelope_t **out,
                 err_t *err);

void wire_free (wire_envelope_t **env_p);

/*  Send env on a DEALER (identity NULL) or to one ROUTER peer (identity is copied,
    not consumed). Non-blocking for ROUTER (ZMQ_ROUTER_MANDATORY is not set, so a gone
    peer drops silently); blocking per the socket's SNDTIMEO otherwise. */
int wire_send (zsock_t *sock, zframe_t *identity, const wire_envelope_t *env);

/*  Receive one envelope. With router true the first frame is the peer identity, and
    *identity is set (caller destroys) even when decoding fails, so a rejection can be
    sent back. ERR_TIMEOUT if nothing arrived (per RCVTIMEO), ERR_PARSE for a wrong
    frame count, otherwise what wire_unpack says. */
int wire_recv (zsock_t *sock, bool router, size_t max_bytes, zframe_t **identity,
               wire_envelope_t **env, err_t *err);

/*  Publish [topic][env] on a PUB socket. */
int wire_publish (zsock_t *pub, const char *topic, const wire_envelope_t *env);

/*  Publish [topic][frame] where frame is an already packed envelope (not consumed). */
int wire_publish_frame (zsock_t *pub, const char *topic, zframe_t *frame);

/*  The element count and the element array of a repeated field (by field number) of a
    message, through its descriptor: for code that treats messages of the same shape
    alike (the three import messages). The field must exist and be repeated. */
size_t *wire_repeated_count (ProtobufCMessage *message, unsigned field_id);
void ***wire_repeated_items (ProtobufCMessage *message, unsigned field_id);

/*  "hello", "submission", ... for logs; "none" when unset. */
const char *wire_body_name (int body_case);

/*  The submission kind as the CLI names it ("import-portfolio", "note", ...). */
const char *wire_submission_name (int kind_case);

#endif
