/* A stand-in for Windows' bcryptprimitives.dll, for the wine test only.
 *
 * Rust's standard library takes its random numbers (HashMap seeds) from
 * ProcessPrng in bcryptprimitives.dll, which every Windows since 10 has
 * and Debian's wine 8 lacks. This DLL gives ProcessPrng from RtlGenRandom
 * so decreg.exe starts under wine. It is never shipped: scripts/dist puts
 * decreg.exe alone in the zip. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom */

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
