/* Lua is built with errors as traps for wasm32-wasi: ldo.c includes this but uses none of it. */
