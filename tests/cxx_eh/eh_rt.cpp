// eh_rt.cpp: the C++ exception runtime that clang's -fwasm-exceptions code calls, for
// tests/cxx_eh. The wasm32-wasi libc++abi that Debian and @yowasp/clang ship is built without
// exceptions (cxa_noexception.cpp, no __cxa_throw, no libunwind), so this file supplies the
// part that is missing, written for this test from the Itanium C++ ABI and LLVM's WebAssembly
// EH lowering; type matching is the library's own (the catch type's can_catch).
//
// How compiled code uses it:
//   throw:  p = __cxa_allocate_exception(size); construct *p; __cxa_throw(p, &typeid, dtor),
//           which throws the __cpp_exception tag with a pointer to the exception's Unwind
//           header.
//   catch:  the handler catches __cpp_exception, stores its landing-pad index and its
//           function's LSDA in __wasm_lpad_context and calls _Unwind_CallPersonality(exn):
//           that sets __wasm_lpad_context.selector to the type-table index of the first
//           catch clause that matches (0: none, the handler rethrows). The handler then
//           calls __cxa_begin_catch(exn) for the object (adjusted to the caught base) and
//           __cxa_end_catch() when it is left; `throw;` is __cxa_rethrow().
//   cleanups (destructors) catch everything and rethrow; they need nothing from here.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <typeinfo>

namespace __cxxabiv1 {
// The declaration of the type_info subclass that libc++abi's typeinfo objects (in
// libc++abi.a's private_typeinfo) derive from; only the virtual can_catch is called.
class __shim_type_info : public std::type_info {
  public:
    ~__shim_type_info() override;
    virtual void noop1() const;
    virtual void noop2() const;
    virtual bool can_catch(const __shim_type_info *thrown_type, void *&adjusted) const = 0;
};
}  // namespace __cxxabiv1
using __cxxabiv1::__shim_type_info;

// The tag every C++ exception is thrown with (payload: a pointer to the Unwind header).
// Clang 22 leaves it undefined in the objects that throw or catch, for the runtime (libunwind,
// absent here) to define; older clangs give each such object a weak definition of their own,
// and a second definition in one of them is an error.
#if __clang_major__ >= 22
__asm__(".globl __cpp_exception\n.tagtype __cpp_exception i32\n__cpp_exception:\n");
#endif

namespace {

// On WebAssembly destructors return `this` (clang's WebAssembly C++ ABI), so a thrown
// object's destructor must be called through this type or call_indirect traps.
typedef void *(*Destructor)(void *);

struct Unwind {  // what the tag carries; the header around it is this file's own
    uint64_t exception_class;
    void *unused;
};

struct alignas(16) Header {
    Header *next_caught;  // stack of exceptions being handled, innermost first
    int handlers;         // active handlers; negative while rethrown
    const std::type_info *type;
    Destructor destroy;
    void *adjusted;  // the object as the matching handler sees it
    Unwind unwind;
};

Header *caught;  // single-threaded: wasm32-wasi without threads

Header *header_of_object(void *obj) { return static_cast<Header *>(obj) - 1; }
Header *header_of_unwind(void *u) {
    return reinterpret_cast<Header *>(static_cast<char *>(u) - offsetof(Header, unwind));
}
void *object_of(Header *h) { return h + 1; }

[[noreturn]] void raise(Header *h) { __builtin_wasm_throw(0, &h->unwind); }

uintptr_t read_uleb(const uint8_t **p) {
    uintptr_t v = 0;
    unsigned shift = 0;
    uint8_t b;
    do {
        b = *(*p)++;
        v |= uintptr_t(b & 0x7f) << shift;
        shift += 7;
    } while (b & 0x80);
    return v;
}

intptr_t read_sleb(const uint8_t **p) {
    intptr_t v = 0;
    unsigned shift = 0;
    uint8_t b;
    do {
        b = *(*p)++;
        v |= intptr_t(b & 0x7f) << shift;
        shift += 7;
    } while (b & 0x80);
    if (shift < 8 * sizeof v && (b & 0x40)) v |= -(intptr_t(1) << shift);
    return v;
}

// DW_EH_PE_* encodings that appear in WebAssembly LSDAs: absolute 4-byte values.
uintptr_t read_encoded(const uint8_t **p, uint8_t enc) {
    uint32_t v;
    switch (enc & 0x0f) {
    case 0x00:  // absptr
    case 0x03:  // udata4
    case 0x0b:  // sdata4
        std::memcpy(&v, *p, 4);
        *p += 4;
        break;
    default:
        std::abort();
    }
    if (enc & 0x70) std::abort();  // pc-, text-, data-, func-relative: not on wasm
    return v;
}

unsigned encoded_size(uint8_t enc) {
    switch (enc & 0x0f) {
    case 0x00:
    case 0x03:
    case 0x0b:
        return 4;
    default:
        std::abort();
    }
}

}  // namespace

extern "C" {

struct LandingPadContext {
    uintptr_t lpad_index;  // in: this landing pad's index in its function's call-site table
    uintptr_t lsda;        // in: the function's LSDA (its GCC_except_table)
    uintptr_t selector;    // out: type-table index of the matching catch clause, 0 if none
};
// Thread-local in the compiler's view; wasm-ld makes it an ordinary global without threads.
thread_local LandingPadContext __wasm_lpad_context;

void *__cxa_allocate_exception(size_t size) noexcept {
    Header *h = static_cast<Header *>(std::calloc(1, sizeof(Header) + size));
    if (!h) std::terminate();
    return object_of(h);
}

void __cxa_free_exception(void *obj) noexcept { std::free(header_of_object(obj)); }

[[noreturn]] void __cxa_throw(void *obj, std::type_info *type, Destructor destroy) {
    Header *h = header_of_object(obj);
    h->type = type;
    h->destroy = destroy;
    h->adjusted = obj;
    std::memcpy(&h->unwind.exception_class, "CLNGC++\0", 8);
    raise(h);
}

void *__cxa_get_exception_ptr(void *unwind) noexcept {
    return unwind ? header_of_unwind(unwind)->adjusted : nullptr;
}

void *__cxa_begin_catch(void *unwind) noexcept {
    // A foreign exception (not C++), caught by catch (...): none in this test. It is not
    // recorded, so its __cxa_end_catch would end the innermost C++ handler instead.
    if (!unwind) return nullptr;
    Header *h = header_of_unwind(unwind);
    h->handlers = (h->handlers < 0 ? -h->handlers : h->handlers) + 1;
    if (h != caught) {
        h->next_caught = caught;
        caught = h;
    }
    return h->adjusted;
}

void __cxa_end_catch() {
    Header *h = caught;
    if (!h) return;
    if (h->handlers < 0) {  // rethrown: the exception lives on
        if (++h->handlers == 0) caught = h->next_caught;
        return;
    }
    if (--h->handlers == 0) {
        caught = h->next_caught;
        if (h->destroy) h->destroy(object_of(h));
        std::free(h);
    }
}

[[noreturn]] void __cxa_rethrow() {
    Header *h = caught;
    if (!h) std::terminate();
    h->handlers = -h->handlers;
    h->adjusted = object_of(h);
    raise(h);
}

// The personality, for one landing pad: walks its action chain in the LSDA
// (Itanium/GCC except_table layout, call-site table indexed by landing pad on wasm).
int _Unwind_CallPersonality(void *unwind) {
    LandingPadContext *ctx = &__wasm_lpad_context;
    ctx->selector = 0;
    Header *h = header_of_unwind(unwind);
    const uint8_t *p = reinterpret_cast<const uint8_t *>(ctx->lsda);
    if (!p) return 8;  // _URC_CONTINUE_UNWIND

    uint8_t lp_start_enc = *p++;
    if (lp_start_enc != 0xff) read_encoded(&p, lp_start_enc);
    uint8_t ttype_enc = *p++;
    const uint8_t *types = nullptr;  // the type table grows downward from here
    if (ttype_enc != 0xff) {
        uintptr_t off = read_uleb(&p);
        types = p + off;
    }
    p++;  // call-site encoding: unused on wasm (entries are ULEB128)
    uintptr_t table_len = read_uleb(&p);
    const uint8_t *actions = p + table_len;

    uintptr_t action = 0;
    bool found = false;
    for (uintptr_t i = 0; p < actions; i++) {
        uintptr_t landing_pad = read_uleb(&p);
        uintptr_t a = read_uleb(&p);
        if (i == ctx->lpad_index) {
            (void)landing_pad;
            action = a;
            found = true;
            break;
        }
    }
    if (!found || action == 0) return 8;  // no entry, or cleanup only

    const uint8_t *rec = actions + (action - 1);
    for (;;) {
        intptr_t filter = read_sleb(&rec);
        if (filter > 0) {
            const uint8_t *entry = types - uintptr_t(filter) * encoded_size(ttype_enc);
            auto *catch_type =
                reinterpret_cast<const __shim_type_info *>(read_encoded(&entry, ttype_enc));
            void *adjusted = object_of(h);
            if (!catch_type ||
                catch_type->can_catch(static_cast<const __shim_type_info *>(h->type), adjusted)) {
                h->adjusted = adjusted;
                ctx->selector = uintptr_t(filter);
                return 6;  // _URC_HANDLER_FOUND
            }
        }
        // filter < 0 (exception specifications) and 0 (cleanup) match nothing here
        const uint8_t *next = rec;
        intptr_t disp = read_sleb(&next);
        if (disp == 0) return 8;
        rec += disp;
    }
}

}  // extern "C"
