/* ctd_content.h: a module straight from containerd's content store, for images containerd
 * 1.6 cannot unpack (the CNCF wasm OCI artifact `corral push oci://` writes: config
 * application/vnd.wasm.config.v0+json, one layer application/wasm). A small gRPC client
 * over containerd's socket (HTTP/2 by libcurl, loaded with dlopen as elsewhere): the image
 * record (containerd.services.images.v1.Images/Get), its manifest (or an index's manifest
 * for platform wasi/wasm) and the layer (containerd.services.content.v1.Content/Read), each
 * blob checked against its digest and size. */
#ifndef CORRAL_SHIM_CTD_CONTENT_H
#define CORRAL_SHIM_CTD_CONTENT_H

#include "shim/grpc_status.h"

#include <stddef.h>
#include <stdint.h>

/* Reads the WebAssembly layer of image ref ("127.0.0.1:5000/app:v1" as `ctr images ls`
 * names it) in containerd namespace ns, through the gRPC socket at address (a path, as
 * the shim's -address flag gives it, or unix://path). The layer is the first of type
 * application/wasm or application/vnd.wasm.content.layer.v1+wasm in the image's manifest,
 * or in an index's manifest for platform wasip1/wasm or wasi/wasm (else its only one); it
 * must be a core module (a component is refused, and said so) of at most 1 GiB, and a
 * manifest at most 4 MiB. On success returns 0 (SHIM_OK) with *out an owned (malloc) copy of
 * the module and *out_len its size; else a gRPC status code (SHIM_*, grpc_status.h):
 * containerd's own where it answered with one, passed on unchanged (NotFound 5, Unavailable
 * 14, PermissionDenied 7 ...; a number outside 0..16 becomes Unknown, named in the message),
 * else the reader's (Unavailable when containerd cannot be reached or does not answer,
 * FailedPrecondition for no socket at address or an image it cannot run, Internal for bytes
 * that do not check out); and *out_err an owned message, NULL only when memory ran out, that
 * names the image and the step that failed, e.g.
 * "image 127.0.0.1:5000/app:v1: not found in namespace default" or
 * "image ...: no wasm layer (application/wasm or ...) in manifest sha256:...; its layers:
 * application/vnd.oci.image.layer.v1.tar+gzip". Thread-safe; blocks (no answer within 10 s,
 * or a transfer stalled for 60 s, fails). */
int ctd_read_wasm_image(const char *address, const char *ns, const char *ref, uint8_t **out,
                        size_t *out_len, char **out_err);

#endif
