/* wast_text.h: the CLI's use of the text library (src/text): scripts for `corral wast`, and
 * text modules for run, validate and compile. */
#ifndef CORRAL_WAST_TEXT_H
#define CORRAL_WAST_TEXT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text/text.h"

/* When *bytes look like the text format, replaces them (owned, from cli_read_file) by the
 * module's binary encoding. False after printing "NAME:LINE:COL: message" when the text is
 * malformed; *bytes are then still the caller's. */
bool cli_text_to_binary(const char *name, uint8_t **bytes, size_t *len);

/* Parses the .wast script text into *out and returns its commands as wast2json's JSON,
 * each module command with "text_module": its index in out->cmds. Its modules are read with
 * the text format of the CORRAL_FEATURE_* set features (memory64: u64 offsets). NULL after
 * printing "PATH:LINE:COL: message". */
json_t *wast_text_load(const char *path, const uint8_t *text, size_t len, uint32_t features,
                       TextScript *out);

#endif
