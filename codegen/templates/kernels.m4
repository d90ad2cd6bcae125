m4_divert(-1)
kernels.m4 — the kernel templates. Every number in them is a literal chosen
in C (codegen/kernels.c writes the G_* parameters before each expansion);
the macros substitute and unroll, nothing more. Vector operations (ev_load,
ev_fma, ev_swish …) come from the target's effcc_simd_*.h.

Activations are NHWC with the channel count padded to a whole number of
vectors (G_COP floats per pixel); padded lanes hold zeros (zero weights,
zero bias) except in sigmoid gates, which are only read at real channels.

Every index and offset is computed in ptrdiff_t (effcc_runtime.h says why
that is wide enough on every target): loop variables are ptrdiff_t, and an
index expression that can grow with the image starts with one of them or
with a cast, so none is evaluated in int.

EFFCC_FOR(var, from, to, body): body once for var = from … to − 1.
m4_define(«EFFCC_FOR», «m4_ifelse(m4_eval(«$2 < $3»), 1,
«m4_pushdef(«$1», «$2»)$4«»m4_popdef(«$1»)EFFCC_FOR(«$1», m4_incr($2), «$3», «$4»)»)»)

EFFCC_IF(flag, text): text when flag is 1 (an optional parameter or argument).
m4_define(«EFFCC_IF», «m4_ifelse($1, 1, «$2»)»)

EFFCC_MK(name, rows, nv, panel_width): the GEMM micro-kernel. rows × nv
accumulator vectors stay in registers across the reduction over G_KC input
channels: c[r][v] = act(bias[v] + Σ_k a[r][k] · b[k][v]) (+ res).
a rows are G_AST floats apart, b rows panel_width floats, c rows G_COP.
When the reduction is split in G_KS parts (G_KC = G_CI / G_KS each), the
first part starts from the bias and the others from c, and only the last
applies the activation and the residual.
m4_define(«EFFCC_MK», «
static inline void $1(const float *restrict a, const float *restrict b,
        const float *restrict bias, float *restrict c EFFCC_IF(G_RES, «, const float *restrict res»)«»EFFCC_KS_PARAMS)
{
EFFCC_FOR(«EFV», 0, $3, «    const ev bias«»EFV = ev_load(bias + EFV * G_VL);
»)EFFCC_FOR(«EFR», 0, $2, «EFFCC_FOR(«EFV», 0, $3, «    ev acc«»EFR«»_«»EFV = m4_ifelse(G_KS, 1, «bias«»EFV», «first ? bias«»EFV : ev_load(c + EFR * G_COP + EFV * G_VL)»);
»)»)    for (ptrdiff_t k = 0; k < G_KC; ++k) {
EFFCC_FOR(«EFV», 0, $3, «        const ev b«»EFV = ev_load(b + k * $4 + EFV * G_VL);
»)EFFCC_FOR(«EFR», 0, $2, «        {
            const ev x = ev_set1(a[EFR * G_AST + k]);
EFFCC_FOR(«EFV», 0, $3, «            acc«»EFR«»_«»EFV = ev_fma(x, b«»EFV, acc«»EFR«»_«»EFV);
»)        }
»)    }
m4_ifelse(G_KS, 1, «», «    if (last) {
»)EFFCC_FOR(«EFR», 0, $2, «EFFCC_FOR(«EFV», 0, $3, «    acc«»EFR«»_«»EFV = G_ACTFN(acc«»EFR«»_«»EFV);
m4_ifelse(G_RES, 1, «    acc«»EFR«»_«»EFV = ev_add(acc«»EFR«»_«»EFV, ev_load(res + EFR * G_COP + EFV * G_VL));
»)»)»)m4_ifelse(G_KS, 1, «», «    }
»)EFFCC_FOR(«EFR», 0, $2, «EFFCC_FOR(«EFV», 0, $3, «    ev_store(c + EFR * G_COP + EFV * G_VL, acc«»EFR«»_«»EFV);
»)»)}
»)
m4_define(«EFFCC_KS_PARAMS», «m4_ifelse(G_KS, 1, «», «, int first, int last»)»)
m4_define(«EFFCC_KS_ARGS», «m4_ifelse(G_KS, 1, «», «, ks == 0, ks == G_KS - 1»)»)

EFFCC_MK_FAMILY: the micro-kernels one GEMM needs: full blocks of G_MR rows
on full panels (_mk) and on the remainder panel (_mkr), when it calls them
(G_MKFULL), and the G_TR leftover rows on both (_mkt, _mktr).
m4_define(«EFFCC_MK_FAMILY», «m4_ifelse(G_MKFULL, 1, «EFFCC_MK(G_NAME«»_mk, G_MR, G_NV, G_NR)
m4_ifelse(G_NVR, 0, «», «EFFCC_MK(G_NAME«»_mkr, G_MR, G_NVR, G_NVR * G_VL)»)
»)m4_ifelse(G_TR, 0, «», «EFFCC_MK(G_NAME«»_mkt, G_TR, G_NV, G_NR)
m4_ifelse(G_NVR, 0, «», «EFFCC_MK(G_NAME«»_mktr, G_TR, G_NVR, G_NVR * G_VL)»)»)»)

EFFCC_GEMM: a 1×1 convolution (or a linear layer, G_P = 1) as a GEMM over
G_P pixels. Weights are packed in panels of G_NV vectors ([G_CI][G_NR]
each, G_NFULL of them) plus one remainder panel of G_NVR vectors. Pixels go
in blocks of G_MR rows, the G_NB blocks in G_NCH chunks of at most cb (the tile)
(sizes differ by one at most, so threads that split the chunks get equal
shares of rows); the loops run chunk,
panel, block, so a chunk of the input stays in cache while every panel
passes over it, and the G_TR leftover rows ride with the last chunk while
their panel is still hot. When even one chunk's input rows would not stay
in cache (big weights and many input channels), the reduction is split in
G_KS parts instead, outermost, so that each part's slice of the input
stays in cache while the weights stream once. With a squeeze-and-excitation gate the kernel
first scales, into scratch, either the weight rows (G_GATE 1) or the input
(G_GATE 2), whichever is smaller.
m4_define(«EFFCC_GEMM», «EFFCC_MK_FAMILY()
static void G_NAME«»(const float *restrict in, const float *restrict w,
        const float *restrict bias, float *restrict out EFFCC_IF(G_RES, «, const float *restrict res»)
        m4_ifelse(G_GATE, 0, «», «, const float *restrict gate, float *restrict scratch»))
{
m4_ifelse(G_GATE, 1, «    EFFCC_OMP("omp parallel for schedule(static)")
    for (ptrdiff_t n = 0; n < G_NPANELS; ++n) {
        const ptrdiff_t width = n < G_NFULL ? G_NR : G_NVR * G_VL;
        for (ptrdiff_t k = 0; k < G_CI; ++k) {
            const ev g = ev_set1(gate[k]);
            for (ptrdiff_t c = 0; c < width; c += G_VL)
                ev_store(scratch + n * G_CI * G_NR + k * width + c,
                         ev_mul(g, ev_load(w + n * G_CI * G_NR + k * width + c)));
        }
    }
    w = scratch;
»)m4_ifelse(G_GATE, 2, «    EFFCC_OMP("omp parallel for schedule(static)")
    for (ptrdiff_t p = 0; p < G_P; ++p)
        for (ptrdiff_t c = 0; c < G_AST; c += G_VL)
            ev_store(scratch + p * G_AST + c, ev_mul(ev_load(in + p * G_AST + c), ev_load(gate + c)));
    in = scratch;
»)    EFFCC_OMP("omp parallel")
    for (ptrdiff_t ks = 0; ks < G_KS; ++ks) {
m4_ifelse(G_NCH, 1, «m4_dnl
    EFFCC_OMP("omp for collapse(2) schedule(static)")
    for (ptrdiff_t n = 0; n < G_NPANELS; ++n) {
        for (ptrdiff_t blk = 0; blk < G_NBLK; ++blk) {
EFFCC_GEMM_PANEL()m4_ifelse(G_TR, 0, «EFFCC_GEMM_CALL(«», «blk * G_MR»)», «            if (blk < G_NB) {
EFFCC_GEMM_CALL(«», «blk * G_MR»)            } else {
EFFCC_GEMM_CALL(«t», «(ptrdiff_t)G_NB * G_MR»)            }
»)        }
    }
», «m4_dnl
    EFFCC_OMP("omp for collapse(2) schedule(static)")
    for (ptrdiff_t ch = 0; ch < G_NCH; ++ch) {
        for (ptrdiff_t n = 0; n < G_NPANELS; ++n) {
EFFCC_GEMM_PANEL()            for (ptrdiff_t blk = EFFCC_CHUNK(«ch»); blk < EFFCC_CHUNK(«(ch + 1)»); ++blk) {
EFFCC_GEMM_CALL(«», «blk * G_MR»)            }
m4_ifelse(G_TR, 0, «», «            if (ch == G_NCH - 1) {
EFFCC_GEMM_CALL(«t», «(ptrdiff_t)G_NB * G_MR»)            }
»)        }
    }
»)    }
}
»)

EFFCC_CHUNK(ch): the first block of chunk ch. The first G_CHR chunks have
G_CHQ + 1 blocks, the others G_CHQ (G_NB = G_NCH · G_CHQ + G_CHR): no index
is a product of two block counts, which passes 2^31 in a large image.
m4_define(«EFFCC_CHUNK», «m4_ifelse(G_CHR, 0, «$1 * G_CHQ», «$1 * G_CHQ + ($1 < G_CHR ? $1 : G_CHR)»)»)

EFFCC_GEMM_PANEL: the weights (wp, the slice of part ks), bias (bp) and
input columns (ap) of panel n.
m4_define(«EFFCC_GEMM_PANEL», «            const float *wp = w + n * G_CI * G_NR + ks * G_KC * (n == G_NFULL ? G_NVR * G_VL : G_NR);
            const float *bp = bias + n * G_NR, *ap = in + ks * G_KC;
»)

EFFCC_GEMM_CALL(suffix, row): the micro-kernel for the block of rows from
row (suffix t: the leftover rows) on panel n (the remainder panel's
kernel when n is the last, narrower one).
m4_define(«EFFCC_GEMM_CALL», «                m4_ifelse(G_NVR, 0, «», «if (n == G_NFULL)
                    G_NAME«»_mk$1«»r(ap + ($2) * G_AST, wp, bp, out + ($2) * G_COP + n * G_NR
                            EFFCC_IF(G_RES, «, res + ($2) * G_COP + n * G_NR»)«»EFFCC_KS_ARGS);
                else
                    »)G_NAME«»_mk$1«»(ap + ($2) * G_AST, wp, bp, out + ($2) * G_COP + n * G_NR
                            EFFCC_IF(G_RES, «, res + ($2) * G_COP + n * G_NR»)«»EFFCC_KS_ARGS);
»)

EFFCC_DW_BLOCK(n): n neighbouring output pixels from column ow, all of
whose taps are inside the image columns, one channel vector at a time: the
weight vector of a tap is loaded once for all the pixels.
m4_define(«EFFCC_DW_BLOCK», «            {
                const ptrdiff_t iw0 = ow * G_S - G_PL;
                for (ptrdiff_t v = G_VLO; v < G_VHI; ++v) {
EFFCC_FOR(«EFJ», 0, $1, «                    ev acc«»EFJ = ev_load(bias + v * G_VL);
»)                    for (ptrdiff_t kh = khlo; kh < khhi; ++kh) {
                        const float *irow = G_ROW(ih0 + kh) + iw0 * G_CP + v * G_VL;
                        const float *wrow = w + kh * G_K * G_CP + v * G_VL;
                        for (ptrdiff_t kw = 0; kw < G_K; ++kw) {
                            const ev wv = ev_load(wrow + kw * G_CP);
EFFCC_FOR(«EFJ», 0, $1, «                            acc«»EFJ = ev_fma(ev_load(irow + (EFJ * G_S + kw) * G_CP), wv, acc«»EFJ);
»)                        }
                    }
EFFCC_DW_STORE($1)                }
            }
»)

EFFCC_DW_CBLOCK(ow0, n, taps): n neighbouring output pixels from the
literal column ow0, near a border. codegen/kernels.c lists the taps: one
EFFCC_DW_TAP(kw, fmas) per tap column that some pixel reads inside the
image, loading its weight vector once for all of them, and one
EFFCC_DW_FMA(pixel, input column) per pixel that does — border pixels
reuse weights as interior blocks do.
m4_define(«EFFCC_DW_CBLOCK», «            {
                const ptrdiff_t ow = $1;
                for (ptrdiff_t v = G_VLO; v < G_VHI; ++v) {
EFFCC_FOR(«EFJ», 0, $2, «                    ev acc«»EFJ = ev_load(bias + v * G_VL);
»)                    for (ptrdiff_t kh = khlo; kh < khhi; ++kh) {
                        const float *irow = G_ROW(ih0 + kh) + v * G_VL;
                        const float *wrow = w + kh * G_K * G_CP + v * G_VL;
$3«»                    }
EFFCC_DW_STORE($2)                }
            }
»)
m4_define(«EFFCC_DW_TAP», «                        {
                            const ev wv = ev_load(wrow + $1 * G_CP);
$2«»                        }
»)
m4_define(«EFFCC_DW_FMA», «                            acc$1 = ev_fma(ev_load(irow + (ptrdiff_t)$2 * G_CP), wv, acc$1);
»)

EFFCC_DW_STORE(n): activation, store and SE pool sum (of the row) of the n
pixels.
m4_define(«EFFCC_DW_STORE», «EFFCC_FOR(«EFJ», 0, $1, «                    acc«»EFJ = G_DWACT(acc«»EFJ);
                    ev_store(out + (oh * G_OW + ow + EFJ) * G_CP + v * G_VL, acc«»EFJ);
m4_ifelse(G_POOL, 1, «                    prow[v] = ev_add(prow[v], acc«»EFJ);
»)»)»)

EFFCC_DW_ROW: output row oh of a depthwise conv. The row clips its kernel
rows once; the columns [G_OWL, G_OWH), a whole number of G_OWB-pixel
blocks, need no check («EFFCC_DW_BLOCK»); the columns left and right of
them, which include the border ones, are the clipped blocks G_DW_LEFT and
G_DW_RIGHT («EFFCC_DW_CBLOCK»). Input row ih is at G_ROW(ih).
m4_define(«EFFCC_DW_ROW», «G_DW_LEFT«»m4_dnl
            for (ptrdiff_t ow = G_OWL; ow + G_OWB <= G_OWH; ow += G_OWB)
EFFCC_DW_BLOCK(G_OWB)G_DW_RIGHT«»»)
m4_define(«EFFCC_DW_ROWSPAN», «            const ptrdiff_t ih0 = oh * G_S - G_PT;
            const ptrdiff_t khlo = ih0 < 0 ? -ih0 : 0;
            const ptrdiff_t khhi = ih0 + G_K > G_H ? G_H - ih0 : G_K;
»)

EFFCC_POOL_*: the SE pool of a depthwise conv, summed in two levels: each
output row's pixels in prow, stored as that row's sum in prows (G_OH rows
of G_CP, the kernel's scratch), then, once every thread is done, the rows
in order. One float sum over all the pixels of a large image (6.25 million
at a 5000-pixel input) would add each pixel to a total millions of times
bigger and lose its low bits; a row's sum and the sum of rows each add a
few thousand terms at most. The order of the sums does not depend on which
thread computed which row, so the pool, and the logits, are the same bits
for any number of threads.
m4_define(«EFFCC_POOL_LOCAL», «m4_ifelse(G_POOL, 1, «        ev prow[G_NVEC];
        for (ptrdiff_t v = 0; v < G_NVEC; ++v)
            prow[v] = ev_zero();
»)»)
m4_define(«EFFCC_POOL_ROW», «m4_ifelse(G_POOL, 1, «            for (ptrdiff_t v = G_VLO; v < G_VHI; ++v) {
                ev_store(prows + oh * G_CP + v * G_VL, prow[v]);
                prow[v] = ev_zero();
            }
»)»)
m4_define(«EFFCC_POOL_SUM», «m4_ifelse(G_POOL, 1, «    for (ptrdiff_t v = 0; v < G_NVEC; ++v) {
        ev sum = ev_zero();
        for (ptrdiff_t oh = 0; oh < G_OH; ++oh)
            sum = ev_add(sum, ev_load(prows + oh * G_CP + v * G_VL));
        ev_store(pool + v * G_VL, ev_mul(sum, ev_set1(1.0f / (float)(G_OH * G_OW))));
    }
»)»)

EFFCC_DW: depthwise k×k convolution, weights [kh][kw][G_CP]. Threads split
the output rows (G_CSPLIT 0) or, in a small image where rows split
unevenly, the channel vectors, in whole cache lines of G_VU vectors
(G_CSPLIT 1).
m4_define(«EFFCC_DW», «
static void G_NAME«»(const float *restrict in, const float *restrict w,
        const float *restrict bias, float *restrict out
        EFFCC_IF(G_POOL, «, float *restrict pool, float *restrict prows»))
{
    EFFCC_OMP("omp parallel")
    {
m4_ifelse(G_CSPLIT, 1, «m4_dnl
        const ptrdiff_t nt = effcc_thread_count(), t = effcc_thread_id();
        const ptrdiff_t vlo = G_NVEC / G_VU * t / nt * G_VU;
        const ptrdiff_t vhi = t == nt - 1 ? G_NVEC : G_NVEC / G_VU * (t + 1) / nt * G_VU;
EFFCC_POOL_LOCAL()        for (ptrdiff_t oh = 0; oh < G_OH; ++oh) {
EFFCC_DW_ROWSPAN()EFFCC_DW_ROW()EFFCC_POOL_ROW()        }
», «EFFCC_POOL_LOCAL()        EFFCC_OMP("omp for schedule(static)")
        for (ptrdiff_t oh = 0; oh < G_OH; ++oh) {
EFFCC_DW_ROWSPAN()EFFCC_DW_ROW()EFFCC_POOL_ROW()        }
»)    }
EFFCC_POOL_SUM()}
»)

EFFCC_GEMM_ROW(a, c, w, bias): one row of G_NB·G_MR + G_TR pixels through
the micro-kernels, panels G_PLO … G_PHI − 1 (used by the stem and the fused
expansion).
m4_define(«EFFCC_GEMM_ROW», «            for (ptrdiff_t n = G_PLO; n < G_PHI; ++n) {
                const float *wp = $3 + n * G_CI * G_NR, *bp = $4 + n * G_NR;
m4_ifelse(G_NB, 0, «», «                for (ptrdiff_t blk = 0; blk < G_NB; ++blk) {
                    m4_ifelse(G_NVR, 0, «», «if (n == G_NFULL)
                        G_NAME«»_mkr($1 + blk * G_MR * G_AST, wp, bp, $2 + blk * G_MR * G_COP + n * G_NR);
                    else
                        »)G_NAME«»_mk($1 + blk * G_MR * G_AST, wp, bp, $2 + blk * G_MR * G_COP + n * G_NR);
                }
»)m4_ifelse(G_TR, 0, «», «                m4_ifelse(G_NVR, 0, «», «if (n == G_NFULL)
                    G_NAME«»_mktr($1 + (ptrdiff_t)G_NB * G_MR * G_AST, wp, bp, $2 + (ptrdiff_t)G_NB * G_MR * G_COP + n * G_NR);
                else
                    »)G_NAME«»_mkt($1 + (ptrdiff_t)G_NB * G_MR * G_AST, wp, bp, $2 + (ptrdiff_t)G_NB * G_MR * G_COP + n * G_NR);
»)            }
»)

EFFCC_EXPDW: the conv that produces a depthwise conv's input, computed
inside it: an MBConv expansion (1×1, G_PRODUCE is EFFCC_EXPAND_ROW) or
the stem (G_STEM 1, EFFCC_STEM_ROW), weights we/be. Each thread keeps the
last G_K input rows in its ring buffer (row ih in slot ih % G_K), producing
each row once, just before the first output row that needs it: the
producer's tensor never exists whole. The scratch holds the G_THREADS ring
buffers, then (for the stem) as many gathered rows, then (with an SE pool)
the rows' sums, at G_PROWS. Threads split either
the output rows into bands (G_CSPLIT 0: the rows at a band's edge are
produced by both threads) or, for an expansion, its weight panels and so
the channels (G_CSPLIT 1: no row is produced twice and each thread streams
only its share of the weights).
m4_define(«EFFCC_EXPAND_ROW», «EFFCC_GEMM_ROW(«(x + ($1) * G_W * G_AST)», «$2», «we», «be»)»)
m4_define(«EFFCC_EXPDW», «EFFCC_MK_FAMILY()
static void G_NAME«»(const float *restrict x, const float *restrict we, const float *restrict be,
        const float *restrict w, const float *restrict bias, float *restrict out
        EFFCC_IF(G_POOL, «, float *restrict pool»), float *restrict rings)
{
m4_ifelse(G_POOL, 1, «    float *restrict prows = rings + G_PROWS;
»)    EFFCC_OMP("omp parallel num_threads(effcc_threads(G_THREADS))")
    {
        const ptrdiff_t nt = effcc_thread_count(), t = effcc_thread_id();
        float *restrict ring = rings + t * G_K * G_W * G_CP;
m4_ifelse(G_STEM, 1, «        float *restrict patch = rings + (ptrdiff_t)G_THREADS * G_K * G_W * G_CP + t * G_SOW * G_KK;
»)m4_ifelse(G_CSPLIT, 1, «m4_dnl
        const ptrdiff_t plo = G_NPANELS * t / nt, phi = G_NPANELS * (t + 1) / nt;
        const ptrdiff_t vlo = plo * G_NV, vhi = phi * G_NV < G_NVEC ? phi * G_NV : G_NVEC;
        const ptrdiff_t ohlo = 0, ohhi = G_OH;
», «        const ptrdiff_t ohlo = G_OH * t / nt, ohhi = G_OH * (t + 1) / nt;
»)EFFCC_POOL_LOCAL()        ptrdiff_t next = 0; /* rows below next are expanded (the last G_K in the ring) */
        for (ptrdiff_t oh = ohlo; oh < ohhi; ++oh) {
EFFCC_DW_ROWSPAN()            for (ptrdiff_t r = ih0 + khlo > next ? ih0 + khlo : next; r < ih0 + khhi; ++r) {
G_PRODUCE(«r», «(ring + (r % G_K) * G_W * G_CP)»)                next = r + 1;
            }
EFFCC_DW_ROW()EFFCC_POOL_ROW()        }
    }
EFFCC_POOL_SUM()}
»)

EFFCC_STEM: the dense k×k convolution that reads the NCHW graph input
(G_IC channels of G_SH × G_SW). One output row at a time, its G_SOW patches
of G_KK values (zeros outside the image, tap-major: (kh·K + kw)·G_IC + ci)
are gathered into the thread's buffer in the scratch (G_THREADS of them),
which then goes through the GEMM micro-kernels against the weights packed
as a GEMM with G_KK input channels.
m4_define(«EFFCC_STEM», «EFFCC_MK_FAMILY()
static void G_NAME«»(const float *restrict in, const float *restrict w,
        const float *restrict bias, float *restrict out, float *restrict patches)
{
    EFFCC_OMP("omp parallel num_threads(effcc_threads(G_THREADS))")
    {
        float *restrict patch = patches + (ptrdiff_t)effcc_thread_id() * G_SOW * G_KK;
        EFFCC_OMP("omp for schedule(static)")
        for (ptrdiff_t oh = 0; oh < G_SOH; ++oh)
EFFCC_STEM_ROW(«in», «oh», «(out + oh * G_SOW * G_COP)», «w», «bias»)    }
}
»)

EFFCC_STEM_ROW(in, oh, out, w, bias): output row oh of the stem: the G_SOW
patches of the row are gathered from the NCHW input (G_IC channels of
G_SH × G_SW, kernel G_SK, stride G_SS, padding G_SPT/G_SPL, zeros outside)
into patch (G_SOW · G_KK floats, the thread's), which goes through the
micro-kernels.
m4_define(«EFFCC_STEM_ROW», «    {
        for (ptrdiff_t ow = 0; ow < G_SOW; ++ow) {
            for (ptrdiff_t kh = 0; kh < G_SK; ++kh) {
                for (ptrdiff_t kw = 0; kw < G_SK; ++kw) {
                    const ptrdiff_t ih = ($2) * G_SS - G_SPT + kh, iw = ow * G_SS - G_SPL + kw;
                    const int inside = ih >= 0 && ih < G_SH && iw >= 0 && iw < G_SW;
                    for (ptrdiff_t ci = 0; ci < G_IC; ++ci)
                        patch[ow * G_KK + (kh * G_SK + kw) * G_IC + ci] =
                            inside ? $1[(ci * G_SH + ih) * G_SW + iw] : 0.0f;
                }
            }
        }
EFFCC_GEMM_ROW(«patch», «$3», «$4», «$5»)    }
»)

EFFCC_AVGPOOL: global average over G_H rows of G_W pixels of G_CP
channels, summed in two levels as the SE pools are (EFFCC_POOL_*): each
row's pixels, then the rows' sums.
m4_define(«EFFCC_AVGPOOL», «
static void G_NAME«»(const float *restrict in, float *restrict out)
{
    for (ptrdiff_t v = 0; v < G_NVEC; ++v) {
        ev sum = ev_zero();
        for (ptrdiff_t h = 0; h < G_H; ++h) {
            const float *row = in + h * G_W * G_CP + v * G_VL;
            ev rsum = ev_zero();
            for (ptrdiff_t p = 0; p < G_W; ++p)
                rsum = ev_add(rsum, ev_load(row + p * G_CP));
            sum = ev_add(sum, rsum);
        }
        ev_store(out + v * G_VL, ev_mul(sum, ev_set1(1.0f / (float)G_P)));
    }
}
»)

EFFCC_SCALE: out[p][c] = in[p][c] · s[c], for a gate no conv could absorb.
m4_define(«EFFCC_SCALE», «
static void G_NAME«»(const float *restrict in, const float *restrict s, float *restrict out)
{
    for (ptrdiff_t p = 0; p < G_P; ++p)
        for (ptrdiff_t v = 0; v < G_NVEC; ++v)
            ev_store(out + p * G_CP + v * G_VL,
                     ev_mul(ev_load(in + p * G_CP + v * G_VL), ev_load(s + v * G_VL)));
}
»)

EFFCC_ADD: out = a + b over G_N floats, for an add no conv could absorb.
m4_define(«EFFCC_ADD», «
static void G_NAME«»(const float *restrict a, const float *restrict b, float *restrict out)
{
    for (ptrdiff_t i = 0; i < G_N; i += G_VL)
        ev_store(out + i, ev_add(ev_load(a + i), ev_load(b + i)));
}
»)

EFFCC_ACT: a standalone activation over G_N floats.
m4_define(«EFFCC_ACT», «
static void G_NAME«»(const float *restrict in, float *restrict out)
{
    for (ptrdiff_t i = 0; i < G_N; i += G_VL)
        ev_store(out + i, G_ACTFN(ev_load(in + i)));
}
»)

EFFCC_COPY: the logits, from the padded arena buffer to the caller's array.
m4_define(«EFFCC_COPY», «
static void G_NAME«»(const float *restrict in, float *restrict out)
{
    for (ptrdiff_t i = 0; i < G_N; ++i)
        out[i] = in[i];
}
»)

EFFCC_NCHW: a graph output that is not a vector of logits (the kernel tests
make any tensor the output), from the arena's padded NHWC (G_P pixels of
G_CP floats) to the caller's array in NCHW (G_C planes of G_P floats).
m4_define(«EFFCC_NCHW», «
static void G_NAME«»(const float *restrict in, float *restrict out)
{
    for (ptrdiff_t c = 0; c < G_C; ++c)
        for (ptrdiff_t p = 0; p < G_P; ++p)
            out[c * G_P + p] = in[p * G_CP + c];
}
»)
m4_divert(0)m4_dnl
