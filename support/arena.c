/* arena.c — bump allocation for everything the compiler builds.
 *
 * Blocks are chained and freed together by arena_free; large requests get a
 * block of their own so a 265 MB weight tensor does not waste a chunk.
 * Running out of memory is not a user error we can locate: it aborts. */
#include "support.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (1u << 20)
#define ARENA_ALIGN 64

typedef struct Block {
    struct Block *next;
    size_t used, size;
    _Alignas(ARENA_ALIGN) unsigned char data[];
} Block;

struct Arena {
    Block *head;
};

static Block *block_new(size_t size)
{
    Block *b = aligned_alloc(ARENA_ALIGN, (sizeof(Block) + size + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN);
    if (!b)
        internal_error("out of memory (%zu bytes)", size);
    b->next = NULL;
    b->used = 0;
    b->size = size;
    return b;
}

Arena *arena_new(void)
{
    Arena *a = calloc(1, sizeof *a);
    if (!a)
        internal_error("out of memory");
    return a;
}

void arena_free(Arena *a)
{
    if (!a)
        return;
    for (Block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

void *arena_alloc(Arena *a, size_t size)
{
    if (size > SIZE_MAX / 2) /* rounding up below would wrap */
        error_msg("size overflow: %zu bytes", size);
    size = (size + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
    if (size == 0)
        size = ARENA_ALIGN;
    Block *b = a->head;
    if (!b || b->size - b->used < size) {
        if (size > ARENA_CHUNK / 4) { /* big: own block, behind the current one */
            Block *big = block_new(size);
            big->used = size;
            if (b) {
                big->next = b->next;
                b->next = big;
            } else {
                a->head = big;
            }
            memset(big->data, 0, size);
            return big->data;
        }
        b = block_new(ARENA_CHUNK);
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

void *arena_array(Arena *a, size_t count, size_t elem)
{
    if (elem && count > SIZE_MAX / elem / 2)
        error_msg("size overflow: %zu elements of %zu bytes", count, elem);
    return arena_alloc(a, count * elem);
}

char *arena_strdup(Arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(arena_alloc(a, n), s, n);
}

char *arena_printf(Arena *a, const char *fmt, ...)
{
    va_list ap, aq;
    va_start(ap, fmt);
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = arena_alloc(a, (size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, aq);
    va_end(aq);
    return s;
}
