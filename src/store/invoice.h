/* invoice.h: a Bindle invoice (BINDLE.md 4.2) in memory, read from TOML (Corral's parser)
 * or JSON (jansson) exactly as Bindle 0.9.1's code reads it: camelCase keys, every unknown
 * field refused (so the spec's yanked_reason, yanked_signature, bindle_version and member_of
 * are errors), label.name and label.size required, mediaType defaulting to
 * application/octet-stream. Corral refuses more than Bindle where a value could hurt a
 * client or the store: names with '..' segments or absolute paths, digests that are not 64
 * lower-case hex digits. Written back as TOML or JSON with the optional parts that were
 * present, maps in key order (Bindle's BTreeMaps). */
#ifndef CORRAL_STORE_INVOICE_H
#define CORRAL_STORE_INVOICE_H

#include "store/semver.h"
#include "util/arena.h"
#include "util/toml.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A string-to-string map (annotations, a feature section). present: the key was given,
 * even empty. */
typedef struct InvPair {
    char *key, *value;
} InvPair;
typedef struct InvMap {
    InvPair *items;
    size_t n;
    bool present;
} InvMap;

typedef struct InvStrings {
    char **items;
    size_t n;
    bool present;
} InvStrings;

/* label.feature.SECTION = { key = value } */
typedef struct InvFeature {
    char *section;
    InvMap map;
} InvFeature;

typedef struct InvLabel {
    char *sha256;     /* 64 lower-case hex digits */
    char *media_type; /* application/octet-stream when not given */
    char *name;
    uint64_t size;
    char *origin; /* NULL: absent */
    InvMap annotations;
    InvFeature *features;
    size_t nfeatures;
    bool has_feature;
} InvLabel;

typedef struct InvParcel {
    InvLabel label;
    bool has_conditions;
    InvStrings member_of, requires;
} InvParcel;

typedef struct InvGroup {
    char *name;
    bool has_required, required;
    char *satisfied_by; /* "allOf", "oneOf" or "optional"; NULL: absent */
} InvGroup;

typedef struct InvSignature {
    char *by, *signature, *key;
    char *role; /* "creator", "approver", "host" or "proxy" */
    uint64_t at;
} InvSignature;

typedef struct InvSignatures {
    InvSignature *items;
    size_t n;
    bool present;
} InvSignatures;

/* Everything lives in arena; invoice_free releases it all. */
typedef struct Invoice {
    Arena arena;
    char *bindle_version;
    bool has_yanked, yanked;
    char *name, *version; /* bindle.name, bindle.version */
    SemVer semver;        /* of version (borrows it) */
    char *description;    /* NULL: absent */
    InvStrings authors;
    InvMap annotations;
    InvParcel *parcels;
    size_t nparcels;
    bool has_parcels;
    InvGroup *groups;
    size_t ngroups;
    bool has_groups;
    InvSignatures signatures, yanked_signatures;
} Invoice;

typedef enum InvFormat { INV_TOML, INV_JSON } InvFormat;

/* Reads an invoice from text[0..len) in format. On success returns an owned invoice
 * (invoice_free); on failure NULL with *out_err an owned message (free()) such as
 * "unknown field 'yanked_reason' at line 3" or "invalid TOML at line 2, column 5: ...". */
Invoice *invoice_parse(const char *text, size_t len, InvFormat format, char **out_err);
void invoice_free(Invoice *inv);

/* invoice_parse of a TOML table already parsed: an element of a search answer's
 * [[invoices]], a 201 answer's [invoice]. Same rules, same messages (lines are the
 * document's). */
Invoice *invoice_from_toml(const TomlValue *table, char **out_err);

/* The invoice as text in format: an owned NUL-terminated string (free()), *out_len its
 * length; NULL when memory is short. */
char *invoice_write(const Invoice *inv, InvFormat format, size_t *out_len);

/* The parcel whose label.sha256 is sha, or NULL. */
const InvParcel *invoice_find_parcel(const Invoice *inv, const char *sha);

/* Appends a signature (strings copied into the invoice's arena). false when memory is
 * short. */
bool invoice_add_signature(Invoice *inv, const InvSignature *sig);

/* "NAME/VERSION" of inv into an owned string (free()); NULL when memory is short. */
char *invoice_id(const Invoice *inv);

#endif
