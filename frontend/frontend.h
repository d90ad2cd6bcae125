/* frontend.h — from a YAML spec and a scaling request to a lowered graph
 * with its weights: spec.c, scale.c, lower.c, labels.c, weights.c. */
#ifndef EFFCC_FRONTEND_H
#define EFFCC_FRONTEND_H

#include "ir.h"

/* ===== frontend/spec.c ===================================================
 * The YAML spec, checked key by key; every value remembers where it was. */
typedef struct {
    int line, col; /* 1-based; 0 when unknown */
} Loc;

typedef struct {
    double expand; /* expansion ratio of the 1×1 expand conv (≥ 1) */
    int kernel, stride, channels, repeats;
    Loc loc;
} SpecStage;

typedef struct {
    char *name;
    double width, depth;
    int resolution;
    double bn_eps; /* 0 when the preset keeps the spec's eps */
    Loc loc;
    struct { Loc width, depth, resolution; } at; /* those values, for scale.c's errors */
} SpecPreset;

/* A list of numbers, one per input channel (input.mean, input.std). */
typedef struct {
    double *v; /* NULL when the key is absent */
    int n;
    Loc loc;
} SpecList;

typedef struct {
    const char *path; /* as given on the command line */
    uint64_t hash;    /* FNV-1a of the file's bytes */
    char *name;
    int in_channels, resolution, classes;
    SpecList mean, std; /* input normalisation, pixel units 0..255 */
    Act activation;
    Padding padding;
    double bn_eps;
    int stem_channels, stem_kernel, stem_stride;
    SpecStage *stages;
    int nstages;
    double se_ratio;
    int head_channels;
    double alpha, beta, gamma;
    int divisor;
    bool fix_head_stem; /* scaling leaves stem, head, first/last repeats alone */
    SpecPreset *presets;
    int npresets;
    Loc presets_loc; /* the `presets` key, or the document start */
    /* Values scale.c checks against its limits, for its errors. */
    struct { Loc resolution, stem_channels, head_channels, divisor, stages; } at;
} Spec;

Spec *spec_load(Arena *a, const char *path);
Spec *spec_parse(Arena *a, const char *path, const char *text, size_t len);

/* ===== frontend/scale.c ==================================================
 * Compound scaling: a preset or φ (plus single-dimension overrides) applied
 * to the spec's baseline with the official rounding rules. */
typedef struct {
    const char *preset; /* NULL: none */
    bool has_phi;
    double phi;
    double alpha, beta, gamma; /* with phi: 0, the spec's */
    double width, depth; /* 0: not given */
    int resolution, classes;
} ScaleRequest;

typedef struct {
    double expand;
    int kernel, stride;
    int in_channels, out_channels; /* of the stage's first block */
    int repeats;
} ModelStage;

typedef struct {
    const char *name;
    int in_channels, resolution, classes;
    const double *mean, *std; /* in_channels each: x = (pixel − mean) / std */
    Act activation;
    Padding padding;
    double bn_eps;
    double se_ratio;
    int divisor;
    int stem_channels, stem_kernel, stem_stride;
    ModelStage *stages;
    int nstages;
    int head_channels;
    double width, depth; /* the multipliers applied */
    uint64_t spec_hash;  /* the spec file's (Spec.hash) */
} Model;

Model *scale_model(Arena *a, const Spec *spec, const ScaleRequest *req);
int round_channels(double channels, double mult, int divisor);
int round_repeats(int repeats, double mult);
int expanded_channels(int in_channels, double expand, int divisor);
int squeeze_channels(int in_channels, double se_ratio);

/* ===== frontend/lower.c ================================================== */
/* Builds the torchvision-shaped graph of a Model: conv, batch norm and
 * activation as separate ops, params named by torchvision's state_dict keys. */
Graph *lower_model(Arena *a, const Model *m);

/* ===== frontend/labels.c ================================================= */
/* Class names for the harness, one per class in order; errors at FILE:LINE:COL. */
const char **labels_parse(Arena *a, const char *path, const char *text, size_t len, int classes);
const char **labels_load(Arena *a, const char *path, int classes);
/* ImageNet's 1,000 names (embedded) when classes is 1000, else NULL. */
const char **labels_default(Arena *a, int classes);

/* ===== frontend/weights.c ================================================ */
/* Fills every external param from a safetensors file written from a
 * torchvision state_dict; checks presence, dtype F32, shape, no extras, the
 * layout of the data, and (unless allow_nonfinite) that no value is NaN or
 * infinite. Errors name the file and the tensor. */
void weights_load(Graph *g, const char *path, bool allow_nonfinite);
/* The same, from a file's bytes in memory; name stands for it in messages. */
void weights_load_buffer(Graph *g, const char *name, const void *data, size_t len,
                         bool allow_nonfinite);
/* Deterministic synthetic weights with sensible scales and non-trivial
 * batch-norm statistics. Call on the lowered graph: the conv ending each
 * residual branch (found through its ADD) gets a small scale, so deep
 * models neither explode nor lose their dependence on the input. */
void weights_synthesize(Graph *g, uint64_t seed);
/* Writes every external param (torchvision names, F32) as safetensors. */
void weights_save(const Graph *g, const char *path);
/* Writes n params in that order (dtype F32, I8 or I32 from their type) and
 * the metadata, nmeta key/value string pairs, as safetensors: through a
 * temporary file beside path renamed over it, replacing only a regular file. */
void safetensors_save(const char *path, const Param *const *params, int n,
                      const char *const *meta, int nmeta);

/* ===== frontend/calibration.c ============================================
 * --calibration DIR: the inputs int8 ranges are measured on. DIR holds PNG
 * or JPEG photos, preprocessed exactly as the generated harness does
 * (runtime/effcc_image.c: centre crop, bicubic resize, the graph's mean and
 * std), or raw little-endian float32 inputs of exactly C×H×W values
 * (*.f32), read in byte order of their names. Returns count inputs back to
 * back, C×H×W floats each, for g's input node. Errors name the file. */
float *calibration_load(Arena *a, const char *dir, const Graph *g, int *count);

#endif
