/* templates.h: the project templates of `corral new`, generated into the binary from
 * templates/ by scripts/embed_templates.sh (build/gen/templates.c). Each template is a
 * directory of files; "{{name}}" in them becomes the project's name, "{{crate}}" the name
 * as a Rust crate name ('-' as '_'). */
#ifndef CORRAL_CLI_TEMPLATES_H
#define CORRAL_CLI_TEMPLATES_H

#include <stddef.h>

typedef struct TemplateFile {
    const char *tmpl; /* the template's name, "http-c" */
    const char *path; /* relative to the project, '/'-separated */
    const char *text;
} TemplateFile;

/* Every file of every template, grouped by template, in byte order of tmpl/path. */
extern const TemplateFile template_files[];
extern const size_t template_nfiles;

#endif
