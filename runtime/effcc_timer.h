/* effcc_timer.h — a monotonic clock in milliseconds, for the harness's --bench.
 * Needs _POSIX_C_SOURCE >= 199309L defined before the first system header. */
#ifndef EFFCC_TIMER_H
#define EFFCC_TIMER_H

#include <time.h>

static inline double effcc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

#endif
