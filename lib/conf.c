/*  conf.c: layered configuration for every executable (see conf.h).

    Owns one config_t per layer: each -c file in order, then each -o override. Nothing
    is merged. A lookup walks the layers from the top, and a layer that has a list, an
    array or a scalar on the way to the path hides everything the layers below have
    under it; so groups merge setting by setting while lists are replaced whole, and
    "plays.[2]" never reaches into a longer list of a lower layer. Each config_t is
    allocated on its own because libconfig's settings point back to their config_t,
    which must therefore not move when the stack grows.

    libconfig 1.5 reads an integer that does not fit 32 bits as a wrapped 32-bit value
    unless it carries the L suffix (5000000000L); files must use the suffix. Overrides
    add it themselves (s_parse_override).
*/
#include "conf.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    config_t config;
    char *origin;     /* the file as given, or "-o PATH" for an override */
    char *assignment; /* "-o PATH=VALUE" for an override, NULL for a file */
} layer_t;

struct _conf_t {
    layer_t **layers; /* bottom (first -c file) to top (last -o) */
    int count;
    int capacity;
};

/*  Longest name segment a path may have; libconfig names are short identifiers. */
#define NAME_MAX_LEN 255

static layer_t *
s_layer_new (const char *origin, const char *assignment)
{
    layer_t *layer = calloc (1, sizeof *layer);
    if (!layer)
        return NULL;
    config_init (&layer->config);
    layer->origin = strdup (origin);
    layer->assignment = assignment ? strdup (assignment) : NULL;
    if (!layer->origin || (assignment && !layer->assignment)) {
        config_destroy (&layer->config);
        free (layer->origin);
        free (layer->assignment);
        free (layer);
        return NULL;
    }
    return layer;
}

static void
s_layer_destroy (layer_t **layer_p)
{
    if (layer_p && *layer_p) {
        layer_t *layer = *layer_p;
        config_destroy (&layer->config);
        free (layer->origin);
        free (layer->assignment);
        free (layer);
        *layer_p = NULL;
    }
}

static int
s_push (conf_t *self, layer_t *layer)
{
    if (self->count == self->capacity) {
        int capacity = self->capacity ? self->capacity * 2 : 4;
        layer_t **layers = realloc (self->layers, (size_t)capacity * sizeof *layers);
        if (!layers)
            return ERR_NOMEM;
        self->layers = layers;
        self->capacity = capacity;
    }
    self->layers[self->count++] = layer;
    return 0;
}

conf_t *
conf_new (void)
{
    return calloc (1, sizeof (conf_t));
}

void
conf_destroy (conf_t **self_p)
{
    if (self_p && *self_p) {
        conf_t *self = *self_p;
        for (int i = 0; i < self->count; i++)
            s_layer_destroy (&self->layers[i]);
        free (self->layers);
        free (self);
        *self_p = NULL;
    }
}

int
conf_layers (conf_t *self)
{
    assert (self);
    return self->count;
}

int
conf_load_file (conf_t *self, const char *path, err_t *err)
{
    assert (self);
    assert (path);
    /*  libconfig only says "file I/O error"; look first so the message can say why. A
        directory opens fine and then reads as an empty configuration. */
    struct stat st;
    if (stat (path, &st) != 0)
        return err_set (err, ERR_IO, "%s: cannot read configuration: %s", path,
                        strerror (errno));
    if (S_ISDIR (st.st_mode))
        return err_set (err, ERR_IO, "%s: cannot read configuration: is a directory", path);

    layer_t *layer = s_layer_new (path, NULL);
    if (!layer)
        return err_set (err, ERR_NOMEM, "%s: out of memory", path);
    int rc = 0;
    if (config_read_file (&layer->config, path) != CONFIG_TRUE) {
        if (config_error_type (&layer->config) == CONFIG_ERR_FILE_IO)
            rc = err_set (err, ERR_IO, "%s: cannot read configuration: %s", path,
                          strerror (errno));
        else {
            /*  The error may sit in an @include'd file; libconfig names it. */
            const char *file = config_error_file (&layer->config);
            rc = err_set (err, ERR_PARSE, "%s:%d: %s", file ? file : path,
                          config_error_line (&layer->config),
                          config_error_text (&layer->config));
        }
        goto cleanup;
    }
    rc = s_push (self, layer);
    if (rc == 0)
        layer = NULL;
    else
        err_set (err, rc, "%s: out of memory", path);
cleanup:
    s_layer_destroy (&layer);
    return rc;
}

/*  A dotted path of libconfig names: [A-Za-z*][-A-Za-z0-9_*]* segments. */
static bool
s_path_valid (const char *path, size_t len)
{
    if (len == 0)
        return false;
    bool segment_start = true;
    for (size_t i = 0; i < len; i++) {
        char c = path[i];
        bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '*';
        bool digit = c >= '0' && c <= '9';
        if (segment_start) {
            if (!alpha)
                return false;
            segment_start = false;
        } else if (c == '.')
            segment_start = true;
        else if (!alpha && !digit && c != '-' && c != '_')
            return false;
    }
    return !segment_start;
}

/*  Write VALUE as a libconfig string literal. */
static void
s_quote (FILE *out, const char *value)
{
    fputc ('"', out);
    for (const char *p = value; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\\' || c == '"')
            fprintf (out, "\\%c", c);
        else if (c == '\n')
            fputs ("\\n", out);
        else if (c == '\r')
            fputs ("\\r", out);
        else if (c == '\t')
            fputs ("\\t", out);
        else if (c < 0x20)
            fprintf (out, "\\x%02x", c);
        else
            fputc (c, out);
    }
    fputc ('"', out);
}

/*  "a = { b = { c = VALUE; }; };" for path "a.b.c": a config text that holds the
    override at its place, so lookups treat it like any other layer. suffix is
    appended to a raw value (the L that makes libconfig read a 64-bit integer). */
static char *
s_override_text (const char *path, const char *value, bool quoted, const char *suffix)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    if (!out)
        return NULL;
    int depth = 0;
    for (const char *p = path; *p; p++) {
        if (*p == '.') {
            fputs (" = { ", out);
            depth++;
        } else
            fputc (*p, out);
    }
    fputs (" = ", out);
    if (quoted)
        s_quote (out, value);
    else
        fprintf (out, "%s%s", value, suffix);
    fputs (";", out);
    while (depth-- > 0)
        fputs (" };", out);
    fputc ('\n', out);
    if (fclose (out) != 0) {
        free (text);
        return NULL;
    }
    return text;
}

/*  The parsed text must hold exactly a chain of depth groups down to one scalar, array
    or list: a VALUE such as `1; id = "x"` or `{ x = 1; }` parses, but is not one value.
    Returns the leaf, or NULL. */
static config_setting_t *
s_override_leaf (config_t *config, int depth)
{
    config_setting_t *setting = config_root_setting (config);
    for (int level = 0; level < depth; level++) {
        if (!config_setting_is_group (setting) || config_setting_length (setting) != 1)
            return NULL;
        setting = config_setting_get_elem (setting, 0);
    }
    return config_setting_is_group (setting) ? NULL : setting;
}

/*  True if text is a plain decimal or hex integer that does not fit an int: libconfig
    1.5 would wrap it without the L suffix. */
static bool
s_needs_int64_suffix (const char *text)
{
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    char *end;
    errno = 0;
    long long value = strtoll (p, &end, 0);
    if (end == p || errno != 0)
        return false;
    while (*end == ' ' || *end == '\t')
        end++;
    return *end == '\0' && (value > INT_MAX || value < INT_MIN);
}

/*  Parse the override into layer's config; 0 if it gives one well-formed value. */
static int
s_parse_override (layer_t *layer, const char *path, const char *value, bool quoted)
{
    const char *suffix = !quoted && s_needs_int64_suffix (value) ? "L" : "";
    char *text = s_override_text (path, value, quoted, suffix);
    if (!text)
        return ERR_NOMEM;
    config_destroy (&layer->config);
    config_init (&layer->config);
    int rc = ERR_PARSE;
    if (config_read_string (&layer->config, text) == CONFIG_TRUE) {
        int depth = 1;
        for (const char *p = path; *p; p++)
            depth += *p == '.';
        if (s_override_leaf (&layer->config, depth))
            rc = 0;
    }
    free (text);
    return rc;
}

/*  prefix + text in a new string, or NULL. */
static char *
s_prefixed (const char *prefix, const char *text)
{
    size_t prefix_len = strlen (prefix);
    size_t text_len = strlen (text);
    char *result = malloc (prefix_len + text_len + 1);
    if (result) {
        memcpy (result, prefix, prefix_len);
        memcpy (result + prefix_len, text, text_len + 1);
    }
    return result;
}

int
conf_override (conf_t *self, const char *assignment, err_t *err)
{
    assert (self);
    assert (assignment);
    const char *equals = strchr (assignment, '=');
    if (!equals)
        return err_set (err, ERR_USAGE,
                        "-o %s: expected PATH=VALUE, for example -o broker.state_dir=/tmp/x",
                        assignment);
    size_t path_len = (size_t)(equals - assignment);
    if (!s_path_valid (assignment, path_len))
        return err_set (err, ERR_USAGE,
                        "-o %s: '%.*s' is not a setting path; use dotted names such as "
                        "broker.state_dir",
                        assignment, (int)path_len, assignment);

    int rc = 0;
    char *path = strndup (assignment, path_len);
    char *origin = NULL;
    char *full = NULL;
    layer_t *layer = NULL;
    if (path)
        origin = s_prefixed ("-o ", path);
    if (origin)
        full = s_prefixed ("-o ", assignment);
    if (full)
        layer = s_layer_new (origin, full);
    if (!layer) {
        rc = err_set (err, ERR_NOMEM, "-o %s: out of memory", assignment);
        goto cleanup;
    }
    const char *value = equals + 1;
    rc = s_parse_override (layer, path, value, false);
    if (rc == ERR_PARSE)
        rc = s_parse_override (layer, path, value, true);
    if (rc == ERR_NOMEM) {
        err_set (err, rc, "-o %s: out of memory", assignment);
        goto cleanup;
    }
    if (rc != 0) {
        /*  A quoted string always parses; reaching here means the path itself is
            something libconfig will not take. */
        rc = err_set (err, ERR_USAGE, "-o %s: cannot be read: %s", assignment,
                      config_error_text (&layer->config) ? config_error_text (&layer->config)
                                                         : "not a single value");
        goto cleanup;
    }
    rc = s_push (self, layer);
    if (rc == 0)
        layer = NULL;
    else
        err_set (err, rc, "-o %s: out of memory", assignment);
cleanup:
    s_layer_destroy (&layer);
    free (full);
    free (origin);
    free (path);
    return rc;
}

/*  Look path up in one layer. *hidden is set when the layer has a non-group on the way
    (or an index outside its list, or a member missing inside a list): then no lower
    layer may answer either. */
static config_setting_t *
s_lookup_layer (config_t *config, const char *path, bool *hidden)
{
    *hidden = false;
    bool in_list = false;
    config_setting_t *setting = config_root_setting (config);
    const char *p = path;
    while (true) {
        const char *end = strchr (p, '.');
        size_t len = end ? (size_t)(end - p) : strlen (p);
        if (len == 0 || len > NAME_MAX_LEN)
            return NULL;
        char name[NAME_MAX_LEN + 1];
        memcpy (name, p, len);
        name[len] = '\0';

        config_setting_t *child = NULL;
        if (name[0] == '[') {
            char *close;
            errno = 0;
            long index = strtol (name + 1, &close, 10);
            if (close == name + 1 || *close != ']' || close[1] != '\0' || errno)
                return NULL;
            if (config_setting_is_list (setting) || config_setting_is_array (setting)) {
                if (index >= 0 && index < config_setting_length (setting))
                    child = config_setting_get_elem (setting, (unsigned)index);
                else
                    *hidden = true;
            } else
                *hidden = !config_setting_is_group (setting);
        } else if (config_setting_is_group (setting))
            child = config_setting_get_member (setting, name);
        else
            *hidden = true;

        if (!child) {
            /*  Under a list element the layer has the whole list: a missing member
                there must not be looked for in a lower layer's list. */
            *hidden = *hidden || in_list;
            return NULL;
        }
        in_list = in_list || !config_setting_is_group (setting);
        setting = child;
        if (!end)
            return setting;
        p = end + 1;
    }
}

config_setting_t *
conf_lookup_layer (conf_t *self, int layer, const char *path)
{
    if (layer < 0 || layer >= self->count || !path || !*path)
        return NULL;
    bool hidden;
    return s_lookup_layer (&self->layers[layer]->config, path, &hidden);
}

config_setting_t *
conf_lookup (conf_t *self, const char *path)
{
    assert (self);
    if (!path || !*path)
        return NULL;
    for (int i = self->count - 1; i >= 0; i--) {
        bool hidden;
        config_setting_t *setting = s_lookup_layer (&self->layers[i]->config, path, &hidden);
        if (setting || hidden)
            return setting;
    }
    return NULL;
}

static layer_t *
s_layer_of (conf_t *self, const config_setting_t *setting)
{
    const config_setting_t *root = setting;
    while (config_setting_parent (root))
        root = config_setting_parent (root);
    for (int i = 0; i < self->count; i++)
        if (config_root_setting (&self->layers[i]->config) == root)
            return self->layers[i];
    return NULL;
}

/*  Where a setting comes from. For an override, `whole` asks for the whole assignment
    (error messages show the value that was given), else "-o PATH". */
static const char *
s_place (conf_t *self, const config_setting_t *setting, bool whole, char *buf, size_t size)
{
    layer_t *layer = s_layer_of (self, setting);
    if (!layer)
        snprintf (buf, size, "(unknown)");
    else if (layer->assignment)
        snprintf (buf, size, "%s", whole ? layer->assignment : layer->origin);
    else {
        /*  An @include'd file is named by libconfig; else the file we read. */
        const char *file = config_setting_source_file (setting);
        unsigned line = config_setting_source_line (setting);
        if (!file)
            file = layer->origin;
        if (line > 0)
            snprintf (buf, size, "%s:%u", file, line);
        else
            snprintf (buf, size, "%s", file);
    }
    return buf;
}

const char *
conf_where (conf_t *self, const config_setting_t *setting, char *buf, size_t size)
{
    assert (self);
    assert (setting);
    assert (buf && size > 0);
    return s_place (self, setting, false, buf, size);
}

int
conf_member_text (conf_t *self, const config_setting_t *group, const char *what,
                  const char *key, char *out, size_t size, err_t *err)
{
    const char *text = NULL;
    char where[256];
    if (!config_setting_lookup_string (group, key, &text) || !*text || strlen (text) >= size)
        return err_set (err, ERR_INVALID,
                        "%s: %s: '%s' must be a string of 1 to %zu characters",
                        conf_where (self, group, where, sizeof where), what, key, size - 1);
    snprintf (out, size, "%s", text);
    return 0;
}

static const char *
s_type_name (int type)
{
    switch (type) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64: return "an integer";
    case CONFIG_TYPE_FLOAT: return "a decimal number";
    case CONFIG_TYPE_BOOL: return "a boolean";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_GROUP: return "a group";
    case CONFIG_TYPE_ARRAY: return "an array";
    case CONFIG_TYPE_LIST: return "a list";
    default: return "nothing";
    }
}

static int
s_wrong_type (conf_t *self, const config_setting_t *setting, const char *path,
              const char *expected, err_t *err)
{
    char place[ERR_MSG_MAX / 2];
    s_place (self, setting, true, place, sizeof place);
    return err_set (err, ERR_INVALID, "%s: setting '%s': expected %s, found %s", place, path,
                    expected, s_type_name (config_setting_type (setting)));
}

int
conf_string (conf_t *self, const char *path, const char *dflt, const char **out, err_t *err)
{
    assert (self);
    assert (out);
    config_setting_t *setting = conf_lookup (self, path);
    if (!setting) {
        *out = dflt;
        return 0;
    }
    if (config_setting_type (setting) != CONFIG_TYPE_STRING)
        return s_wrong_type (self, setting, path, "a string", err);
    *out = config_setting_get_string (setting);
    return 0;
}

int
conf_int (conf_t *self, const char *path, int64_t dflt, int64_t *out, err_t *err)
{
    assert (self);
    assert (out);
    config_setting_t *setting = conf_lookup (self, path);
    if (!setting) {
        *out = dflt;
        return 0;
    }
    switch (config_setting_type (setting)) {
    case CONFIG_TYPE_INT: *out = config_setting_get_int (setting); return 0;
    case CONFIG_TYPE_INT64: *out = config_setting_get_int64 (setting); return 0;
    default: return s_wrong_type (self, setting, path, "an integer", err);
    }
}

int
conf_setting_number (const config_setting_t *setting, double *out)
{
    assert (out);
    if (!setting)
        return -1;
    switch (config_setting_type (setting)) {
    case CONFIG_TYPE_FLOAT: *out = config_setting_get_float (setting); break;
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64: *out = (double)config_setting_get_int64 (setting); break;
    default: return -1;
    }
    return isfinite (*out) ? 0 : -1;
}

int
conf_double (conf_t *self, const char *path, double dflt, double *out, err_t *err)
{
    assert (self);
    assert (out);
    config_setting_t *setting = conf_lookup (self, path);
    if (!setting) {
        *out = dflt;
        return 0;
    }
    if (conf_setting_number (setting, out) != 0)
        return s_wrong_type (self, setting, path, "a number", err);
    return 0;
}

int
conf_bool (conf_t *self, const char *path, bool dflt, bool *out, err_t *err)
{
    assert (self);
    assert (out);
    config_setting_t *setting = conf_lookup (self, path);
    if (!setting) {
        *out = dflt;
        return 0;
    }
    if (config_setting_type (setting) != CONFIG_TYPE_BOOL)
        return s_wrong_type (self, setting, path, "a boolean (true or false)", err);
    *out = config_setting_get_bool (setting) != 0;
    return 0;
}

int
conf_int_range (conf_t *self, const char *path, int64_t dflt, int64_t lo, int64_t hi,
                int64_t *out, err_t *err)
{
    int64_t value;
    int rc = conf_int (self, path, dflt, &value, err);
    if (rc != 0)
        return rc;
    config_setting_t *setting = conf_lookup (self, path);
    if (setting && (value < lo || value > hi)) {
        char place[ERR_MSG_MAX / 2];
        s_place (self, setting, true, place, sizeof place);
        return err_set (err, ERR_INVALID,
                        "%s: setting '%s': %lld is out of range; it must be %lld to %lld",
                        place, path, (long long)value, (long long)lo, (long long)hi);
    }
    *out = value;
    return 0;
}

int
conf_double_range (conf_t *self, const char *path, double dflt, double lo, double hi,
                   double *out, err_t *err)
{
    double value;
    int rc = conf_double (self, path, dflt, &value, err);
    if (rc != 0)
        return rc;
    config_setting_t *setting = conf_lookup (self, path);
    /*  Written so that NaN, which compares false with everything, is out of range. */
    if (setting && !(value >= lo && value <= hi)) {
        char place[ERR_MSG_MAX / 2];
        s_place (self, setting, true, place, sizeof place);
        return err_set (err, ERR_INVALID,
                        "%s: setting '%s': %g is out of range; it must be %g to %g", place,
                        path, value, lo, hi);
    }
    *out = value;
    return 0;
}
