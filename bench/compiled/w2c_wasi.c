/* w2c_wasi.c: the WASI imports of the Lua module, as stubs: the benchmark script does no I/O,
 * so every call answers ENOSYS (52) and proc_exit traps. Included by w2c_entry.c. */
#define WASI_ENOSYS 52u

u32 Z_wasi_snapshot_preview1Z_clock_time_get(struct Z_wasi_snapshot_preview1_instance_t *w,
                                             u32 id, u64 precision, u32 out)
{
    (void)w, (void)id, (void)precision, (void)out;
    return WASI_ENOSYS;
}

u32 Z_wasi_snapshot_preview1Z_fd_close(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd)
{
    (void)w, (void)fd;
    return WASI_ENOSYS;
}

u32 Z_wasi_snapshot_preview1Z_fd_fdstat_get(struct Z_wasi_snapshot_preview1_instance_t *w,
                                            u32 fd, u32 out)
{
    (void)w, (void)fd, (void)out;
    return WASI_ENOSYS;
}

u32 Z_wasi_snapshot_preview1Z_fd_fdstat_set_flags(
    struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd, u32 flags)
{
    (void)w, (void)fd, (void)flags;
    return WASI_ENOSYS;
}

u32 Z_wasi_snapshot_preview1Z_fd_prestat_dir_name(
    struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd, u32 path, u32 len)
{
    (void)w, (void)fd, (void)path, (void)len;
    return WASI_ENOSYS;
}

u32 Z_wasi_snapshot_preview1Z_fd_prestat_get(struct Z_wasi_snapshot_preview1_instance_t *w,
                                             u32 fd, u32 out)
{
    (void)w, (void)fd, (void)out;
    return 8u; /* EBADF: no preopened directories */
}

u32 Z_wasi_snapshot_preview1Z_fd_read(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd,
                                      u32 iovs, u32 n, u32 out)
{
    (void)w, (void)fd, (void)iovs, (void)n, (void)out;
    return WASI_ENOSYS;
}

u32 Z_wasi_snapshot_preview1Z_fd_renumber(struct Z_wasi_snapshot_preview1_instance_t *w,
                                          u32 from, u32 to)
{
    (void)w, (void)from, (void)to;
    return WASI_ENOSYS;
}

u32 Z_wasi_snapshot_preview1Z_fd_seek(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd,
                                      u64 offset, u32 whence, u32 out)
{
    (void)w, (void)fd, (void)offset, (void)whence, (void)out;
    return WASI_ENOSYS;
}

u32 Z_wasi_snapshot_preview1Z_fd_write(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd,
                                       u32 iovs, u32 n, u32 out)
{
    (void)w, (void)fd, (void)iovs, (void)n, (void)out;
    return WASI_ENOSYS;
}

u32 Z_wasi_snapshot_preview1Z_path_open(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd,
                                        u32 dirflags, u32 path, u32 path_len, u32 oflags,
                                        u64 rights, u64 inheriting, u32 fdflags, u32 out)
{
    (void)w, (void)fd, (void)dirflags, (void)path, (void)path_len, (void)oflags;
    (void)rights, (void)inheriting, (void)fdflags, (void)out;
    return WASI_ENOSYS;
}

void Z_wasi_snapshot_preview1Z_proc_exit(struct Z_wasi_snapshot_preview1_instance_t *w,
                                         u32 code)
{
    (void)w, (void)code;
    wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE);
}
