/* test_cli_quantize.c — driver/cli.c: the int8 options as Options holds them.
 *
 * The usage errors (exit 2, their messages) are tests/bad/cases.txt's; here
 * what a good command line leaves in Options, the --keep-float copies (argv
 * untouched, freed by cli_free even after a usage error: the sanitizer build
 * reports a leak), and every estimator name. */
#include "unit.h"

#define ARGC(v) ((int)(sizeof(v) / sizeof(v)[0]) - 1)

static void test_run_options(void)
{
    char labels[] = "features.1.0.block.0.0,classifier.1";
    char *argv[] = {"effcc", "run", "spec.yaml", "--input", "x.f32", "--output", "y.f32",
                    "--quantize", "int8", "--calibration", "photos", "--estimator", "mse",
                    "--keep-float", labels, "--keep-float", "features.0.0",
                    "--save-quantized", "q.safetensors", NULL};
    Options o;
    CU_ASSERT_EQUAL_FATAL(cli_parse(&o, ARGC(argv), argv), -1);
    CU_ASSERT(o.quantize_int8);
    CU_ASSERT_STRING_EQUAL(o.calibration, "photos");
    CU_ASSERT(o.has_estimator);
    CU_ASSERT_EQUAL(o.estimator, ESTIMATOR_MSE);
    CU_ASSERT_STRING_EQUAL(o.save_quantized, "q.safetensors");
    CU_ASSERT_EQUAL_FATAL(o.nkeep, 3);
    CU_ASSERT_STRING_EQUAL(o.keep_float[0], "features.1.0.block.0.0");
    CU_ASSERT_STRING_EQUAL(o.keep_float[1], "classifier.1");
    CU_ASSERT_STRING_EQUAL(o.keep_float[2], "features.0.0");
    CU_ASSERT_STRING_EQUAL(labels, "features.1.0.block.0.0,classifier.1"); /* argv as it was */
    cli_free(&o);
    CU_ASSERT_EQUAL(o.nkeep, 0);
    CU_ASSERT_PTR_NULL(o.keep_float);
}

static void test_compile_defaults(void)
{
    char *argv[] = {"effcc", "compile", "spec.yaml", "-o", "out", "--quantize", "int8",
                    "--calibration", "photos", NULL};
    Options o;
    CU_ASSERT_EQUAL_FATAL(cli_parse(&o, ARGC(argv), argv), -1);
    CU_ASSERT(o.quantize_int8);
    CU_ASSERT(!o.has_estimator);
    CU_ASSERT_EQUAL(o.estimator, ESTIMATOR_MSE);
    CU_ASSERT_EQUAL(o.nkeep, 0);
    CU_ASSERT_PTR_NULL(o.save_quantized);
    cli_free(&o);

    char *plain[] = {"effcc", "compile", "spec.yaml", "-o", "out", NULL};
    CU_ASSERT_EQUAL_FATAL(cli_parse(&o, ARGC(plain), plain), -1);
    CU_ASSERT(!o.quantize_int8);
    CU_ASSERT_PTR_NULL(o.calibration);
    cli_free(&o);
}

/* auto:DB among the labels: the target, the labels around it kept. */
static void test_keep_float_auto(void)
{
    char labels[] = "features.0.0,auto:27.5,classifier.1";
    char *argv[] = {"effcc", "compile", "spec.yaml", "-o", "out", "--quantize", "int8",
                    "--calibration", "photos", "--keep-float", labels, NULL};
    Options o;
    CU_ASSERT_EQUAL_FATAL(cli_parse(&o, ARGC(argv), argv), -1);
    CU_ASSERT_DOUBLE_EQUAL(o.keep_auto_db, 27.5, 0);
    CU_ASSERT_EQUAL_FATAL(o.nkeep, 2);
    CU_ASSERT_STRING_EQUAL(o.keep_float[0], "features.0.0");
    CU_ASSERT_STRING_EQUAL(o.keep_float[1], "classifier.1");
    cli_free(&o);

    char *alone[] = {"effcc", "compile", "spec.yaml", "-o", "out", "--quantize", "int8",
                     "--calibration", "photos", "--keep-float", "auto:30", NULL};
    CU_ASSERT_EQUAL_FATAL(cli_parse(&o, ARGC(alone), alone), -1);
    CU_ASSERT_DOUBLE_EQUAL(o.keep_auto_db, 30, 0);
    CU_ASSERT_EQUAL(o.nkeep, 0);
    cli_free(&o);
}

/* The labels of the first --keep-float are freed when the second is bad. */
static void test_keep_float_error(void)
{
    char *argv[] = {"effcc", "compile", "spec.yaml", "-o", "out", "--quantize", "int8",
                    "--calibration", "photos", "--keep-float", "a,b", "--keep-float", "c,", NULL};
    Options o;
    CU_ASSERT_EQUAL(cli_parse(&o, ARGC(argv), argv), 2);
    cli_free(&o);
    CU_ASSERT_PTR_NULL(o.keep_float);
}

static void test_every_estimator(void)
{
    static const struct { const char *name; Estimator e; } all[] = {
#define X(e, s) {s, ESTIMATOR_##e},
        ESTIMATOR_LIST(X)
#undef X
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        char *argv[] = {"effcc", "compile", "spec.yaml", "-o", "out", "--quantize", "int8",
                        "--calibration", "photos", "--estimator", (char *)all[i].name, NULL};
        Options o;
        CU_ASSERT_EQUAL(cli_parse(&o, ARGC(argv), argv), -1);
        CU_ASSERT_EQUAL(o.estimator, all[i].e);
        cli_free(&o);
    }
}

int main(void)
{
    static const UnitTest tests[] = {
        {"run with every int8 option", test_run_options},
        {"compile: the defaults", test_compile_defaults},
        {"--keep-float auto:DB among labels", test_keep_float_auto},
        {"--keep-float labels freed after a usage error", test_keep_float_error},
        {"every estimator by name", test_every_estimator},
    };
    return UNIT_MAIN("cli_quantize", tests);
}
