/* http_sdk.c: a C guest of sdk/wasi_experimental_http.h for test_http.c: GETs argv[1] with the
 * helpers and prints "status N", "bytes N" and the Content-Type header; on an error prints
 * "error N NAME" and exits with the code. */
#include "wasi_experimental_http.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 100;
    weh_handle_t h;
    uint16_t status = 0;
    uint32_t err = weh_send("GET", argv[1], "accept:*/*\n", NULL, 0, &status, &h);
    if (err != WEH_SUCCESS) {
        printf("error %u %s\n", (unsigned)err, weh_error_name(err));
        return (int)err;
    }
    char *type = NULL, *body = NULL;
    size_t type_len = 0, len = 0;
    if (weh_header_get_alloc(h, "Content-Type", &type, &type_len) == WEH_SUCCESS)
        printf("content-type %s\n", type);
    err = weh_body_read_all(h, &body, &len);
    weh_close(h);
    if (err != WEH_SUCCESS) {
        printf("error %u %s\n", (unsigned)err, weh_error_name(err));
        return (int)err;
    }
    printf("status %u\nbytes %zu\n", (unsigned)status, len);
    free(type);
    free(body);

    /* weh_get in one go, too. */
    err = weh_get(argv[1], &status, &body, &len);
    printf("weh_get %u %u %zu\n", (unsigned)err, (unsigned)status, len);
    free(body);
    return 0;
}
