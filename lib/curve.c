/*  curve.c: the client side of CURVE (see curve.h). */
#include "curve.h"

#include <stdio.h>
#include <string.h>

struct _curve_t {
    zcert_t *cert;
    char server_key[41];
    char identity[160];
};

/*  The broker's public key: Z85 text itself, or the path of its public certificate. */
static int
s_server_key (const char *value, char *key, err_t *err)
{
    if (strlen (value) == 40 && !strchr (value, '/')) {
        snprintf (key, 41, "%s", value);
        return 0;
    }
    zcert_t *cert = zcert_load (value);
    if (!cert)
        return err_set (err, ERR_INVALID,
                        "curve.broker_public_key: cannot read the broker's certificate '%s' "
                        "(campaign-keys broker writes it)",
                        value);
    snprintf (key, 41, "%s", zcert_public_txt (cert));
    zcert_destroy (&cert);
    return 0;
}

int
curve_from_conf (conf_t *conf, const char *agent_kind, curve_t **out, err_t *err)
{
    *out = NULL;
    const char *path = NULL, *agents_dir = NULL, *server = NULL;
    int rc = conf_string (conf, "curve.certificate", "", &path, err);
    if (!rc)
        rc = conf_string (conf, "curve.agent_certificates", "", &agents_dir, err);
    if (!rc)
        rc = conf_string (conf, "curve.broker_public_key", "", &server, err);
    if (rc)
        return rc;
    char agent_path[4096];
    if (agent_kind && *agents_dir) {
        snprintf (agent_path, sizeof agent_path, "%s/%s.cert", agents_dir, agent_kind);
        path = agent_path;
    }
    if (!*path)
        return 0;
    if (!*server)
        return err_set (err, ERR_INVALID,
                        "curve.certificate is set (%s) but curve.broker_public_key is not: "
                        "a CURVE client needs the broker's public certificate",
                        path);
    curve_t *self = calloc (1, sizeof *self);
    if (!self)
        return err_set (err, ERR_NOMEM, "out of memory");
    char secret[4200];
    snprintf (secret, sizeof secret, "%s_secret", path);
    self->cert = zsys_file_exists (secret) ? zcert_load (path) : NULL;
    if (!self->cert) {
        free (self);
        return err_set (err, ERR_INVALID,
                        "%s: cannot read the certificate '%s' with its secret key '%s' "
                        "(campaign-keys person|agent writes both)",
                        agent_kind && *agents_dir ? "curve.agent_certificates"
                                                  : "curve.certificate",
                        path, secret);
    }
    if ((rc = s_server_key (server, self->server_key, err))) {
        curve_destroy (&self);
        return rc;
    }
    const char *person = zcert_meta (self->cert, "person");
    const char *kind = zcert_meta (self->cert, "agent-kind");
    snprintf (self->identity, sizeof self->identity, "%s %s", person ? "person" : "agent",
              person ? person
              : kind ? kind
                     : "?");
    *out = self;
    return 0;
}

void
curve_destroy (curve_t **self_p)
{
    if (self_p && *self_p) {
        zcert_destroy (&(*self_p)->cert);
        free (*self_p);
        *self_p = NULL;
    }
}

void
curve_apply (const curve_t *self, zsock_t *sock)
{
    if (!self)
        return;
    zcert_apply (self->cert, sock);
    zsock_set_curve_serverkey (sock, self->server_key);
}

const char *
curve_person (const curve_t *self)
{
    return self ? zcert_meta (self->cert, "person") : NULL;
}

const char *
curve_identity (const curve_t *self)
{
    return self ? self->identity : "plaintext";
}
