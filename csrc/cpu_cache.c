/*
 * cpu_cache.c - the data cache sizes of the CPU we run on, read once.
 *
 * Sources, first that answers: Linux's sysfs description of cpu0's caches
 * (/sys/devices/system/cpu/cpu0/cache/index*), then the CPUID cache leaves
 * (4 on Intel, 0x8000001D on AMD), then a default of a common desktop core.
 * The level-3 figure is the share of one core: the cache's size divided by
 * the logical CPUs that share it (as sysfs or CPUID report them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seqcore.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define SC_HAVE_CPUID 1
#endif

/* A core of 2020: 32 KiB L1d, 512 KiB L2, 2 MiB of L3 per core. */
static const sc_cache_sizes fallback = {32 * 1024, 512 * 1024,
                                        2 * 1024 * 1024, "default"};

static sc_cache_sizes cached;
static int cached_ready = 0;

/* The first line of a small sysfs file, or 0 when it cannot be read. */
static int read_line(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    const int ok = fgets(buf, (int)size, f) != NULL;
    fclose(f);
    return ok;
}

/* "48K", "1024K", "32M" -> bytes; 0 when not a size. */
static long parse_size(const char *text)
{
    char *end = NULL;
    const long v = strtol(text, &end, 10);
    if (end == text || v <= 0)
        return 0;
    if (*end == 'K' || *end == 'k')
        return v * 1024;
    if (*end == 'M' || *end == 'm')
        return v * 1024 * 1024;
    return v;
}

/* CPUs named by a list such as "0-7,16-23"; 1 at least. */
static long count_cpu_list(const char *text)
{
    long count = 0;
    const char *p = text;
    while (*p && *p != '\n') {
        char *end;
        const long lo = strtol(p, &end, 10);
        if (end == p)
            break;
        long hi = lo;
        p = end;
        if (*p == '-') {
            hi = strtol(p + 1, &end, 10);
            p = end;
        }
        count += hi >= lo ? hi - lo + 1 : 1;
        if (*p == ',')
            ++p;
    }
    return count > 0 ? count : 1;
}

static int from_sysfs(sc_cache_sizes *out)
{
    sc_cache_sizes got = {0, 0, 0, "sysfs"};
    char path[128], buf[256];
    for (int i = 0; i < 16; ++i) {
        snprintf(path, sizeof path,
                 "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
        if (!read_line(path, buf, sizeof buf))
            break;
        const int level = atoi(buf);
        snprintf(path, sizeof path,
                 "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
        if (!read_line(path, buf, sizeof buf) ||
            strncmp(buf, "Instruction", 11) == 0)
            continue;
        snprintf(path, sizeof path,
                 "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
        if (!read_line(path, buf, sizeof buf))
            continue;
        long bytes = parse_size(buf);
        if (level == 1)
            got.l1d = bytes;
        else if (level == 2)
            got.l2 = bytes;
        else if (level == 3) {
            snprintf(path, sizeof path,
                     "/sys/devices/system/cpu/cpu0/cache/index%d/"
                     "shared_cpu_list", i);
            const long sharing = read_line(path, buf, sizeof buf)
                                     ? count_cpu_list(buf) : 1;
            got.l3 = bytes / sharing;
        }
    }
    if (got.l1d <= 0 || got.l2 <= 0)
        return 0;
    *out = got;
    return 1;
}

#ifdef SC_HAVE_CPUID
/* The deterministic cache leaf (4 on Intel, 0x8000001D on AMD): same
 * register layout, one subleaf per cache. */
static int from_cpuid(sc_cache_sizes *out)
{
    unsigned eax, ebx, ecx, edx, leaf;
    if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx))
        return 0;
    const int amd = ebx == 0x68747541; /* "Auth"enticAMD */
    if (amd) {
        if (!__get_cpuid(0x80000000, &eax, &ebx, &ecx, &edx) ||
            eax < 0x8000001D)
            return 0;
        leaf = 0x8000001D;
    } else {
        if (eax < 4)
            return 0;
        leaf = 4;
    }
    sc_cache_sizes got = {0, 0, 0, "cpuid"};
    for (unsigned sub = 0; sub < 16; ++sub) {
        __cpuid_count(leaf, sub, eax, ebx, ecx, edx);
        const unsigned type = eax & 0x1F; /* 0 none, 1 data, 2 code, 3 unified */
        if (type == 0)
            break;
        if (type == 2)
            continue;
        const unsigned level = (eax >> 5) & 0x7;
        const long sharing = (long)((eax >> 14) & 0xFFF) + 1;
        const long ways = (long)((ebx >> 22) & 0x3FF) + 1;
        const long parts = (long)((ebx >> 12) & 0x3FF) + 1;
        const long line = (long)(ebx & 0xFFF) + 1;
        const long sets = (long)ecx + 1;
        const long bytes = ways * parts * line * sets;
        if (level == 1)
            got.l1d = bytes;
        else if (level == 2)
            got.l2 = bytes;
        else if (level == 3)
            got.l3 = bytes / sharing;
    }
    if (got.l1d <= 0 || got.l2 <= 0)
        return 0;
    *out = got;
    return 1;
}
#endif

const sc_cache_sizes *sc_cpu_caches(void)
{
    if (cached_ready)
        return &cached;
    sc_cache_sizes got = fallback;
    if (!from_sysfs(&got)) {
#ifdef SC_HAVE_CPUID
        if (!from_cpuid(&got))
#endif
            got = fallback;
    }
    if (got.l3 <= 0) /* no level 3 (some laptops, some VMs): use L2 */
        got.l3 = got.l2;
    cached = got;
    cached_ready = 1;
    return &cached;
}

const sc_cache_sizes *sc_cpu_caches_from(const char *source)
{
    static sc_cache_sizes probe;
    probe = fallback;
    if (strcmp(source, "sysfs") == 0) {
        if (!from_sysfs(&probe))
            return NULL;
    }
#ifdef SC_HAVE_CPUID
    else if (strcmp(source, "cpuid") == 0) {
        if (!from_cpuid(&probe))
            return NULL;
    }
#endif
    else if (strcmp(source, "default") != 0)
        return NULL;
    return &probe;
}
