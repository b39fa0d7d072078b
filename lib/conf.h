/*  conf.h: layered libconfig configuration with command-line overrides.

    A conf_t holds an ordered stack of layers: the files given with -c, in order, then
    the -o PATH=VALUE overrides. A lookup answers from the topmost layer that has the
    path, so later files override earlier ones setting by setting (a group is not
    replaced whole: `broker.state_dir` in emea.cfg leaves `broker.endpoint` of
    global.cfg in force; a list or array is replaced whole).

    Every error names the place: "emea.cfg:12: setting 'campaign.clock': expected a
    string, found an integer" or "-o campaign.weeks=abc: ...". Getters check the type and
    return ERR_INVALID with such a message; a missing setting gives the default.
*/
#ifndef CAMPAIGN_CONF_H
#define CAMPAIGN_CONF_H

#include <libconfig.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

typedef struct _conf_t conf_t;

conf_t *conf_new (void);
void conf_destroy (conf_t **self_p);

/*  Parse one file and push it as a layer. ERR_IO if it cannot be read, ERR_PARSE with
    "file:line: message" if libconfig rejects it. On error nothing is pushed. */
int conf_load_file (conf_t *self, const char *path, err_t *err);

/*  Parse "PATH=VALUE" and push it as the topmost layer. VALUE is read as a libconfig
    scalar, array or list (42, 1.5, true, "text", [1,2], ("a","b")); if it does not parse
    as one, it is taken as a plain string, so -o broker.state_dir=/tmp/x works without
    quotes. ERR_USAGE if there is no '=' or PATH is not a dotted name. */
int conf_override (conf_t *self, const char *assignment, err_t *err);

/*  The setting at a dotted path ("broker.endpoint", "plays.[0].name" as libconfig
    paths), from the topmost layer that has it; NULL if none does. */
config_setting_t *conf_lookup (conf_t *self, const char *path);

/*  "file:line" (or "-o PATH" for an override) of a setting returned by conf_lookup or a
    child of it, written into buf; returns buf. */
const char *conf_where (conf_t *self, const config_setting_t *setting, char *buf, size_t size);

/*  The string member key of group (a list element, say), required, copied into out: 1 to
    size - 1 characters, else ERR_INVALID naming file:line, the list (what) and key. */
int conf_member_text (conf_t *self, const config_setting_t *group, const char *what,
                      const char *key, char *out, size_t size, err_t *err);

/*  The value of a numeric setting (int, int64 or float; a list element, say) in *out.
    -1 if setting is NULL, not a number, or not finite; *out is then unspecified. */
int conf_setting_number (const config_setting_t *setting, double *out);

/*  Typed getters. Missing setting: *out = dflt, return 0. Wrong type: ERR_INVALID, err
    names file:line and path. The string belongs to conf and lives as long as it. An
    int setting is accepted where a double is asked for. */
int conf_string (conf_t *self, const char *path, const char *dflt, const char **out,
                 err_t *err);
int conf_int (conf_t *self, const char *path, int64_t dflt, int64_t *out, err_t *err);
int conf_double (conf_t *self, const char *path, double dflt, double *out, err_t *err);
int conf_bool (conf_t *self, const char *path, bool dflt, bool *out, err_t *err);

/*  Like conf_int/conf_double but also checks lo <= value <= hi, naming the range. */
int conf_int_range (conf_t *self, const char *path, int64_t dflt, int64_t lo, int64_t hi,
                    int64_t *out, err_t *err);
int conf_double_range (conf_t *self, const char *path, double dflt, double lo, double hi,
                       double *out, err_t *err);

/*  The setting at path in one layer only (0 = the first file), or NULL; for checks
    that must see every layer, e.g. a misspelt name in a group a later file replaces. */
config_setting_t *conf_lookup_layer (conf_t *self, int layer, const char *path);

/*  Number of layers (files + overrides) loaded. */
int conf_layers (conf_t *self);

#endif
