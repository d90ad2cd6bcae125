/* test_labels.c — class-name files for the harness: the embedded ImageNet
 * list, and each kind of mistake at its line and column. */
#include "unit.h"

static void check(const char *text, int classes, const char *what)
{
    Arena *a = arena_new();
    CU_ASSERT_TRUE(RAISES(labels_parse(a, "n.txt", text, strlen(text), classes)));
    ASSERT_MESSAGE_HAS(what);
    arena_free(a);
}

static void test_good_files(void)
{
    Arena *a = arena_new();
    const char **n = labels_parse(a, "n.txt", "cat\ndog", 7, 2);
    CU_ASSERT_STRING_EQUAL(n[0], "cat");
    CU_ASSERT_STRING_EQUAL(n[1], "dog");
    n = labels_parse(a, "n.txt", "a b\r\nc\xc3\xa9\r\n", 10, 2); /* CRLF, UTF-8 */
    CU_ASSERT_STRING_EQUAL(n[0], "a b");
    CU_ASSERT_STRING_EQUAL(n[1], "c\xc3\xa9");
    n = labels_parse(a, "n.txt", "\xef\xbb\xbf" "cat\ndog\n", 11, 2); /* a byte order mark */
    CU_ASSERT_STRING_EQUAL(n[0], "cat");
    arena_free(a);
}

static void test_bad_files(void)
{
    check("cat\n\ndog\n", 3, "n.txt:2:1: error: class 1: empty name");
    check("cat\ndo\tg\n", 2, "n.txt:2:3: error: class 1: control character 0x09 in the name");
    check("cat\ndog\nemu\n", 2, "n.txt:3:1: error: more names than the model's 2 classes");
    check("cat\n", 2, "n.txt: error: 1 class name for a model with 2 classes");
    check("", 2, "n.txt: error: 0 class names for a model with 2 classes");
}

static void test_imagenet_default(void)
{
    Arena *a = arena_new();
    const char **n = labels_default(a, 1000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);
    CU_ASSERT_STRING_EQUAL(n[0], "tench");
    CU_ASSERT_STRING_EQUAL(n[281], "tabby");
    CU_ASSERT_STRING_EQUAL(n[285], "Egyptian cat");
    CU_ASSERT_STRING_EQUAL(n[999], "toilet tissue");
    CU_ASSERT_PTR_NULL(labels_default(a, 10));
    CU_ASSERT_TRUE(RAISES(labels_load(a, "/nonexistent/n.txt", 2)));
    ASSERT_MESSAGE_HAS("/nonexistent/n.txt: error: cannot open");
    arena_free(a);
}

int main(void)
{
    static const UnitTest tests[] = {
        {"good files", test_good_files},
        {"bad files at their line and column", test_bad_files},
        {"ImageNet's names by default for 1000 classes", test_imagenet_default},
    };
    return UNIT_MAIN("labels", tests);
}
