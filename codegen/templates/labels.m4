/* labels.c — the names of GEN_NAME's GEN_CLASSES classes, for the harness's top-5.
 *
GEN_PROVENANCE * Names: GEN_LABELS_SOURCE.
 */
#include "GEN_NAME.h"

#include <stddef.h>

const char *const GEN_NAME«»_class_names[GEN_NAME«»_NUM_CLASSES] = {
