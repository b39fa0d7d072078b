/*  security.c: CURVE on the broker's sockets (see security.h). */
#include "security.h"

#include "log.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define SECURITY_PLAINTEXT_WORDS "plaintext is intended"

struct _security_t {
    zcert_t *cert;
    char *certificates_dir;
    zsock_t *zap;   /* our ZAP handler (RFC 27): REP on inproc://zeromq.zap.01 */
    zhashx_t *keys; /* public key (Z85) -> "p<person>" or "a<agent kind>" */
    struct timespec dir_mtime;
    bool loaded;
    bool allow_simulators;
};

static bool
s_local (const char *endpoint)
{
    static const char *const local[] = {"ipc://",           "inproc://",    "tcp://127.",
                                        "tcp://localhost:", "tcp://[::1]:", NULL};
    for (int i = 0; local[i]; i++)
        if (strncmp (endpoint, local[i], strlen (local[i])) == 0)
            return true;
    return false;
}

int
security_load (conf_t *conf, const char *endpoint, const char *status_endpoint,
               security_t **out, err_t *err)
{
    *out = NULL;
    const char *key_file, *dir, *plaintext;
    bool simulators = false;
    int rc = conf_string (conf, "broker.curve.secret_key_file", "", &key_file, err);
    if (!rc)
        rc = conf_bool (conf, "broker.curve.allow_simulators", false, &simulators, err);
    if (!rc)
        rc = conf_string (conf, "broker.curve.certificates_dir", "", &dir, err);
    if (!rc)
        rc = conf_string (conf, "broker.curve.plaintext", "", &plaintext, err);
    if (rc)
        return rc;
    if (!*key_file) {
        const char *open = !s_local (endpoint)          ? endpoint
                           : !s_local (status_endpoint) ? status_endpoint
                                                        : NULL;
        if (open && strcmp (plaintext, SECURITY_PLAINTEXT_WORDS) != 0)
            return err_set (err, ERR_INVALID,
                            "%s is not a local endpoint and broker.curve.secret_key_file is "
                            "not set: anyone who reaches it could submit as anyone. Create "
                            "keys with campaign-keys, or say broker.curve.plaintext = \"%s\"",
                            open, SECURITY_PLAINTEXT_WORDS);
        if (open)
            log_warn ("%s without CURVE: broker.curve.plaintext says it is intended", open);
        return 0;
    }
    if (!*dir)
        return err_set (err, ERR_INVALID,
                        "broker.curve.secret_key_file is set but broker.curve.certificates_dir "
                        "is not: CURVE needs the directory of allowed certificates");
    struct stat st;
    if (stat (dir, &st) != 0 || !S_ISDIR (st.st_mode))
        return err_set (err, ERR_INVALID,
                        "broker.curve.certificates_dir '%s' is not a directory "
                        "(campaign-keys person|agent creates it)",
                        dir);
    char secret[4200];
    snprintf (secret, sizeof secret, "%s_secret", key_file);
    zcert_t *cert = zsys_file_exists (secret) ? zcert_load (key_file) : NULL;
    if (!cert)
        return err_set (err, ERR_INVALID,
                        "broker.curve.secret_key_file: cannot read the broker's certificate "
                        "'%s' and its secret key '%s' (campaign-keys broker writes them)",
                        key_file, secret);
    security_t *self = calloc (1, sizeof *self);
    if (!self || !(self->certificates_dir = strdup (dir)) || !(self->keys = zhashx_new ())) {
        zcert_destroy (&cert);
        if (self)
            free (self->certificates_dir);
        free (self);
        return err_set (err, ERR_NOMEM, "out of memory");
    }
    self->cert = cert;
    self->allow_simulators = simulators;
    if (simulators)
        log_warn ("broker.curve.allow_simulators: simulator certificates may submit as "
                  "anyone on the roster (a rehearsal, not a real campaign)");
    zhashx_set_destructor (self->keys, (zhashx_destructor_fn *)zstr_free);
    security_refresh (self);
    *out = self;
    return 0;
}

void
security_destroy (security_t **self_p)
{
    if (self_p && *self_p) {
        security_t *self = *self_p;
        zsock_destroy (&self->zap);
        zcert_destroy (&self->cert);
        zhashx_destroy (&self->keys);
        free (self->certificates_dir);
        free (self);
        *self_p = NULL;
    }
}

int
security_start (security_t *self, zsock_t *router, zsock_t *pub, err_t *err)
{
    /*  Our own ZAP handler rather than czmq's zauth: the same certificates, but it can
        tell the ROUTER's connections (domain "campaign") from the status topic's
        subscribers (domain "status"), which roles.read_status may restrict. */
    self->zap = zsock_new (ZMQ_REP);
    if (!self->zap || zsock_bind (self->zap, "inproc://zeromq.zap.01") != 0)
        return err_set (err, ERR_IO, "cannot start the ZAP handler: %s",
                        zmq_strerror (zmq_errno ()));
    zsock_t *socks[] = {router, pub};
    const char *domains[] = {"campaign", "status"};
    for (int i = 0; i < 2; i++) {
        zcert_apply (self->cert, socks[i]);
        zsock_set_curve_server (socks[i], 1);
        zsock_set_zap_domain (socks[i], domains[i]);
    }
    log_info ("CURVE on: broker key %s, certificates in %s (%zu)",
              zcert_public_txt (self->cert), self->certificates_dir, zhashx_size (self->keys));
    return 0;
}

zsock_t *
security_zap (security_t *self)
{
    return self->zap;
}

/*  Who holds a Z85 public key. */
static void
s_holder (security_t *self, const char *key, security_peer_t *peer)
{
    peer->kind = SECURITY_NOBODY;
    peer->name[0] = '\0';
    const char *value = key ? zhashx_lookup (self->keys, key) : NULL;
    if (!value || !value[1])
        return;
    peer->kind = value[0] == 'p'   ? SECURITY_PERSON
                 : value[0] == 'a' ? SECURITY_AGENT
                                   : SECURITY_SIMULATOR;
    snprintf (peer->name, sizeof peer->name, "%s", value + 1);
}

void
security_zap_answer (security_t *self, security_status_fn *may_read, void *arg)
{
    zmsg_t *request = zmsg_recv (self->zap);
    if (!request)
        return;
    /*  version, request id, domain, address, identity, mechanism, credentials... */
    char *version = zmsg_popstr (request), *id = zmsg_popstr (request);
    char *domain = zmsg_popstr (request), *address = zmsg_popstr (request);
    zframe_t *identity = zmsg_pop (request);
    char *mechanism = zmsg_popstr (request);
    zframe_t *key = zmsg_pop (request);
    const char *status = "400", *text = "no valid certificate";
    char user[41] = "";
    security_peer_t peer = {SECURITY_NOBODY, ""};
    if (mechanism && strcmp (mechanism, "CURVE") == 0 && key && zframe_size (key) == 32) {
        zmq_z85_encode (user, zframe_data (key), 32);
        security_refresh (self);
        s_holder (self, user, &peer);
        if (peer.kind == SECURITY_NOBODY)
            text = "unknown or revoked certificate";
        else if (domain && strcmp (domain, "status") == 0 && peer.kind == SECURITY_PERSON &&
                 may_read && !may_read (arg, &peer)) {
            text = "this person's role may not read the status topic";
            log_warn ("status subscription from %s (%s) refused: roles.read_status", peer.name,
                      address ? address : "?");
        } else {
            status = "200";
            text = "OK";
        }
    } else
        text = "only CURVE is accepted";
    zmsg_t *reply = zmsg_new ();
    zmsg_addstr (reply, "1.0");
    zmsg_addstr (reply, id ? id : "");
    zmsg_addstr (reply, status);
    zmsg_addstr (reply, text);
    zmsg_addstr (reply, *status == '2' ? user : "");
    zmsg_addmem (reply, NULL, 0); /* no metadata */
    zmsg_send (&reply, self->zap);
    zstr_free (&version);
    zstr_free (&id);
    zstr_free (&domain);
    zstr_free (&address);
    zstr_free (&mechanism);
    zframe_destroy (&identity);
    zframe_destroy (&key);
    zmsg_destroy (&request);
}

void
security_refresh (security_t *self)
{
    struct stat st;
    if (stat (self->certificates_dir, &st) != 0) {
        zhashx_purge (self->keys); /* gone: nobody is allowed */
        self->loaded = false;
        return;
    }
    if (self->loaded && st.st_mtim.tv_sec == self->dir_mtime.tv_sec &&
        st.st_mtim.tv_nsec == self->dir_mtime.tv_nsec)
        return;
    self->dir_mtime = st.st_mtim;
    self->loaded = true;
    zhashx_purge (self->keys);
    DIR *dir = opendir (self->certificates_dir);
    struct dirent *entry;
    while (dir && (entry = readdir (dir))) {
        size_t len = strlen (entry->d_name);
        if (entry->d_name[0] == '.' ||
            (len > 7 && strcmp (entry->d_name + len - 7, "_secret") == 0))
            continue;
        char path[4400];
        snprintf (path, sizeof path, "%s/%s", self->certificates_dir, entry->d_name);
        zcert_t *cert = zcert_load (path);
        if (!cert)
            continue;
        const char *person = zcert_meta (cert, "person");
        const char *kind = zcert_meta (cert, "agent-kind");
        const char *simulator = zcert_meta (cert, "simulator");
        char value[160];
        snprintf (value, sizeof value, "%c%s",
                  person ? 'p'
                  : kind ? 'a'
                         : 's',
                  person      ? person
                  : kind      ? kind
                  : simulator ? simulator
                              : "");
        if (person || kind || (simulator && self->allow_simulators)) {
            char *copy = strdup (value);
            if (copy && zhashx_insert (self->keys, zcert_public_txt (cert), copy) != 0)
                free (copy);
        }
        zcert_destroy (&cert);
    }
    if (dir)
        closedir (dir);
    log_info ("certificates in %s: %zu allowed", self->certificates_dir,
              zhashx_size (self->keys));
}

void
security_peer (security_t *self, zframe_t *frame, security_peer_t *peer)
{
    s_holder (self, zframe_meta (frame, "User-Id"), peer);
}

const char *
security_describe (const security_peer_t *peer, char *buf, size_t size)
{
    if (peer->kind == SECURITY_NOBODY)
        snprintf (buf, size, "no valid certificate (unknown or revoked)");
    else
        snprintf (buf, size, "%s %s",
                  peer->kind == SECURITY_PERSON  ? "person"
                  : peer->kind == SECURITY_AGENT ? "agent"
                                                 : "simulator",
                  peer->name);
    return buf;
}
