/*  csvreader.c: whole-file CSV tables with a header row, parsed by libcsv.

    The reader owns one copy of the file's cell text (a single pool of NUL-terminated
    strings, addressed by offset because the pool grows while parsing) and, per record,
    the file line where it starts. libcsv reports fields and records but not positions,
    so the input is fed to it one physical line at a time: a record can only end at a
    line break, so a record-end callback always belongs to the line just fed, and the
    line where a record starts is the first non-blank line after the previous record.

    libcsv's default space handling is kept: spaces and tabs around an unquoted cell are
    dropped, inside quotes they are kept. csvreader_write_cell quotes cells with such
    spaces so what it writes reads back the same.
*/
#include "csvreader.h"

#include <csv.h>
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calendar.h"

/*  How much of a cell value a message quotes; a whole pasted paragraph helps nobody. */
#define CELL_SHOWN_MAX 80

typedef struct {
    size_t line;  /* file line where the record starts */
    size_t first; /* index of its first cell in cells[] */
    size_t count; /* number of cells */
} csv_record_t;

struct _csvreader_t {
    char *name;
    char *pool; /* cell text, each NUL-terminated */
    size_t pool_size;
    size_t pool_cap;
    size_t *cells; /* offset of each cell's text in pool */
    size_t cell_count;
    size_t cell_cap;
    csv_record_t *records; /* records[0] is the header */
    size_t record_count;
    size_t record_cap;
};

/*  What the libcsv callbacks need while one buffer is parsed. */
typedef struct {
    csvreader_t *reader;
    size_t line;        /* line being fed */
    size_t record_line; /* where the record in progress started */
    size_t record_first;
    bool in_record;
    bool nomem;
} csv_feed_t;

static char s_empty[] = "";

static bool
s_grow (void **array, size_t *cap, size_t need, size_t item)
{
    if (need <= *cap)
        return true;
    size_t wanted = *cap ? *cap : 64;
    while (wanted < need) {
        if (wanted > SIZE_MAX / 2 / item)
            return false;
        wanted *= 2;
    }
    void *bigger = realloc (*array, wanted * item);
    if (!bigger)
        return false;
    *array = bigger;
    *cap = wanted;
    return true;
}

static void
s_on_field (void *text, size_t len, void *arg)
{
    csv_feed_t *feed = (csv_feed_t *)arg;
    csvreader_t *self = feed->reader;
    if (feed->nomem)
        return;
    if (len > SIZE_MAX - self->pool_size - 1 ||
        !s_grow ((void **)&self->pool, &self->pool_cap, self->pool_size + len + 1, 1) ||
        !s_grow ((void **)&self->cells, &self->cell_cap, self->cell_count + 1,
                 sizeof (size_t))) {
        feed->nomem = true;
        return;
    }
    if (len)
        memcpy (self->pool + self->pool_size, text, len);
    self->pool[self->pool_size + len] = '\0';
    self->cells[self->cell_count++] = self->pool_size;
    self->pool_size += len + 1;
}

static void
s_on_record (int terminator, void *arg)
{
    csv_feed_t *feed = (csv_feed_t *)arg;
    csvreader_t *self = feed->reader;
    if (feed->nomem)
        return;
    if (!s_grow ((void **)&self->records, &self->record_cap, self->record_count + 1,
                 sizeof (csv_record_t))) {
        feed->nomem = true;
        return;
    }
    csv_record_t *record = &self->records[self->record_count++];
    record->line = feed->in_record ? feed->record_line : feed->line;
    record->first = feed->record_first;
    record->count = self->cell_count - feed->record_first;
    feed->record_first = self->cell_count;
    feed->in_record = false;
}

/*  Length of the physical line starting at data[at], its terminator included (LF, CR LF
    or a lone CR, as libcsv ends records on any of them). */
static size_t
s_line_length (const char *data, size_t size, size_t at)
{
    size_t i = at;
    while (i < size && data[i] != '\n' && data[i] != '\r')
        i++;
    if (i < size && data[i] == '\r' && i + 1 < size && data[i + 1] == '\n')
        i++;
    if (i < size)
        i++;
    return i - at;
}

static bool
s_blank (const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
            return false;
    return true;
}

/*  Bytes of the UTF-8 sequence starting at text (at most `left` available), or 0 if it
    is not valid: overlong forms, surrogates and code points above U+10FFFF are not. */
static size_t
s_utf8_sequence (const unsigned char *text, size_t left)
{
    unsigned char c = text[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c < 0x80)
        return 1;
    else if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else
        return 0;
    if (left < len || text[1] < lo || text[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((text[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

/*  Check the whole buffer before parsing, so a bad byte is reported with its line even
    inside a quoted cell, and no cell handed out later can hold invalid text. */
static int
s_check_text (const char *name, const char *data, size_t size, err_t *err)
{
    const unsigned char *bytes = (const unsigned char *)data;
    size_t line = 1, line_start = 0;
    size_t i = 0;
    while (i < size) {
        unsigned char c = bytes[i];
        if (c == '\n' || (c == '\r' && (i + 1 == size || bytes[i + 1] != '\n'))) {
            line++;
            line_start = i + 1;
            i++;
            continue;
        }
        if (c == '\0')
            return err_set (err, ERR_PARSE,
                            "%s:%zu: NUL byte at column %zu: this is not a text file", name,
                            line, i - line_start + 1);
        size_t len = s_utf8_sequence (bytes + i, size - i);
        if (len == 0)
            return err_set (err, ERR_PARSE,
                            "%s:%zu: invalid UTF-8 (byte 0x%02X at column %zu); save the "
                            "file as UTF-8",
                            name, line, c, i - line_start + 1);
        i += len;
    }
    return 0;
}

static int
s_check_shape (csvreader_t *self, err_t *err)
{
    if (self->record_count == 0)
        return err_set (err, ERR_INVALID, "%s: the file is empty; expected a header row",
                        self->name);
    const csv_record_t *header = &self->records[0];
    if (header->count > INT_MAX)
        return err_set (err, ERR_INVALID, "%s:%zu: too many columns (%zu)", self->name,
                        header->line, header->count);
    for (size_t i = 0; i < header->count; i++) {
        const char *a = self->pool + self->cells[header->first + i];
        for (size_t j = 0; j < i; j++) {
            const char *b = self->pool + self->cells[header->first + j];
            if (strcmp (a, b) == 0)
                return err_set (err, ERR_INVALID,
                                "%s:%zu: column '%s' appears twice in the header (columns "
                                "%zu and %zu)",
                                self->name, header->line, a, j + 1, i + 1);
        }
    }
    for (size_t r = 1; r < self->record_count; r++) {
        const csv_record_t *record = &self->records[r];
        if (record->count > header->count)
            return err_set (err, ERR_INVALID,
                            "%s:%zu: row has %zu cells but the header has %zu; quote values "
                            "that contain a comma",
                            self->name, record->line, record->count, header->count);
        if (record->count < header->count)
            return err_set (err, ERR_INVALID,
                            "%s:%zu: row has %zu cells but the header has %zu", self->name,
                            record->line, record->count, header->count);
    }
    return 0;
}

static int
s_feed (csvreader_t *self, const char *data, size_t size, err_t *err)
{
    struct csv_parser parser;
    if (csv_init (&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return err_set (err, ERR_NOMEM, "%s: out of memory", self->name);
    csv_feed_t feed = {.reader = self, .line = 1};
    int rc = 0;
    size_t at = 0;
    while (at < size) {
        size_t len = s_line_length (data, size, at);
        if (!feed.in_record && !s_blank (data + at, len)) {
            feed.in_record = true;
            feed.record_line = feed.line;
        }
        size_t done = csv_parse (&parser, data + at, len, s_on_field, s_on_record, &feed);
        if (feed.nomem) {
            rc = err_set (err, ERR_NOMEM, "%s: out of memory", self->name);
            goto cleanup;
        }
        if (done != len) {
            if (csv_error (&parser) == CSV_EPARSE)
                rc = err_set (err, ERR_PARSE,
                              "%s:%zu: malformed quoting: a quote inside an unquoted cell, or "
                              "text after a closing quote (write a quote in a cell as \"\" "
                              "inside a quoted cell)",
                              self->name, feed.line);
            else
                rc = err_set (err, ERR_NOMEM, "%s: %s", self->name,
                              csv_strerror (csv_error (&parser)));
            goto cleanup;
        }
        at += len;
        feed.line++;
    }
    if (csv_fini (&parser, s_on_field, s_on_record, &feed) != 0) {
        if (csv_error (&parser) == CSV_EPARSE)
            rc = err_set (err, ERR_PARSE,
                          "%s:%zu: a quoted cell in the row starting here is never closed",
                          self->name, feed.record_line);
        else
            rc = err_set (err, ERR_NOMEM, "%s: %s", self->name,
                          csv_strerror (csv_error (&parser)));
        goto cleanup;
    }
    if (feed.nomem)
        rc = err_set (err, ERR_NOMEM, "%s: out of memory", self->name);
cleanup:
    csv_free (&parser);
    return rc;
}

int
csvreader_parse (const char *name, const char *data, size_t size, csvreader_t **out, err_t *err)
{
    if (!name)
        name = "(csv)";
    int rc = 0;
    csvreader_t *self = (csvreader_t *)calloc (1, sizeof *self);
    if (!self || !(self->name = strdup (name))) {
        rc = err_set (err, ERR_NOMEM, "%s: out of memory", name);
        goto cleanup;
    }
    if (size >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        size -= 3;
    }
    rc = s_check_text (name, data, size, err);
    if (rc == 0)
        rc = s_feed (self, data, size, err);
    if (rc == 0)
        rc = s_check_shape (self, err);
cleanup:
    if (rc == 0)
        *out = self;
    else
        csvreader_destroy (&self);
    return rc;
}

int
csvreader_open (const char *path, csvreader_t **out, err_t *err)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return err_set (err, ERR_IO, "%s: cannot open: %s", path, strerror (errno));
    int rc = 0;
    size_t size = 0, cap = 0;
    char *data = NULL;
    for (;;) {
        if (!s_grow ((void **)&data, &cap, size + 65536, 1)) {
            rc = err_set (err, ERR_NOMEM, "%s: out of memory reading the file", path);
            goto cleanup;
        }
        size_t got = fread (data + size, 1, cap - size, file);
        size += got;
        if (got == 0)
            break;
    }
    if (ferror (file)) {
        rc = err_set (err, ERR_IO, "%s: cannot read: %s", path, strerror (errno));
        goto cleanup;
    }
    rc = csvreader_parse (path, data, size, out, err);
cleanup:
    free (data);
    fclose (file);
    return rc;
}

void
csvreader_destroy (csvreader_t **self_p)
{
    if (self_p && *self_p) {
        csvreader_t *self = *self_p;
        free (self->name);
        free (self->pool);
        free (self->cells);
        free (self->records);
        free (self);
        *self_p = NULL;
    }
}

const char *
csvreader_name (csvreader_t *self)
{
    return self->name;
}

size_t
csvreader_rows (csvreader_t *self)
{
    return self->record_count - 1;
}

int
csvreader_column (csvreader_t *self, const char *header)
{
    const csv_record_t *head = &self->records[0];
    for (size_t i = 0; i < head->count; i++)
        if (strcmp (self->pool + self->cells[head->first + i], header) == 0)
            return (int)i;
    return -1;
}

size_t
csvreader_columns (csvreader_t *self)
{
    return self->records[0].count;
}

const char *
csvreader_header (csvreader_t *self, size_t column)
{
    const csv_record_t *head = &self->records[0];
    return column < head->count ? self->pool + self->cells[head->first + column] : NULL;
}

int
csvreader_require (csvreader_t *self, const char *const *columns, err_t *err)
{
    for (size_t i = 0; columns[i]; i++)
        if (csvreader_column (self, columns[i]) < 0)
            return err_set (err, ERR_INVALID, "%s:%zu: missing required column '%s'",
                            self->name, self->records[0].line, columns[i]);
    return 0;
}

size_t
csvreader_line (csvreader_t *self, size_t row)
{
    if (row + 1 >= self->record_count)
        return 0;
    return self->records[row + 1].line;
}

const char *
csvreader_cell (csvreader_t *self, size_t row, int column)
{
    if (row + 1 >= self->record_count || column < 0)
        return s_empty;
    const csv_record_t *record = &self->records[row + 1];
    if ((size_t)column >= record->count)
        return s_empty;
    return self->pool + self->cells[record->first + (size_t)column];
}

/*  How many bytes of value a message shows: all of it up to CELL_SHOWN_MAX, never
    cutting a UTF-8 sequence in two. */
static int
s_shown (const char *value)
{
    size_t len = strlen (value);
    if (len <= CELL_SHOWN_MAX)
        return (int)len;
    len = CELL_SHOWN_MAX;
    while (len > 0 && ((unsigned char)value[len] & 0xC0) == 0x80)
        len--;
    return (int)len;
}

/*  "name:line: column 'col': 'value' <problem>"; returns ERR_INVALID. */
static int s_cell_error (csvreader_t *self, size_t row, const char *column, const char *value,
                         err_t *err, const char *fmt, ...)
    __attribute__ ((format (printf, 6, 7)));

static int
s_cell_error (csvreader_t *self, size_t row, const char *column, const char *value, err_t *err,
              const char *fmt, ...)
{
    char problem[ERR_MSG_MAX];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (problem, sizeof problem, fmt, ap);
    va_end (ap);
    int shown = s_shown (value);
    return err_set (err, ERR_INVALID, "%s:%zu: column '%s': '%.*s%s' %s", self->name,
                    csvreader_line (self, row), column, shown, value, value[shown] ? "..." : "",
                    problem);
}

/*  The cell of a named column, or an error if the column is not there (a caller that
    did not csvreader_require it first). */
static int
s_lookup (csvreader_t *self, size_t row, const char *column, const char **value, err_t *err)
{
    int index = csvreader_column (self, column);
    if (index < 0)
        return err_set (err, ERR_INVALID, "%s:%zu: missing required column '%s'", self->name,
                        self->records[0].line, column);
    if (row + 1 >= self->record_count)
        return err_set (err, ERR_NOTFOUND, "%s: no data row %zu", self->name, row + 1);
    *value = csvreader_cell (self, row, index);
    return 0;
}

static bool
s_space (char c)
{
    return c == ' ' || c == '\t';
}

/*  Copy value without surrounding spaces into buf; false if it does not fit (no word
    or number we accept is that long). */
static bool
s_trimmed (const char *value, char *buf, size_t size)
{
    while (s_space (*value))
        value++;
    size_t len = strlen (value);
    while (len > 0 && s_space (value[len - 1]))
        len--;
    if (len >= size)
        return false;
    memcpy (buf, value, len);
    buf[len] = '\0';
    return true;
}

int
csvreader_double (csvreader_t *self, size_t row, const char *column, double lo, double hi,
                  double *out, err_t *err)
{
    const char *value;
    int rc = s_lookup (self, row, column, &value, err);
    if (rc)
        return rc;
    char text[64];
    if (!s_trimmed (value, text, sizeof text))
        return s_cell_error (self, row, column, value, err, "is not a number");
    if (!*text)
        return s_cell_error (self, row, column, value, err, "is empty; a number is required");
    /*  strtod also reads hex floats, "inf" and "nan", none of which belong in a data
        file; only plain decimal notation gets through. */
    if (strspn (text, "0123456789+-.eE") != strlen (text))
        return s_cell_error (self, row, column, value, err, "is not a number");
    char *end;
    errno = 0;
    double number = strtod (text, &end);
    if (end == text || *end != '\0')
        return s_cell_error (self, row, column, value, err, "is not a number");
    if (errno == ERANGE || !isfinite (number))
        return s_cell_error (self, row, column, value, err, "is out of range");
    if (number < lo || number > hi) {
        if (lo <= -DBL_MAX)
            return s_cell_error (self, row, column, value, err, "is more than %g", hi);
        if (hi >= DBL_MAX)
            return s_cell_error (self, row, column, value, err, "is less than %g", lo);
        return s_cell_error (self, row, column, value, err, "is outside %g..%g", lo, hi);
    }
    *out = number;
    return 0;
}

int
csvreader_int (csvreader_t *self, size_t row, const char *column, int64_t lo, int64_t hi,
               int64_t *out, err_t *err)
{
    const char *value;
    int rc = s_lookup (self, row, column, &value, err);
    if (rc)
        return rc;
    char text[64];
    if (!s_trimmed (value, text, sizeof text))
        return s_cell_error (self, row, column, value, err, "is not a whole number");
    if (!*text)
        return s_cell_error (self, row, column, value, err,
                             "is empty; a whole number is required");
    const char *digits = text + (*text == '-' || *text == '+');
    if (!*digits || strspn (digits, "0123456789") != strlen (digits))
        return s_cell_error (self, row, column, value, err, "is not a whole number");
    errno = 0;
    long long number = strtoll (text, NULL, 10);
    if (errno == ERANGE)
        return s_cell_error (self, row, column, value, err, "is out of range");
    if (number < lo || number > hi) {
        if (lo == INT64_MIN)
            return s_cell_error (self, row, column, value, err, "is more than %" PRId64, hi);
        if (hi == INT64_MAX)
            return s_cell_error (self, row, column, value, err, "is less than %" PRId64, lo);
        return s_cell_error (self, row, column, value, err, "is outside %" PRId64 "..%" PRId64,
                             lo, hi);
    }
    *out = (int64_t)number;
    return 0;
}

int
csvreader_bool (csvreader_t *self, size_t row, const char *column, bool *out, err_t *err)
{
    const char *value;
    int rc = s_lookup (self, row, column, &value, err);
    if (rc)
        return rc;
    char text[8];
    if (s_trimmed (value, text, sizeof text)) {
        if (!strcasecmp (text, "yes") || !strcasecmp (text, "true") || !strcmp (text, "1")) {
            *out = true;
            return 0;
        }
        if (!strcasecmp (text, "no") || !strcasecmp (text, "false") || !strcmp (text, "0")) {
            *out = false;
            return 0;
        }
    }
    return s_cell_error (self, row, column, value, err, "is not yes or no");
}

int
csvreader_enum (csvreader_t *self, size_t row, const char *column, const char *const *allowed,
                const char **out, err_t *err)
{
    const char *value;
    int rc = s_lookup (self, row, column, &value, err);
    if (rc)
        return rc;
    char text[128];
    if (s_trimmed (value, text, sizeof text))
        for (size_t i = 0; allowed[i]; i++)
            if (strcmp (text, allowed[i]) == 0) {
                *out = allowed[i];
                return 0;
            }
    char list[ERR_MSG_MAX / 2];
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; allowed[i] && used < sizeof list; i++) {
        int n = snprintf (list + used, sizeof list - used, "%s%s", i ? ", " : "", allowed[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return s_cell_error (self, row, column, value, err, "is not one of %s", list);
}

int
csvreader_text (csvreader_t *self, size_t row, const char *column, const char **out, err_t *err)
{
    const char *value;
    int rc = s_lookup (self, row, column, &value, err);
    if (rc)
        return rc;
    if (strspn (value, " \t") == strlen (value))
        return s_cell_error (self, row, column, value, err, "is empty; a value is required");
    *out = value;
    return 0;
}

int
csvreader_date (csvreader_t *self, size_t row, const char *column, int32_t *day, err_t *err)
{
    const char *value;
    int rc = s_lookup (self, row, column, &value, err);
    if (rc)
        return rc;
    char text[DATE_TEXT_MAX];
    int32_t parsed;
    if (!s_trimmed (value, text, sizeof text) || date_parse (text, &parsed) != 0)
        return s_cell_error (self, row, column, value, err,
                             *value ? "is not a date (YYYY-MM-DD)"
                                    : "is empty; a date (YYYY-MM-DD) is required");
    *day = parsed;
    return 0;
}

void
csvreader_write_cell (FILE *file, const char *text)
{
    if (!text)
        return;
    size_t len = strlen (text);
    bool quote = strpbrk (text, ",\"\r\n") != NULL ||
                 (len > 0 && (s_space (text[0]) || s_space (text[len - 1])));
    if (!quote) {
        fputs (text, file);
        return;
    }
    fputc ('"', file);
    for (const char *c = text; *c; c++) {
        if (*c == '"')
            fputc ('"', file);
        fputc (*c, file);
    }
    fputc ('"', file);
}
