// throw_catch.cpp: C++ exceptions through several frames, for tests/cxx_eh/run.sh. Built for
// wasm32-wasi with -fwasm-exceptions (and eh_rt.cpp as the C++ EH runtime) and natively with
// g++; the two must print the same (throw_catch.expected). Every case prints what it caught
// and how many Guard objects are alive: destructors must have run during unwinding.
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

static int live;    // Guard objects constructed and not yet destroyed
static bool quiet;  // Guard destructors print unless this is set

struct Guard {
    const char *name;
    explicit Guard(const char *n) : name(n) { ++live; }
    ~Guard() {
        --live;
        if (!quiet) std::printf("  ~Guard %s\n", name);
    }
};

struct AppError : std::runtime_error {
    int code;
    AppError(const std::string &what, int c) : std::runtime_error(what), code(c) {}
};

struct DeepError : AppError {
    explicit DeepError(int depth) : AppError("deep error at depth " + std::to_string(depth), depth) {}
};

struct Plain {  // not derived from std::exception
    int value;
};

// A second base before std::runtime_error: catching by std::runtime_error& must adjust the
// pointer to the base subobject.
struct Tagged {
    int tag = 77;
    virtual ~Tagged() {}
};
struct Multi : Tagged, std::runtime_error {
    Multi() : std::runtime_error("multi") {}
};

static int recurse(int n) {
    Guard g(n == 0 ? "frame0" : n == 1 ? "frame1" : n == 2 ? "frame2" : "frame3");
    if (n == 0) throw DeepError(3);
    return recurse(n - 1) + 1;
}

static void level3() { throw std::runtime_error("from level3"); }
static void level2() {
    Guard g("level2");
    level3();
}
static void level1() {
    std::vector<std::string> v{"a", "b", "c"};  // destroyed during unwinding
    level2();
}

static int rethrower() {
    try {
        recurse(3);
    } catch (AppError &e) {
        std::printf("  rethrower caught code %d, live %d\n", e.code, live);
        e.code += 100;
        throw;  // the same object, modified
    }
    return 0;
}

// A member whose constructor throws: the members built before it are destroyed.
struct Thrower {
    Thrower() { throw Plain{42}; }
};
struct Holder {
    Guard a{"member a"};
    Guard b{"member b"};
    Thrower t;
};

static int use_function(const std::function<int(int)> &f, int x) {
    Guard g("use_function");
    return f(x) * 2;
}

int main(int argc, char **argv) {
    // `throw_catch escape`: an exception that no handler catches leaves main (std::terminate
    // natively; the host sees an uncaught exception on WebAssembly). Guard g still counts.
    if (argc > 1 && std::string(argv[1]) == "escape") {
        Guard g("escape");
        std::printf("escaping\n");
        std::fflush(stdout);
        throw AppError("escaped", 9);
    }

    // 1. std::runtime_error through three frames, caught as std::exception.
    try {
        level1();
        std::printf("1: not reached\n");
    } catch (const std::exception &e) {
        std::printf("1: caught std::exception: %s, live %d\n", e.what(), live);
    }

    // 2. A derived type through four frames with destructors, caught by a base class.
    try {
        recurse(3);
    } catch (const std::logic_error &) {
        std::printf("2: wrong handler\n");
    } catch (const AppError &e) {
        std::printf("2: caught AppError: %s (code %d), live %d\n", e.what(), e.code, live);
    }

    // 3. Rethrow with `throw;`: the outer handler sees the modified object.
    try {
        rethrower();
    } catch (const std::runtime_error &e) {
        const AppError *a = dynamic_cast<const AppError *>(&e);
        std::printf("3: caught rethrown: %s, code %d, live %d\n", e.what(), a ? a->code : -1, live);
    }

    // 4. catch (...) of a non-class type and of a class not derived from std::exception.
    for (int i = 0; i < 2; i++) {
        try {
            Guard g("case4");
            if (i == 0) throw 7;
            throw Plain{5};
        } catch (const std::exception &) {
            std::printf("4: wrong handler\n");
        } catch (...) {
            std::printf("4.%d: caught by ..., live %d\n", i, live);
        }
    }

    // 5. Catching by value, by exact type, and by int.
    try {
        throw Plain{11};
    } catch (Plain p) {
        std::printf("5: caught Plain by value %d\n", p.value);
    }
    try {
        throw 123;
    } catch (long) {
        std::printf("5: wrong handler (long)\n");
    } catch (int v) {
        std::printf("5: caught int %d\n", v);
    }

    // 6. Out of a lambda called through std::function, caught as std::logic_error.
    std::function<int(int)> checked = [](int x) {
        Guard g("lambda");
        if (x > 2) throw std::out_of_range("x too big: " + std::to_string(x));
        return x;
    };
    for (int x = 2; x <= 3; x++) {
        try {
            std::printf("6: use_function(%d) = %d\n", x, use_function(checked, x));
        } catch (const std::logic_error &e) {
            std::printf("6: caught std::logic_error: %s, live %d\n", e.what(), live);
        }
    }

    // 7. A member constructor that throws: earlier members are destroyed.
    try {
        Holder h;
        std::printf("7: not reached\n");
    } catch (const Plain &p) {
        std::printf("7: caught Plain %d, live %d\n", p.value, live);
    }

    // 8. Pointer adjustment: a base that is not the first base.
    try {
        throw Multi();
    } catch (const std::runtime_error &e) {
        const Multi *m = dynamic_cast<const Multi *>(&e);
        std::printf("8: caught %s as std::runtime_error, tag %d\n", e.what(), m ? m->tag : -1);
    }

    // 9. Throwing and catching inside a handler, then using the first exception again.
    try {
        throw AppError("outer", 1);
    } catch (AppError &outer) {
        try {
            throw AppError("inner", 2);
        } catch (AppError &inner) {
            std::printf("9: inner %s %d\n", inner.what(), inner.code);
        }
        std::printf("9: outer still %s %d\n", outer.what(), outer.code);
    }

    // 10. Nested: a handler that throws a new exception of another type.
    try {
        try {
            throw std::invalid_argument("first");
        } catch (const std::invalid_argument &e) {
            Guard g("handler10");
            throw AppError(std::string("second after ") + e.what(), 10);
        }
    } catch (const AppError &e) {
        std::printf("10: caught %s, live %d\n", e.what(), live);
    }

    // 11. Many throws: nothing leaks, the unwinder does not run out of anything.
    long sum = 0;
    quiet = true;
    for (int i = 0; i < 2000; i++) {
        try {
            sum += recurse(i % 4);
        } catch (const DeepError &e) {
            sum += e.code;
        }
    }
    std::printf("11: sum %ld, live %d\n", sum, live);
    return live;
}
