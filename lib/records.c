/*  records.c: importing and checking the campaign's data records (SPEC section 4).

    Each record kind (account, person, history record) is described once, as a table
    of its fields: column name, kind of value, allowed range or words, and where the
    value and its has_ flag live in the generated protobuf-c struct. The CSV import and
    the wire check both walk that table, so a value the import rejects is rejected off
    the wire too, with the same words.

    The loaders own nothing after they return: on success the caller owns the import
    message (every piece malloc'd, freed by the generated *__free_unpacked (msg, NULL));
    on error everything built so far is freed through that same call.
*/
#include "records.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "csvreader.h"

const char *const records_segments[] = {"smb", "mid-market", "enterprise", NULL};
const char *const records_regions[] = {"americas", "emea", "apac", NULL};
const char *const records_tiers[] = {"starter", "professional", "enterprise", "enterprise-plus",
                                     NULL};
const char *const records_roles[] = {"csm",     "ae",       "leadership", "marketing",
                                     "product", "operator", NULL};
const char *const records_opportunity_types[] = {"seat", "tier", "cross-sell", "geo", NULL};
const char *const records_outcomes[] = {"won", "lost", NULL};

typedef enum {
    FIELD_TEXT,     /* non-empty text */
    FIELD_ANY_TEXT, /* text, may be empty */
    FIELD_WORD,     /* one of `allowed` */
    FIELD_DATE,     /* YYYY-MM-DD, kept as text */
    FIELD_DOUBLE,
    FIELD_UINT32,
    FIELD_INT32,
    FIELD_BOOL,
    FIELD_LIST /* ';'-separated in CSV, repeated string on the wire */
} field_kind_t;

typedef struct {
    const char *column;
    field_kind_t kind;
    bool optional;              /* numbers: an empty cell means absent (has_ = 0) */
    double lo, hi;              /* numbers: allowed range */
    const char *const *allowed; /* words */
    const char *not_before;     /* dates: the date column this one may not precede */
    size_t at;                  /* offset of the value in the message */
    size_t has_at;              /* offset of has_<field>, or n_<field> for lists */
} field_t;

#define F_TEXT(type, field)                                                                    \
    {                                                                                          \
        .column = #field, .kind = FIELD_TEXT, .at = offsetof (type, field)                     \
    }
#define F_ANY_TEXT(type, field)                                                                \
    {                                                                                          \
        .column = #field, .kind = FIELD_ANY_TEXT, .at = offsetof (type, field)                 \
    }
#define F_WORD(type, field, words)                                                             \
    {                                                                                          \
        .column = #field, .kind = FIELD_WORD, .allowed = words, .at = offsetof (type, field)   \
    }
#define F_DATE(type, field, earlier)                                                           \
    {                                                                                          \
        .column = #field, .kind = FIELD_DATE, .not_before = earlier,                           \
        .at = offsetof (type, field)                                                           \
    }
#define F_NUMBER(type, field, number_kind, min_value, max_value, is_optional)                  \
    {                                                                                          \
        .column = #field, .kind = number_kind, .optional = is_optional, .lo = min_value,       \
        .hi = max_value, .at = offsetof (type, field), .has_at = offsetof (type, has_##field)  \
    }
#define F_BOOL(type, field)                                                                    \
    {                                                                                          \
        .column = #field, .kind = FIELD_BOOL, .at = offsetof (type, field),                    \
        .has_at = offsetof (type, has_##field)                                                 \
    }
#define F_LIST(type, field)                                                                    \
    {                                                                                          \
        .column = #field, .kind = FIELD_LIST, .at = offsetof (type, field),                    \
        .has_at = offsetof (type, n_##field)                                                   \
    }

#define COUNT_MAX ((double)UINT32_MAX)

static const field_t s_account_fields[] = {
    F_TEXT (Campaign__Account, account_id),
    F_TEXT (Campaign__Account, name),
    F_WORD (Campaign__Account, segment, records_segments),
    F_WORD (Campaign__Account, region, records_regions),
    F_ANY_TEXT (Campaign__Account, industry),
    F_NUMBER (Campaign__Account, arr, FIELD_DOUBLE, 0, DBL_MAX, false),
    F_NUMBER (Campaign__Account, seats_purchased, FIELD_UINT32, 0, COUNT_MAX, false),
    F_NUMBER (Campaign__Account, seats_active, FIELD_UINT32, 0, COUNT_MAX, false),
    F_NUMBER (Campaign__Account, employees, FIELD_UINT32, 0, COUNT_MAX, false),
    F_NUMBER (Campaign__Account, employee_growth_pct, FIELD_DOUBLE, -100, 1000, false),
    F_WORD (Campaign__Account, tier, records_tiers),
    F_LIST (Campaign__Account, products),
    F_LIST (Campaign__Account, regions_present),
    F_LIST (Campaign__Account, regions_licensed),
    F_NUMBER (Campaign__Account, feature_adoption_pct, FIELD_DOUBLE, 0, 100, false),
    F_NUMBER (Campaign__Account, usage_growth_pct, FIELD_DOUBLE, -100, 1000, false),
    F_NUMBER (Campaign__Account, usage_limit_pct, FIELD_DOUBLE, 0, 1000, false),
    F_NUMBER (Campaign__Account, nps, FIELD_INT32, -100, 100, false),
    F_NUMBER (Campaign__Account, support_tickets_90d, FIELD_UINT32, 0, COUNT_MAX, false),
    F_TEXT (Campaign__Account, csm),
    F_BOOL (Campaign__Account, champion),
    F_BOOL (Campaign__Account, exec_sponsor),
    F_NUMBER (Campaign__Account, stakeholder_change_days, FIELD_UINT32, 0, COUNT_MAX, true),
    F_DATE (Campaign__Account, renewal_date, "contract_start"),
    F_DATE (Campaign__Account, contract_start, NULL),
};

static const field_t s_person_fields[] = {
    F_TEXT (Campaign__Person, person_id),
    F_TEXT (Campaign__Person, name),
    F_WORD (Campaign__Person, role, records_roles),
    F_TEXT (Campaign__Person, region),
    F_NUMBER (Campaign__Person, capacity_hours_per_week, FIELD_DOUBLE, 0, 168, false),
};

static const field_t s_history_fields[] = {
    F_TEXT (Campaign__HistoryRecord, account_id),
    F_TEXT (Campaign__HistoryRecord, campaign),
    F_WORD (Campaign__HistoryRecord, opportunity_type, records_opportunity_types),
    F_WORD (Campaign__HistoryRecord, outcome, records_outcomes),
    F_NUMBER (Campaign__HistoryRecord, arr_delta, FIELD_DOUBLE, 0, DBL_MAX, false),
    F_DATE (Campaign__HistoryRecord, opened, NULL),
    F_DATE (Campaign__HistoryRecord, closed, "opened"),
};

#define FIELDS(table) table, sizeof (table) / sizeof (table)[0]

/*  Room for the required-column list s_load builds on the stack. */
#define FIELDS_MAX 32
_Static_assert(sizeof s_account_fields / sizeof s_account_fields[0] <= FIELDS_MAX,
               "raise FIELDS_MAX");
_Static_assert(sizeof s_person_fields / sizeof s_person_fields[0] <= FIELDS_MAX,
               "raise FIELDS_MAX");
_Static_assert(sizeof s_history_fields / sizeof s_history_fields[0] <= FIELDS_MAX,
               "raise FIELDS_MAX");

/*  One record kind and the import message that carries a file of them. */
typedef struct {
    const char *noun;      /* "account": how messages name a record */
    const field_t *fields; /* fields[0] is the text that names a record */
    size_t field_count;
    bool unique;    /* fields[0] is a key: duplicates are rejected */
    bool need_rows; /* a file with only a header is rejected */
    size_t size;    /* of the record message */
    void (*init) (void *message);
    size_t list_count_at; /* n_<records> in the import message */
    size_t list_at;       /* the records array in the import message */
} record_kind_t;

static void
s_account_init (void *message)
{
    campaign__account__init (message);
}

static void
s_person_init (void *message)
{
    campaign__person__init (message);
}

static void
s_history_init (void *message)
{
    campaign__history_record__init (message);
}

static const record_kind_t s_accounts = {
    "account",
    FIELDS (s_account_fields),
    true,
    true,
    sizeof (Campaign__Account),
    s_account_init,
    offsetof (Campaign__ImportPortfolio, n_accounts),
    offsetof (Campaign__ImportPortfolio, accounts),
};

static const record_kind_t s_people = {
    "person",
    FIELDS (s_person_fields),
    true,
    true,
    sizeof (Campaign__Person),
    s_person_init,
    offsetof (Campaign__ImportRoster, n_people),
    offsetof (Campaign__ImportRoster, people),
};

/*  Past campaigns are optional input: a history with no rows is a fine answer. */
static const record_kind_t s_history = {
    "history record of account",
    FIELDS (s_history_fields),
    false,
    false,
    sizeof (Campaign__HistoryRecord),
    s_history_init,
    offsetof (Campaign__ImportHistory, n_records),
    offsetof (Campaign__ImportHistory, records),
};

/*  Typed views of a field inside a message; CAT's type must be one token for the
    const to apply to the field itself. */
typedef char **string_list_t;
#define AT(message, offset, type)  ((type *)((unsigned char *)(message) + (offset)))
#define CAT(message, offset, type) ((const type *)((const unsigned char *)(message) + (offset)))

/*  ---------------------------------------------------------------------------------
    Text helpers */

static bool
s_space (char c)
{
    return c == ' ' || c == '\t';
}

/*  malloc'd copy of text[0..len) without surrounding spaces, or NULL. */
static char *
s_trimmed_copy (const char *text, size_t len)
{
    while (len > 0 && s_space (*text)) {
        text++;
        len--;
    }
    while (len > 0 && s_space (text[len - 1]))
        len--;
    char *copy = (char *)malloc (len + 1);
    if (copy) {
        memcpy (copy, text, len);
        copy[len] = '\0';
    }
    return copy;
}

static bool
s_blank (const char *text)
{
    return !text || strspn (text, " \t") == strlen (text);
}

/*  protobuf-c does not check that strings off the wire are UTF-8; the CSV reader does
    for files. Rejects overlongs, surrogates and code points above U+10FFFF. */
static bool
s_utf8 (const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        size_t len;
        unsigned char lo = 0x80, hi = 0xBF;
        if (*p < 0x80) {
            p++;
            continue;
        } else if (*p >= 0xC2 && *p <= 0xDF)
            len = 2;
        else if (*p >= 0xE0 && *p <= 0xEF) {
            len = 3;
            lo = *p == 0xE0 ? 0xA0 : 0x80;
            hi = *p == 0xED ? 0x9F : 0xBF;
        } else if (*p >= 0xF0 && *p <= 0xF4) {
            len = 4;
            lo = *p == 0xF0 ? 0x90 : 0x80;
            hi = *p == 0xF4 ? 0x8F : 0xBF;
        } else
            return false;
        if (p[1] < lo || p[1] > hi)
            return false; /* also stops at the terminating NUL */
        for (size_t i = 2; i < len; i++)
            if ((p[i] & 0xC0) != 0x80)
                return false;
        p += len;
    }
    return true;
}

/*  Kinds stored as a char * in the message. */
static bool
s_is_text (field_kind_t kind)
{
    return kind == FIELD_TEXT || kind == FIELD_ANY_TEXT || kind == FIELD_WORD ||
           kind == FIELD_DATE;
}

static const field_t *
s_field (const record_kind_t *kind, const char *column)
{
    for (size_t i = 0; i < kind->field_count; i++)
        if (strcmp (kind->fields[i].column, column) == 0)
            return &kind->fields[i];
    return NULL;
}

/*  "outside -100..100", "less than 0": the allowed range in the words the CSV reader
    uses for the same rule. */
static void
s_range_words (const field_t *field, char *buf, size_t size, bool below)
{
    bool unbounded =
        field->hi >= DBL_MAX || ((field->kind == FIELD_UINT32) && field->hi >= COUNT_MAX);
    if (unbounded && below)
        snprintf (buf, size, "less than %g", field->lo);
    else
        snprintf (buf, size, "outside %g..%g", field->lo, field->hi);
}

/*  ---------------------------------------------------------------------------------
    CSV import */

/*  Split a ';'-separated cell into the message's repeated string, dropping empty
    items. The count is raised item by item so a failure leaves nothing unfreed. */
static int
s_split_list (const char *cell, char ***items_p, size_t *count_p)
{
    size_t pieces = 1;
    for (const char *c = cell; *c; c++)
        pieces += *c == ';';
    char **items = (char **)calloc (pieces, sizeof (char *));
    if (!items)
        return ERR_NOMEM;
    *items_p = items;
    const char *start = cell;
    for (;;) {
        const char *end = strchr (start, ';');
        size_t len = end ? (size_t)(end - start) : strlen (start);
        char *item = s_trimmed_copy (start, len);
        if (!item)
            return ERR_NOMEM;
        if (*item)
            items[(*count_p)++] = item;
        else
            free (item);
        if (!end)
            break;
        start = end + 1;
    }
    return 0;
}

static int
s_load_field (csvreader_t *csv, size_t row, const field_t *field, void *message, err_t *err)
{
    const char *name = csvreader_name (csv);
    const char *cell = csvreader_cell (csv, row, csvreader_column (csv, field->column));
    const char *text;
    const char *word;
    int32_t day;
    int64_t whole;
    double number;
    bool flag;
    int rc = 0;
    switch (field->kind) {
    case FIELD_TEXT:
    case FIELD_ANY_TEXT:
        if (field->kind == FIELD_TEXT) {
            rc = csvreader_text (csv, row, field->column, &text, err);
            if (rc)
                return rc;
        }
        if (!(*AT (message, field->at, char *) = s_trimmed_copy (cell, strlen (cell))))
            rc = ERR_NOMEM;
        break;
    case FIELD_WORD:
        rc = csvreader_enum (csv, row, field->column, field->allowed, &word, err);
        if (rc)
            return rc;
        if (!(*AT (message, field->at, char *) = strdup (word)))
            rc = ERR_NOMEM;
        break;
    case FIELD_DATE:
        rc = csvreader_date (csv, row, field->column, &day, err);
        if (rc)
            return rc;
        if (!(*AT (message, field->at, char *) = s_trimmed_copy (cell, strlen (cell))))
            rc = ERR_NOMEM;
        break;
    case FIELD_DOUBLE:
        if (field->optional && s_blank (cell))
            break;
        rc = csvreader_double (csv, row, field->column, field->lo, field->hi, &number, err);
        if (rc)
            return rc;
        *AT (message, field->at, double) = number;
        *AT (message, field->has_at, protobuf_c_boolean) = 1;
        break;
    case FIELD_UINT32:
    case FIELD_INT32:
        if (field->optional && s_blank (cell))
            break;
        /*  A count's only upper bound is what the wire can carry; asking the reader
            for 0..INT64_MAX keeps its message for a negative count "less than 0". */
        rc = csvreader_int (csv, row, field->column, (int64_t)field->lo,
                            field->hi >= COUNT_MAX ? INT64_MAX : (int64_t)field->hi, &whole,
                            err);
        if (rc)
            return rc;
        if (whole > (int64_t)field->hi)
            return err_set (err, ERR_INVALID, "%s:%zu: column '%s': '%s' is more than %.0f",
                            name, csvreader_line (csv, row), field->column, cell, field->hi);
        if (field->kind == FIELD_UINT32)
            *AT (message, field->at, uint32_t) = (uint32_t)whole;
        else
            *AT (message, field->at, int32_t) = (int32_t)whole;
        *AT (message, field->has_at, protobuf_c_boolean) = 1;
        break;
    case FIELD_BOOL:
        rc = csvreader_bool (csv, row, field->column, &flag, err);
        if (rc)
            return rc;
        *AT (message, field->at, protobuf_c_boolean) = flag;
        *AT (message, field->has_at, protobuf_c_boolean) = 1;
        break;
    case FIELD_LIST:
        rc = s_split_list (cell, AT (message, field->at, char **),
                           AT (message, field->has_at, size_t));
        break;
    }
    if (rc == ERR_NOMEM)
        return err_set (err, ERR_NOMEM, "%s:%zu: out of memory", name,
                        csvreader_line (csv, row));
    return rc;
}

/*  Dates that must not precede another date of the same record (renewal after the
    contract started, a deal closed after it opened). Both are valid dates by now. */
static int
s_load_date_order (csvreader_t *csv, size_t row, const record_kind_t *kind, void *message,
                   err_t *err)
{
    for (size_t i = 0; i < kind->field_count; i++) {
        const field_t *later = &kind->fields[i];
        if (later->kind != FIELD_DATE || !later->not_before)
            continue;
        const field_t *earlier = s_field (kind, later->not_before);
        const char *later_text = *AT (message, later->at, char *);
        const char *earlier_text = *AT (message, earlier->at, char *);
        int32_t later_day, earlier_day;
        if (date_parse (later_text, &later_day) == 0 &&
            date_parse (earlier_text, &earlier_day) == 0 && later_day < earlier_day)
            return err_set (err, ERR_INVALID, "%s:%zu: column '%s': '%s' is before %s (%s)",
                            csvreader_name (csv), csvreader_line (csv, row), later->column,
                            later_text, earlier->column, earlier_text);
    }
    return 0;
}

/*  Open addressing over the keys seen so far; keys point into the records built. */
typedef struct {
    const char **keys;
    size_t *lines;
    size_t mask;
} key_set_t;

/*  FNV-1a: ids are short and this only has to spread them. */
static size_t
s_hash (const char *key)
{
    uint64_t hash = 14695981039346656037u;
    for (const unsigned char *c = (const unsigned char *)key; *c; c++)
        hash = (hash ^ *c) * 1099511628211u;
    return (size_t)hash;
}

static int
s_keys_init (key_set_t *set, size_t rows)
{
    size_t cap = 16;
    while (cap < rows * 2)
        cap *= 2;
    set->keys = (const char **)calloc (cap, sizeof (char *));
    set->lines = (size_t *)calloc (cap, sizeof (size_t));
    set->mask = cap - 1;
    return set->keys && set->lines ? 0 : ERR_NOMEM;
}

/*  Add key first seen on `line`; if it was there already return the line it was on. */
static size_t
s_keys_add (key_set_t *set, const char *key, size_t line)
{
    size_t slot = s_hash (key) & set->mask;
    while (set->keys[slot]) {
        if (strcmp (set->keys[slot], key) == 0)
            return set->lines[slot];
        slot = (slot + 1) & set->mask;
    }
    set->keys[slot] = key;
    set->lines[slot] = line;
    return 0;
}

static void
s_keys_free (key_set_t *set)
{
    free (set->keys);
    free (set->lines);
}

static const char *
s_basename (const char *path)
{
    const char *slash = strrchr (path, '/');
    return slash ? slash + 1 : path;
}

/*  Fill the import message `import` (already initialised) from the file at path. On
    error the caller frees import, and with it every record added so far. */
static int
s_load (const char *path, const record_kind_t *kind, void *import, err_t *err)
{
    csvreader_t *csv = NULL;
    key_set_t keys = {NULL, NULL, 0};
    int rc = csvreader_open (path, &csv, err);
    if (rc)
        return rc;
    const char *columns[FIELDS_MAX + 1];
    for (size_t i = 0; i < kind->field_count; i++)
        columns[i] = kind->fields[i].column;
    columns[kind->field_count] = NULL;
    rc = csvreader_require (csv, columns, err);
    if (rc)
        goto cleanup;

    size_t rows = csvreader_rows (csv);
    if (rows == 0 && kind->need_rows) {
        rc = err_set (err, ERR_INVALID, "%s: no rows after the header; nothing to import",
                      csvreader_name (csv));
        goto cleanup;
    }
    if (kind->unique && s_keys_init (&keys, rows) != 0) {
        rc = err_set (err, ERR_NOMEM, "%s: out of memory", csvreader_name (csv));
        goto cleanup;
    }
    void **records = (void **)calloc (rows ? rows : 1, sizeof (void *));
    if (!records) {
        rc = err_set (err, ERR_NOMEM, "%s: out of memory", csvreader_name (csv));
        goto cleanup;
    }
    *AT (import, kind->list_at, void **) = records;
    size_t *count = AT (import, kind->list_count_at, size_t);
    for (size_t row = 0; row < rows; row++) {
        void *record = malloc (kind->size);
        if (!record) {
            rc = err_set (err, ERR_NOMEM, "%s:%zu: out of memory", csvreader_name (csv),
                          csvreader_line (csv, row));
            goto cleanup;
        }
        kind->init (record);
        records[(*count)++] = record;
        for (size_t i = 0; i < kind->field_count && rc == 0; i++)
            rc = s_load_field (csv, row, &kind->fields[i], record, err);
        if (rc == 0)
            rc = s_load_date_order (csv, row, kind, record, err);
        if (rc)
            goto cleanup;
        if (kind->unique) {
            const char *key = *AT (record, kind->fields[0].at, char *);
            size_t line = csvreader_line (csv, row);
            size_t first = s_keys_add (&keys, key, line);
            if (first) {
                rc = err_set (err, ERR_INVALID,
                              "%s:%zu: column '%s': '%s' is a duplicate of line %zu",
                              csvreader_name (csv), line, kind->fields[0].column, key, first);
                goto cleanup;
            }
        }
    }
    char **source = AT (import, offsetof (Campaign__ImportPortfolio, source), char *);
    if (!(*source = strdup (s_basename (path))))
        rc = err_set (err, ERR_NOMEM, "%s: out of memory", csvreader_name (csv));
cleanup:
    s_keys_free (&keys);
    csvreader_destroy (&csv);
    return rc;
}

/*  The three import messages share their layout's head (base, source), which is what
    s_load relies on for `source`; these asserts keep it honest. */
_Static_assert(offsetof (Campaign__ImportPortfolio, source) ==
                   offsetof (Campaign__ImportRoster, source),
               "import messages share the source offset");
_Static_assert(offsetof (Campaign__ImportPortfolio, source) ==
                   offsetof (Campaign__ImportHistory, source),
               "import messages share the source offset");

int
records_load_accounts (const char *path, Campaign__ImportPortfolio **out, err_t *err)
{
    Campaign__ImportPortfolio *import = malloc (sizeof *import);
    if (!import)
        return err_set (err, ERR_NOMEM, "%s: out of memory", path);
    campaign__import_portfolio__init (import);
    int rc = s_load (path, &s_accounts, import, err);
    if (rc) {
        campaign__import_portfolio__free_unpacked (import, NULL);
        return rc;
    }
    *out = import;
    return 0;
}

int
records_load_roster (const char *path, Campaign__ImportRoster **out, err_t *err)
{
    Campaign__ImportRoster *import = malloc (sizeof *import);
    if (!import)
        return err_set (err, ERR_NOMEM, "%s: out of memory", path);
    campaign__import_roster__init (import);
    int rc = s_load (path, &s_people, import, err);
    if (rc) {
        campaign__import_roster__free_unpacked (import, NULL);
        return rc;
    }
    *out = import;
    return 0;
}

int
records_load_history (const char *path, Campaign__ImportHistory **out, err_t *err)
{
    Campaign__ImportHistory *import = malloc (sizeof *import);
    if (!import)
        return err_set (err, ERR_NOMEM, "%s: out of memory", path);
    campaign__import_history__init (import);
    int rc = s_load (path, &s_history, import, err);
    if (rc) {
        campaign__import_history__free_unpacked (import, NULL);
        return rc;
    }
    *out = import;
    return 0;
}

/*  ---------------------------------------------------------------------------------
    Wire checks */

static int
s_check_field (const record_kind_t *kind, const char *id, const field_t *field,
               const void *message, err_t *err)
{
    const char *noun = kind->noun;
    const char *column = field->column;
    const char *text = NULL;
    char range[64];
    if (s_is_text (field->kind))
        text = *CAT (message, field->at, char *);
    else if (field->kind != FIELD_LIST && !field->optional &&
             !*CAT (message, field->has_at, protobuf_c_boolean))
        return err_set (err, ERR_INVALID, "%s %s: %s is missing", noun, id, column);

    switch (field->kind) {
    case FIELD_TEXT:
    case FIELD_ANY_TEXT:
        if (field->kind == FIELD_TEXT && s_blank (text))
            return err_set (err, ERR_INVALID, "%s %s: %s is missing", noun, id, column);
        if (text && !s_utf8 (text))
            return err_set (err, ERR_INVALID, "%s %s: %s is not valid UTF-8", noun, id, column);
        break;
    case FIELD_WORD:
        if (s_blank (text))
            return err_set (err, ERR_INVALID, "%s %s: %s is missing", noun, id, column);
        for (size_t i = 0; field->allowed[i]; i++)
            if (strcmp (text, field->allowed[i]) == 0)
                return 0;
        {
            char list[ERR_MSG_MAX / 2] = "";
            size_t used = 0;
            for (size_t i = 0; field->allowed[i] && used < sizeof list; i++) {
                int n = snprintf (list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                  field->allowed[i]);
                if (n < 0)
                    break;
                used += (size_t)n;
            }
            if (!s_utf8 (text))
                return err_set (err, ERR_INVALID, "%s %s: %s is not one of %s", noun, id,
                                column, list);
            return err_set (err, ERR_INVALID, "%s %s: %s '%.80s' is not one of %s", noun, id,
                            column, text, list);
        }
    case FIELD_DATE: {
        int32_t day;
        if (s_blank (text))
            return err_set (err, ERR_INVALID, "%s %s: %s is missing", noun, id, column);
        if (date_parse (text, &day) != 0) {
            if (!s_utf8 (text))
                return err_set (err, ERR_INVALID, "%s %s: %s is not a date (YYYY-MM-DD)", noun,
                                id, column);
            return err_set (err, ERR_INVALID, "%s %s: %s '%.80s' is not a date (YYYY-MM-DD)",
                            noun, id, column, text);
        }
        break;
    }
    case FIELD_DOUBLE: {
        if (!*CAT (message, field->has_at, protobuf_c_boolean))
            break;
        double value = *CAT (message, field->at, double);
        if (!isfinite (value))
            return err_set (err, ERR_INVALID, "%s %s: %s %g is not a finite number", noun, id,
                            column, value);
        if (value < field->lo || value > field->hi) {
            s_range_words (field, range, sizeof range, value < field->lo);
            return err_set (err, ERR_INVALID, "%s %s: %s %g is %s", noun, id, column, value,
                            range);
        }
        break;
    }
    case FIELD_UINT32:
    case FIELD_INT32: {
        if (!*CAT (message, field->has_at, protobuf_c_boolean))
            break;
        double value = field->kind == FIELD_UINT32 ? (double)*CAT (message, field->at, uint32_t)
                                                   : (double)*CAT (message, field->at, int32_t);
        if (value < field->lo || value > field->hi) {
            s_range_words (field, range, sizeof range, value < field->lo);
            return err_set (err, ERR_INVALID, "%s %s: %s %.0f is %s", noun, id, column, value,
                            range);
        }
        break;
    }
    case FIELD_BOOL: break;
    case FIELD_LIST: {
        size_t count = *CAT (message, field->has_at, size_t);
        char *const *items = *CAT (message, field->at, string_list_t);
        for (size_t i = 0; i < count; i++) {
            if (s_blank (items[i]))
                return err_set (err, ERR_INVALID, "%s %s: %s item %zu is empty", noun, id,
                                column, i + 1);
            if (!s_utf8 (items[i]))
                return err_set (err, ERR_INVALID, "%s %s: %s item %zu is not valid UTF-8", noun,
                                id, column, i + 1);
        }
        break;
    }
    }
    return 0;
}

static int
s_check (const record_kind_t *kind, const void *message, err_t *err)
{
    if (!message)
        return err_set (err, ERR_INVALID, "%s: no record in the message", kind->noun);
    const field_t *key = &kind->fields[0];
    const char *id = *CAT (message, key->at, char *);
    if (s_blank (id))
        return err_set (err, ERR_INVALID, "%s without %s", kind->noun, key->column);
    if (!s_utf8 (id))
        return err_set (err, ERR_INVALID, "%s with an %s that is not valid UTF-8", kind->noun,
                        key->column);
    for (size_t i = 1; i < kind->field_count; i++) {
        int rc = s_check_field (kind, id, &kind->fields[i], message, err);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < kind->field_count; i++) {
        const field_t *later = &kind->fields[i];
        if (later->kind != FIELD_DATE || !later->not_before)
            continue;
        const field_t *earlier = s_field (kind, later->not_before);
        const char *later_text = *CAT (message, later->at, char *);
        const char *earlier_text = *CAT (message, earlier->at, char *);
        int32_t later_day, earlier_day;
        if (date_parse (later_text, &later_day) == 0 &&
            date_parse (earlier_text, &earlier_day) == 0 && later_day < earlier_day)
            return err_set (err, ERR_INVALID, "%s %s: %s %s is before %s %s", kind->noun, id,
                            later->column, later_text, earlier->column, earlier_text);
    }
    return 0;
}

int
records_check_account (const Campaign__Account *account, err_t *err)
{
    return s_check (&s_accounts, account, err);
}

int
records_check_person (const Campaign__Person *person, err_t *err)
{
    return s_check (&s_people, person, err);
}

int
records_check_history (const Campaign__HistoryRecord *record, err_t *err)
{
    return s_check (&s_history, record, err);
}
