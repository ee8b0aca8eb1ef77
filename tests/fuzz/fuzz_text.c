/* fuzz_text.c: libFuzzer target over the text format (src/text): the input as a module
 * (lexer, module and instruction parser, encoder), whose binary then goes through the
 * engine's load path, and as a .wast script (every module in it encoded the same way).
 * Nothing may crash, leak or hang, whatever the text; an encoded module may be invalid, but
 * the engine must reject it cleanly. How to build and run it: tests/fuzz/README.md; `make
 * fuzz-replay` replays tests/fuzz/corpus-text and the spec's .wast files through replay.c. */
#include "corral.h"
#include "text/text.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void load(corral_engine_t *engine, const uint8_t *bytes, size_t len)
{
    corral_module_t *m = NULL;
    corral_error_t *err = corral_module_new(engine, bytes, len, &m);
    corral_error_delete(err);
    corral_module_delete(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static corral_engine_t *engine;
    if (!engine)
        engine = corral_engine_new(NULL);
    TextError terr;
    uint8_t *bytes;
    size_t len;
    if (!text_module_encode((const char *)data, size, &bytes, &len, &terr)) {
        load(engine, bytes, len);
        free(bytes);
    }
    TextScript script;
    if (!text_script_parse((const char *)data, size, &script, &terr)) {
        for (size_t i = 0; i < script.ncmds; i++)
            if (script.cmds[i].has_module && script.cmds[i].module.bytes)
                load(engine, script.cmds[i].module.bytes, script.cmds[i].module.len);
        text_script_free(&script);
    }
    return 0;
}
