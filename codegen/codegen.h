/* codegen.h — from a planned graph to a self-contained folder of C: the m4
 * runs, the folder's files, the code-size measurement, atomic output. */
#ifndef EFFCC_CODEGEN_H
#define EFFCC_CODEGEN_H

#include "ir.h"

/* ===== codegen/m4.c ====================================================== */
/* Runs m4 -P on input (templates and effcc's own text: never user text)
 * and appends the result to out; name (a file name) is for messages. */
void m4_expand(const char *name, const char *input, size_t len, Buf *out);
/* The one way effcc writes an m4 macro definition: m4_define(«NAME», «VALUE»)
 * on a line of its own (m4_dnl: it leaves no blank line in the output).
 * VALUE is effcc's own text, never user text (codegen.c: user_text). */
void m4_define_text(Buf *b, const char *name, const char *value);
void m4_define_int(Buf *b, const char *name, long long value);

/* ===== codegen/codegen.c ================================================= */
typedef struct {
    const char *name;      /* C identifier prefix */
    const char *command;   /* the command line, recorded in headers */
    const char *report; /* effcc info's text, written as report.txt */
    const char **labels;        /* one name per class, or NULL: the harness prints numbers */
    const char *labels_source;  /* where they came from, for labels.c's comment */
} CodegenOptions;
/* Refuses (a user error) a model name that is not a C identifier or that
 * the folder's own files, build targets or macros already use; origin
 * ("--name", "the spec's name") says where it came from. */
void codegen_check_name(const char *name, const char *origin);
/* User text as the generated files' comments record it: printable ASCII,
 * no end of a C comment, no line-continuing final backslash. */
char *codegen_comment_text(Arena *a, const char *s);
/* Writes the self-contained folder for g->target into dir (which must
 * exist and be empty). */
void codegen_write(const Graph *g, const CodegenOptions *o, const char *dir);

/* ===== codegen/codesize.c ================================================ */
typedef struct {
    bool measured;
    size_t text, rodata; /* bytes; rodata includes the weights blob */
    char note[256];      /* the compiler used, or why nothing was measured */
} CodeSize;
/* Compiles dir/name.c with the target's compiler and reads its sections. */
CodeSize code_size(const char *dir, const char *name, const Target *t, size_t weights_bytes);

/* ===== codegen/fs.c ====================================================== */
void write_file(const char *path, const void *data, size_t len);
/* A fresh sibling of outdir to write into, renamed over outdir on success
 * (swapped with an existing one in one step). Creating one first removes
 * the staging folders that killed compiles left beside outdir, and creates
 * the folders that hold outdir; abandoning it removes it and those. */
typedef struct {
    char *dir;        /* the staging folder */
    const char *made; /* the outermost folder created to hold it, or NULL */
    Arena *arena;
} Staging;
Staging staging_dir_create(Arena *a, const char *outdir);
void staging_dir_commit(const char *staging, const char *outdir);
void staging_dir_abandon(const Staging *st);
/* Refuses (a user error) an existing outdir that effcc did not write. */
void check_outdir_replaceable(const char *outdir);
/* Refuses (a user error) a file the user named that lies inside outdir,
 * which the compile replaces whole. */
void check_outside_outdir(Arena *a, const char *path, const char *outdir);
void remove_folder(const char *dir); /* and all it holds, following no link */

#endif
