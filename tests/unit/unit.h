/* unit.h — the small glue every CUnit test file shares.
 *
 * A test file defines its tests, lists them in a UnitTest array and calls
 * unit_main from main. EXPECT_ERROR runs a statement that must raise a user
 * error (see diag.c) and leaves the message in diag_message(). */
#ifndef EFFCC_UNIT_H
#define EFFCC_UNIT_H

#include "effcc.h"

#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

/* Test data is ours: read it whole, whatever its size. */
#define read_file(path) read_file_max((path), SIZE_MAX)

typedef struct {
    const char *name;
    void (*fn)(void);
} UnitTest;

/* Runs stmt; true if it raised a user error. */
#define RAISES(stmt)                                                                               \
    ({                                                                                             \
        DiagFrame f_;                                                                              \
        volatile bool raised_ = false;                                                             \
        diag_push(&f_);                                                                            \
        if (setjmp(f_.env) == 0) {                                                                 \
            stmt;                                                                                  \
            diag_pop(&f_);                                                                         \
        } else {                                                                                   \
            raised_ = true;                                                                        \
        }                                                                                          \
        raised_;                                                                                   \
    })

/* Asserts the message of the last error contains the text. */
#define ASSERT_MESSAGE_HAS(text)                                                                   \
    do {                                                                                           \
        if (!strstr(diag_message(), (text)))                                                       \
            fprintf(stderr, "\n  message was: %s\n  expected to contain: %s\n", diag_message(),   \
                    (text));                                                                       \
        CU_ASSERT_PTR_NOT_NULL(strstr(diag_message(), (text)));                                    \
    } while (0)

static inline int unit_main(const char *suite, const UnitTest *tests, size_t n)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite(suite, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        CU_add_test(s, tests[i].name, tests[i].fn);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}

#define UNIT_MAIN(suite, tests) unit_main(suite, tests, sizeof(tests) / sizeof(tests[0]))

/* A spec of the source tree (e.g. "examples/efficientnet-lite.yaml"), found
 * through CTest's EFFCC_SOURCE_DIR. */
static inline Spec *unit_spec(Arena *a, const char *relpath)
{
    const char *root = getenv("EFFCC_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root ? root : ".", relpath);
    return spec_load(a, path);
}

/* examples/efficientnet.yaml */
static inline Spec *unit_example_spec(Arena *a)
{
    return unit_spec(a, "examples/efficientnet.yaml");
}

#endif
