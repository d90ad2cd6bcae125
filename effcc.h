/* effcc.h — the map of effcc.
 *
 * effcc turns an EfficientNet spec (YAML) plus a scaling request into a
 * self-contained folder of plain C. The pipeline, one folder each, each
 * with one header declaring every function it exports under a banner
 * naming its file; a folder includes only the headers below its own:
 *
 *   support/   support.h   arena memory, located errors, text buffers, file
 *                          reading, the templates and runtime compiled in
 *   ir/        ir.h        the Graph (ops in ops.def, shapes all constant),
 *                          the target machine, verifier, printer, limits,
 *                          statistics, the reference evaluator (eval.c)
 *   frontend/  frontend.h  spec.c (YAML → Spec), scale.c (Spec + request →
 *                          Model), lower.c (Model → Graph), weights.c
 *                          (safetensors ↔ params), labels.c (class names)
 *   passes/    passes.h    fold_bn → fuse → tile → layout → plan_weights →
 *                          plan_memory, run by pipeline.c with the verifier
 *                          between passes
 *   codegen/   codegen.h   the folder: m4 templates (templates/), kernel
 *                          parameters (kernels.c), files and atomic output
 *   driver/    driver.h    the command line: compile, info, run
 *   runtime/               support code copied into every generated folder
 *                          (runtime/vendor/: code of others, whole)
 *
 * Tests and fuzz targets include this header to reach every part. */
#ifndef EFFCC_H
#define EFFCC_H

#include "support.h"
#include "ir.h"
#include "frontend.h"
#include "passes.h"
#include "codegen.h"
#include "driver.h"

#endif
