/* lua_kernel.c: a real program as a bench kernel. Runs a fixed Lua script (recursion, table
 * sort, string formatting and hashing) in Lua 5.4 and returns a checksum, with the kernels'
 * signature int32_t luabench(int32_t), so the same drivers run it natively and as Wasm.
 * Lua is built with errors as traps (no setjmp in wasi-libc): the script raises none. */
#include <stdint.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

#define BENCH_ARG 15

static const char script[] =
    "local n = N\n"
    "local function fib(x) if x < 2 then return x end return fib(x - 1) + fib(x - 2) end\n"
    "local t = {}\n"
    "for i = 1, n * 20000 do t[i] = (i * 7919) % 100003 end\n"
    "table.sort(t)\n"
    "local s = {}\n"
    "for i = 1, n * 5000 do s[#s + 1] = string.format('%d:%x', i, t[i % #t + 1]) end\n"
    "local str = table.concat(s, ',')\n"
    "local h = 0\n"
    "for i = 1, #str, 3 do h = (h * 31 + str:byte(i)) % 2147483647 end\n"
    "return (fib(24 + n % 3) + h + #str) % 2147483647\n";

int32_t luabench(int32_t n);

int32_t luabench(int32_t n)
{
    lua_State *L = luaL_newstate();
    int32_t result;

    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    lua_settop(L, 0);
    lua_pushinteger(L, n);
    lua_setglobal(L, "N");
    if (luaL_dostring(L, script) != LUA_OK)
        return -1;
    result = (int32_t)lua_tointeger(L, -1);
    lua_close(L);
    return result;
}
