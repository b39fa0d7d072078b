/*  roles.c: who may make which submission (see roles.h). */
#include "roles.h"

#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROLES_MAX 6

static const char *const s_roles[ROLES_MAX + 1] = {
    "csm", "ae", "leadership", "marketing", "product", "operator", NULL};

/*  The seed's defaults, kind by kind. */
static const struct {
    const char *kind;
    const char *roles[ROLES_MAX + 1];
} s_defaults[] = {
    {"import-portfolio", {"operator", NULL}},
    {"import-roster", {"operator", NULL}},
    {"import-history", {"operator", NULL}},
    {"targets", {"leadership", NULL}},
    {"note", {"csm", "ae", NULL}},
    {"stage", {"csm", "ae", NULL}},
    {"outcome", {"csm", "ae", NULL}},
    {"retro", {"csm", "ae", "leadership", "marketing", "product", "operator", NULL}},
    {"advance", {"operator", NULL}},
    {"override-gate", {"leadership", NULL}},
    {"ack-handoff", {"ae", "marketing", "product", "leadership", NULL}},
    {"run-task", {"operator", NULL}},
};
#define S_KINDS (sizeof s_defaults / sizeof *s_defaults)

struct _roles_t {
    bool enforce;
    unsigned allowed[S_KINDS]; /* bit r: s_roles[r] may */
    unsigned read_audit;       /* roles that may read the audit trail */
    unsigned read_status;      /* roles that may read the status topic (with CURVE) */
    zlistx_t *operators;       /* person ids (char *) */
};

static int
s_role_index (const char *role)
{
    for (int r = 0; role && s_roles[r]; r++)
        if (strcmp (s_roles[r], role) == 0)
            return r;
    return -1;
}

static int
s_kind_index (const char *kind)
{
    for (size_t k = 0; kind && k < S_KINDS; k++)
        if (strcmp (s_defaults[k].kind, kind) == 0)
            return (int)k;
    return -1;
}

/*  "csm or ae" for a kind's allowed roles. */
static void
s_describe (unsigned allowed, char *buf, size_t size)
{
    buf[0] = '\0';
    int n = 0, total = __builtin_popcount (allowed);
    for (int r = 0; s_roles[r]; r++)
        if (allowed & (1u << r)) {
            size_t used = strlen (buf);
            snprintf (buf + used, size - used, "%s%s",
                      n == 0           ? ""
                      : n == total - 1 ? " or "
                                       : ", ",
                      s_roles[r]);
            n++;
        }
    if (!n)
        snprintf (buf, size, "(no role: roles.allow lists none)");
}

/*  A list of roles at path into *mask (left as it is when the setting is absent). */
static int
s_role_list (conf_t *conf, const char *path, unsigned *mask, err_t *err)
{
    config_setting_t *list = conf_lookup (conf, path);
    if (!list)
        return 0;
    char at[256];
    if (!config_setting_is_array (list) && !config_setting_is_list (list))
        return err_set (err, ERR_INVALID, "%s: %s must be a list of roles, e.g. [\"csm\"]",
                        conf_where (conf, list, at, sizeof at), path);
    unsigned roles = 0;
    for (int i = 0; i < config_setting_length (list); i++) {
        const char *role = config_setting_get_string_elem (list, i);
        int r = s_role_index (role);
        if (r < 0)
            return err_set (err, ERR_INVALID,
                            "%s: %s item %d '%s' is not a role "
                            "(csm|ae|leadership|marketing|product|operator)",
                            conf_where (conf, list, at, sizeof at), path, i + 1,
                            role ? role : "(not a string)");
        roles |= 1u << r;
    }
    *mask = roles;
    return 0;
}

static int
s_load_allow (roles_t *self, conf_t *conf, err_t *err)
{
    char at[256];
    /*  A misspelt kind in any layer is a mistake, even one a later layer hides. */
    for (int layer = 0; layer < conf_layers (conf); layer++) {
        config_setting_t *group = conf_lookup_layer (conf, layer, "roles.allow");
        if (!group)
            continue;
        if (config_setting_type (group) != CONFIG_TYPE_GROUP)
            return err_set (err, ERR_INVALID,
                            "%s: roles.allow must be a group { targets = [\"leadership\"]; "
                            "... }",
                            conf_where (conf, group, at, sizeof at));
        for (int i = 0; i < config_setting_length (group); i++) {
            config_setting_t *item = config_setting_get_elem (group, i);
            if (s_kind_index (config_setting_name (item)) < 0)
                return err_set (err, ERR_INVALID,
                                "%s: roles.allow.%s: '%s' is not a submission kind",
                                conf_where (conf, item, at, sizeof at),
                                config_setting_name (item), config_setting_name (item));
        }
    }
    for (size_t k = 0; k < S_KINDS; k++) {
        char path[96];
        snprintf (path, sizeof path, "roles.allow.%s", s_defaults[k].kind);
        int rc = s_role_list (conf, path, &self->allowed[k], err);
        if (rc)
            return rc;
    }
    return 0;
}

int
roles_load (conf_t *conf, roles_t **out, err_t *err)
{
    roles_t *self = calloc (1, sizeof *self);
    if (!self || !(self->operators = zlistx_new ())) {
        free (self);
        return err_set (err, ERR_NOMEM, "out of memory");
    }
    zlistx_set_destructor (self->operators, (zlistx_destructor_fn *)zstr_free);
    zlistx_set_duplicator (self->operators, (zlistx_duplicator_fn *)strdup);
    for (size_t k = 0; k < S_KINDS; k++)
        for (int i = 0; s_defaults[k].roles[i]; i++)
            self->allowed[k] |= 1u << s_role_index (s_defaults[k].roles[i]);
    int rc = conf_bool (conf, "roles.enforce", true, &self->enforce, err);
    config_setting_t *operators = rc ? NULL : conf_lookup (conf, "roles.operators");
    char at[256];
    for (int i = 0; operators && i < config_setting_length (operators); i++) {
        const char *id = config_setting_get_string_elem (operators, i);
        if (!id || !*id) {
            rc = err_set (err, ERR_INVALID, "%s: roles.operators item %d is not a person id",
                          conf_where (conf, operators, at, sizeof at), i + 1);
            break;
        }
        zlistx_add_end (self->operators, (void *)id);
    }
    if (!rc)
        rc = s_load_allow (self, conf, err);
    self->read_audit = 1u << s_role_index ("leadership") | 1u << s_role_index ("operator");
    self->read_status = (1u << ROLES_MAX) - 1; /* everyone */
    if (!rc)
        rc = s_role_list (conf, "roles.read_audit", &self->read_audit, err);
    if (!rc)
        rc = s_role_list (conf, "roles.read_status", &self->read_status, err);
    if (rc)
        roles_destroy (&self);
    else
        *out = self;
    return rc;
}

void
roles_destroy (roles_t **self_p)
{
    if (self_p && *self_p) {
        zlistx_destroy (&(*self_p)->operators);
        free (*self_p);
        *self_p = NULL;
    }
}

bool
roles_enforced (const roles_t *self)
{
    return self->enforce;
}

static bool
s_configured_operator (const roles_t *self, const char *person)
{
    for (const char *id = zlistx_first (self->operators); id;
         id = zlistx_next (self->operators))
        if (strcmp (id, person) == 0)
            return true;
    return false;
}

/*  The account or opportunity a CSM's or AE's submission is about must be theirs.
    Returns 0, or ERR_FORBIDDEN. */
static int
s_check_ownership (const turn_t *turn, const Campaign__Submission *sub, const char *kind,
                   const char *person, const char *role, unsigned allowed, err_t *err)
{
    char needed[128];
    s_describe (allowed, needed, sizeof needed);
    if (sub->kind_case == CAMPAIGN__SUBMISSION__KIND_NOTE) {
        const char *account = sub->note->account_id;
        if (!account || !store_account_exists (turn->store, account) ||
            store_person_on_account (turn->store, account, person, role))
            return 0;
        return err_set (err, ERR_FORBIDDEN,
                        "note: account %s is not %s's: a note needs role %s of the account "
                        "(its CSM, a CSM assigned to one of its deals, or an AE attached to "
                        "one), and %s is %s of other accounts",
                        account, person, needed, person, role);
    }
    const char *opportunity_id = sub->kind_case == CAMPAIGN__SUBMISSION__KIND_STAGE
                                     ? sub->stage->opportunity_id
                                     : sub->outcome->opportunity_id;
    Campaign__Opportunity *opportunity = NULL;
    if (!opportunity_id ||
        store_opportunity_get (turn->store, opportunity_id, &opportunity, NULL) != 0)
        return 0; /* intake says it does not exist */
    bool csm = strcmp (role, "csm") == 0;
    bool mine =
        csm ? (opportunity->csm && strcmp (opportunity->csm, person) == 0) ||
                  store_person_on_account (turn->store, opportunity->account_id, person, "csm")
            : opportunity->ae && strcmp (opportunity->ae, person) == 0;
    int rc = mine ? 0
                  : err_set (err, ERR_FORBIDDEN,
                             "%s: %s (account %s, CSM %s, AE %s) is not %s's deal: %s needs "
                             "role %s of the account or deal, and %s is %s of other deals",
                             kind, opportunity_id, opportunity->account_id,
                             opportunity->csm && *opportunity->csm ? opportunity->csm : "none",
                             opportunity->ae && *opportunity->ae ? opportunity->ae : "none",
                             person, kind, needed, person, role);
    campaign__opportunity__free_unpacked (opportunity, NULL);
    return rc;
}

int
roles_check (const roles_t *self, const turn_t *turn, const Campaign__Submission *sub,
             const char *person, char *role, size_t size, err_t *err)
{
    role[0] = '\0';
    const char *kind = wire_submission_name (sub->kind_case);
    int k = s_kind_index (kind);
    char *found = NULL;
    bool on_roster = false;
    if (person && *person) {
        if (s_configured_operator (self, person))
            snprintf (role, size, "operator");
        else if (store_person_role (turn->store, person, &found, NULL) == 0) {
            snprintf (role, size, "%s", found);
            on_roster = true;
        }
    }
    free (found);
    if (!self->enforce || k < 0)
        return 0; /* an unknown kind is intake's to refuse */
    char needed[128];
    s_describe (self->allowed[k], needed, sizeof needed);
    if (!person || !*person)
        return err_set (err, ERR_FORBIDDEN,
                        "%s: who is submitting? It needs role %s: say --as PERSON (or use a "
                        "person certificate)",
                        kind, needed);
    if (!*role) {
        if (store_roster_loaded (turn->store))
            return err_set (err, ERR_FORBIDDEN,
                            "%s: '%s' is not on the roster; it needs role %s (import-roster "
                            "names people and roles)",
                            kind, person, needed);
        if (sub->kind_case == CAMPAIGN__SUBMISSION__KIND_IMPORT_ROSTER &&
            zlistx_size (self->operators) == 0)
            return 0; /* bootstrap: the first roster says who is who */
        return err_set (err, ERR_FORBIDDEN,
                        "%s: there is no roster yet, so '%s' has no role; an operator%s "
                        "imports the roster first (import-roster)",
                        kind, person,
                        zlistx_size (self->operators) ? " of roles.operators" : "");
    }
    int r = s_role_index (role);
    if (r < 0 || !(self->allowed[k] & (1u << r)))
        return err_set (err, ERR_FORBIDDEN, "%s needs role %s, and %s is %s%s", kind, needed,
                        person, role, on_roster ? "" : " (roles.operators)");
    bool owned = sub->kind_case == CAMPAIGN__SUBMISSION__KIND_NOTE ||
                 sub->kind_case == CAMPAIGN__SUBMISSION__KIND_STAGE ||
                 sub->kind_case == CAMPAIGN__SUBMISSION__KIND_OUTCOME;
    if (owned && (strcmp (role, "csm") == 0 || strcmp (role, "ae") == 0))
        return s_check_ownership (turn, sub, kind, person, role, self->allowed[k], err);
    return 0;
}

/*  May person read what mask allows (what: "the audit trail", "the status topic")? */
static int
s_may_read (const roles_t *self, unsigned mask, const char *what, store_t *store,
            const char *person, err_t *err)
{
    if (!self->enforce)
        return 0;
    char needed[128];
    s_describe (mask, needed, sizeof needed);
    char *role = NULL;
    if (person && *person && s_configured_operator (self, person))
        role = strdup ("operator");
    else if (!person || !*person || store_person_role (store, person, &role, NULL) != 0)
        return err_set (err, ERR_FORBIDDEN, "%s needs role %s; '%s' is not on the roster", what,
                        needed, person ? person : "");
    int r = s_role_index (role);
    int rc = r >= 0 && (mask & (1u << r))
                 ? 0
                 : err_set (err, ERR_FORBIDDEN, "%s needs role %s, and %s is %s", what, needed,
                            person, role ? role : "?");
    free (role);
    return rc;
}

int
roles_may_read_audit (const roles_t *self, store_t *store, const char *person, err_t *err)
{
    return s_may_read (self, self->read_audit, "the audit trail", store, person, err);
}

int
roles_may_read_status (const roles_t *self, store_t *store, const char *person, err_t *err)
{
    /*  Open to every role (the default), or no roster yet to say who is who: anyone
        the certificate store admits. */
    if (self->read_status == (1u << ROLES_MAX) - 1 || !store_roster_loaded (store))
        return 0;
    return s_may_read (self, self->read_status, "the status topic", store, person, err);
}
