/*  campaign-keys: CURVE certificates for a secured fleet (issue 9).

    The broker's key pair, and a certificate for each person and each agent kind: the
    secret half goes to its holder, the public half into the broker's certificates
    directory, with metadata naming the person or the agent kind (which the broker
    takes as the submitter's identity). Revoking removes the public half; the broker
    notices on its next turn and refuses the holder's messages from then on, without a
    restart.
*/
#include "cli.h"

#include <czmq.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char s_usage[] =
    "Usage: campaign-keys [-c FILE]... [-o PATH=VALUE]... COMMAND ...\n"
    "\n"
    "Create and manage the CURVE certificates of a secured fleet.\n"
    "\n"
    "Commands:\n"
    "  broker                 the broker's key pair, at broker.curve.secret_key_file\n"
    "                         (FILE and FILE_secret); refuses to overwrite one\n"
    "  person ID --out FILE   a person's certificate: FILE and FILE_secret for them\n"
    "                         (curve.certificate), the public half into the certificates\n"
    "                         directory as ID.cert (metadata person = ID)\n"
    "  agent KIND --out FILE  the same for an agent kind (metadata agent-kind = KIND);\n"
    "                         agents find it as curve.agent_certificates/KIND.cert\n"
    "  simulator NAME --out FILE  a simulator's certificate (metadata simulator = NAME):\n"
    "                         campaign-sim plays every person with it, on a broker whose\n"
    "                         broker.curve.allow_simulators is true (rehearsals, demos)\n"
    "  list                   every allowed certificate: name, person or agent kind, key\n"
    "  revoke NAME            remove NAME.cert from the certificates directory: the\n"
    "                         running broker refuses its holder from its next turn on\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE      configuration (repeatable; later files win)\n"
    "  -o, --option PATH=VAL  override one setting\n"
    "  -h, --help             this text\n"
    "      --version          print the version\n"
    "\n"
    "Settings used: broker.curve.secret_key_file, broker.curve.certificates_dir.\n"
    "Secret files are written mode 0600; hand each to its holder only.\n"
    "\n"
    "Exit codes: 0 ok, 1 refused (exists, not found), 2 usage, 4 configuration error.\n";

static bool
s_valid_name (const char *name)
{
    if (!name || !*name || strlen (name) > 100)
        return false;
    for (const char *p = name; *p; p++)
        if (!(('a' <= *p && *p <= 'z') || ('A' <= *p && *p <= 'Z') ||
              ('0' <= *p && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
            return false;
    return name[0] != '.';
}

static int
s_mkdir (const char *path)
{
    return mkdir (path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

static int
s_broker (const char *program, const char *key_file)
{
    char secret[4200];
    snprintf (secret, sizeof secret, "%s_secret", key_file);
    if (zsys_file_exists (key_file) || zsys_file_exists (secret)) {
        fprintf (stderr, "%s: %s exists already; remove it first to make a new broker key\n",
                 program, key_file);
        return CLI_EXIT_REJECTED;
    }
    zcert_t *cert = zcert_new ();
    zcert_set_meta (cert, "role", "campaign-broker");
    int rc = zcert_save (cert, key_file);
    if (rc == 0)
        chmod (secret, 0600);
    if (rc == 0)
        printf ("broker key: %s (public, give it to every client as "
                "curve.broker_public_key)\n            %s (secret, the broker's only)\n"
                "public key: %s\n",
                key_file, secret, zcert_public_txt (cert));
    else
        fprintf (stderr, "%s: cannot write %s: %s\n", program, key_file, strerror (errno));
    zcert_destroy (&cert);
    return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_REJECTED;
}

static int
s_issue (const char *program, const char *dir, const char *what, const char *name,
         const char *out)
{
    char public_path[4200];
    snprintf (public_path, sizeof public_path, "%s/%s.cert", dir, name);
    if (zsys_file_exists (public_path)) {
        fprintf (stderr, "%s: %s exists already (revoke %s first to issue a new one)\n",
                 program, public_path, name);
        return CLI_EXIT_REJECTED;
    }
    if (s_mkdir (dir) != 0) {
        fprintf (stderr, "%s: cannot create %s: %s\n", program, dir, strerror (errno));
        return CLI_EXIT_REJECTED;
    }
    zcert_t *cert = zcert_new ();
    zcert_set_meta (cert,
                    strcmp (what, "person") == 0  ? "person"
                    : strcmp (what, "agent") == 0 ? "agent-kind"
                                                  : "simulator",
                    "%s", name);
    char secret[4200];
    snprintf (secret, sizeof secret, "%s_secret", out);
    int rc = zcert_save (cert, out);
    if (rc == 0)
        chmod (secret, 0600);
    /*  Written last: the broker allows the key only once the holder's files exist. */
    if (rc == 0)
        rc = zcert_save_public (cert, public_path);
    if (rc == 0)
        printf ("%s %s: %s and %s (for them), %s (allowed by the broker)\npublic key: %s\n",
                what, name, out, secret, public_path, zcert_public_txt (cert));
    else
        fprintf (stderr, "%s: cannot write the certificate of %s: %s\n", program, name,
                 strerror (errno));
    zcert_destroy (&cert);
    return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_REJECTED;
}

static int
s_list (const char *program, const char *dir)
{
    zdir_t *listing = zdir_new (dir, NULL);
    if (!listing) {
        fprintf (stderr, "%s: cannot read %s\n", program, dir);
        return CLI_EXIT_REJECTED;
    }
    zfile_t **files = zdir_flatten (listing);
    printf ("%-24s %-9s %-34s %s\n", "name", "kind", "person / agent kind", "public key");
    for (size_t i = 0; files[i]; i++) {
        const char *path = zfile_filename (files[i], NULL);
        size_t len = strlen (path);
        if (len < 5 || strcmp (path + len - 5, ".cert") != 0)
            continue;
        zcert_t *cert = zcert_load (path);
        if (!cert)
            continue;
        const char *person = zcert_meta (cert, "person");
        const char *kind = zcert_meta (cert, "agent-kind");
        const char *simulator = zcert_meta (cert, "simulator");
        const char *base = strrchr (path, '/');
        base = base ? base + 1 : path;
        printf ("%-24.*s %-9s %-34s %s\n", (int)(strlen (base) - 5), base,
                person ? "person"
                : kind ? "agent"
                       : "simulator",
                person      ? person
                : kind      ? kind
                : simulator ? simulator
                            : "?",
                zcert_public_txt (cert));
        zcert_destroy (&cert);
    }
    zdir_flatten_free (&files);
    zdir_destroy (&listing);
    return CLI_EXIT_OK;
}

static int
s_revoke (const char *program, const char *dir, const char *name)
{
    char path[4200];
    snprintf (path, sizeof path, "%s/%s.cert", dir, name);
    if (unlink (path) != 0) {
        fprintf (stderr, "%s: cannot revoke %s: %s: %s\n", program, name, path,
                 strerror (errno));
        return CLI_EXIT_REJECTED;
    }
    printf ("%s revoked: %s removed; the broker refuses its holder from now on\n", name, path);
    return CLI_EXIT_OK;
}

int
main (int argc, char **argv)
{
    cli_t cli;
    int rc = cli_start (&cli, argc, argv, s_usage);
    if (rc >= 0)
        return rc;
    err_t err;
    const char *key_file, *dir;
    if (conf_string (cli.conf, "broker.curve.secret_key_file", "", &key_file, &err) ||
        conf_string (cli.conf, "broker.curve.certificates_dir", "", &dir, &err)) {
        fprintf (stderr, "%s: configuration error: %s\n", cli.program, err.msg);
        cli_end (&cli);
        return CLI_EXIT_CONFIG;
    }
    const char *command = cli.argc > 0 ? cli.argv[0] : "";
    const char *name = cli.argc > 1 ? cli.argv[1] : NULL;
    const char *out = cli.argc > 3 && strcmp (cli.argv[2], "--out") == 0 ? cli.argv[3] : NULL;
    bool needs_dir = strcmp (command, "broker") != 0;
    if (strcmp (command, "broker") == 0 && cli.argc == 1 && !*key_file) {
        fprintf (stderr, "%s: configuration error: broker.curve.secret_key_file is not set\n",
                 cli.program);
        rc = CLI_EXIT_CONFIG;
    } else if (needs_dir && *command && !*dir) {
        fprintf (stderr, "%s: configuration error: broker.curve.certificates_dir is not set\n",
                 cli.program);
        rc = CLI_EXIT_CONFIG;
    } else if (strcmp (command, "broker") == 0 && cli.argc == 1)
        rc = s_broker (cli.program, key_file);
    else if ((strcmp (command, "person") == 0 || strcmp (command, "agent") == 0 ||
              strcmp (command, "simulator") == 0) &&
             cli.argc == 4 && out) {
        if (!s_valid_name (name))
            rc = cli_usage_error (&cli, "'%s' is not a usable %s name (letters, digits, - _ .)",
                                  name, command);
        else
            rc = s_issue (cli.program, dir, command, name, out);
    } else if (strcmp (command, "list") == 0 && cli.argc == 1)
        rc = s_list (cli.program, dir);
    else if (strcmp (command, "revoke") == 0 && cli.argc == 2) {
        if (!s_valid_name (name))
            rc = cli_usage_error (&cli, "'%s' is not a certificate name", name);
        else
            rc = s_revoke (cli.program, dir, name);
    } else
        rc = cli_usage_error (&cli, "expected broker | person ID --out FILE | agent KIND "
                                    "--out FILE | simulator NAME --out FILE | list | revoke "
                                    "NAME");
    cli_end (&cli);
    return rc;
}
