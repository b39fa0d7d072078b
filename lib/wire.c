/*  wire.c: envelope identifiers, packing and validation (see wire.h).

    Everything that arrives from a socket passes wire_unpack before any handler reads it;
    that is the project's one place where wire bytes become trusted structures.
*/
#include "wire.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>

void
wire_id_new (char *out)
{
    uint8_t raw[16];
    size_t got = 0;
    while (got < sizeof raw) {
        ssize_t n = getrandom (raw + got, sizeof raw - got, 0);
        if (n > 0)
            got += (size_t)n;
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof raw; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[2 * sizeof raw] = '\0';
}

int64_t
wire_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
wire_out_init (wire_out_t *out, const char *campaign, const char *sender,
               const char *correlation_id)
{
    campaign__envelope__init (&out->env);
    wire_id_new (out->id);
    out->env.has_schema_version = 1;
    out->env.schema_version = WIRE_SCHEMA_VERSION;
    out->env.message_id = out->id;
    out->env.campaign_id = (char *)(campaign ? campaign : "");
    out->env.sender = (char *)(sender ? sender : "");
    if (correlation_id)
        out->env.correlation_id = (char *)correlation_id;
    out->env.has_sent_at_ms = 1;
    out->env.sent_at_ms = wire_now_ms ();
}

int
wire_pack (const wire_envelope_t *env, zframe_t **frame)
{
    size_t size = campaign__envelope__get_packed_size (env);
    zframe_t *packed = zframe_new (NULL, size);
    if (!packed)
        return ERR_NOMEM;
    campaign__envelope__pack (env, zframe_data (packed));
    *frame = packed;
    return 0;
}

static bool
s_body_known (int body_case)
{
    return strcmp (wire_body_name (body_case), "none") != 0;
}

int
wire_unpack (const void *data, size_t size, size_t max_bytes, wire_envelope_t **out, err_t *err)
{
    if (size > max_bytes)
        return err_set (err, ERR_TOOBIG, "envelope of %zu bytes is over the limit of %zu bytes",
                        size, max_bytes);
    wire_envelope_t *env = campaign__envelope__unpack (NULL, size, data);
    if (!env)
        return err_set (err, ERR_PARSE, "frame of %zu bytes is not a valid envelope", size);

    int rc = 0;
    if (!env->has_schema_version || env->schema_version != WIRE_SCHEMA_VERSION)
        rc = err_set (err, ERR_UNSUPPORTED, "schema version %u is not supported (this is %u)",
                      env->has_schema_version ? env->schema_version : 0, WIRE_SCHEMA_VERSION);
    else if (!env->message_id || !*env->message_id || strlen (env->message_id) > WIRE_ID_MAX)
        rc = err_set (err, ERR_INVALID, "envelope without a valid message id (1..%d chars)",
                      WIRE_ID_MAX);
    else if (!env->sender || !*env->sender)
        rc = err_set (err, ERR_INVALID, "envelope %s has no sender", env->message_id);
    else if (!s_body_known (env->body_case))
        rc = err_set (err, ERR_UNSUPPORTED, "envelope %s has no body this broker knows",
                      env->message_id);
    if (rc) {
        campaign__envelope__free_unpacked (env, NULL);
        return rc;
    }
    *out = env;
    return 0;
}

void
wire_free (wire_envelope_t **env_p)
{
    if (env_p && *env_p) {
        campaign__envelope__free_unpacked (*env_p, NULL);
        *env_p = NULL;
    }
}

int
wire_send (zsock_t *sock, zframe_t *identity, const wire_envelope_t *env)
{
    zframe_t *frame;
    int rc = wire_pack (env, &frame);
    if (rc)
        return rc;
    void *handle = zsock_resolve (sock);
    if (identity &&
        zmq_send (handle, zframe_data (identity), zframe_size (identity), ZMQ_SNDMORE) < 0) {
        zframe_destroy (&frame);
        return ERR_IO;
    }
    rc = zmq_send (handle, zframe_data (frame), zframe_size (frame), 0) < 0 ? ERR_IO : 0;
    zframe_destroy (&frame);
    return rc;
}

int
wire_recv (zsock_t *sock, bool router, size_t max_bytes, zframe_t **identity,
           wire_envelope_t **env, err_t *err)
{
    zmsg_t *msg = zmsg_recv (sock);
    if (!msg)
        return err_set (err, ERR_TIMEOUT, "nothing received");
    if (router) {
        zframe_t *id = zmsg_pop (msg);
        if (identity)
            *identity = id;
        else
            zframe_destroy (&id);
    }
    int rc;
    if (zmsg_size (msg) != 1)
        rc = err_set (err, ERR_PARSE, "expected one envelope frame, got %zu frames",
                      zmsg_size (msg));
    else {
        zframe_t *frame = zmsg_first (msg);
        rc = wire_unpack (zframe_data (frame), zframe_size (frame), max_bytes, env, err);
    }
    zmsg_destroy (&msg);
    return rc;
}

int
wire_publish_frame (zsock_t *pub, const char *topic, zframe_t *frame)
{
    void *handle = zsock_resolve (pub);
    if (zmq_send (handle, topic, strlen (topic), ZMQ_SNDMORE) < 0 ||
        zmq_send (handle, zframe_data (frame), zframe_size (frame), 0) < 0)
        return ERR_IO;
    return 0;
}

int
wire_publish (zsock_t *pub, const char *topic, const wire_envelope_t *env)
{
    zframe_t *frame;
    int rc = wire_pack (env, &frame);
    if (rc)
        return rc;
    rc = wire_publish_frame (pub, topic, frame);
    zframe_destroy (&frame);
    return rc;
}

size_t *
wire_repeated_count (ProtobufCMessage *message, unsigned field_id)
{
    const ProtobufCFieldDescriptor *field =
        protobuf_c_message_descriptor_get_field (message->descriptor, field_id);
    return (size_t *)((char *)message + field->quantifier_offset);
}

void ***
wire_repeated_items (ProtobufCMessage *message, unsigned field_id)
{
    const ProtobufCFieldDescriptor *field =
        protobuf_c_message_descriptor_get_field (message->descriptor, field_id);
    return (void ***)((char *)message + field->offset);
}

const char *
wire_body_name (int body_case)
{
    switch (body_case) {
    case CAMPAIGN__ENVELOPE__BODY_HELLO: return "hello";
    case CAMPAIGN__ENVELOPE__BODY_WELCOME: return "welcome";
    case CAMPAIGN__ENVELOPE__BODY_HEARTBEAT: return "heartbeat";
    case CAMPAIGN__ENVELOPE__BODY_TASK: return "task";
    case CAMPAIGN__ENVELOPE__BODY_RESULT: return "result";
    case CAMPAIGN__ENVELOPE__BODY_FAILURE: return "failure";
    case CAMPAIGN__ENVELOPE__BODY_GOODBYE: return "goodbye";
    case CAMPAIGN__ENVELOPE__BODY_SUBMISSION: return "submission";
    case CAMPAIGN__ENVELOPE__BODY_ACK: return "ack";
    case CAMPAIGN__ENVELOPE__BODY_REJECTION: return "rejection";
    case CAMPAIGN__ENVELOPE__BODY_SNAPSHOT_REQUEST: return "snapshot-request";
    case CAMPAIGN__ENVELOPE__BODY_SNAPSHOT: return "snapshot";
    case CAMPAIGN__ENVELOPE__BODY_PIPELINE_REQUEST: return "pipeline-request";
    case CAMPAIGN__ENVELOPE__BODY_PIPELINE: return "pipeline";
    case CAMPAIGN__ENVELOPE__BODY_AUDIT_REQUEST: return "audit-request";
    case CAMPAIGN__ENVELOPE__BODY_AUDIT: return "audit";
    case CAMPAIGN__ENVELOPE__BODY_STATUS_EVENT: return "status-event";
    default: return "none";
    }
}

const char *
wire_submission_name (int kind_case)
{
    switch (kind_case) {
    case CAMPAIGN__SUBMISSION__KIND_IMPORT_PORTFOLIO: return "import-portfolio";
    case CAMPAIGN__SUBMISSION__KIND_IMPORT_ROSTER: return "import-roster";
    case CAMPAIGN__SUBMISSION__KIND_IMPORT_HISTORY: return "import-history";
    case CAMPAIGN__SUBMISSION__KIND_TARGETS: return "targets";
    case CAMPAIGN__SUBMISSION__KIND_NOTE: return "note";
    case CAMPAIGN__SUBMISSION__KIND_STAGE: return "stage";
    case CAMPAIGN__SUBMISSION__KIND_OUTCOME: return "outcome";
    case CAMPAIGN__SUBMISSION__KIND_RETRO: return "retro";
    case CAMPAIGN__SUBMISSION__KIND_ADVANCE: return "advance";
    case CAMPAIGN__SUBMISSION__KIND_OVERRIDE_GATE: return "override-gate";
    case CAMPAIGN__SUBMISSION__KIND_ACK_HANDOFF: return "ack-handoff";
    case CAMPAIGN__SUBMISSION__KIND_RUN_TASK: return "run-task";
    default: return "none";
    }
}
